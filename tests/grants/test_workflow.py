"""The application workflow (grants.workflow.TRANSITIONS) and the services that move an application through
it: every state pair is checked, both in the table and through the service layer."""

import ast
import datetime
import itertools
import pathlib

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.permissions import _REGISTRY, has_permission
from audit.models import AuditEvent
from grants import information, services, workflow
from grants.models import Application, ApplicationStatus, Decision
from tests import factories

from .conftest import APPLIED, denied, make_assessed, messages, refused

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks", "clock")]

S = ApplicationStatus
STATES = list(S)
# Written out by hand (not derived from TRANSITIONS), so a change to the table has to change this too.
ALLOWED = {
    (S.UTKAST, S.SENDT_INN): "grants.submit",
    (S.UTKAST, S.TRUKKET): "grants.withdraw",
    (S.SENDT_INN, S.UNDER_BEHANDLING): "grants.assess",
    (S.SENDT_INN, S.TRUKKET): "grants.withdraw",
    (S.SENDT_INN, S.VENTER_OPPLYSNINGER): "grants.request_information",
    (S.UNDER_BEHANDLING, S.INNVILGET): "grants.decide",
    (S.UNDER_BEHANDLING, S.DELVIS_INNVILGET): "grants.decide",
    (S.UNDER_BEHANDLING, S.AVSLATT): "grants.decide",
    (S.UNDER_BEHANDLING, S.VENTER_OPPLYSNINGER): "grants.request_information",
    (S.UNDER_BEHANDLING, S.TRUKKET): "grants.withdraw",
    # sent back for information (grants.information): the applicants answer and resubmit, or withdraw
    (S.VENTER_OPPLYSNINGER, S.UNDER_BEHANDLING): "grants.submit",
    (S.VENTER_OPPLYSNINGER, S.TRUKKET): "grants.withdraw",
}
PAIRS = list(itertools.product(STATES, STATES))
ANSWER_BY = datetime.date(2026, 2, 20)  # a deadline for an answer, in the fixtures' February 2026


def label(status) -> str:
    return S(status).label


def force_status(application: Application, status: str, with_reference: bool | None = None) -> Application:
    """Put the application in any state directly (bypassing the services); unless told otherwise, all but
    drafts have the reference a submitted application gets."""
    if with_reference is None:
        with_reference = status != S.UTKAST
    referanse = "VL-2026-9999" if with_reference else None
    Application.objects.filter(pk=application.pk).update(status=status, referanse=referanse)
    application.refresh_from_db()
    return application


@pytest.fixture
def draft(draft):
    """The status machine alone: the draft's project counts as registered before the draft, so withdrawing it
    gives «trukket» (a draft that registered its project is deleted with it: tests/grants/test_round_rules.py)."""
    Application.objects.filter(pk=draft.pk).update(nytt_prosjekt=False)
    draft.refresh_from_db()
    return draft


# --- the table --------------------------------------------------------------------------------


def test_every_state_has_an_entry():
    assert set(workflow.TRANSITIONS) == set(STATES)
    for targets in workflow.TRANSITIONS.values():
        assert set(targets) <= set(STATES)


