"""Audit event types of organisations: kommuner, child welfare services, partners.

Discovered by audit (AuditConfig.ready()); each sentence is what the audit views show users (audit/events.py)."""

from django.utils.translation import gettext_lazy as _

from audit.events import register_all

register_all(
    {
        "kommune.maalform_endret": _("Kommunens målform ble endret"),
        "tjeneste.opprettet": _("Tjenesten ble opprettet"),
        "tjeneste.endret": _("Tjenesten ble endret"),
        "tjenester.importert": _("Tjenester ble importert"),
        "partner.opprettet": _("Partneren ble opprettet"),
        "partner.endret": _("Partneren ble endret"),
    }
)
