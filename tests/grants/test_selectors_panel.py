"""The panels' selectors (grants.selectors_panel): per role, what the StaffPanel shows and what it says the user
may do, the refusals (other embete, Bufdir, service users, disqualified staff), the frame figures, a constant
query count, the round page's RoundPanel; and the panel's two writes that used to live in views
(services.score_all, services.start_round_letters)."""

import dataclasses
import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit import services as audit
from grants import selectors, services
from grants import tasks as grant_tasks
from grants.models import Application, ApplicationRound, Decision, Score
from grants.selectors_panel import FrameFigures, PanelActions, round_panel, staff_panel
from tests import factories

from .conftest import make_assessed, make_submitted

pytestmark = pytest.mark.usefixtures("tasks", "clock")

ACCOUNT = "15031234562"
TODAY = datetime.date(2026, 2, 2)
CASEWORK_ACTIONS = (
    "assign_officer",
    "declare_impartiality",
    "score",
    "recommend",
    "decide",
    "resolve_appeals",
    "register_payment",
    "claim_repayment",
    "carry_over",
)


def panel_for(user, application, today=TODAY):
    """The panel as the page builds it: the application as the user's detail selector loads it (the other
    embete's staff cannot load it at all, so for them it is loaded as a superuser would)."""
    loaded = selectors.application_detail(user, application.pk) or selectors.application_detail(
        factories.UserFactory(is_superuser=True), application.pk
    )
    return staff_panel(user, loaded, today=today)


def allowed(panel) -> set[str]:
    return {name for name, value in dataclasses.asdict(panel.may).items() if value}


@pytest.fixture
def decided(sf, assessed, frame):
    """Partly approved: 300 000 of 350 000 kr, against Vestland's frame of 1 000 000 kr."""
    services.decide(sf, assessed, utfall="delvis_innvilget", belop="300000", begrunnelse="Budsjettet er for høyt.")
    return Application.objects.get(pk=assessed.pk)


def pay(sf, application, belop):
    services.register_payment(sf, application.vedtak, dato=TODAY, belop=belop, kontonummer=ACCOUNT)


# --- statsforvalter ------------------------------------------------------------------------------


def test_statsforvalter_before_declaring_impartiality_may_assign_and_declare_only(sf, submitted, frame):
    panel = panel_for(sf, submitted)
    assert panel.casework is not None and not panel.casework.read_only
    assert panel.casework.impartiality.mine is None and not panel.casework.impartiality.impartial
    assert allowed(panel) == {"assign_officer", "declare_impartiality"}
    assert panel.casework.frame is None  # not looked up for who may not decide
    assert panel.appeal is None and panel.decision is None


def test_impartial_statsforvalter_may_score_recommend_and_decide_and_sees_the_frame(sf, assessed, frame):
    panel = panel_for(sf, assessed)
    assert allowed(panel) == {"assign_officer", "score", "recommend", "decide"}
    assert panel.casework.impartiality.impartial
    assert panel.casework.case_officer == sf
    assert len(panel.casework.scoring.criteria) == 3 and panel.casework.scoring.scores == ()
    assert panel.casework.frame == FrameFigures(
        belop=Decimal("1000000"), tildelt=Decimal("0"), igjen=Decimal("1000000")
    )


def test_the_frame_figures_count_what_is_awarded(sf, leader, rnd, network, bergen, voss, decided):
    other = make_assessed(sf, make_submitted(leader, rnd, network, [bergen, voss], navn="Et annet prosjekt"))
    frame = panel_for(sf, other).casework.frame
    assert frame == FrameFigures(belop=Decimal("1000000"), tildelt=Decimal("300000"), igjen=Decimal("700000"))


def test_without_a_frame_the_user_may_still_decide_but_no_figures_are_shown(sf, assessed):
    panel = panel_for(sf, assessed)
    assert panel.may.decide and panel.casework.frame is None


