"""The demo shows every state issue 17 added (demo.cases), with consistent dates, through the services; and the
figures of the national summary and the annual report agree with the ledger for the demo."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from demo.seed import seed_demo
from followup.models import ChangeNotice, ChangeStatus
from grants import ledger
from grants.models import (
    Appeal,
    AppealOutcome,
    Application,
    ApplicationRound,
    ApplicationStatus,
    ApplicationVersion,
    BufdirOutcome,
    CaseMessage,
    Decision,
    InformationRequest,
    Payment,
    RepaymentClaim,
    RepaymentReceipt,
    RepaymentStatus,
)
from grants.outcome import effective_outcome
from grants.rounds import missing_documents
from grants.selectors_content import compare
from organisations.models import Embete, Maalform
from reporting.models import AnnualReport
from reporting.selectors.annual import compile_figures, snapshot_of
from reporting.selectors.national import summary

OPEN = (RepaymentStatus.KRAV_SENDT, RepaymentStatus.DELVIS_BETALT)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, seeded once for the module (it is large); each test only reads."""
    from pathlib import Path

    from django.conf import settings
    from django.db import transaction

    from organisations.services import load_reference_data

    with django_db_blocker.unblock():
        with transaction.atomic():
            base = Path(settings.REFERENCE_DATA_DIR)
            load_reference_data(base / "embeter.csv", base / "kommuner.csv")
            seed_demo()
            counts = {m.__name__: m.objects.count() for m in (Appeal, InformationRequest, CaseMessage, ChangeNotice)}
            seed_demo()  # safe to run twice: the cases are not made again
            again = {m.__name__: m.objects.count() for m in (Appeal, InformationRequest, CaseMessage, ChangeNotice)}
            yield {"first": counts, "second": again}
            transaction.set_rollback(True)


def day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def test_seeding_the_cases_twice_changes_nothing(demo):
    assert demo["first"] == demo["second"]
    assert all(n > 0 for n in demo["first"].values())


def test_a_rolling_round_with_required_documents_met_by_every_submitted_application(demo):
    rnd = ApplicationRound.objects.get(rullerende=True)
    names = list(rnd.vedleggskrav.values_list("navn", flat=True))
    assert names == ["Prosjektplan", "Samarbeidsavtale med kunnskapspartner"]
    sent = Application.objects.filter(utlysning=rnd).exclude(status=ApplicationStatus.UTKAST)
    assert sent.count() >= 6
    for application in sent:
        assert missing_documents(application) == []
    # Decided before the deadline, as the round allows.
    assert Decision.objects.filter(soknad__utlysning=rnd).exists()
    assert not rnd.deadline_passed()
    # A draft in it still misses them: the submit page shows what is missing.
    draft = Application.objects.filter(utlysning=rnd, status=ApplicationStatus.UTKAST).first()
    assert draft is not None and len(missing_documents(draft)) == 2


def test_nynorsk_lead_applicants_of_joint_applications_get_nynorsk_letters(demo):
    joint_nynorsk = [
        d
        for d in Decision.objects.select_related("soknad__ansvarlig_soker__vertskommune").prefetch_related(
            "soknad__tjenester__vertskommune"
        )
        if d.soknad.ansvarlig_soker.vertskommune.maalform == Maalform.NYNORSK and d.soknad.tjenester.count() > 1
    ]
    assert len(joint_nynorsk) >= 2
    for decision in joint_nynorsk:
        assert decision.maalform == "nynorsk"
    # The lead is the nynorsk service, with a co-applicant that is not (and has a lower id: the old rule erred).
    assert any(
        any(s.vertskommune.maalform != Maalform.NYNORSK for s in d.soknad.tjenester.all())
        and min(s.pk for s in d.soknad.tjenester.all()) != d.soknad.ansvarlig_soker_id
        for d in joint_nynorsk
    )


