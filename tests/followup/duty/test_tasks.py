"""Reminders about report deadlines, with frozen time: 30 and 7 days before and the day after a missed
deadline, never twice for the same deadline (second run, retry after a failed send), catch-up after a missed
beat run, a postponed deadline with its own reminders, and none once the report is in."""

import datetime

import pytest
from django.core import mail
from django.core.mail import EmailMessage

from audit.models import AuditEvent
from followup.models import ReminderKind, ReportReminder, ReportStatus
from followup.services import duty as services
from followup.tasks import CATCH_UP_DAYS, due_kind, send_report_reminders
from projects.models import ProjectContact

from .conftest import DEADLINE, at, report_in

pytestmark = pytest.mark.usefixtures("tasks", "clock")
DAY = datetime.timedelta(days=1)


@pytest.fixture
def recipients(leader, voss_leader):
    """Without project leader and contacts, the leaders of Bergen and Voss are reminded."""
    return sorted([leader.email, voss_leader.email])


def run(clock, day) -> int:
    at(clock, day)
    return send_report_reminders()


def kinds(krav) -> list[tuple[str, datetime.date]]:
    return list(
        ReportReminder.objects.filter(krav=krav, sendt__isnull=False).order_by("sendt").values_list("slag", "frist")
    )


def test_due_kind():
    assert due_kind(DEADLINE, DEADLINE - 31 * DAY) is None
    assert due_kind(DEADLINE, DEADLINE - 30 * DAY) == ReminderKind.DAGER_30
    assert due_kind(DEADLINE, DEADLINE - 8 * DAY) == ReminderKind.DAGER_30
    assert due_kind(DEADLINE, DEADLINE - 7 * DAY) == ReminderKind.DAGER_7
    assert due_kind(DEADLINE, DEADLINE) == ReminderKind.DAGER_7
    assert due_kind(DEADLINE, DEADLINE + DAY) == ReminderKind.FORFALT
    assert due_kind(DEADLINE, DEADLINE + CATCH_UP_DAYS * DAY) == ReminderKind.FORFALT
    assert due_kind(DEADLINE, DEADLINE + (CATCH_UP_DAYS + 1) * DAY) is None


def test_thirty_days_before(clock, requirement, recipients, settings):
    settings.SITE_URL = "https://laeringsnett.example.no/"
    assert run(clock, DEADLINE - 31 * DAY) == 0
    assert mail.outbox == []
    assert run(clock, DEADLINE - 30 * DAY) == 1
    [message] = mail.outbox
    assert message.to == recipients
    assert message.subject == "Påminnelse: rapportfrist 01.03.2027 for «Fosterhjem i fellesskap»"
    assert "Fristen for årlig rapport for tilskuddsåret 2026 er 01.03.2027, om 30 dager." in message.body
    assert f"https://laeringsnett.example.no/prosjekter/rapportkrav/{requirement.pk}/" in message.body
    assert "Læringsnettverk Vest" in message.body
    reminder = ReportReminder.objects.get(krav=requirement)
    assert (reminder.slag, reminder.frist, reminder.mottakere) == ("30", DEADLINE, recipients)
    assert reminder.sendt is not None
    assert (
        AuditEvent.objects.filter(handling="rapportkrav.paminnelse_sendt", object_id=str(requirement.pk)).count() == 1
    )


def test_the_whole_sequence_sends_each_reminder_once(clock, requirement, recipients):
    day = DEADLINE - 40 * DAY
    while day <= DEADLINE + 20 * DAY:
        run(clock, day)
        send_report_reminders()  # a second run the same day sends nothing
        day += DAY
    assert kinds(requirement) == [("30", DEADLINE), ("7", DEADLINE), ("forfalt", DEADLINE)]
    assert len(mail.outbox) == 3
    sent_on = [ReportReminder.objects.get(krav=requirement, slag=k).sendt.date() for k in ("30", "7", "forfalt")]
    assert sent_on == [DEADLINE - 30 * DAY, DEADLINE - 7 * DAY, DEADLINE + DAY]
    seven, overdue = mail.outbox[1], mail.outbox[2]
    assert "er 01.03.2027, om 7 dager." in seven.body
    assert overdue.subject == "Rapportfristen er passert: «Fosterhjem i fellesskap»"
    assert "gikk ut 01.03.2027, og rapporten er ikke sendt inn." in overdue.body


def test_catch_up_after_a_missed_beat_run(clock, requirement, recipients):
    assert run(clock, DEADLINE + 4 * DAY) == 1  # the beat did not run on the day after the deadline
    assert kinds(requirement) == [("forfalt", DEADLINE)]
    assert run(clock, DEADLINE + 5 * DAY) == 0
    assert len(mail.outbox) == 1


def test_a_late_seven_day_reminder_replaces_a_missed_thirty_day_one(clock, requirement, recipients):
    assert run(clock, DEADLINE - 3 * DAY) == 1
    assert kinds(requirement) == [("7", DEADLINE)]
    assert "om 3 dager" in mail.outbox[0].body


def test_deadlines_long_gone_are_not_reminded(clock, requirement, recipients):
    assert run(clock, DEADLINE + (CATCH_UP_DAYS + 1) * DAY) == 0
    assert not ReportReminder.objects.exists()


