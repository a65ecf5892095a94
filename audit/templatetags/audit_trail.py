"""{% load audit_trail %}{{ code|event_sentence }}: the sentence of an audit event type (audit.events), or the
code itself for one that is not registered (old rows). Works on AuditEvent.handling and on exported dicts."""

from django import template

from audit import events

register = template.Library()


@register.filter
def event_sentence(code) -> str:
    return events.sentence(str(code or ""))
