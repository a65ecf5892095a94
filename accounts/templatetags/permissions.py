"""{% load permissions %}: templates ask the one permission layer (accounts.permissions) what the user may do."""

from django import template

from accounts.permissions import has_permission

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, action, obj=None):
    """{% can "organisations.change_service" service as may_edit %}"""
    request = context.get("request")
    return has_permission(getattr(request, "user", None), action, obj)
