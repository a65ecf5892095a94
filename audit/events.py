"""The registry of audit event types: each code that audit.services.record writes (AuditEvent.handling) with the
Norwegian sentence the audit views show users ("Søknaden ble sendt inn").

Each app declares its own event types in `<app>/audit_events.py`:

    from django.utils.translation import gettext_lazy as _

    from audit.events import register_all

    register_all({
        "soknad.sendt_inn": _("Søknaden ble sendt inn"),
        ...
    })

audit is the bottom layer and imports no app: AuditConfig.ready() imports every installed app's `audit_events`
module by name (Django's autodiscover_modules, as the admin does with `admin` modules).

record() with a code that is not registered raises UnknownEventType when settings.DEBUG or settings.TESTING is
on, so a new call site without a declaration fails in development and in the tests. In production it logs an
error and records the event anyway: losing an audit row would be worse than showing its code instead of a
sentence. Rows written before a code was registered (or under a code no longer used) show their code."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EventType:
    code: str
    sentence: str | Promise  # gettext_lazy, bokmål source text
    retired: bool = False  # no longer recorded; kept so that old rows still read as a sentence


class UnknownEventType(LookupError):
    pass


_REGISTRY: dict[str, EventType] = {}


def register(code: str, sentence: str | Promise, *, retired: bool = False) -> EventType:
    """Declare an event type. Declaring the same code twice with another sentence is an error. A retired type
    is one that the code no longer records (record() treats it as unregistered) but that old rows carry."""
    if not code or not str(sentence).strip():
        raise ValueError(f"An audit event type needs a code and a sentence: {code!r}")
    existing = _REGISTRY.get(code)
    if existing is not None and str(existing.sentence) != str(sentence):
        raise ValueError(f"Audit event type {code} is registered twice with different sentences")
    _REGISTRY[code] = EventType(code, sentence, retired)
    return _REGISTRY[code]


def register_all(sentences: dict[str, str | Promise], *, retired: bool = False) -> None:
    for code, sentence in sentences.items():
        register(code, sentence, retired=retired)


def get(code: str) -> EventType | None:
    return _REGISTRY.get(code)


def registered() -> dict[str, EventType]:
    return dict(_REGISTRY)


def sentence(code: str) -> str:
    """What the audit views show for a code: its sentence, or the code itself for an unregistered (old) one."""
    event_type = _REGISTRY.get(code)
    return str(event_type.sentence) if event_type is not None else code


def ensure_registered(code: str) -> None:
    """Called by audit.services.record before it writes (see the module docstring for what happens when not)."""
    event_type = _REGISTRY.get(code)
    if event_type is not None and not event_type.retired:
        return
    if settings.DEBUG or getattr(settings, "TESTING", False):
        raise UnknownEventType(
            f"Audit event type {code!r} is not registered: declare it with its sentence in the app's audit_events.py"
        )
    logger.error("Audit event type %r is not registered; recorded with its code only", code)


def autodiscover() -> None:
    """Import every installed app's audit_events module (AuditConfig.ready())."""
    autodiscover_modules("audit_events")
