"""Appeals end somewhere (issue 17): the statsforvalter's outcome needs an amount when it upholds, forwarding makes
Bufdir the klageinstans (queue, decision: stadfestet / endret / opphevet), every outcome makes a letter in the
lead applicant's målform and an e-mail, and every figure counts the effective outcome (grants.outcome)."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from accounts.models import User
from audit.immutability import ImmutableRecordError
from audit.models import AuditEvent
from common.models import OutboxMessage
from common.money import kr
from grants import appeals, ledger, selectors_appeals, services
from grants import tasks_appeals as appeal_tasks
from grants.models import Appeal, ApplicationStatus, Award, Frame
from grants.outcome import effective_outcome
from organisations.models import Kommune, Maalform
from reporting.selectors import annual, national
from tests import factories

from .conftest import APPLIED, denied, field_messages, make_assessed, make_draft, member, messages, refused, set_frame
from .test_letters import flat, pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks", "clock")]

TASK = "grants.tasks_appeals.deliver_appeal_letter"


@pytest.fixture
def decision(sf, assessed, frame):
    """Delvis innvilget: 300 000 of 350 000 kr; frame 1 000 000 kr."""
    return services.decide(
        sf, assessed, utfall=ApplicationStatus.DELVIS_INNVILGET, belop="300000", begrunnelse="Delvis"
    )


@pytest.fixture
def rejection(sf, assessed, frame):
    return services.decide(sf, assessed, utfall=ApplicationStatus.AVSLATT, begrunnelse="Svak forankring.")


def forwarded(sf, leader, decision) -> Appeal:
    appeal = services.file_appeal(leader, decision, "Vi mener vurderingen er feil.")
    return services.resolve_appeal(sf, appeal, utfall="ikke_medhold", begrunnelse="Vi står ved vurderingen.")


def letter_tasks() -> list:
    return [(m.argumenter[0], m.argumenter[1]) for m in OutboxMessage.objects.filter(oppgave=TASK).order_by("pk")]


# --- the statsforvalter: medhold needs an amount ------------------------------------------------------------------


@pytest.mark.parametrize("utfall", ["medhold", "delvis_medhold"])
def test_upholding_requires_the_new_amount(sf, leader, decision, utfall):
    appeal = services.file_appeal(leader, decision, "Mer")
    with refused(ValidationError, appeal, decision) as info:
        appeals.resolve_appeal(sf, appeal, utfall=utfall, begrunnelse="Riktig", nytt_belop="")
    assert field_messages(info, "nytt_belop") == [
        "Skriv det nye tildelte beløpet. Ved medhold og delvis medhold endres vedtaket."
    ]
    assert ledger.final_amount(decision) == Decimal("300000")


def test_delvis_medhold_lies_between_the_amount_in_force_and_the_applied_amount(sf, leader, decision):
    appeal = services.file_appeal(leader, decision, "Mer")
    expected = [
        f"Ved delvis medhold må det nye beløpet være større enn beløpet som gjelder nå ({kr(300000)}) og mindre enn "
        f"søknadsbeløpet ({kr(APPLIED)}). Gir dere klageren helt medhold, velg «Medhold»."
    ]
    for amount in ("300000", "250000", str(APPLIED)):
        with refused(ValidationError, appeal) as info:
            appeals.resolve_appeal(sf, appeal, utfall="delvis_medhold", begrunnelse="Delvis", nytt_belop=amount)
        assert field_messages(info, "nytt_belop") == expected
    resolved = appeals.resolve_appeal(sf, appeal, utfall="delvis_medhold", begrunnelse="Delvis", nytt_belop="320000")
    assert (resolved.utfall, resolved.nytt_belop) == ("delvis_medhold", Decimal("320000"))
    assert ledger.final_amount(decision) == Decimal("320000")
    assert letter_tasks() == [(resolved.pk, "statsforvalter")]


def test_medhold_changes_the_amount_up_to_the_applied_amount(sf, leader, decision):
    appeal = services.file_appeal(leader, decision, "Mer")
    with refused(ValidationError, appeal) as info:
        appeals.resolve_appeal(sf, appeal, utfall="medhold", begrunnelse="Ja", nytt_belop="300000")
    assert field_messages(info, "nytt_belop") == [
        f"Ved medhold endres vedtaket: det nye beløpet kan ikke være det samme som beløpet som gjelder nå "
        f"({kr(300000)}). Skal beløpet stå, velg «Ikke medhold»."
    ]
    appeals.resolve_appeal(sf, appeal, utfall="medhold", begrunnelse="Ja", nytt_belop=str(APPLIED))
    outcome = effective_outcome(decision)
    assert (outcome.utfall, outcome.belop, outcome.changed) == (ApplicationStatus.INNVILGET, APPLIED, True)
    assert outcome.label == f"Delvis innvilget {kr(300000)}, endret etter klage: innvilget {kr(APPLIED)}"


# --- forwarding: Bufdir is the klageinstans ------------------------------------------------------------------------


def test_not_upheld_forwards_the_appeal_to_bufdirs_queue(sf, leader, decision):
    appeal = forwarded(sf, leader, decision)
    assert appeal.at_bufdir
    assert selectors_appeals.forwarded_count() == 1
    assert [a.pk for a in selectors_appeals.forwarded_queue()["waiting"]] == [appeal.pk]
    assert AuditEvent.objects.filter(handling="soknad.klage_oversendt").count() == 1
    assert letter_tasks() == [(appeal.pk, "statsforvalter")]  # the oversendelsesbrev
    assert effective_outcome(decision).label == f"Delvis innvilget {kr(300000)} – klagen er sendt til Bufdir"
    # No new appeal while Bufdir has it.
    with refused(ValidationError, decision) as info:
        services.file_appeal(leader, decision, "En klage til")
    assert messages(info) == ["Klagen er sendt til Bufdir og er ikke avgjort ennå."]


def test_only_bufdir_decides_a_forwarded_appeal(sf, sf_leader, sf_agder, leader, agder_leader, decision):
    appeal = forwarded(sf, leader, decision)
    for user in (sf, sf_leader, sf_agder, leader, agder_leader):
        with denied(appeal, decision):
            appeals.decide_forwarded_appeal(user, appeal, utfall="endret", begrunnelse="Ja", belop=str(APPLIED))
    assert appeal.at_bufdir


def test_bufdir_cannot_decide_an_appeal_that_is_not_forwarded(sf, bufdir, leader, decision):
    appeal = services.file_appeal(leader, decision, "Mer")
    with refused(ValidationError, appeal) as info:
        appeals.decide_forwarded_appeal(bufdir, appeal, utfall="stadfestet", begrunnelse="Ja")
    assert messages(info) == ["Klagen er ikke sendt til Bufdir, eller Bufdir har allerede avgjort den."]


def test_bufdirs_decision_is_validated(sf, bufdir, leader, decision):
    appeal = forwarded(sf, leader, decision)
    cases = [
        ({"utfall": "tja", "begrunnelse": "Ja"}, "utfall", "Velg vedtak: stadfestet, opphevet eller endret."),
        (
            {"utfall": "stadfestet", "begrunnelse": " "},
            "begrunnelse",
            "Skriv begrunnelsen for vedtaket (forvaltningsloven § 24).",
        ),
        ({"utfall": "endret", "begrunnelse": "Ja"}, "belop", "Skriv beløpet vedtaket endres til."),
        (
            {"utfall": "endret", "begrunnelse": "Ja", "belop": "300000"},
            "belop",
            f"Beløpet er det samme som gjelder nå ({kr(300000)}). Vil dere ikke endre beløpet, velg «Stadfestet».",
        ),
        (
            {"utfall": "endret", "begrunnelse": "Ja", "belop": str(APPLIED + 1)},
            "belop",
            f"Nytt beløp kan ikke være større enn søknadsbeløpet ({kr(APPLIED)}).",
        ),
    ]
    for kwargs, field, message in cases:
        with refused(ValidationError, appeal) as info:
            appeals.decide_forwarded_appeal(bufdir, appeal, **kwargs)
        assert field_messages(info, field) == [message]


def test_stadfestet_keeps_the_decision_and_ends_the_case(sf, bufdir, leader, decision):
    appeal = forwarded(sf, leader, decision)
    decided = appeals.decide_forwarded_appeal(bufdir, appeal, utfall="stadfestet", begrunnelse="Riktig vurdert.")
    assert (decided.bufdir_utfall, decided.bufdir_belop, decided.bufdir_behandlet_av) == ("stadfestet", None, bufdir)
    assert ledger.final_amount(decision) == Decimal("300000")
    assert selectors_appeals.forwarded_count() == 0
    assert letter_tasks()[-1] == (appeal.pk, "bufdir")
    assert effective_outcome(decision).label == f"Delvis innvilget {kr(300000)}"
    with refused(ValidationError, decision) as info:
        services.file_appeal(leader, decision, "Igjen")
    assert messages(info) == ["Bufdir har avgjort klagen. Vedtaket i klagesaken er endelig og kan ikke påklages."]
    with refused(ValidationError, decided) as info:
        appeals.decide_forwarded_appeal(bufdir, decided, utfall="endret", begrunnelse="Likevel", belop=str(APPLIED))
    assert messages(info) == ["Klagen er ikke sendt til Bufdir, eller Bufdir har allerede avgjort den."]


def test_endret_on_a_rejection_is_counted_as_awarded_everywhere(client, sf, bufdir, leader, rejection, frame, vestland):
    appeal = forwarded(sf, leader, rejection)
    appeals.decide_forwarded_appeal(bufdir, appeal, utfall="endret", begrunnelse="Godt nok.", belop="200000")

    rejection.refresh_from_db()
    assert rejection.ramme == frame  # the rejection now draws on the frame
    assert ledger.final_amount(rejection) == Decimal("200000")
    assert Award.objects.get(vedtak=rejection).belop == Decimal("200000")
    assert ledger.awarded_total(frame) == Decimal("200000")
    outcome = effective_outcome(rejection)
    assert (outcome.utfall, outcome.belop) == (ApplicationStatus.DELVIS_INNVILGET, Decimal("200000"))
    assert outcome.label == f"Avslått, endret etter klage: delvis innvilget {kr(200000)}"
    # The annual report counts it as awarded, not rejected, and lists it as funded.
    figures = annual.compile_figures(vestland, 2026)
    assert (figures["soknader"]["totalt"]["innvilget"], figures["soknader"]["totalt"]["avslatt"]) == (1, 0)
    assert [Decimal(p["tildelt"]) for p in figures["prosjekter"]] == [Decimal("200000")]
    # The national summary and the API read the award ledger.
    rows = national.summary(2026, 2026)[2026]
    assert rows[-1].per_kategori["fosterhjem"].tildelt == Decimal("200000")
    from tests.api.conftest import bearer, make_token

    _token, secret = make_token(bufdir)
    data = client.get("/api/v1/summary", {"year_from": 2026, "year_to": 2026}, **bearer(secret)).json()
    assert data["results"][-1]["tildelt_kr"] == 200000


def test_an_upheld_appeal_on_a_rejection_is_counted_as_awarded(sf, leader, rejection, vestland):
    appeal = services.file_appeal(leader, rejection, "Feil vurdering")
    appeals.resolve_appeal(sf, appeal, utfall="medhold", begrunnelse="Riktig", nytt_belop=str(APPLIED))
    figures = annual.compile_figures(vestland, 2026)
    assert (figures["soknader"]["totalt"]["innvilget"], figures["soknader"]["totalt"]["avslatt"]) == (1, 0)
    assert effective_outcome(rejection).label == f"Avslått, endret etter klage: innvilget {kr(APPLIED)}"


def test_endret_stays_within_the_frame(sf, bufdir, leader, rejection, frame, vestland):
    set_frame(bufdir, vestland, "100000", begrunnelse="Redusert")
    appeal = forwarded(sf, leader, rejection)
    with refused(ValidationError, appeal, rejection, Frame.objects.get()) as info:
        appeals.decide_forwarded_appeal(bufdir, appeal, utfall="endret", begrunnelse="Ja", belop="200000")
    assert field_messages(info, "belop") == [f"Beløpet går over rammen. Igjen av rammen: {kr(100000)}."]


def test_opphevet_sends_the_case_back_for_a_new_handling(sf, bufdir, leader, decision):
    appeal = forwarded(sf, leader, decision)
    appeals.decide_forwarded_appeal(bufdir, appeal, utfall="opphevet", begrunnelse="Saken er ikke godt nok opplyst.")
    new = Appeal.objects.get(opphevet_klage=appeal)
    assert (new.utfall, new.begrunnelse, new.innsendt_av) == ("", appeal.begrunnelse, leader)
    assert effective_outcome(decision).pending == "statsforvalter"
    # The statsforvalter handles it again and this time upholds it: an omgjøringsvedtak.
    appeals.resolve_appeal(sf, new, utfall="medhold", begrunnelse="Ny vurdering", nytt_belop=str(APPLIED))
    assert ledger.final_amount(decision) == APPLIED
    assert letter_tasks() == [(appeal.pk, "statsforvalter"), (appeal.pk, "bufdir"), (new.pk, "statsforvalter")]


def test_bufdirs_decision_is_recorded_once(sf, bufdir, leader, decision):
    appeal = forwarded(sf, leader, decision)
    appeal = appeals.decide_forwarded_appeal(bufdir, appeal, utfall="stadfestet", begrunnelse="Riktig.")
    for change in ({"bufdir_utfall": "opphevet"}, {"bufdir_begrunnelse": "Noe annet"}, {"utfall": "medhold"}):
        with pytest.raises(ImmutableRecordError), transaction.atomic():
            Appeal.objects.filter(pk=appeal.pk).update(**change)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:  # the trigger too
        cursor.execute("UPDATE grants_appeal SET bufdir_begrunnelse = 'Endret' WHERE id = %s", [appeal.pk])
    assert Appeal.objects.get(pk=appeal.pk).bufdir_begrunnelse == "Riktig."


# --- letters and e-mail, in the lead applicant's målform -----------------------------------------------------------


@pytest.fixture
def nynorsk_decision(sf, bufdir, vestland, rnd, network, bergen):
    """A decision on Etne og Sveio's application (lead, nynorsk) with Bergen: delvis 300 000 of 350 000 kr."""
    etne = Kommune.objects.get(nummer="4611")
    Kommune.objects.filter(nummer__in=["4611", "4612"]).update(maalform=Maalform.NYNORSK)
    etne.refresh_from_db()
    service = factories.ServiceFactory(
        navn="Barnevernstenesta i Etne og Sveio", vertskommune=etne, kommuner=[Kommune.objects.get(nummer="4612")]
    )
    member(network, service)
    lead = factories.service_user(service)
    application = make_assessed(sf, services.submit(lead, make_draft(lead, rnd, network, tjenester=[service, bergen])))
    set_frame(bufdir, vestland, "1000000")
    decision = services.decide(sf, application, utfall="delvis_innvilget", belop="300000", begrunnelse="Delvis")
    assert decision.maalform == "nynorsk"
    return decision, lead


