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
        "soknad.vedlegg_fjernet": _("Et vedlegg ble fjernet fra utkastet"),
        "soknad.utkast_slettet": _("Utkastet til søknad ble slettet av søkerne"),
        "soknad.utkast_trukket_slettet": _("Utkastet ble trukket og slettet, siden det aldri ble sendt inn"),
        "soknad.prosjekt_fjernet": _("Prosjektet som utkastet registrerte, ble fjernet sammen med utkastet"),
        "utlysning.vedleggskrav": _("Vedleggene utlysningen krever, ble endret"),
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
        # appeals end somewhere (grants.appeals): forwarded to Bufdir, Bufdir's decision, the letters
        "soknad.klage_oversendt": _("Klagen ble sendt til Bufdir som klageinstans"),
        "soknad.klage_avgjort_bufdir": _("Bufdir avgjorde klagen"),
        "klage.brev_sendt": _("Statsforvalterens brev om klagen ble sendt på e-post"),
        "klage.bufdir_brev_sendt": _("Bufdirs vedtak i klagesaken ble sendt på e-post"),
        "soknad.utbetaling": _("En utbetaling ble registrert"),
        "soknad.tilbakebetalingskrav": _("Et krav om tilbakebetaling ble registrert"),
        "soknad.overforing": _("Overføring av ubrukte midler til neste år ble vedtatt"),
        # repayment claims: receipts, waivers, the letter (grants.repayments)
        "tilbakebetaling.innbetaling": _("En innbetaling på et tilbakebetalingskrav ble registrert"),
        "tilbakebetaling.ettergitt": _("Resten av et tilbakebetalingskrav ble ettergitt"),
        "tilbakebetaling.epost_sendt": _("Brevet med krav om tilbakebetaling ble sendt på e-post"),
        # requests for information and case messages (grants.information)
        "soknad.opplysninger_bedt_om": _("Statsforvalteren sendte søknaden tilbake og ba om flere opplysninger"),
        "soknad.opplysninger_besvart": _("Søkerne svarte og sendte inn søknaden på nytt"),
        "soknad.saksmelding": _("En melding ble skrevet i saken"),
        "opplysninger.epost_sendt": _("Anmodningen om opplysninger ble sendt på e-post til søkerne"),
        "opplysninger.svar_epost_sendt": _("Saksbehandleren fikk e-post om svaret fra søkerne"),
        "saksmelding.epost_sendt": _("Meldingen i saken ble sendt på e-post"),
    }
)
