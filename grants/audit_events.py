"""Audit event types of grants: frames, rounds, applications, assessment, decisions, appeals, payments.

Discovered by audit (AuditConfig.ready()); each sentence is what the audit views show users (audit/events.py)."""

from django.utils.translation import gettext_lazy as _

from audit.events import register_all

register_all(
    {
        "ramme.satt": _("Rammen ble satt"),
        "ramme.justert": _("Rammen ble justert"),
        "utlysning.opprettet": _("Utlysningen ble opprettet"),
        "utlysning.endret": _("Utlysningen ble endret"),
        "utlysning.kriterier": _("Vurderingskriteriene i utlysningen ble endret"),
        "utlysning.publisert": _("Utlysningen ble publisert"),
        "utlysning.epost_sendt": _("Utlysningen ble sendt på e-post til tjenestene"),
        "soknad.opprettet": _("Søknaden ble opprettet"),
        "soknad.utkast_lagret": _("Utkastet til søknad ble lagret"),
        "soknad.utkast_autolagret": _("Utkastet til søknad ble lagret automatisk"),
        "soknad.vedlegg": _("Et vedlegg ble lastet opp"),
        "soknad.sendt_inn": _("Søknaden ble sendt inn"),
        "soknad.kvittering_sendt": _("Kvitteringen for søknaden ble sendt"),
        "soknad.status": _("Søknaden fikk ny status"),
        "soknad.saksbehandler": _("Søknaden fikk saksbehandler"),
        "soknad.habilitet": _("Habilitet ble erklært"),
        "soknad.poeng": _("Søknaden fikk poeng på et kriterium"),
        "soknad.anbefaling": _("Saksbehandleren ga en anbefaling"),
        "soknad.prioritering": _("Rangeringen av søknaden ble endret"),
        "soknad.vedtak": _("Vedtaket ble fattet"),
        "vedtak.epost_sendt": _("Vedtaksbrevet ble sendt på e-post"),
        "soknad.klage": _("Vedtaket ble påklaget"),
        "soknad.klage_behandlet": _("Klagen ble behandlet"),
        "soknad.utbetaling": _("En utbetaling ble registrert"),
        "soknad.tilbakebetalingskrav": _("Et krav om tilbakebetaling ble registrert"),
        "soknad.overforing": _("Overføring av ubrukte midler til neste år ble vedtatt"),
    }
)