def test_every_outcome_makes_a_letter_in_nynorsk_and_mails_it(sf, bufdir, leader, nynorsk_decision, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    decision, lead = nynorsk_decision
    User.objects.filter(pk=lead.pk).update(sprak="nn")
    appeal = forwarded(sf, lead, decision)
    mail.outbox.clear()

    assert appeal_tasks.deliver_appeal_letter(appeal.pk, "statsforvalter") is True
    appeal.refresh_from_db()
    assert appeal.brev.name.endswith(".pdf")
    text = flat(pdf_text(appeal.brev.read()))
    assert "Klaga er send til Bufdir" in text
    assert "finn ikkje grunn til å endre vedtaket" in text
    assert "Mottakar Barnevernstenesta i Etne og Sveio" in text
    sent = {tuple(m.to): m for m in mail.outbox}
    nynorsk = sent[(lead.email,)]
    assert nynorsk.subject == f"Klaga i sak {decision.saksnummer} er send til Bufdir"
    assert nynorsk.attachments[0][0].startswith("oversendelsesbrev-")
    assert sent[(leader.email,)].subject == f"Klagen i sak {decision.saksnummer} er sendt til Bufdir"  # bokmål user
    # Once only.
    assert appeal_tasks.deliver_appeal_letter(appeal.pk, "statsforvalter") is False

    appeals.decide_forwarded_appeal(bufdir, appeal, utfall="endret", begrunnelse="Godt grunngitt.", belop="340000")
    assert appeal_tasks.deliver_appeal_letter(appeal.pk, "bufdir") is True
    appeal.refresh_from_db()
    text = flat(pdf_text(appeal.bufdir_brev.read()))
    assert "Vedtak i klagesak – stimuleringsmidlar" in text
    assert "endrar vedtaket" in text and "340 000 kr" in text
    assert "Vedtaket er endeleg og kan ikkje påklagast" in text
    assert "Barne-, ungdoms- og familiedirektoratet (Bufdir)" in text


def test_an_omgjoringsvedtak_in_bokmal(sf, leader, decision):
    appeal = services.file_appeal(leader, decision, "Mer")
    appeals.resolve_appeal(sf, appeal, utfall="medhold", begrunnelse="Budsjettet holder.", nytt_belop=str(APPLIED))
    assert appeal_tasks.deliver_appeal_letter(appeal.pk, "statsforvalter") is True
    appeal.refresh_from_db()
    text = flat(pdf_text(appeal.brev.read()))
    assert "Omgjøringsvedtak – klage på vedtak om stimuleringsmidler" in text
    assert "gir dere medhold i klagen og endrer vedtaket" in text
    assert "Budsjettet holder." in text
    assert "Dette er et nytt vedtak" in text
    # The letter is attached once.
    with pytest.raises(ImmutableRecordError), transaction.atomic():
        Appeal.objects.filter(pk=appeal.pk).update(brev="klager/annet.pdf")