def test_waiting_for_information_and_answered_with_versions_to_compare(demo):
    today = timezone.localdate()
    waiting = InformationRequest.objects.get(besvart__isnull=True)
    assert waiting.soknad.status == ApplicationStatus.VENTER_OPPLYSNINGER
    assert waiting.frist > today
    answered = InformationRequest.objects.get(besvart__isnull=False)
    assert answered.soknad.status == ApplicationStatus.UNDER_BEHANDLING
    assert answered.versjon.nummer == 2 and answered.svar
    versions = list(ApplicationVersion.objects.filter(soknad=answered.soknad).order_by("nummer"))
    assert [v.nummer for v in versions] == [1, 2]
    changed = compare(versions[0].innhold, versions[1].innhold)
    assert changed  # the timeline and the budget changed with the answer


def test_case_messages_from_both_sides(demo):
    assert CaseMessage.objects.filter(fra_statsforvalter=True).exists()
    assert CaseMessage.objects.filter(fra_statsforvalter=False).exists()


def test_appeals_upheld_forwarded_and_decided_by_bufdir(demo):
    upheld = Appeal.objects.get(utfall=AppealOutcome.MEDHOLD, vedtak__utfall=ApplicationStatus.AVSLATT)
    assert upheld.vedtak.maalform == "nynorsk"
    assert ledger.final_amount(upheld.vedtak) == upheld.nytt_belop > 0
    assert "endret etter klage" in str(effective_outcome(upheld.vedtak).label)
    assert Payment.objects.filter(vedtak=upheld.vedtak).exists()  # paid after the omgjøring
    waiting = [a for a in Appeal.objects.filter(utfall=AppealOutcome.IKKE_MEDHOLD) if a.at_bufdir]
    assert waiting
    decided = Appeal.objects.get(bufdir_utfall=BufdirOutcome.ENDRET)
    assert ledger.final_amount(decided.vedtak) == decided.bufdir_belop
    assert decided.vedtak.belop < decided.bufdir_belop <= decided.vedtak.soknad.soknadsbelop
    # One partly approved application is still open to appeal (the Bergen leader can try the form).
    today = timezone.localdate()
    assert Decision.objects.filter(
        utfall=ApplicationStatus.DELVIS_INNVILGET, klagefrist__gte=today, klager__isnull=True
    ).exists()


def test_repayment_claims_partly_paid_paid_waived_and_overdue(demo):
    today = timezone.localdate()
    partly = RepaymentClaim.objects.filter(status=RepaymentStatus.DELVIS_BETALT).first()
    assert partly is not None and 0 < ledger.claim_paid(partly) < partly.belop
    paid = RepaymentClaim.objects.filter(status=RepaymentStatus.BETALT).first()
    assert paid is not None and ledger.claim_paid(paid) == paid.belop
    waived = RepaymentClaim.objects.filter(status=RepaymentStatus.ETTERGITT).first()
    assert waived is not None and waived.ettergitt_belop > 0 and waived.ettergitt_begrunnelse
    assert RepaymentClaim.objects.filter(status__in=OPEN, forfall__lt=today).exists()  # overdue


def test_change_notices_waiting_and_approved(demo):
    waiting = ChangeNotice.objects.get(status=ChangeStatus.SENDT)
    assert waiting.soknad.utlysning.embete.slug == "vestland"
    approved = ChangeNotice.objects.get(status=ChangeStatus.GODKJENT)
    assert approved.virkning.get("endringer")
    assert approved.flyttinger.exists()


