"""The award ledger (grants.ledger): awarded, paid, claimed, repaid, carried over and net, for one decision and
grouped, with an appeal that changes the amount, a repayment, a carry-over, an award that ends at 0 and imported
history. The national tables (tests/reporting/national) and the frames page read the same sums."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from grants import ledger, repayments, selectors, services
from grants.models import ApplicationRound, ApplicationStatus, Award, AwardSource, Decision, RepaymentStatus
from projects.models import DevelopmentProject

from .conftest import APPLIED, YEAR, make_assessed, make_submitted

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks", "clock")]

S = ApplicationStatus
ACCOUNT = "86011117947"
DUE = datetime.date(YEAR + 1, 5, 1)


def _claim(sf, decision, belop, status=None):
    """A claim; paid back in full (one receipt, grants.repayments) or waived as a whole when status says so."""
    claim = services.create_repayment_claim(sf, decision, belop=belop, begrunnelse="Ubrukt", forfall=DUE)
    if status == RepaymentStatus.BETALT:
        repayments.register_receipt(sf, claim, dato=timezone.localdate(), belop=belop)
    elif status == RepaymentStatus.ETTERGITT:
        repayments.waive_claim(sf, claim, dato=timezone.localdate(), begrunnelse="Ettergitt")
    return claim


@pytest.fixture
def money_trail(sf, leader, assessed, frame):
    """Decided 300 000, raised to 320 000 on appeal; paid 200 000 + 120 000; claims of 50 000 (paid back),
    10 000 (waived) and 5 000 (sent); 100 000 carried over to next year."""
    decision = services.decide(sf, assessed, utfall=S.DELVIS_INNVILGET, belop="300000", begrunnelse="Delvis")
    appeal = services.file_appeal(leader, decision, "Vi trenger mer")
    services.resolve_appeal(sf, appeal, utfall="delvis_medhold", begrunnelse="Delvis", nytt_belop="320000")
    for belop in ("200000", "120000"):
        services.register_payment(sf, decision, dato=datetime.date(YEAR, 4, 1), belop=belop, kontonummer=ACCOUNT)
    _claim(sf, decision, "50000", RepaymentStatus.BETALT)
    _claim(sf, decision, "10000", RepaymentStatus.ETTERGITT)
    _claim(sf, decision, "5000")
    ApplicationRound.objects.filter(pk=decision.soknad.utlysning_id).update(overforing_tillatt=True)
    services.decide_carry_over(sf, decision, belop="100000", begrunnelse="Piloten flyttes")
    return decision


EXPECTED = ledger.Totals(
    prosjekter=1,
    tildelt=Decimal("320000"),
    utbetalt=Decimal("320000"),
    tilbakebetalt=Decimal("50000"),
    overfort=Decimal("100000"),
)


def test_one_decision(money_trail, frame):
    decision = money_trail
    assert ledger.final_amount(decision) == Decimal("320000")  # the appeal's amount, not the decided 300 000
    assert Award.objects.get(vedtak=decision).belop == Decimal("320000")  # the ledger row holds it
    assert ledger.awarded_total(frame) == Decimal("320000")
    assert ledger.paid_total(decision) == Decimal("320000")
    assert ledger.claimed_total(decision) == Decimal("55000")  # paid back or sent, not waived
    assert ledger.repaid_total(decision) == Decimal("50000")  # paid back only
    assert ledger.carried_total(decision) == Decimal("100000")


def test_totals_grouped_by_decision_by_embete_year_category_and_in_all(money_trail, vestland):
    decision = money_trail
    assert ledger.totals(("vedtak",)) == {(decision.pk,): EXPECTED}
    assert ledger.totals(("aar", "embete", "kategori")) == {(YEAR, vestland.pk, "fosterhjem"): EXPECTED}
    assert ledger.totals(("prosjekt",)) == {(decision.soknad.prosjekt_id,): EXPECTED}
    everything = ledger.totals()[()]
    assert everything == EXPECTED
    assert everything.netto == Decimal("270000")  # paid minus paid back


def test_totals_are_scoped(money_trail, vestland, agder):
    assert ledger.totals(("embete",), embete_ids=[agder.pk]) == {}
    assert ledger.totals(("embete",), year_from=YEAR + 1) == {}
    assert ledger.totals(("embete",), year_to=YEAR - 1) == {}
    assert ledger.totals(("embete",), kategorier=["egeninitiert"]) == {}
    only = ledger.totals(("embete",), embete_ids=[vestland.pk], year_from=YEAR, year_to=YEAR)
    assert only == {(vestland.pk,): EXPECTED}
    awarded_only = ledger.totals(("embete",), figures=("tildelt",))[(vestland.pk,)]
    assert (awarded_only.tildelt, awarded_only.utbetalt) == (Decimal("320000"), Decimal("0"))


def test_an_award_that_ends_at_zero_leaves_the_ledger(sf, leader, assessed, frame, rnd, network, bergen, voss):
    """A rejection is never in the ledger; an award an appeal sets to 0 leaves it."""
    rejected = services.decide(sf, assessed, utfall=S.AVSLATT, begrunnelse="Nei")
    other = make_assessed(sf, make_submitted(leader, rnd, network, [bergen, voss], navn="Prosjekt B"))
    granted = services.decide(sf, other, utfall=S.INNVILGET, belop=APPLIED, begrunnelse="Ja")
    assert ledger.totals(("vedtak",)) == {
        (granted.pk,): ledger.Totals(prosjekter=1, tildelt=APPLIED),
    }
    appeal = services.file_appeal(leader, granted, "Prosjektet er lagt ned")
    services.resolve_appeal(sf, appeal, utfall="medhold", begrunnelse="Lagt ned", nytt_belop="0")
    assert ledger.final_amount(rejected) == ledger.final_amount(granted) == Decimal("0")
    assert not Award.objects.exists()
    assert ledger.totals(("vedtak",)) == {}
    assert ledger.totals()[()] == ledger.Totals()  # zero, not missing, for the whole scope
    assert ledger.awarded_total(frame) == Decimal("0")
    projects = DevelopmentProject.objects.annotate(tildelt=ledger.awarded_per("prosjekt"))
    assert {p.tildelt for p in projects} == {Decimal("0")}


def test_awarded_per_project_and_imported_history(money_trail, vestland, frame):
    decision = money_trail
    Award.objects.create(
        aar=YEAR,
        embete=vestland,
        kategori="fosterhjem",
        belop=Decimal("1000"),
        kilde=AwardSource.IMPORT,
        import_nokkel="2026|vestland||historikk|fosterhjem",
    )
    project = ledger.with_awarded(DevelopmentProject.objects.all(), "prosjekt").get(pk=decision.soknad.prosjekt_id)
    assert project.tildelt == Decimal("320000")
    assert ledger.totals(figures=("tildelt",))[()].tildelt == Decimal("321000")  # the ledger holds history too
    assert ledger.totals(figures=("tildelt",), decided_only=True)[()].tildelt == Decimal("320000")
    assert ledger.awarded_total(frame) == Decimal("320000")  # history is not measured against a frame
    row = next(r for r in selectors.frame_overview(YEAR, vestland)["rows"] if r["kategori"] == "fosterhjem")
    assert (row["tildelt"], row["utbetalt"], row["tilbakebetalt"], row["igjen"]) == (
        Decimal("320000"),
        Decimal("320000"),
        Decimal("50000"),
        Decimal("680000"),
    )


def test_totals_are_one_query_per_figure(money_trail, django_assert_num_queries):
    with django_assert_num_queries(4):
        ledger.totals(("aar", "embete", "kategori"))
    with django_assert_num_queries(2):
        ledger.totals(("embete",), figures=("tildelt", "overfort"))


def test_prefetched_rows_are_summed_without_a_query(money_trail, django_assert_num_queries):
    """A page that lists a decision's appeals, payments, claims and carry-overs reads the sums from those rows."""
    decision = Decision.objects.prefetch_related(
        "klager", "utbetalinger", "tilbakebetalingskrav__innbetalinger", "overforinger"
    ).get(pk=money_trail.pk)
    with django_assert_num_queries(0):
        figures = [
            f(decision)
            for f in (
                ledger.final_amount,
                ledger.paid_total,
                ledger.claimed_total,
                ledger.repaid_total,
                ledger.carried_total,
            )
        ]
    assert figures == [Decimal(n) for n in ("320000", "320000", "55000", "50000", "100000")]
    fresh = Decision.objects.get(pk=money_trail.pk)
    with django_assert_num_queries(5):
        assert [f(fresh) for f in (ledger.final_amount, ledger.paid_total, ledger.claimed_total)] == figures[:3]
        assert [f(fresh) for f in (ledger.repaid_total, ledger.carried_total)] == figures[3:]
