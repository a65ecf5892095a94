"""Audit event types of the API: tokens.

Discovered by audit (AuditConfig.ready()); each sentence is what the audit views show users (audit/events.py)."""

from django.utils.translation import gettext_lazy as _

from audit.events import register_all

register_all(
    {
        "api.token_created": _("API-nøkkelen ble opprettet"),
        "api.token_revoked": _("API-nøkkelen ble trukket tilbake"),
    }
)
