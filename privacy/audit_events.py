"""Audit event types of privacy: the personal-data export and anonymisation.

Discovered by audit (AuditConfig.ready()); each sentence is what the audit views show users (audit/events.py)."""

from django.utils.translation import gettext_lazy as _

from audit.events import register_all

register_all(
    {
        "personopplysninger.eksportert": _("Personopplysningene ble eksportert"),
        "bruker.anonymisert": _("Brukeren ble anonymisert"),
    }
)