@pytest.mark.parametrize(("current", "target"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_allowed_for_every_state_pair(current, target):
    expected = (current, target) in ALLOWED
    assert workflow.allowed(current, target) is expected
    # A move in the table is guarded by the permission it names; one not in it by the permission of the moves
    # into the same state (so only a user who could make such a move learns that this one is not possible).
    into = {action for (_, t), action in ALLOWED.items() if t == target}
    assert workflow.actions_for(current, target) == ({ALLOWED[current, target]} if expected else into)


def test_every_action_in_the_table_is_a_registered_permission():
    actions = {a for targets in workflow.TRANSITIONS.values() for a in targets.values()}
    assert actions == set(ALLOWED.values())
    assert actions <= set(_REGISTRY)


def test_next_states():
    assert workflow.next_states(S.UTKAST) == [S.SENDT_INN, S.TRUKKET]
    assert workflow.next_states(S.UNDER_BEHANDLING) == [
        S.INNVILGET,
        S.DELVIS_INNVILGET,
        S.AVSLATT,
        S.VENTER_OPPLYSNINGER,
        S.TRUKKET,
    ]
    assert workflow.next_states(S.VENTER_OPPLYSNINGER) == [S.UNDER_BEHANDLING, S.TRUKKET]
    for final in (S.INNVILGET, S.DELVIS_INNVILGET, S.AVSLATT, S.TRUKKET):
        assert workflow.next_states(final) == []
    assert workflow.next_states("finnes_ikke") == []
    assert workflow.allowed("finnes_ikke", S.SENDT_INN) is False


# --- the service layer's transition guard, for every pair --------------------------------------


def test_transition_guard_for_every_state_pair(draft):
    superuser = factories.UserFactory(is_superuser=True)  # holds every permission: only the table decides
    for current, target in PAIRS:
        # The guard alone (submit gives the reference before it moves a draft to «sendt inn»).
        application = force_status(draft, current, with_reference=True)
        events = AuditEvent.objects.filter(handling="soknad.status").count()
        if (current, target) in ALLOWED:
            with transaction.atomic():
                services._transition(superuser, application, target)
                application.refresh_from_db()
                assert application.status == target
                assert AuditEvent.objects.filter(handling="soknad.status").count() == events + 1
                transaction.set_rollback(True)
        else:
            with refused(ValidationError, application) as info:
                services._transition(superuser, application, target)
            assert messages(info) == [
                f"En søknad med status «{label(current)}» kan ikke få status «{label(target)}»."
            ], (current, target)


# --- the public services, state by state --------------------------------------------------------


@pytest.mark.parametrize("status", STATES)
def test_withdraw_in_every_state(status, leader, draft):
    application = force_status(draft, status)
    if (status, S.TRUKKET) in ALLOWED:
        services.withdraw(leader, application)
        application.refresh_from_db()
        assert application.status == S.TRUKKET
        event = AuditEvent.objects.filter(handling="soknad.status").latest("id")
        assert event.endringer == {"status": [status, "trukket"]}
    else:
        with refused(ValidationError, application) as info:
            services.withdraw(leader, application)
        assert messages(info) == [f"En søknad med status «{label(status)}» kan ikke få status «Trukket»."]


@pytest.mark.parametrize("status", STATES)
def test_assign_case_officer_in_every_state(status, sf, draft):
    application = force_status(draft, status)
    if status in (S.SENDT_INN, S.UNDER_BEHANDLING):  # under behandling: a new case officer
        services.assign_case_officer(sf, application, sf)
        application.refresh_from_db()
        assert (application.status, application.saksbehandler) == (S.UNDER_BEHANDLING, sf)
    else:
        with refused(ValidationError, application) as info:
            services.assign_case_officer(sf, application, sf)
        assert messages(info) == [f"Søknaden kan ikke få saksbehandler i status «{label(status)}»."]


@pytest.mark.parametrize("status", STATES)
def test_submit_in_every_state(status, leader, draft):
    application = force_status(draft, status)
    if status == S.UTKAST:
        services.submit(leader, application)
        application.refresh_from_db()
        assert application.status == S.SENDT_INN
    else:
        with refused(ValidationError, application) as info:
            services.submit(leader, application)
        if status == S.TRUKKET:
            assert messages(info) == ["Søknaden er trukket og kan ikke sendes inn."]
        else:
            assert messages(info) == [
                "Søknaden er allerede sendt inn (referanse VL-2026-9999). Du trenger ikke sende den på nytt."
            ]


@pytest.mark.parametrize("outcome", [S.INNVILGET, S.DELVIS_INNVILGET, S.AVSLATT])
@pytest.mark.parametrize("status", STATES)
def test_decide_in_every_state(status, outcome, sf, draft, frame):
    services.declare_impartiality(sf, draft, ugild=False)
    application = force_status(draft, status)
    amount = {S.INNVILGET: APPLIED, S.DELVIS_INNVILGET: APPLIED - 50000, S.AVSLATT: None}[outcome]
    if status == S.UNDER_BEHANDLING:
        decision = services.decide(sf, application, utfall=outcome, belop=amount, begrunnelse="Vurdert.")
        application.refresh_from_db()
        assert application.status == outcome
        assert decision.utfall == outcome
    else:
        with refused(ValidationError, application) as info:
            services.decide(sf, application, utfall=outcome, belop=amount, begrunnelse="Vurdert.")
        assert messages(info) == [f"Søknaden kan ikke avgjøres i status «{label(status)}»."]
        assert not Decision.objects.exists()


@pytest.mark.parametrize("target", [S.TRUKKET, S.SENDT_INN, S.UTKAST, S.UNDER_BEHANDLING, "tull"])
def test_decide_only_makes_decisions(target, sf, assessed, frame):
    """«trukket» is a legal next state from «under behandling», but not an outcome of a decision."""
    with refused(ValidationError, assessed) as info:
        services.decide(sf, assessed, utfall=target, begrunnelse="Vurdert.")
    assert messages(info) == ["Velg utfall: innvilget, delvis innvilget eller avslått."]


def test_full_path_draft_to_decision(leader, sf, draft, frame):
    assert draft.status == S.UTKAST
    submitted = services.submit(leader, draft)
    assert submitted.status == S.SENDT_INN
    assessed = make_assessed(sf, submitted)
    assert assessed.status == S.UNDER_BEHANDLING
    services.decide(sf, assessed, utfall=S.INNVILGET, belop=APPLIED, begrunnelse="Godt prosjekt.")
    assessed.refresh_from_db()
    assert assessed.status == S.INNVILGET
    statuses = [
        e.endringer["status"]
        for e in AuditEvent.objects.filter(handling="soknad.status", object_id=str(draft.pk)).order_by("id")
    ]
    assert statuses == [["sendt_inn", "under_behandling"], ["under_behandling", "innvilget"]]


def test_only_a_leader_of_an_applying_service_withdraws(colleague, sf, sogndal_leader, voss_leader, draft):
    for user in (colleague, sf, sogndal_leader):  # medarbeider, statsforvalter, a service not applying
        with denied(draft):
            services.withdraw(user, draft)
    services.withdraw(voss_leader, draft)  # Voss applies together with Bergen
    draft.refresh_from_db()
    assert draft.status == S.TRUKKET


# --- the table is the single source: each move through its service ---------------------------------


def move(user, application: Application, target: str, case_officer):
    """The public service that makes the move to `target`."""
    if target == S.VENTER_OPPLYSNINGER:
        return information.request_information(user, application, melding="Send budsjettet.", frist=ANSWER_BY)
    if target == S.UNDER_BEHANDLING and application.status == S.VENTER_OPPLYSNINGER:
        return information.resubmit(user, application, svar="Budsjettet er rettet.")
    if target == S.SENDT_INN:
        return services.submit(user, application)
    if target == S.TRUKKET:
        return services.withdraw(user, application)
    if target == S.UNDER_BEHANDLING:
        return services.assign_case_officer(user, application, case_officer)
    amount = {S.INNVILGET: APPLIED, S.DELVIS_INNVILGET: APPLIED - 50000, S.AVSLATT: None}[target]
    return services.decide(user, application, utfall=target, belop=amount, begrunnelse="Vurdert.")


EDGES = [
    (current, target, action)
    for current, targets in workflow.TRANSITIONS.items()
    for t in [targets]
    for target, action in t.items()
]
NOT_IN_TABLE = [
    (current, target)
    for current, target in PAIRS
    if (current, target) not in ALLOWED
    and target != S.UTKAST  # no service moves an application back to a draft
    and (current, target) != (S.UNDER_BEHANDLING, S.UNDER_BEHANDLING)  # a new case officer, not a move
]


@pytest.fixture
def users(leader, colleague, voss_leader, sogndal_leader, sf, sf_agder, bufdir):
    return [leader, colleague, voss_leader, sogndal_leader, sf, sf_agder, bufdir]


@pytest.mark.parametrize(("current", "target", "action"), EDGES, ids=[f"{a}->{b}" for a, b, _ in EDGES])
def test_each_move_needs_the_permission_the_table_names(current, target, action, users, sf, draft, frame):
    services.declare_impartiality(sf, draft, ugild=False)
    application = force_status(draft, current)
    without = [u for u in users if not has_permission(u, action, application)]
    holders = [u for u in users if has_permission(u, action, application)]
    assert without and holders
    for user in without:
        with denied(application):
            move(user, application, target, sf)
    with transaction.atomic():
        move(holders[0], application, target, sf)
        application.refresh_from_db()
        assert application.status == target
        transaction.set_rollback(True)


@pytest.mark.parametrize(("current", "target"), NOT_IN_TABLE, ids=[f"{a}->{b}" for a, b in NOT_IN_TABLE])
def test_a_move_not_in_the_table_is_refused_even_with_the_permission(current, target, users, sf, draft, frame):
    services.declare_impartiality(sf, draft, ugild=False)
    application = force_status(draft, current)
    actions = workflow.actions_for(current, target)
    # Into «under behandling» there are two moves (assigning a case officer, the applicants' answer): take the
    # permission of the service that `move` calls.
    (action,) = ({"grants.assess"} & actions) or actions if target == S.UNDER_BEHANDLING else actions
    holder = next(u for u in users if has_permission(u, action, application))
    with refused(ValidationError, application):
        move(holder, application, target, sf)


def test_submit_goes_through_the_table(monkeypatch, leader, draft):
    """Take «utkast → sendt inn» out of the table and submit refuses, although the draft is complete."""
    monkeypatch.setitem(workflow.TRANSITIONS, S.UTKAST, {S.TRUKKET: "grants.withdraw"})
    with refused(ValidationError, draft):
        services.submit(leader, draft)


def test_the_permission_comes_from_the_table(monkeypatch, colleague, draft):
    """A medarbeider may not withdraw; name grants.submit (which a medarbeider has) for the move and they may."""
    with denied(draft):
        services.withdraw(colleague, draft)
    monkeypatch.setitem(workflow.TRANSITIONS, S.UTKAST, {S.SENDT_INN: "grants.submit", S.TRUKKET: "grants.submit"})
    services.withdraw(colleague, draft)
    draft.refresh_from_db()
    assert draft.status == S.TRUKKET


def test_available_moves_follow_table_and_permission(leader, colleague, sf, draft):
    assert workflow.available(leader, draft) == [S.SENDT_INN, S.TRUKKET]
    assert workflow.available(colleague, draft) == [S.SENDT_INN]
    assert workflow.available(sf, draft) == []
    submitted = force_status(draft, S.SENDT_INN)
    assert workflow.available(sf, submitted) == [S.UNDER_BEHANDLING, S.VENTER_OPPLYSNINGER]
    assert workflow.available(leader, submitted) == [S.TRUKKET]


def test_only_checked_services_set_an_application_status():
    """An application's status is assigned in two places only: submit (which asks workflow.check first) and
    services._set_status (reached from _transition, which asks it, and from decide, which asked it first)."""
    root = pathlib.Path(settings.BASE_DIR)
    setters = set()
    for path in (root / "grants").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            for node in ast.walk(function):
                targets = node.targets if isinstance(node, ast.Assign) else []
                for target in targets:
                    if (
                        isinstance(target, ast.Attribute)
                        and target.attr == "status"
                        and ast.unparse(target.value)
                        in {
                            "application",
                            "soknad",
                        }
                    ):
                        setters.add(f"{path.relative_to(root).as_posix()}:{function.name}")
    assert setters == {"grants/services.py:submit", "grants/services.py:_set_status"}
    source = (root / "grants" / "services.py").read_text(encoding="utf-8")
    assert source.count("_set_status(actor, application,") == 2  # _transition and decide
