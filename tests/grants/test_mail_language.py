"""Grant e-mails to several people go out once per language: each recipient reads it in the language they chose
(accounts.language.addresses_by_language); people who chose none get bokmål."""

import pytest
from django.core import mail

from accounts.language import addresses_by_language
from accounts.models import User
from grants import tasks as grant_tasks

pytestmark = pytest.mark.usefixtures("tasks", "clock")


def test_addresses_are_grouped_by_their_owners_language(leader, colleague):
    User.objects.filter(pk=colleague.pk).update(sprak="en")
    groups = addresses_by_language([leader.email, colleague.email, "ukjent@example.no"])
    assert groups == {"nb": [leader.email, "ukjent@example.no"], "en": [colleague.email]}


def test_receipt_is_sent_in_each_recipients_language(submitted, leader, colleague, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    User.objects.filter(pk=colleague.pk).update(sprak="en")
    User.objects.filter(pk=leader.pk).update(sprak="nn")
    mail.outbox.clear()

    assert grant_tasks.send_receipt(submitted.pk) is True

    by_recipient = {tuple(m.to): m for m in mail.outbox}
    english = by_recipient[(colleague.email,)]
    assert english.subject == f"Receipt: application {submitted.referanse}"
    assert "The application has been sent to" in english.body
    nynorsk = by_recipient[(leader.email,)]
    assert "Helsing Læringsnett" in nynorsk.body
    assert "Statsforvaltaren i Vestland" in nynorsk.body
    assert "Statsforvalteren" not in nynorsk.body
