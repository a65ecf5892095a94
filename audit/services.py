from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEvent


def _jsonable(value):
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def record(actor, action: str, obj: models.Model | None = None, changes: dict | None = None) -> AuditEvent:
    """Record an audit event. Call inside the service's transaction so it rolls back with it."""
    role = getattr(actor, "active_role", None) if actor is not None else None
    return AuditEvent.objects.create(
        aktor=actor if actor is not None and getattr(actor, "pk", None) else None,
        rolle=str(role) if role else "",
        handling=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        objekt=str(obj)[:300] if obj is not None else "",
        endringer=_jsonable(changes or {}),
    )


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields whose value changed."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}
