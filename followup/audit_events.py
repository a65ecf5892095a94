"""Audit event types of followup: progress reports, reminders, postponements, change notices.

Discovered by audit (AuditConfig.ready()); each sentence is what the audit views show users (audit/events.py)."""

from django.utils.translation import gettext_lazy as _

from audit.events import register_all

register_all(
    {
        "rapport.opprettet": _("Rapporten ble opprettet"),
        "rapport.utkast_lagret": _("Utkastet til rapport ble lagret"),
        "rapport.utkast_autolagret": _("Utkastet til rapport ble lagret automatisk"),
        "rapport.sendt_inn": _("Rapporten ble sendt inn"),
        "rapport.returnert": _("Rapporten ble sendt tilbake for endring"),
        "rapport.godkjent": _("Rapporten ble godkjent"),
        "rapportkrav.paminnelse_sendt": _("En påminnelse om rapportfristen ble sendt"),
        "rapportkrav.utsettelse_bedt": _("Det ble søkt om utsettelse av rapportfristen"),
        "rapportkrav.utsettelse_innvilget": _("Utsettelsen av rapportfristen ble innvilget"),
        "rapportkrav.utsettelse_avslatt": _("Utsettelsen av rapportfristen ble avslått"),
        "utsettelse.epost_sendt": _("Svaret på søknaden om utsettelse ble sendt på e-post"),
        "endringsmelding.sendt": _("En endringsmelding ble sendt til statsforvalteren"),
        "endringsmelding.godkjent": _("Endringsmeldingen ble godkjent"),
        "endringsmelding.avslatt": _("Endringsmeldingen ble avslått"),
        "endringsmelding.prosjekt_endret": _("Prosjektet ble endret etter en godkjent endringsmelding"),
        "endringsmelding.varsel_sendt": _("Statsforvalteren fikk e-post om endringsmeldingen"),
        "endringsmelding.svar_sendt": _("Svaret på endringsmeldingen ble sendt på e-post"),
    }
)
