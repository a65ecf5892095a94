"""How much text users may write, defined once. Models (max_length plus a MaxLengthValidator, see `text`), forms
(max_length) and services use these constants; the pre_save guard `enforce_max_length` (connected in
common.apps for LIMITED_APPS) refuses an over-long value whatever path it comes by (service, admin, API,
import), with Django's Norwegian message, before anything is written.

The audit trail stores at most AUDIT_TEXT characters of any text (audit.services.bound): longer texts are kept as
their first AUDIT_EXCERPT characters, their length and a SHA-256 hash.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models

NAME = 200  # names and titles: projects, networks, rounds, outputs, documents
SHORT_TEXT = 2_000  # roles, short reasons and comments
MEDIUM_TEXT = 5_000  # postponement requests and answers, agendas, lists of criteria
LONG_TEXT = 20_000  # applications, reports, descriptions, decisions and their reasons

AUDIT_TEXT = 500  # a text longer than this is never stored whole in the audit trail …
AUDIT_EXCERPT = 200  # … only this many first characters, its length and hash
AUDIT_TOTAL = 20_000  # the change description of one audit event, as JSON, at most

# Apps whose models the pre_save guard checks.
LIMITED_APPS = ("accounts", "api", "networks", "organisations", "projects", "grants", "followup", "reporting")


def text(limit: int) -> dict:
    """Keyword arguments for a bounded models.TextField: models.TextField(_("mål"), blank=True, **text(LONG_TEXT)).
    max_length is what ModelForms (admin) use; the validator is what full_clean uses (TextField has none)."""
    return {"max_length": limit, "validators": [MaxLengthValidator(limit)]}


def too_long(instance: models.Model, fields=None) -> dict[str, list[str]]:
    """{field: [Norwegian message]} for the instance's text fields longer than their max_length."""
    errors: dict[str, list[str]] = {}
    for field in instance._meta.concrete_fields:
        if not isinstance(field, (models.CharField, models.TextField)) or not field.max_length:
            continue
        if fields is not None and field.name not in fields and field.attname not in fields:
            continue
        value = getattr(instance, field.attname, None)
        if isinstance(value, str) and len(value) > field.max_length:
            try:
                MaxLengthValidator(field.max_length)(value)
            except ValidationError as exc:
                errors[field.name] = exc.messages
    return errors


def check(instance: models.Model, fields=None) -> None:
    """Raise ValidationError({field: [message]}) when a text field of the instance is too long."""
    errors = too_long(instance, fields)
    if errors:
        raise ValidationError(errors)


def enforce_max_length(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """pre_save receiver: SQLite ignores varchar lengths and TextField has none, so this is the last stop for a
    4 MB text sent past the forms. Fixtures (raw) are loaded as they are."""
    if raw or sender._meta.app_label not in LIMITED_APPS:
        return
    check(instance, update_fields)
