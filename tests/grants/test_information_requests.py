"""Requests for information and case messages (grants.information): the statsforvalter sends a submitted
application back with a message and a deadline; the applicants edit it, answer and resubmit (a new locked version
with the answer as its comment); messages go both ways while the case is open; e-mails go to the applicants and
the case officer in their language. Every refusal changes nothing."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase

from accounts.models import User
from audit.models import AuditEvent
from grants import information, selectors_information, services
from grants.models import ApplicationStatus, ApplicationVersion, CaseMessage, InformationRequest
from reporting.selectors import annual
from tests import factories

from .conftest import APPLIED, DEADLINE, NOW, OSLO, denied, messages, refused

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks", "clock")]

S = ApplicationStatus
TODAY = NOW.date()  # Monday 2 February 2026
ANSWER_BY = datetime.date(2026, 2, 16)
QUESTION = "Send et budsjett der lønn og samlinger er skilt, og si hvem som leder prosjektet."
ANSWER = "Budsjettet er delt opp, og prosjektlederen er fra Bergen."


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()


def ask(sf, application, **kwargs):
    """Request information, running the on-commit e-mail."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return information.request_information(
            sf, application, melding=kwargs.get("melding", QUESTION), frist=kwargs.get("frist", ANSWER_BY)
        )


def answer(user, application, svar=ANSWER):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return information.resubmit(user, application, svar=svar)


def reload(application):
    application.refresh_from_db()
    return application


def counts() -> tuple:
    return InformationRequest.objects.count(), CaseMessage.objects.count(), ApplicationVersion.objects.count()


# --- request -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["submitted", "assessed"])
def test_a_request_sends_the_application_back_and_mails_the_applicants(
    fixture, request, sf, leader, colleague, voss_leader
):
    application = request.getfixturevalue(fixture)
    before = application.status
    info_request = ask(sf, application)

    assert reload(application).status == S.VENTER_OPPLYSNINGER
    assert (info_request.melding, info_request.frist, info_request.sendt_av, info_request.besvart) == (
        QUESTION,
        ANSWER_BY,
        sf,
        None,
    )
    status_event = AuditEvent.objects.filter(handling="soknad.status").latest("id")
    assert status_event.endringer == {"status": [before, "venter_opplysninger"]}
    assert AuditEvent.objects.filter(handling="soknad.opplysninger_bedt_om", object_id=str(application.pk)).exists()
    (message,) = mail.outbox
    assert set(message.bcc) == {leader.email, colleague.email, voss_leader.email}
    assert application.referanse in message.subject
    assert QUESTION in message.body
    assert "Svarfrist: 16.02.2026" in message.body
    assert f"/midler/soknader/{application.pk}/saksdialog/" in message.body


def test_the_request_mail_is_in_each_applicants_language(sf, submitted, leader, colleague):
    User.objects.filter(pk=colleague.pk).update(sprak="en")
    User.objects.filter(pk=leader.pk).update(sprak="nn")
    ask(sf, submitted)
    by_recipient = {tuple(m.bcc): m for m in mail.outbox}
    assert "asks for more information" in by_recipient[(colleague.email,)].body
    assert "Helsing Læringsnett" in by_recipient[(leader.email,)].body


@pytest.mark.parametrize(
    ("frist", "expected"),
    [
        (TODAY, "Svarfristen må være etter i dag."),
        (TODAY - datetime.timedelta(days=1), "Svarfristen må være etter i dag."),
        (datetime.date(9999, 12, 31), "Svarfristen kan være høyst tre måneder fram i tid, senest 05.05.2026."),
        (TODAY + datetime.timedelta(days=93), "Svarfristen kan være høyst tre måneder fram i tid, senest 05.05.2026."),
        ("snart", "Skriv svarfristen som en dato, for eksempel 16.02.2026."),
        (None, "Skriv svarfristen som en dato, for eksempel 16.02.2026."),
    ],
)
def test_an_insane_deadline_is_refused_and_nothing_changes(frist, expected, sf, submitted):
    before = counts()
    with refused(ValidationError, submitted) as info:
        information.request_information(sf, submitted, melding=QUESTION, frist=frist)
    assert info.value.message_dict["frist"] == [expected]
    assert counts() == before and mail.outbox == []


def test_the_latest_allowed_deadline_is_accepted(sf, submitted):
    ask(sf, submitted, frist=TODAY + datetime.timedelta(days=information.MAX_DAYS))
    assert reload(submitted).status == S.VENTER_OPPLYSNINGER


def test_an_empty_message_is_refused(sf, submitted):
    with refused(ValidationError, submitted) as info:
        information.request_information(sf, submitted, melding="  ", frist=ANSWER_BY)
    assert info.value.message_dict["melding"] == ["Skriv hvilke opplysninger dere trenger fra søkerne."]


@pytest.mark.parametrize("who", ["sf_agder", "leader", "colleague", "voss_leader", "bufdir", "sogndal_leader"])
def test_only_the_embetes_statsforvalter_may_request(who, request, submitted):
    user = request.getfixturevalue(who)
    before = counts()
    with denied(submitted):
        information.request_information(user, submitted, melding=QUESTION, frist=ANSWER_BY)
    assert counts() == before and mail.outbox == []