def test_own_scores_are_keyed_by_criterion(sf, assessed):
    criterion = assessed.utlysning.kriterieliste.first()
    services.score(sf, assessed, kriterium=criterion, poeng=4, kommentar="Godt.")
    scoring = panel_for(sf, assessed).casework.scoring
    assert [s.poeng for s in scoring.scores] == [4]
    assert scoring.mine[criterion.pk].kommentar == "Godt."
    other_sf = factories.statsforvalter("vestland")
    assert panel_for(other_sf, assessed).casework.scoring.mine == {}


def test_disqualified_statsforvalter_may_do_nothing_but_read(sf, submitted, frame):
    services.assign_case_officer(sf, submitted, sf)
    services.declare_impartiality(sf, submitted, ugild=True, begrunnelse="Søsteren min leder tjenesten.")
    panel = panel_for(sf, submitted)
    assert panel.casework.impartiality.mine.ugild
    assert allowed(panel) == {"assign_officer"}  # the case officer may still be changed


def test_after_the_decision_payment_is_offered_then_repayment(sf, decided):
    panel = panel_for(sf, decided)
    assert allowed(panel) == {"register_payment"}
    assert (panel.casework.decided.final_amount, panel.casework.decided.paid) == (Decimal("300000"), Decimal("0"))
    pay(sf, decided, "100000")
    panel = panel_for(sf, decided)
    assert allowed(panel) == {"register_payment", "claim_repayment"}
    assert panel.casework.decided.unpaid == Decimal("200000")
    pay(sf, decided, "200000")
    assert allowed(panel_for(sf, decided)) == {"claim_repayment"}  # all paid


def test_carry_over_only_when_the_round_allows_it(sf, decided):
    pay(sf, decided, "300000")
    assert not panel_for(sf, decided).may.carry_over
    ApplicationRound.objects.filter(pk=decided.utlysning_id).update(overforing_tillatt=True)
    assert panel_for(sf, decided).may.carry_over


def test_open_appeals_may_be_resolved_by_impartial_staff(sf, leader, decided):
    appeal = services.file_appeal(leader, decided.vedtak, "Vi trenger hele beløpet.")
    panel = panel_for(sf, decided)
    assert panel.may.resolve_appeals
    assert panel.casework.decided.open_appeals == (appeal,)
    other_sf = factories.statsforvalter("vestland")  # has not declared impartiality
    assert not panel_for(other_sf, decided).may.resolve_appeals


# --- denial --------------------------------------------------------------------------------------


def test_bufdir_reads_the_casework_but_may_do_nothing(bufdir, decided):
    panel = panel_for(bufdir, decided)
    assert panel.casework.read_only
    assert panel.may == PanelActions()
    assert panel.casework.decided.final_amount == Decimal("300000")


def test_statsforvalter_of_another_embete_may_do_nothing(sf_agder, decided):
    panel = panel_for(sf_agder, decided)
    assert panel.casework.read_only and panel.may == PanelActions()


def test_service_users_get_no_casework(leader, colleague, voss_leader, sogndal_leader, decided):
    for user in (leader, colleague, voss_leader, sogndal_leader):
        panel = panel_for(user, decided)
        assert panel.casework is None, user
        assert not any(getattr(panel.may, name) for name in CASEWORK_ACTIONS), user


def test_a_draft_has_no_casework(sf, leader, draft):
    assert panel_for(leader, draft).casework is None
    assert staff_panel(sf, Application.objects.get(pk=draft.pk)).casework is None


# --- the applying leader's appeal ------------------------------------------------------------------


def test_leader_may_appeal_within_the_deadline_one_appeal_at_a_time(leader, decided):
    panel = panel_for(leader, decided)
    assert panel.appeal is not None and not panel.appeal.open and not panel.appeal.deadline_passed
    assert allowed(panel) == {"file_appeal"}
    services.file_appeal(leader, decided.vedtak, "Vi trenger hele beløpet.")
    panel = panel_for(leader, decided)
    assert panel.appeal.open and not panel.may.file_appeal


def test_leader_may_not_appeal_after_the_deadline(leader, decided):
    late = decided.vedtak.klagefrist + datetime.timedelta(days=1)
    panel = panel_for(leader, decided, today=late)
    assert panel.appeal.deadline_passed and not panel.may.file_appeal


