"""allauth's e-mails (address verification, password reset) go through the outbox: a mail server that is down never
breaks the login or the "Glemt passordet?" page, the message waits in the outbox with its link encrypted, and the
dispatcher delivers it, once, when the mail server answers again."""

import json
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse

from accounts.tasks import send_account_email
from common import outbox
from common.models import OutboxMessage
from tests import factories

PASSWORD = "Testpassord-123"  # factories.UserFactory
TASK = "accounts.tasks.send_account_email"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
LINK_RE = re.compile(r"https?://[^/\s]+(?P<path>/konto/\S+/)")


class SmtpDown(BaseEmailBackend):
    """The mail server does not answer: every send raises, as smtplib does (an OSError)."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP-tjeneren svarer ikke")


SMTP_DOWN = f"{__name__}.SmtpDown"


def _link(message) -> str:
    match = LINK_RE.search(message.body)
    assert match, f"no link in: {message.body}"
    return match.group("path")


def _stored(row: OutboxMessage) -> str:
    return json.dumps([row.argumenter, row.nokkelargumenter])


def _smtp_back_and_dispatch(settings) -> outbox.DispatchReport:
    settings.EMAIL_BACKEND = LOCMEM
    mail.outbox.clear()
    return outbox.dispatch(grace_seconds=0)


@pytest.fixture
def unverified(db):
    user = factories.UserFactory(email="kari@example.no")
    EmailAddress.objects.filter(user=user).update(verified=False)
    return user


def test_login_of_unverified_user_with_smtp_down_waits_in_outbox_and_is_sent_later(
    client, settings, unverified, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = SMTP_DOWN
    with django_capture_on_commit_callbacks(execute=True):  # the test's transaction never commits
        response = client.post(reverse("account_login"), {"login": "kari@example.no", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert client.get(response["Location"]).status_code == 200
    row = OutboxMessage.objects.get(oppgave=TASK)
    assert row.utfort is None and row.gitt_opp is None  # pending
    assert "ConnectionRefusedError" in row.siste_feil
    assert "kari@example.no" not in _stored(row)  # the whole message is sealed
    assert mail.outbox == []

    report = _smtp_back_and_dispatch(settings)

    assert report.sent == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["kari@example.no"]
    assert message.subject.startswith("[Læringsnett] ")
    link = _link(message)
    key = link.rstrip("/").rsplit("/", 1)[-1]
    row.refresh_from_db()
    assert row.utfort is not None
    assert key not in _stored(row)
    assert outbox.REMOVED in _stored(row)

    # The link works: confirming verifies the address, and the login then goes through.
    assert client.get(link).status_code == 200
    assert client.post(link).status_code == 302
    assert EmailAddress.objects.get(user=unverified).verified
    response = client.post(reverse("account_login"), {"login": "kari@example.no", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(unverified.pk)

    # A second run of the dispatcher sends nothing more.
    outbox.dispatch(grace_seconds=0)
    assert len(mail.outbox) == 1


def test_password_reset_with_smtp_down_keeps_the_token_sealed_and_the_link_works_later(
    client, settings, db, django_capture_on_commit_callbacks
):
    person = factories.UserFactory(email="ola@example.no")
    settings.EMAIL_BACKEND = SMTP_DOWN

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "ola@example.no"})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert client.get(response["Location"]).status_code == 200
    row = OutboxMessage.objects.get(oppgave=TASK)
    assert row.utfort is None and row.gitt_opp is None
    stored_while_pending = _stored(row)
    assert "password/reset/key" not in stored_while_pending
    assert "ola@example.no" not in stored_while_pending

    _smtp_back_and_dispatch(settings)

    assert len(mail.outbox) == 1
    link = _link(mail.outbox[0])
    assert "/konto/password/reset/key/" in link
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert token not in stored_while_pending  # never in clear, not even while it waited
    row.refresh_from_db()
    assert row.utfort is not None and token not in _stored(row)

    # The link works: it leads to the form for a new password, and the new password logs in.
    response = client.get(link)
    assert response.status_code == 302
    form_url = response["Location"]
    assert client.get(form_url).status_code == 200
    new = "Nytt-passord-4821"
    response = client.post(form_url, {"password1": new, "password2": new})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password(new)


def test_password_reset_page_with_smtp_up_sends_one_mail_through_the_outbox(
    client, settings, db, django_capture_on_commit_callbacks
):
    factories.UserFactory(email="per@example.no")
    settings.EMAIL_BACKEND = LOCMEM

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "per@example.no"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert OutboxMessage.objects.get(oppgave=TASK).utfort is not None


def test_a_second_delivery_of_the_task_sends_nothing(settings, db, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = LOCMEM
    message = {"subject": "Emne", "body": "Tekst", "from_email": "a@example.no", "to": ["b@example.no"]}
    with django_capture_on_commit_callbacks(execute=True):
        row = send_account_email.enqueue(message)
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.utfort is not None

    result = send_account_email.apply(args=[message], task_id=outbox.task_id_for(row.pk))

    assert result.get() is False
    assert len(mail.outbox) == 1