def test_no_request_on_a_draft(sf, draft):
    with refused(ValidationError, draft) as info:
        information.request_information(sf, draft, melding=QUESTION, frist=ANSWER_BY)
    assert messages(info) == ["En søknad med status «Utkast» kan ikke sendes tilbake til søkerne for opplysninger."]


def test_no_request_on_a_decided_or_a_waiting_application(sf, assessed, frame):
    ask(sf, assessed)
    with refused(ValidationError, assessed) as info:
        information.request_information(sf, assessed, melding=QUESTION, frist=ANSWER_BY)
    assert messages(info) == [
        "En søknad med status «Venter på opplysninger» kan ikke sendes tilbake til søkerne for opplysninger."
    ]
    answer(factories.service_user(assessed.ansvarlig_soker), assessed)
    services.decide(sf, reload(assessed), utfall=S.AVSLATT, begrunnelse="Ikke prioritert.")
    with refused(ValidationError, assessed) as info:
        information.request_information(sf, assessed, melding=QUESTION, frist=ANSWER_BY)
    assert messages(info) == ["En søknad med status «Avslått» kan ikke sendes tilbake til søkerne for opplysninger."]


def test_no_decision_while_the_application_waits(sf, assessed, frame):
    ask(sf, assessed)
    with refused(ValidationError, assessed) as info:
        services.decide(sf, assessed, utfall=S.INNVILGET, belop=APPLIED, begrunnelse="Godt.")
    assert messages(info) == ["Søknaden kan ikke avgjøres i status «Venter på opplysninger»."]


# --- edit, answer and resubmit ---------------------------------------------------------------------------------


def edit(user, application, maal):
    return services.save_draft(
        user,
        application,
        maal=maal,
        aktiviteter=application.aktiviteter,
        tidsplan=application.tidsplan,
        egeninnsats=application.egeninnsats,
        annen_finansiering=application.annen_finansiering,
        budsjett=[{"type": b.type, "beskrivelse": b.beskrivelse, "belop": b.belop} for b in application.budsjett.all()],
    )


def test_applicants_edit_answer_and_resubmit_a_new_version(sf, assessed, leader, colleague):
    with refused(PermissionDenied, assessed):  # sent in: not editable
        edit(leader, assessed, "Endret før anmodningen.")
    ask(sf, assessed)
    mail.outbox.clear()
    edit(colleague, reload(assessed), "Et tydeligere mål etter spørsmålet fra statsforvalteren.")

    version = answer(colleague, assessed)

    assessed = reload(assessed)
    assert assessed.status == S.UNDER_BEHANDLING
    assert (assessed.versjon, version.nummer) == (2, 2)
    assert version.innhold["maal"] == "Et tydeligere mål etter spørsmålet fra statsforvalteren."
    assert ApplicationVersion.objects.get(soknad=assessed, nummer=1).innhold["maal"] != version.innhold["maal"]
    assert version.kommentar == f"Svar på anmodning om opplysninger: {ANSWER}"
    assert version.opprettet_av == colleague
    info_request = InformationRequest.objects.get(soknad=assessed)
    assert (info_request.svar, info_request.besvart_av, info_request.versjon) == (ANSWER, colleague, version)
    assert AuditEvent.objects.filter(handling="soknad.status").latest("id").endringer == {
        "status": ["venter_opplysninger", "under_behandling"]
    }
    (message,) = mail.outbox  # to the case officer
    assert message.to == [sf.email]
    assert ANSWER in message.body and "versjon 2" in message.body
    with refused(PermissionDenied, assessed):  # locked again
        edit(leader, assessed, "Endret etter svaret.")


def test_a_long_answer_is_kept_whole_on_the_request_and_shortened_in_the_version_comment(sf, submitted, leader):
    ask(sf, submitted)
    long_answer = "Svar. " * 300
    version = answer(leader, submitted, long_answer)
    assert len(version.kommentar) == 300 and version.kommentar.endswith("…")
    assert InformationRequest.objects.get(soknad=submitted).svar == long_answer.strip()


def test_the_answer_may_come_after_the_rounds_deadline(sf, submitted, leader, clock):
    ask(sf, submitted, frist=DEADLINE + datetime.timedelta(days=10))
    clock.move_to(datetime.datetime(2026, 3, 20, 10, 0, tzinfo=OSLO))
    answer(leader, submitted)
    assert reload(submitted).status == S.UNDER_BEHANDLING


def test_an_empty_answer_or_an_incomplete_application_is_refused(sf, submitted, leader):
    ask(sf, submitted)
    with refused(ValidationError, submitted) as info:
        information.resubmit(leader, submitted, svar=" ")
    assert info.value.message_dict["svar"] == ["Skriv et svar til statsforvalteren."]
    edit(leader, reload(submitted), "")
    with refused(ValidationError, submitted) as info:
        information.resubmit(leader, submitted, svar=ANSWER)
    assert messages(info) == ["Skriv prosjektets mål."]