def test_dates_are_consistent(demo):
    today = timezone.localdate()
    decisions = Decision.objects.select_related("soknad__utlysning")
    assert decisions.count() > 50
    for d in decisions:
        decided = day(d.vedtatt)
        rnd = d.soknad.utlysning
        assert decided <= today
        assert rnd.rullerende or decided > rnd.frist, d.saksnummer
        assert d.rapportfrist is None or decided < d.rapportfrist <= decided.replace(year=decided.year + 5)
        assert d.klagefrist > decided
        assert d.soknad.sendt_inn is not None and day(d.soknad.sendt_inn) <= decided
        assert day(d.soknad.opprettet) <= day(d.soknad.sendt_inn)
    for p in Payment.objects.select_related("vedtak"):
        assert day(p.vedtak.vedtatt) <= p.dato <= today
    for c in RepaymentClaim.objects.select_related("vedtak"):
        first_payment = Payment.objects.filter(vedtak=c.vedtak).order_by("dato").values_list("dato", flat=True)[0]
        assert first_payment <= c.dato <= today < datetime.date(9999, 1, 1)
        assert c.forfall > c.dato
        assert c.ettergitt_dato is None or c.dato <= c.ettergitt_dato <= today
    for r in RepaymentReceipt.objects.select_related("krav"):
        assert r.krav.dato <= r.dato <= today
    for a in Appeal.objects.select_related("vedtak"):
        filed = day(a.innsendt)
        assert day(a.vedtak.vedtatt) <= filed <= a.vedtak.klagefrist
        assert a.behandlet is None or a.innsendt <= a.behandlet
        assert a.bufdir_behandlet is None or a.behandlet <= a.bufdir_behandlet
    for n in ChangeNotice.objects.select_related("soknad__vedtak"):
        assert n.soknad.vedtak.vedtatt <= n.innsendt
        assert n.behandlet is None or n.innsendt <= n.behandlet
    for r in InformationRequest.objects.select_related("soknad"):
        assert r.soknad.sendt_inn <= r.sendt
        assert r.besvart is None or r.sendt <= r.besvart
    for m in CaseMessage.objects.select_related("soknad"):
        assert m.soknad.sendt_inn <= m.sendt
    for rnd in ApplicationRound.objects.exclude(publisert=None):
        first = Application.objects.filter(utlysning=rnd).exclude(sendt_inn=None).order_by("sendt_inn").first()
        assert first is None or rnd.publisert <= first.sendt_inn


def _ledger(embete, year) -> dict:
    decisions = Decision.objects.filter(soknad__utlysning__embete=embete, soknad__utlysning__aar=year)
    return {
        "tildelt": sum((ledger.final_amount(d) for d in decisions), Decimal(0)),
        "utbetalt": Payment.objects.filter(vedtak__in=decisions).aggregate(s=Sum("belop"))["s"] or Decimal(0),
        "tilbakebetalt": RepaymentReceipt.objects.filter(krav__vedtak__in=decisions).aggregate(s=Sum("belop"))["s"]
        or Decimal(0),
        "innvilget": sum(1 for d in decisions if ledger.final_amount(d) > 0),
        "avslatt": sum(1 for d in decisions if ledger.final_amount(d) == 0),
    }


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_national_summary_and_annual_figures_agree_with_the_ledger(demo, year):
    rows = {row.embete.slug: row for row in summary(year, year)[year] if row.embete is not None}
    for embete in Embete.objects.all():
        expected = _ledger(embete, year)
        total = rows[embete.slug].total
        for figure in ("tildelt", "utbetalt", "tilbakebetalt"):
            assert getattr(total, figure) == expected[figure], (embete.slug, year, figure)
        applications = compile_figures(embete, year)["soknader"]["totalt"]
        assert applications["innvilget"] == expected["innvilget"], (embete.slug, year)
        assert applications["avslatt"] == expected["avslatt"], (embete.slug, year)
    if year == 2026:  # the omgjøring and Bufdir's new amount count, not the first decisions
        decided = Decision.objects.filter(soknad__utlysning__embete__slug="vestland", soknad__utlysning__aar=year)
        assert rows["vestland"].total.tildelt > sum(d.belop for d in decided)


def test_the_submitted_annual_report_matches_the_ledger(demo):
    report = AnnualReport.objects.get(embete__slug="vestland", aar=2025)
    frozen = snapshot_of(report)
    assert frozen is not None
    live = compile_figures(report.embete, 2025)
    assert frozen["penger"] == live["penger"]
    assert frozen["soknader"] == live["soknader"]
