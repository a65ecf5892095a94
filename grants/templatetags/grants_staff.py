"""Template tags for the statsforvalter's panels, so the pages that include them need no extra view context:
{% load grants_staff %}{% staff_panel application as sp %} and {% staff_round_panel round as rp %}."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_panel(context, application):
    from grants.views_staff import panel_context

    return panel_context(context["request"], application, context.get("bound_forms") or {})


@register.simple_tag(takes_context=True)
def staff_round_panel(context, rnd):
    from grants.views_staff import round_panel_context

    return round_panel_context(context["request"], rnd)
