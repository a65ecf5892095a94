"""{% load grants_workflow %}{% transitions application as moves %}: the next states the user may move the
application to now, read from the workflow table (grants.workflow.available), so a page shows a button exactly
when the service would accept the move (apart from the service's own checks of the content)."""

from django import template

from grants import workflow

register = template.Library()


@register.simple_tag(takes_context=True)
def transitions(context, application) -> list[str]:
    request = context.get("request")
    return workflow.available(getattr(request, "user", None), application)
