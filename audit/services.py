import datetime
import hashlib
import json

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from common import limits

from . import events
from .models import AuditEvent

# Autosaves of a draft by the same user within this time of an audited save of it are not audited again: one
# event per editing session, not one per pause in the typing (the submitted version is kept whole anyway).
AUTOSAVE_WINDOW = datetime.timedelta(minutes=30)


def bound(text: str) -> str:
    """The text as the audit trail keeps it: whole up to limits.AUDIT_TEXT characters; a longer text only as its
    first limits.AUDIT_EXCERPT characters, its length and its SHA-256 hash (so two versions can still be told
    apart and matched against the record they were saved in)."""
    if len(text) <= limits.AUDIT_TEXT:
        return text
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{text[: limits.AUDIT_EXCERPT]}… [forkortet: {len(text)} tegn, sha256:{digest}]"


def _jsonable(value):
    if isinstance(value, models.Model):
        return bound(str(value))
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {bound(str(k)): _jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return bound(str(value))


def _bounded_changes(changes: dict) -> dict:
    """The change description with every text bounded and, as JSON, at most limits.AUDIT_TOTAL characters (a
    value that makes it longer is kept as a bounded excerpt of its JSON)."""
    data = _jsonable(changes or {})
    if not isinstance(data, dict):
        data = {"verdi": data}
    if len(json.dumps(data, ensure_ascii=False)) > limits.AUDIT_TOTAL:
        data = {
            k: v if isinstance(v, (bool, int, float)) or v is None else bound(json.dumps(v, ensure_ascii=False))
            for k, v in data.items()
        }
        if len(json.dumps(data, ensure_ascii=False)) > limits.AUDIT_TOTAL:
            data = {"endringer": bound(json.dumps(data, ensure_ascii=False))}
    return data


def record(actor, action: str, obj: models.Model | None = None, changes: dict | None = None) -> AuditEvent:
    """Record an audit event. Call inside the service's transaction so it rolls back with it. `action` is a code
    declared in audit.events (the app's audit_events.py), e.g. "soknad.sendt_inn"."""
    events.ensure_registered(action)
    role = getattr(actor, "active_role", None) if actor is not None else None
    return AuditEvent.objects.create(
        aktor=actor if actor is not None and getattr(actor, "pk", None) else None,
        rolle=str(role)[:200] if role else "",
        handling=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        objekt=str(obj)[:300] if obj is not None else "",
        endringer=_bounded_changes(changes),
    )


def record_autosave(actor, action: str, obj: models.Model, changes: dict) -> AuditEvent | None:
    """Record an autosave of a draft (action: its own, e.g. "soknad.utkast_autolagret") once per editing session:
    skipped when the same user's autosave of the same object was recorded within AUTOSAVE_WINDOW. Audit rows
    cannot be updated, so the session's first autosave is the one kept; saves by the button and the submitted
    version are audited as always. Returns the event, or None when skipped. Call inside the service's
    transaction, with the object locked (so two autosaves at once cannot both open a session)."""
    recent = AuditEvent.objects.filter(
        handling=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        aktor=actor if getattr(actor, "pk", None) else None,
        tidspunkt__gte=timezone.now() - AUTOSAVE_WINDOW,
    )
    if recent.exists():
        return None
    return record(actor, action, obj, changes)


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields whose value changed."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}
