"""Audit event types of accounts: invitations.

Discovered by audit (AuditConfig.ready()); each sentence is what the audit views show users (audit/events.py)."""

from django.utils.translation import gettext_lazy as _

from audit.events import register_all

register_all(
    {
        "invitasjon.sendt": _("Invitasjonen ble sendt"),
        "invitasjon.akseptert": _("Invitasjonen ble akseptert"),
        "invitasjon.trukket": _("Invitasjonen ble trukket tilbake"),
    }
)
