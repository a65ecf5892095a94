"""Postponements (utsettelse): who may ask and decide, the Norwegian refusals, the deadline moving on approval,
audit events, the e-mail about the answer; and who receives reminders."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.query import QuerySet
from django.test import TestCase

from audit.models import AuditEvent
from followup.models import Postponement, PostponementStatus, ReportStatus
from followup.services import duty as services
from projects.models import ProjectContact
from tests import factories

from .conftest import DEADLINE, denied, report_in, unchanged

pytestmark = pytest.mark.usefixtures("tasks", "clock")
REASON = "Prosjektlederen har vært sykmeldt i to måneder, og samlingene ble flyttet."
LATER = DEADLINE + datetime.timedelta(days=45)


def ask(actor, krav, ny_frist=LATER, begrunnelse=REASON):
    return services.request_postponement(actor, krav, ny_frist, begrunnelse)


# --- asking ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["leader", "colleague", "voss_leader"])
def test_a_user_of_a_participating_service_may_ask(request, who, requirement):
    actor = request.getfixturevalue(who)
    postponement = ask(actor, requirement)
    assert (postponement.status, postponement.ny_frist, postponement.bedt_av) == ("venter", LATER, actor)
    requirement.refresh_from_db()
    assert requirement.frist == DEADLINE  # nothing moves before the statsforvalter has answered
    event = AuditEvent.objects.get(handling="rapportkrav.utsettelse_bedt")
    assert event.aktor == actor
    assert event.object_id == str(postponement.pk)
    assert event.endringer["ny_frist"] == str(LATER)


@pytest.mark.parametrize("who", ["sf", "sf_agder", "bufdir", "sogndal_leader", "agder_leader", "partner_user"])
def test_others_may_not_ask(request, who, requirement):
    actor = request.getfixturevalue(who)
    with denied():
        ask(actor, requirement)


def test_the_reason_is_required(leader, requirement):
    with unchanged(ValidationError) as info:
        ask(leader, requirement, begrunnelse="   ")
    assert info.value.message_dict == {"begrunnelse": ["Skriv hvorfor dere trenger lengre frist."]}


@pytest.mark.parametrize("days", [0, -10])
def test_the_new_deadline_must_be_after_the_one_in_force(leader, requirement, days):
    with unchanged(ValidationError) as info:
        ask(leader, requirement, ny_frist=DEADLINE + datetime.timedelta(days=days))
    assert info.value.message_dict == {"ny_frist": ["Ny frist må være etter gjeldende frist, 01.03.2027."]}


def test_at_most_one_year_at_a_time(leader, requirement):
    with unchanged(ValidationError) as info:
        ask(leader, requirement, ny_frist=datetime.date(2028, 3, 2))
    assert info.value.message_dict == {
        "ny_frist": ["Fristen kan utsettes med høyst ett år om gangen, til senest 29.02.2028."]
    }


def test_a_date_is_required(leader, requirement):
    with unchanged(ValidationError) as info:
        ask(leader, requirement, ny_frist=None)
    assert "ny_frist" in info.value.message_dict


def test_only_one_pending_request(leader, colleague, requirement):
    ask(leader, requirement)
    with unchanged(ValidationError) as info:
        ask(colleague, requirement, ny_frist=LATER + datetime.timedelta(days=1))
    assert info.value.messages == [
        "Det finnes allerede en søknad om utsettelse som venter på svar fra statsforvalteren."
    ]


def test_a_concurrent_request_that_hits_the_constraint_gets_the_same_message(
    monkeypatch, leader, colleague, requirement
):
    ask(leader, requirement)
    # The other request read "no pending request" before the first one committed: only the database knows.
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)
    with unchanged(ValidationError) as info:
        ask(colleague, requirement)
    assert info.value.messages == [
        "Det finnes allerede en søknad om utsettelse som venter på svar fra statsforvalteren."
    ]
    assert Postponement.objects.filter(krav=requirement).count() == 1


@pytest.mark.parametrize("status", [ReportStatus.SENDT_INN, ReportStatus.GODKJENT])
def test_no_postponement_once_the_report_is_in(leader, requirement, status):
    report_in(requirement, status, leader)
    with unchanged(ValidationError) as info:
        ask(leader, requirement)
    assert info.value.messages == ["Rapporten er allerede sendt inn. Fristen kan ikke utsettes."]


@pytest.mark.parametrize("status", [ReportStatus.UTKAST, ReportStatus.RETURNERT])
def test_a_draft_or_returned_report_may_still_be_postponed(leader, requirement, status):
    report_in(requirement, status, leader)
    assert ask(leader, requirement).status == PostponementStatus.VENTER


# --- deciding ---------------------------------------------------------------------------------------------


def test_approval_moves_the_deadline_and_tells_the_project(sf, leader, requirement):
    postponement = ask(leader, requirement)
    with TestCase.captureOnCommitCallbacks(execute=True):
        decided = services.decide_postponement(sf, postponement, True, "")
    requirement.refresh_from_db()
    assert (requirement.frist, requirement.opprinnelig_frist) == (LATER, DEADLINE)
    assert (decided.status, decided.behandlet_av) == (PostponementStatus.INNVILGET, sf)
    assert decided.behandlet is not None
    event = AuditEvent.objects.get(handling="rapportkrav.utsettelse_innvilget")
    assert event.endringer["frist"] == [str(DEADLINE), str(LATER)]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Utsettelse innvilget: ny rapportfrist 15.04.2027 for «Fosterhjem i fellesskap»"
    assert leader.email in message.to
    assert f"/prosjekter/rapportkrav/{requirement.pk}/" in message.body
    # Sent once, even if the task runs again.
    from followup.tasks import send_postponement_decided

    assert send_postponement_decided(postponement.pk) is False
    assert len(mail.outbox) == 1


def test_refusal_needs_a_reason_and_keeps_the_deadline(sf, leader, requirement):
    postponement = ask(leader, requirement)
    with unchanged(ValidationError) as info:
        services.decide_postponement(sf, postponement, False, " ")
    assert info.value.message_dict == {"svar": ["Skriv en begrunnelse når utsettelsen avslås."]}
    with TestCase.captureOnCommitCallbacks(execute=True):
        decided = services.decide_postponement(sf, postponement, False, "Fristen er allerede utsatt én gang.")
    requirement.refresh_from_db()
    assert requirement.frist == DEADLINE
    assert (decided.status, decided.svar) == (PostponementStatus.AVSLATT, "Fristen er allerede utsatt én gang.")
    assert AuditEvent.objects.filter(handling="rapportkrav.utsettelse_avslatt", aktor=sf).count() == 1
    assert mail.outbox[0].subject == "Utsettelse avslått for «Fosterhjem i fellesskap»"
    assert "Fristen er allerede utsatt én gang." in mail.outbox[0].body
    # A new request may follow a refusal.
    assert ask(leader, requirement, ny_frist=DEADLINE + datetime.timedelta(days=10)).status == "venter"


def test_a_decided_request_cannot_be_decided_again(sf, leader, requirement):
    postponement = ask(leader, requirement)
    services.decide_postponement(sf, postponement, True)
    with unchanged(ValidationError) as info:
        services.decide_postponement(sf, postponement, False, "Likevel ikke.")
    assert info.value.messages == ["Søknaden om utsettelse er allerede behandlet."]


@pytest.mark.parametrize("who", ["sf_agder", "bufdir", "leader", "voss_leader", "partner_user"])
def test_only_the_embetes_statsforvalter_decides(request, who, leader, requirement):
    postponement = ask(leader, requirement)
    with denied():
        services.decide_postponement(request.getfixturevalue(who), postponement, True)


def test_the_statsforvalter_leader_may_decide_too(sf_leader, leader, requirement):
    postponement = ask(leader, requirement)
    assert services.decide_postponement(sf_leader, postponement, True).status == "innvilget"


def test_anonymous_is_refused(requirement, leader):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        ask(AnonymousUser(), requirement)


# --- who is reminded ------------------------------------------------------------------------------------


def test_reminders_go_to_the_project_leader_and_contacts(project, requirement, leader, voss_leader, colleague):
    boss = factories.UserFactory(email="Prosjektleder@Bergen.kommune.no")
    project.prosjektleder = boss
    project.save()
    ProjectContact.objects.create(prosjekt=project, user=colleague, rolle="Koordinator")
    ProjectContact.objects.create(prosjekt=project, user=boss, rolle="Prosjektleder")
    gone = factories.UserFactory(is_active=False)
    ProjectContact.objects.create(prosjekt=project, user=gone)
    requirement.refresh_from_db()
    assert services.reminder_recipients(requirement) == sorted(["prosjektleder@bergen.kommune.no", colleague.email])


def test_without_leader_or_contacts_the_service_leaders_are_reminded(requirement, leader, voss_leader, colleague):
    inactive = factories.service_user(leader.roller.get().tjeneste)
    inactive.is_active = False
    inactive.save()
    assert services.reminder_recipients(requirement) == sorted([leader.email, voss_leader.email])
