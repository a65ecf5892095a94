"""The transactional outbox (common/outbox.py): a queued task is a row written with the change, published after
commit, kept when the broker (Redis) is down, and published later by the dispatcher (Celery beat every minute, or
`manage.py dispatch_outbox`). Here the broker is a Redis URL on a loopback port where nothing listens, so publishing
fails for real (kombu raises on the refused connection); tests/faults/test_redis_outage.py stops a real Redis."""

import datetime
import io
import signal

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Invitation, Role
from common import outbox
from common.models import OutboxMessage
from common.tasks import dispatch_outbox
from config.celery import app as celery_app

from .conftest import SilentRedis

pytestmark = pytest.mark.django_db


def _invite(sf, service, email="kari@example.no"):
    return account_services.invite(sf, email=email, rolle=Role.TJENESTE_MEDARBEIDER, tjeneste=service)


def _row(oppgave="laeringsnett.ping", argumenter=("x",), **fields) -> OutboxMessage:
    return OutboxMessage.objects.create(oppgave=oppgave, argumenter=list(argumenter), **fields)


# --- publishing after commit ------------------------------------------------------------------------------------


def test_every_task_can_be_enqueued_through_the_outbox():
    """config.celery makes OutboxTask the app's task class, so no task can be left with only .delay()."""
    celery_app.loader.import_default_modules()
    ours = [t for name, t in celery_app.tasks.items() if not name.startswith("celery.")]
    assert {"grants.tasks.send_receipt", "accounts.tasks.send_invitation_email", "common.dispatch_outbox"} <= {
        t.name for t in ours
    }
    assert all(isinstance(t, outbox.OutboxTask) for t in ours)


