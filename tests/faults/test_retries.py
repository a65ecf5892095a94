"""E-mails are queued after commit and sent exactly once, for each of the five user actions that send one
(invitation, published round, receipt, decision letter, postponement decided):

- a rolled-back transaction leaves no outbox row and sends nothing;
- an SMTP failure on the first try is retried by Celery and the e-mail goes out once, and the outbox row is done;
- a second delivery of the same task (a duplicate message, a redelivery after a lost ack) sends nothing.

Celery runs eagerly here (tests/conftest.py), so a retry runs at once; tests/faults/test_redis_outage.py proves
the same with a real worker and a real Redis. Older tests that prove parts of this for single tasks:
tests/accounts/test_invitations.py::TestInvitationEmailDelivery, ::TestWithRealCommits,
tests/followup/duty/test_tasks.py::test_a_retry_after_a_failed_send_does_not_resend and
tests/followup/duty/test_services.py::test_approval_moves_the_deadline_and_tells_the_project."""

import pytest
from celery import current_app
from django.core import mail
from django.db import transaction

from common import outbox
from common.models import OutboxMessage

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


def sent(flow) -> list:
    return [m for m in mail.outbox if m.subject.startswith(flow.subject)]


def test_a_rolled_back_action_queues_and_sends_nothing(flow, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Rollback), transaction.atomic():
            flow.run()
            assert OutboxMessage.objects.filter(oppgave=flow.task).count() == 1  # written in the same transaction
            raise Rollback
    assert callbacks == []
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


def test_nothing_is_sent_before_commit_and_once_after(flow, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        flow.run()
    assert mail.outbox == []
    message = OutboxMessage.objects.get()
    assert (message.oppgave, message.forsok, message.sendt, message.utfort) == (flow.task, 0, None, None)
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(sent(flow)) == 1 and len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.forsok == 1 and message.ganger_sendt == 1
    assert message.sendt is not None and message.utfort is not None


def test_an_smtp_failure_is_retried_and_the_email_sent_once(flow, flaky_smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        flow.run()
    assert flaky_smtp.attempts == 2  # failed, retried by Celery (autoretry_for=OSError), delivered
    assert len(sent(flow)) == 1 and len(mail.outbox) == 1
    message = OutboxMessage.objects.get()
    assert message.utfort is not None
    assert message.forsok == 1  # one hand-over: the retry came from Celery, not from the outbox
    assert message.siste_feil.startswith("Nytt forsøk:") and "SMTP-tjeneren svarer ikke" in message.siste_feil


def test_a_second_delivery_of_the_same_task_sends_nothing(flow, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        obj = flow.run()
    assert len(mail.outbox) == 1
    message = OutboxMessage.objects.get()
    task = current_app.tasks[flow.task]
    args = [outbox.unseal(value) for value in message.argumenter]
    if flow.task.endswith("send_invitation_email"):
        args[1] = "duplikatens-token"  # the row no longer holds the token (see test_outbox); any value will do
    # The same message again, as the broker delivers it after a lost acknowledgement, and a plain second run.
    task.apply(args=args, task_id=outbox.task_id_for(message.pk))
    task.delay(*args)
    assert len(mail.outbox) == 1, f"{flow.task} sent twice for {obj}"
    message.refresh_from_db()
    assert message.utfort is not None


def test_smtp_down_through_every_retry_leaves_the_row_to_the_dispatcher(
    flow, flaky_smtp, django_capture_on_commit_callbacks
):
    """SMTP down longer than Celery's retries: the committed action still succeeds (no server error), nothing is
    sent, and the outbox row stays pending; the dispatcher sends it, once, when SMTP is back."""
    flaky_smtp.failures = 100
    with django_capture_on_commit_callbacks(execute=True):
        flow.run()  # does not raise
    assert mail.outbox == []
    message = OutboxMessage.objects.get()
    assert message.pending and message.sendt is None and "SMTP-tjeneren svarer ikke" in message.siste_feil
    flaky_smtp.failures = 0
    report = outbox.dispatch(grace_seconds=0)
    assert (report.sent, report.pending) == (1, 0)
    assert len(sent(flow)) == 1
    assert outbox.dispatch(grace_seconds=0).sent == 0
    assert len(mail.outbox) == 1
