"""Audit event types of projects: development projects, participants, partners, contacts, results.

Discovered by audit (AuditConfig.ready()); each sentence is what the audit views show users (audit/events.py)."""

from django.utils.translation import gettext_lazy as _

from audit.events import register_all

register_all(
    {
        "prosjekt.endret": _("Prosjektet ble endret"),
        "prosjekt.fase": _("Prosjektets fase ble endret"),
        "prosjekt.tjeneste_lagt_til": _("En tjeneste ble lagt til i prosjektet"),
        "prosjekt.tjeneste_avsluttet": _("En tjenestes deltakelse i prosjektet ble avsluttet"),
        "prosjekt.prosjektleder": _("Prosjektleder ble endret"),
        "prosjekt.kontakt_lagt_til": _("En kontaktperson ble lagt til i prosjektet"),
        "prosjekt.kontakt_fjernet": _("En kontaktperson ble fjernet fra prosjektet"),
        "prosjekt.partner_lagt_til": _("En partner ble lagt til i prosjektet"),
        "prosjekt.partner_avsluttet": _("En partners deltakelse i prosjektet ble avsluttet"),
        "prosjekt.resultat_lagt_til": _("Et resultat ble lagt til"),
        "prosjekt.resultat_endret": _("Et resultat ble endret"),
        "prosjekt.resultat_slettet": _("Et resultat ble slettet"),
        "prosjekt.kunnskapsbank": _("Prosjektet ble tatt inn i eller ut av kunnskapsbanken"),
    }
)
