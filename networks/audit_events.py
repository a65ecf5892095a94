"""Audit event types of networks: learning networks, membership, people, partners, documents, gatherings.

Discovered by audit (AuditConfig.ready()); each sentence is what the audit views show users (audit/events.py)."""

from django.utils.translation import gettext_lazy as _

from audit.events import register_all

register_all(
    {
        "nettverk.opprettet": _("Nettverket ble opprettet"),
        "nettverk.endret": _("Nettverket ble endret"),
        "nettverk.status": _("Nettverkets status ble endret"),
        "nettverk.tjeneste_invitert": _("En tjeneste ble invitert til nettverket"),
        "nettverk.invitasjon_akseptert": _("Tjenesten takket ja til invitasjonen til nettverket"),
        "nettverk.invitasjon_avslatt": _("Tjenesten takket nei til invitasjonen til nettverket"),
        "nettverk.tjeneste_ba_om_aa_bli_med": _("En tjeneste ba om å bli med i nettverket"),
        "nettverk.forespørsel_godkjent": _("Forespørselen om å bli med i nettverket ble godkjent"),
        "nettverk.forespørsel_avslatt": _("Forespørselen om å bli med i nettverket ble avslått"),
        "nettverk.tjeneste_lagt_til": _("En tjeneste ble lagt til i nettverket"),
        "nettverk.tjeneste_gikk_ut": _("En tjeneste gikk ut av nettverket"),
        "nettverk.person_lagt_til": _("En person ble lagt til i nettverket"),
        "nettverk.person_avsluttet": _("En persons deltakelse i nettverket ble avsluttet"),
        "nettverk.partner_lagt_til": _("En partner ble lagt til i nettverket"),
        "nettverk.partner_avsluttet": _("En partners deltakelse i nettverket ble avsluttet"),
        "nettverk.oppvekst_lagt_til": _("En oppvekstdeltaker ble lagt til i nettverket"),
        "nettverk.dokument_lastet_opp": _("Et dokument ble lastet opp"),
        "nettverk.samling_registrert": _("En samling ble registrert"),
    }
)

# Retired: no longer recorded (the service that changed a membership's start date was removed), but old rows read.
register_all({"nettverk.medlemskap_dato": _("Datoen en tjeneste ble med i nettverket, ble endret")}, retired=True)
