"""The application workflow (grants.workflow.TRANSITIONS) and the services that move an application through
it: every state pair is checked, both in the table and through the service layer."""

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.permissions import _REGISTRY
from audit.models import AuditEvent
from grants import services, workflow
from grants.models import Application, ApplicationStatus, Decision

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
    (S.UNDER_BEHANDLING, S.INNVILGET): "grants.decide",
    (S.UNDER_BEHANDLING, S.DELVIS_INNVILGET): "grants.decide",
    (S.UNDER_BEHANDLING, S.AVSLATT): "grants.decide",
    (S.UNDER_BEHANDLING, S.TRUKKET): "grants.withdraw",
}
PAIRS = list(itertools.product(STATES, STATES))


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


# --- the table --------------------------------------------------------------------------------


def test_every_state_has_an_entry():
    assert set(workflow.TRANSITIONS) == set(STATES)
    for targets in workflow.TRANSITIONS.values():
        assert set(targets) <= set(STATES)


@pytest.mark.parametrize(("current", "target"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_allowed_for_every_state_pair(current, target):
    expected = (current, target) in ALLOWED
    assert workflow.allowed(current, target) is expected
    assert workflow.action_for(current, target) == ALLOWED.get((current, target))


def test_every_action_in_the_table_is_a_registered_permission():
    actions = {a for targets in workflow.TRANSITIONS.values() for a in targets.values()}
    assert actions == set(ALLOWED.values())
    assert actions <= set(_REGISTRY)


def test_next_states():
    assert workflow.next_states(S.UTKAST) == [S.SENDT_INN, S.TRUKKET]
    assert workflow.next_states(S.UNDER_BEHANDLING) == [S.INNVILGET, S.DELVIS_INNVILGET, S.AVSLATT, S.TRUKKET]
    for final in (S.INNVILGET, S.DELVIS_INNVILGET, S.AVSLATT, S.TRUKKET):
        assert workflow.next_states(final) == []
    assert workflow.next_states("finnes_ikke") == []
    assert workflow.allowed("finnes_ikke", S.SENDT_INN) is False


# --- the service layer's transition guard, for every pair --------------------------------------


def test_transition_guard_for_every_state_pair(sf, draft):
    for current, target in PAIRS:
        # The guard alone (submit gives the reference before it moves a draft to «sendt inn»).
        application = force_status(draft, current, with_reference=True)
        events = AuditEvent.objects.filter(handling="soknad.status").count()
        if (current, target) in ALLOWED:
            with transaction.atomic():
                services._transition(sf, application, target)
                application.refresh_from_db()
                assert application.status == target
                assert AuditEvent.objects.filter(handling="soknad.status").count() == events + 1
                transaction.set_rollback(True)
        else:
            with refused(ValidationError, application) as info:
                services._transition(sf, application, target)
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
