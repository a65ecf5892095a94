from decimal import Decimal

from django import template
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from accounts.permissions import has_permission

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, action, obj=None):
    """{% can "organisations.change_service" service as may_edit %}"""
    request = context.get("request")
    return has_permission(getattr(request, "user", None), action, obj)


@register.filter
def nok(value):
    """1650000 -> '1 650 000 kr' (Norwegian format, non-breaking spaces)."""
    if value in (None, ""):
        return ""
    amount = Decimal(value).quantize(Decimal("1"))
    return f"{amount:,}".replace(",", "\u00a0") + "\u00a0kr"


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (for pagination links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params[key] = value
    return params.urlencode()


@register.simple_tag(takes_context=True)
def nav_current(context, url_name, prefix=False):
    path = context["request"].path
    target = reverse(url_name)
    if (prefix and path.startswith(target)) or path == target:
        return mark_safe('aria-current="page"')  # noqa: S308 - a constant, no user input  # nosec B308
    return ""


@register.filter
def name_in_year(embete, year):
    """The embete's name valid in a year: {{ embete|name_in_year:2022 }}."""
    return embete.name_in_year(int(year))


@register.filter
def select_options(field):
    """The <option> elements of a select field, built in Python: rendering each option through the widget
    templates (`{% for w in field %}{{ w.tag }}`) costs a template render per option, which for the 300 services
    and partners in a filter form was most of the page's time. Same values, labels, selection and escaping as
    Django's widget (tests/test_select_options.py)."""
    selected = set(field.field.widget.format_value(field.value()))

    def flat(choices):
        for value, label in choices:
            if isinstance(label, (list, tuple)):  # an option group: its options, without the group
                yield from flat(label)
            else:
                value = "" if value is None else str(value)
                yield value, " selected" if value in selected else "", label

    return format_html_join("", '<option value="{}"{}>{}</option>', flat(field.field.choices))