@pytest.mark.parametrize("who", ["sf", "sf_agder", "bufdir", "sogndal_leader"])
def test_only_the_applicants_answer(who, request, sf, submitted):
    ask(sf, submitted)
    user = request.getfixturevalue(who)
    before = counts()
    with denied(submitted):
        information.resubmit(user, submitted, svar=ANSWER)
    assert counts() == before


def test_answering_twice_is_refused_with_a_clear_message(sf, submitted, leader):
    ask(sf, submitted)
    answer(leader, submitted)
    with refused(ValidationError, submitted) as info:
        information.resubmit(leader, submitted, svar=ANSWER)
    assert messages(info) == [
        "Søknaden venter ikke på opplysninger. Den er allerede sendt inn på nytt, eller den er avgjort."
    ]


def test_the_applicants_may_withdraw_while_waiting(sf, submitted, leader):
    ask(sf, submitted)
    services.withdraw(leader, submitted)
    assert reload(submitted).status == S.TRUKKET


# --- messages ---------------------------------------------------------------------------------------------


def write(user, application, tekst):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return information.write_message(user, application, tekst=tekst)


def test_messages_go_both_ways_and_each_mails_the_other_side(sf, assessed, colleague, voss_leader, leader):
    from_applicant = write(colleague, assessed, "Skal vi sende signert samarbeidsavtale?")
    assert from_applicant.fra_statsforvalter is False
    (to_officer,) = mail.outbox
    assert to_officer.to == [sf.email] and "Skal vi sende signert samarbeidsavtale?" in to_officer.body
    mail.outbox.clear()
    from_staff = write(sf, assessed, "Ja, som vedlegg.")
    assert from_staff.fra_statsforvalter is True
    (to_applicants,) = mail.outbox
    assert set(to_applicants.bcc) == {leader.email, colleague.email, voss_leader.email}
    assert AuditEvent.objects.filter(handling="soknad.saksmelding").count() == 2


def test_without_a_case_officer_the_requester_hears_of_the_answer(sf_leader, submitted, leader):
    ask(sf_leader, submitted)
    mail.outbox.clear()
    answer(leader, submitted)
    assert mail.outbox[0].to == [sf_leader.email]


@pytest.mark.parametrize("who", ["sf_agder", "bufdir", "sogndal_leader"])
def test_outsiders_cannot_write(who, request, submitted):
    before = counts()
    with denied(submitted):
        information.write_message(request.getfixturevalue(who), submitted, tekst="Hei")
    assert counts() == before


def test_no_messages_on_a_draft(leader, draft):
    with denied(draft):
        information.write_message(leader, draft, tekst="Hei")


def test_no_messages_on_a_decided_case(sf, leader, assessed, frame):
    services.decide(sf, assessed, utfall=S.INNVILGET, belop=APPLIED, begrunnelse="Godt.")
    with denied(assessed):
        information.write_message(leader, reload(assessed), tekst="Takk!")


def test_an_empty_message_is_refused_and_nothing_is_sent(leader, submitted):
    with refused(ValidationError, submitted) as info:
        information.write_message(leader, submitted, tekst="")
    assert info.value.message_dict["tekst"] == ["Skriv en melding."]
    assert CaseMessage.objects.count() == 0


# --- what the statsforvalter sees ----------------------------------------------------------------------------


def test_the_dialogue_is_one_timeline_and_shows_an_overdue_request(sf, submitted, leader, clock):
    write(leader, submitted, "Et spørsmål før dere leser.")
    ask(sf, submitted)
    submitted = reload(submitted)
    dialogue = selectors_information.dialogue(sf, submitted)
    assert [e.kind for e in dialogue.entries] == ["message", "request"]
    assert dialogue.overdue is False and dialogue.may_request is False and dialogue.may_write is True
    assert selectors_information.dialogue(leader, submitted).may_answer is True

    clock.move_to(datetime.datetime(2026, 2, 17, 9, 0, tzinfo=OSLO))  # the day after the deadline
    dialogue = selectors_information.dialogue(sf, reload(submitted))
    assert dialogue.overdue is True and dialogue.entries[-1].overdue is True
    assert [r.soknad for r in selectors_information.open_requests(sf)] == [submitted]
    # the applicants see their own open request
    assert list(selectors_information.open_requests(leader)) == [InformationRequest.objects.get()]

    answer(leader, submitted)
    dialogue = selectors_information.dialogue(sf, reload(submitted))
    assert [e.kind for e in dialogue.entries] == ["message", "request", "answer"]
    assert dialogue.entries[-1].version == 2 and dialogue.overdue is False
    assert list(selectors_information.open_requests(sf)) == []


def test_the_open_requests_of_another_embete_are_not_listed(sf, sf_agder, submitted):
    ask(sf, submitted)
    assert list(selectors_information.open_requests(sf_agder)) == []


def test_a_waiting_application_counts_as_undecided_in_the_annual_report(sf, submitted, vestland):
    ask(sf, submitted)
    figures = annual._applications(vestland, 2026)
    total = figures["totalt"]
    assert total["under_behandling"] == 1 and total["mottatt"] == 1
