"""Audit event types of reporting: annual reports, the allocations import.

Discovered by audit (AuditConfig.ready()); each sentence is what the audit views show users (audit/events.py)."""

from django.utils.translation import gettext_lazy as _

from audit.events import register_all

register_all(
    {
        "aarsrapport.opprettet": _("Årsrapporten ble opprettet"),
        "aarsrapport.lagret": _("Årsrapporten ble lagret"),
        "aarsrapport.kommentert": _("Årsrapporten ble kommentert"),
        "aarsrapport.sendt_inn": _("Årsrapporten ble sendt inn"),
        "aarsrapport.gjenapnet": _("Årsrapporten ble åpnet igjen"),
        "tildelinger.importert": _("Tildelinger ble importert"),
    }
)