def test_colleagues_and_staff_get_no_appeal_section(colleague, sf, decided):
    for user in (colleague, sf):
        panel = panel_for(user, decided)
        assert panel.appeal is None and not panel.may.file_appeal


def test_superuser_passes_every_permission_but_not_the_state_or_impartiality(decided):
    admin = factories.UserFactory(is_superuser=True)
    panel = panel_for(admin, decided)
    assert panel.casework is not None and not panel.casework.read_only and panel.appeal is not None
    assert allowed(panel) == {"file_appeal", "declare_impartiality", "register_payment"}


# --- query count ---------------------------------------------------------------------------------


def test_the_panel_query_count_does_not_grow_with_the_data(sf, leader, decided):
    def count() -> int:
        application = selectors.application_detail(sf, decided.pk)
        with CaptureQueriesContext(connection) as queries:
            staff_panel(sf, application)
        return len(queries)

    before = count()
    for belop in ("10000", "20000", "30000"):
        pay(sf, decided, belop)
    services.create_repayment_claim(
        sf, decided.vedtak, belop="1000", begrunnelse="Ubrukt.", forfall=datetime.date(2027, 1, 1)
    )
    services.file_appeal(leader, decided.vedtak, "Vi trenger hele beløpet.")
    for criterion in decided.utlysning.kriterieliste.all():
        Score.objects.create(soknad=decided, kriterium=criterion, vurderer=sf, poeng=3)
    assert count() == before


# --- the round page ------------------------------------------------------------------------------


def test_round_panel_per_role(sf, bufdir, leader, sf_agder, rnd, decided):
    managed = round_panel(sf, rnd)
    assert managed.may_manage and managed.missing == 1 and not managed.running and managed.progress is None
    assert [c.value for c in managed.categories] == list(rnd.categories)
    read = round_panel(bufdir, rnd)
    assert not read.may_manage and read.missing == 0
    assert round_panel(leader, rnd) is None
    assert round_panel(sf_agder, rnd) is None


def test_round_panel_reports_progress(sf, rnd, decided):
    cache.set(f"letters:{rnd.pk}", {"done": 0, "total": 1}, timeout=60)
    try:
        panel = round_panel(sf, rnd)
        assert panel.running and not panel.finished
    finally:
        cache.delete(f"letters:{rnd.pk}")


# --- the panel's writes ----------------------------------------------------------------------------


def test_score_all_saves_all_or_none_and_names_the_criterion(sf, assessed):
    criteria = list(assessed.utlysning.kriterieliste.all())
    with pytest.raises(ValidationError) as info:
        services.score_all(sf, assessed, [(criteria[0], "3", ""), (criteria[1], "7", "")])
    assert f"poeng_{criteria[1].pk}" in info.value.message_dict
    assert not Score.objects.exists()
    services.score_all(sf, assessed, [(c, str(i + 3), "") for i, c in enumerate(criteria)])
    assert sorted(Score.objects.values_list("poeng", flat=True)) == [3, 4, 5]


def test_start_round_letters_needs_the_round_and_starts_only_what_is_missing(sf, bufdir, rnd, decided, monkeypatch):
    started = []
    monkeypatch.setattr(grant_tasks.generate_round_letters, "enqueue_now", started.append)
    with pytest.raises(PermissionDenied):
        services.start_round_letters(bufdir, rnd)
    assert cache.get(f"letters:{rnd.pk}") is None and started == []
    try:
        assert services.start_round_letters(sf, rnd) == 1
        assert cache.get(f"letters:{rnd.pk}") == {"done": 0, "total": 1} and started == [rnd.pk]
        Decision.objects.filter(pk=decided.vedtak.pk).update(brev="vedtak/x.pdf")  # as deliver_decision leaves it
        audit.record(None, "vedtak.epost_sendt", decided.vedtak, {})
        assert services.start_round_letters(sf, rnd) == 0 and started == [rnd.pk]  # nothing missing: nothing started
    finally:
        cache.delete(f"letters:{rnd.pk}")