def test_enqueue_writes_the_row_in_the_callers_transaction(sf, bergen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation, _token = _invite(sf, bergen)
        message = OutboxMessage.objects.get()
    assert (message.oppgave, message.argumenter[0], message.forsok) == (
        "accounts.tasks.send_invitation_email",
        invitation.pk,
        0,
    )
    assert len(callbacks) == 1 and mail.outbox == []


def test_enqueue_now_publishes_at_once_outside_a_transaction(db):
    """For views whose only write is the row itself (batch letters, confirmed import)."""
    from grants.tasks import generate_round_letters

    message = generate_round_letters.enqueue_now(999_999)  # no such round: the task finds nothing to do
    message.refresh_from_db()
    assert message.sendt is not None and message.utfort is not None


def test_arguments_that_are_not_json_are_refused_before_commit(sf):
    from grants.tasks import send_receipt

    with pytest.raises(TypeError):
        send_receipt.enqueue(datetime.date(2026, 1, 1))
    assert not OutboxMessage.objects.exists()


# --- the invitation token is never stored usable ----------------------------------------------------------------


def _all_outbox_text() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT argumenter, nokkelargumenter, siste_feil FROM common_outboxmessage")
        return repr(cursor.fetchall())


def test_the_invitation_token_is_stored_encrypted_and_removed_when_sent(sf, bergen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _invitation, token = _invite(sf, bergen)
    assert token not in _all_outbox_text()
    sealed = OutboxMessage.objects.get().argumenter[1]
    assert outbox.is_sealed(sealed) and outbox.unseal(sealed) == token
    callbacks[0]()
    assert len(mail.outbox) == 1 and reverse("accept_invitation", args=[token]) in mail.outbox[0].body
    message = OutboxMessage.objects.get()
    assert message.utfort is not None
    assert message.argumenter[1] == outbox.REMOVED
    assert token not in _all_outbox_text()


def test_a_token_sealed_under_a_retired_secret_key_is_given_up_not_sent(settings):
    current = settings.SECRET_KEY
    settings.SECRET_KEY = "en-gammel-nokkel-" * 4
    sealed = outbox.seal("hemmelig")
    settings.SECRET_KEY = current  # rotated without SECRET_KEY_FALLBACKS
    message = _row(oppgave="accounts.tasks.send_invitation_email", argumenter=[1, sealed])
    assert outbox.publish(message.pk) == outbox.GIVEN_UP
    message.refresh_from_db()
    assert message.gitt_opp is not None and "InvalidToken" in message.siste_feil
    assert message.sendt is None


def test_secret_key_fallbacks_still_open_old_rows(settings):
    old = "en-gammel-nokkel-" * 4
    settings.SECRET_KEY = old
    sealed = outbox.seal("abc")
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "en-ny-nokkel-" * 4, [old]
    assert outbox.unseal(sealed) == "abc"


# --- broker down ---------------------------------------------------------------------------------------------------


def test_redis_down_the_action_succeeds_and_the_row_waits(client, no_mfa, sf, bergen, broker_down, caplog):
    """Before the outbox, .delay() in on_commit raised after the commit: a 500 for a change that was made, and the
    e-mail was lost. Now the page answers normally and the task waits in the outbox."""
    client.force_login(sf)
    data = {"email": "kari@example.no", "rolle": Role.TJENESTE_MEDARBEIDER, "tjeneste": bergen.pk}
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("invitation_list"), data)
    assert response.status_code == 302
    assert Invitation.objects.get().epost_sendt is None
    message = OutboxMessage.objects.get()
    assert (message.forsok, message.sendt, message.utfort) == (1, None, None)
    assert "OperationalError" in message.siste_feil
    assert "Køen svarer ikke" in caplog.text
    assert mail.outbox == []


def test_a_hung_redis_does_not_hold_the_request(sf, bergen, real_broker):
    """A Redis that accepts the connection and never answers. Without the socket timeouts in
    CELERY_BROKER_TRANSPORT_OPTIONS the publish would wait forever (kombu's default); with them it gives up, the
    row waits for the dispatcher, and the user's action is done. The alarm only turns a hang into a failure."""

    def hung(signum, frame):
        raise AssertionError("publishing to a hung Redis did not give up")

    silent = SilentRedis()
    real_broker(f"redis://127.0.0.1:{silent.port}/0")
    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(60)
    try:
        _invite(sf, bergen)
        outcome = outbox.publish(OutboxMessage.objects.get().pk)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        silent.close()
    assert outcome == outbox.BROKER_DOWN
    message = OutboxMessage.objects.get()
    assert message.sendt is None and "Timeout" in message.siste_feil


def test_dispatcher_publishes_what_waited_once_the_broker_is_back(sf, bergen, real_broker, broker_down):
    _invite(sf, bergen)
    outbox.publish(OutboxMessage.objects.get().pk)  # the on_commit attempt, while Redis is down
    # Within the grace period nothing is taken (the publisher of a new row may still be at it).
    assert outbox.dispatch().sent == 0
    report = outbox.dispatch(grace_seconds=0)
    assert (report.sent, report.not_sent, report.broker_down, report.pending) == (0, 1, True, 1)
    # Redis is back (eager stands in for the broker and worker here; test_redis_outage uses real ones).
    celery_app.conf.task_always_eager = True
    report = outbox.dispatch(grace_seconds=0)
    assert (report.sent, report.pending) == (1, 0)
    assert len(mail.outbox) == 1
    message = OutboxMessage.objects.get()
    assert message.forsok == 3 and message.ganger_sendt == 1 and message.utfort is not None
    assert outbox.dispatch(grace_seconds=0).sent == 0 and len(mail.outbox) == 1


def test_dispatcher_stops_at_the_first_broker_failure(sf, bergen, broker_down):
    for i in range(3):
        _invite(sf, bergen, email=f"person{i}@example.no")
    report = outbox.dispatch(grace_seconds=0)
    assert (report.not_sent, report.broker_down, report.pending) == (1, True, 3)
    assert sorted(OutboxMessage.objects.values_list("forsok", flat=True)) == [0, 0, 1]


# --- the dispatcher's rules -------------------------------------------------------------------------------------


def test_a_message_the_broker_took_but_no_worker_finished_is_sent_again_after_a_while():
    now = timezone.now()
    redeliver = datetime.timedelta(seconds=settings.OUTBOX_REDELIVER_SECONDS)
    lost = _row(opprettet=now - 2 * redeliver, sendt=now - redeliver, ganger_sendt=1, forsok=1)
    recent = _row(opprettet=now - redeliver, sendt=now - redeliver / 2, ganger_sendt=1, forsok=1)
    report = outbox.dispatch(now=now)
    assert report.sent == 1
    lost.refresh_from_db(), recent.refresh_from_db()
    assert (lost.ganger_sendt, lost.utfort is not None) == (2, True)  # eager ping: run and done
    assert (recent.ganger_sendt, recent.utfort) == (1, None)


def test_after_too_many_sends_a_message_is_given_up_and_can_be_retried(caplog):
    now = timezone.now()
    long_ago = now - datetime.timedelta(seconds=settings.OUTBOX_REDELIVER_SECONDS + 1)
    hopeless = _row(sendt=long_ago, ganger_sendt=settings.OUTBOX_MAX_SENDS, forsok=settings.OUTBOX_MAX_SENDS)
    report = outbox.dispatch(now=now)
    assert (report.given_up, report.sent) == (1, 0)
    hopeless.refresh_from_db()
    assert hopeless.gitt_opp is not None and "er gitt opp" in caplog.text
    assert outbox.dispatch(grace_seconds=0).sent == 0
    assert outbox.retry_given_up() == 1
    assert outbox.dispatch(grace_seconds=0).sent == 1
    hopeless.refresh_from_db()
    assert hopeless.utfort is not None and hopeless.gitt_opp is None


def test_an_unknown_task_is_never_given_up_it_waits_with_the_error():
    """A task not registered is a fault in the code or its loading (test_outbox_recovery.py): the row waits."""
    message = _row(oppgave="finnes.ikke")
    assert outbox.publish(message.pk) == outbox.BROKEN
    message.refresh_from_db()
    assert message.gitt_opp is None and "NotRegistered" in message.siste_feil


def test_a_row_is_published_by_one_dispatcher_only():
    message = _row(opprettet=timezone.now() - datetime.timedelta(minutes=5))
    eligible = outbox.due(timezone.now())
    assert outbox.publish(message.pk, eligible=eligible) == outbox.SENT
    # A second dispatcher that read the same list: the claim (a conditional UPDATE) finds the row taken.
    assert outbox.publish(message.pk, eligible=eligible) == outbox.SKIPPED
    message.refresh_from_db()
    assert message.forsok == 1


def test_finished_rows_are_deleted_after_the_keeping_period():
    now = timezone.now()
    old = _row(utfort=now - datetime.timedelta(days=settings.OUTBOX_KEEP_DAYS + 1), sendt=now, ganger_sendt=1)
    young = _row(utfort=now - datetime.timedelta(days=1), sendt=now, ganger_sendt=1)
    assert outbox.dispatch(now=now).deleted == 1
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [young.pk]
    assert not OutboxMessage.objects.filter(pk=old.pk).exists()


def test_the_database_refuses_a_row_both_done_and_given_up():
    from django.db import IntegrityError, transaction

    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(utfort=now, gitt_opp=now)


# --- operations: beat and the command ----------------------------------------------------------------------------


def test_beat_runs_the_dispatcher_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["common.dispatch_outbox"]
    assert entry["task"] == dispatch_outbox.name == "common.dispatch_outbox"
    assert entry["schedule"] == 60.0
    assert entry["options"]["expires"] < 60  # a run that waited for a worker longer than a minute is skipped


def test_the_beat_task_dispatches():
    _row(opprettet=timezone.now() - datetime.timedelta(minutes=5))
    assert dispatch_outbox.delay().get()["sent"] == 1
    assert OutboxMessage.objects.get().utfort is not None


def test_dispatch_outbox_command(sf, bergen, broker_down):
    _invite(sf, bergen)
    out = io.StringIO()
    call_command("dispatch_outbox", "--status", stdout=out)
    assert "Venter: 1 (aldri sendt: 1)" in out.getvalue()
    with pytest.raises(CommandError, match="Køen \\(Redis\\) svarer ikke") as info:
        call_command("dispatch_outbox", "--grace", "0", stdout=io.StringIO())
    assert info.value.returncode == 1
    celery_app.conf.task_always_eager = True  # Redis is back
    out = io.StringIO()
    call_command("dispatch_outbox", "--grace", "0", stdout=out)
    assert "Sendt til køen: 1." in out.getvalue() and "Venter fortsatt: 0." in out.getvalue()
    assert len(mail.outbox) == 1