def test_a_retry_after_a_failed_send_does_not_resend(clock, monkeypatch, requirement, final_requirement, recipients):
    """Two reminders are due; the second e-mail fails. The task raises (Celery retries), the first reminder
    is recorded as sent and the retry sends only the second."""
    at(clock, DEADLINE - 7 * DAY)  # 7 days before the årlig rapport, 21 before the sluttrapport
    real_send = EmailMessage.send
    calls = []

    def flaky(self, *args, **kwargs):
        calls.append(self.subject)
        if len(calls) == 2:
            raise ConnectionRefusedError("SMTP-tjeneren svarer ikke")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", flaky)
    with pytest.raises(OSError):
        send_report_reminders()
    assert len(mail.outbox) == 1
    assert kinds(requirement) == [("7", DEADLINE)]
    failed = ReportReminder.objects.get(krav=final_requirement)
    assert (failed.slag, failed.sendt) == ("30", None)  # the row is there, not marked as sent
    assert send_report_reminders() == 1  # the retry
    assert len(mail.outbox) == 2
    assert kinds(final_requirement) == [("30", final_requirement.frist)]
    assert send_report_reminders() == 0
    assert len(mail.outbox) == 2


def test_a_row_marked_sent_is_never_sent_again(clock, requirement, recipients):
    """A run that sent the e-mail and recorded it, then crashed before finishing: the retry sends nothing."""
    at(clock, DEADLINE - 30 * DAY)
    ReportReminder.objects.create(
        krav=requirement, slag="30", frist=DEADLINE, mottakere=recipients, sendt=datetime.datetime.now(tz=datetime.UTC)
    )
    assert send_report_reminders() == 0
    assert mail.outbox == []


def test_a_row_left_unsent_by_another_run_is_sent_once(clock, requirement, recipients):
    """Another run created the row and died before sending: this run sends it (once)."""
    at(clock, DEADLINE - 30 * DAY)
    ReportReminder.objects.create(krav=requirement, slag="30", frist=DEADLINE, mottakere=[])
    assert send_report_reminders() == 1
    assert send_report_reminders() == 0
    assert ReportReminder.objects.get().mottakere == recipients
    assert len(mail.outbox) == 1


def test_a_postponed_deadline_gets_its_own_reminders(clock, sf, leader, requirement, recipients):
    run(clock, DEADLINE - 30 * DAY)
    new = DEADLINE + 45 * DAY
    postponement = services.request_postponement(leader, requirement, new, "Sykdom i prosjektgruppen.")
    services.decide_postponement(sf, postponement, True)
    day = DEADLINE - 29 * DAY
    while day <= new + 3 * DAY:
        run(clock, day)
        day += DAY
    assert kinds(requirement) == [("30", DEADLINE), ("30", new), ("7", new), ("forfalt", new)]
    assert ReportReminder.objects.get(krav=requirement, slag="forfalt").sendt.date() == new + DAY
    assert "gikk ut 15.04.2027" in mail.outbox[-1].body


@pytest.mark.parametrize("status", [ReportStatus.SENDT_INN, ReportStatus.GODKJENT])
def test_no_reminders_once_the_report_is_in(clock, leader, requirement, recipients, status):
    report_in(requirement, status, leader)
    for day in (DEADLINE - 30 * DAY, DEADLINE - 7 * DAY, DEADLINE + DAY):
        assert run(clock, day) == 0
    assert mail.outbox == []
    assert not ReportReminder.objects.exists()


@pytest.mark.parametrize("status", [ReportStatus.UTKAST, ReportStatus.RETURNERT])
def test_a_draft_or_returned_report_is_still_reminded(clock, leader, requirement, recipients, status):
    report_in(requirement, status, leader)
    assert run(clock, DEADLINE + DAY) == 1
    returned_text = "Rapporten ble returnert for endring og må sendes inn på nytt."
    assert (returned_text in mail.outbox[0].body) == (status == ReportStatus.RETURNERT)


def test_a_report_submitted_after_the_list_was_read_is_not_reminded(clock, leader, requirement, recipients):
    """The deadline and the report are checked again under the claim, just before sending."""
    from followup import tasks

    at(clock, DEADLINE + DAY)
    krav = tasks.open_requirements(DEADLINE + DAY).get()
    report_in(requirement, ReportStatus.SENDT_INN, leader)
    assert tasks.send_reminder(krav, ReminderKind.FORFALT, DEADLINE + DAY) is False
    assert mail.outbox == []


def test_no_recipients_no_row(clock, requirement, leader, colleague):
    """Nobody to tell (no project leader, contacts or active service leaders): no row, so a contact added
    later still gets the reminder."""
    leader.is_active = False
    leader.save()
    assert run(clock, DEADLINE - 30 * DAY) == 0
    assert not ReportReminder.objects.exists()
    ProjectContact.objects.create(prosjekt=requirement.prosjekt, user=colleague)
    assert send_report_reminders() == 1
    assert mail.outbox[0].to == [colleague.email]


def test_the_beat_schedule_runs_the_task_every_morning(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["projects.send_report_reminders"]
    assert entry["task"] == send_report_reminders.name == "projects.send_report_reminders"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({7}, {0})
    assert settings.CELERY_TIMEZONE == "Europe/Oslo"
