"""Follow-up e-mails go out once per language: each recipient reads the reminder or the answer to a postponement
request in the language they chose (accounts.language.addresses_by_language); people who chose none get bokmål."""

import datetime

import pytest
from django.core import mail
from django.test import TestCase

from accounts.models import User
from followup.services import duty as services
from followup.tasks import send_report_reminders

from .conftest import DEADLINE, at

pytestmark = pytest.mark.usefixtures("tasks", "clock")
DAY = datetime.timedelta(days=1)


def by_recipient() -> dict[str, object]:
    return {address: message for message in mail.outbox for address in message.to}


def test_reminder_in_nynorsk_and_english(clock, requirement, leader, voss_leader):
    User.objects.filter(pk=leader.pk).update(sprak="nn")
    User.objects.filter(pk=voss_leader.pk).update(sprak="en")
    at(clock, DEADLINE - 3 * DAY)

    assert send_report_reminders() == 1  # one reminder, one message per language

    messages = by_recipient()
    nynorsk, english = messages[leader.email], messages[voss_leader.email]
    assert nynorsk.subject == "Påminning: rapportfrist 01.03.2027 for «Fosterhjem i fellesskap»"
    assert "har fått tilskot frå Statsforvaltaren i Vestland" in nynorsk.body
    assert "om 3 dagar." in nynorsk.body
    assert "Helsing Læringsnett" in nynorsk.body
    for bokmal in ("tilskudd", "Statsforvalteren", "ikke", "Hilsen", "dager"):
        assert bokmal not in nynorsk.body
    assert english.subject == "Reminder: report deadline 01.03.2027 for «Fosterhjem i fellesskap»"
    assert "has received a grant from" in english.body
    assert "in 3 days." in english.body
    assert "Best regards, Læringsnett" in english.body
    for norwegian in ("Fristen", "tilskudd", "Hilsen", "rapporten", "dager"):
        assert norwegian not in english.body
    assert len(mail.outbox) == 2


def test_overdue_reminder_in_nynorsk(clock, requirement, leader, voss_leader):
    User.objects.filter(pk__in=[leader.pk, voss_leader.pk]).update(sprak="nn")
    at(clock, DEADLINE + DAY)

    assert send_report_reminders() == 1

    [message] = mail.outbox
    assert sorted(message.to) == sorted([leader.email, voss_leader.email])
    assert message.subject == "Rapportfristen er passert: «Fosterhjem i fellesskap»"
    assert "gjekk ut 01.03.2027, og rapporten er ikkje send inn." in message.body


def test_postponement_answer_in_the_askers_language(sf, leader, voss_leader, requirement):
    User.objects.filter(pk=leader.pk).update(sprak="nn")
    User.objects.filter(pk=voss_leader.pk).update(sprak="en")
    leader.refresh_from_db()
    postponement = services.request_postponement(leader, requirement, DEADLINE + 45 * DAY, "Sjukmelding.")
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.decide_postponement(sf, postponement, True, "")

    messages = by_recipient()
    assert (
        messages[leader.email].subject == "Utsetjing innvilga: ny rapportfrist 15.04.2027 for «Fosterhjem i fellesskap»"
    )
    assert "Statsforvaltaren i Vestland har innvilga utsetjinga." in messages[leader.email].body
    assert messages[voss_leader.email].subject == (
        "Postponement granted: new report deadline 15.04.2027 for «Fosterhjem i fellesskap»"
    )
    assert "has granted the postponement" in messages[voss_leader.email].body
