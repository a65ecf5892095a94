"""The recovery drill, as an operator runs it: rows of every kind of outbox message are queued while Redis is down
(the broker refuses connections), then `python manage.py dispatch_outbox` runs in a SEPARATE PROCESS against the
same database, which imports nothing but the command: every task module must be loaded there (Celery
autodiscovery), or a task looks unknown and its e-mail is lost. Every message is delivered, none twice.

Two set-ups for the command's process:
- embedded (no REDIS_URL): the command runs each task in its own process (eager), e-mail to the console;
- Redis (`celery_worker`): a private redis-server on a free port; the command hands the messages to it and a real
  worker (`celery -A config worker`, another process) runs them.

The test database is shared with the processes: on PostgreSQL they connect to the test database; on SQLite the
in-memory test database is copied to a file for them and read back afterwards (sqlite3's backup API).

A fault in the code (a task not registered, a call the task refuses) never gives a message up: the row waits with
the error recorded and the command exits non-zero; fixed, the next run sends it."""

import datetime
import email.header
import io
import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from common import outbox
from common.models import OutboxMessage
from config.celery import app as celery_app
from followup.services import changes
from grants import appeals, information, repayments
from grants.tasks import generate_round_letters
from projects.models import DevelopmentProject
from reporting.tasks import import_allocations_task
from tests.projects.conftest import award

from .conftest import FLOWS, free_port
from .test_redis_outage import PrivateRedis, _require_redis_server

REDIS_SERVER = Path("/usr/bin/redis-server")
BASE_DIR = Path(settings.BASE_DIR)
WAIT = 90
# Variables of the developer's or CI's shell that would change the command's set-up.
CLEARED = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CELERY_TASK_ALWAYS_EAGER",
           "EMAIL_HOST", "LAERINGSNETT_ENV", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "MEDIA_ROOT")  # fmt: skip


# --- the kinds of outbox message ----------------------------------------------------------------------------------


def _round_letters(request):
    """The staff page's "make the letters" (enqueue_now) after a decision made while Redis is down: the decision's
    own delivery and the round's letters both wait, and the letter goes out once."""
    sf, assessed, rnd = (request.getfixturevalue(name) for name in ("sf", "assessed", "rnd"))
    request.getfixturevalue("frame")

    def run():
        award(sf, assessed, pay=False)
        generate_round_letters.enqueue_now(rnd.pk)

    return run


def _allocation_import(request):
    """An allocation import confirmed in the web UI (enqueue_now). Its state lives in the cache, which the command's
    process does not share in embedded mode: the task then finds nothing to do, and is done."""
    request.getfixturevalue("db")
    return lambda: import_allocations_task.enqueue_now("00000000-0000-0000-0000-000000000000")


def _account_mail(request):
    """An allauth e-mail (here a password reset asked for on the login page): accounts.tasks.send_account_email."""
    leader = request.getfixturevalue("leader")
    client = Client()
    return lambda: client.post(reverse("account_reset_password"), {"email": leader.email})


def _information_requested(request):
    """The statsforvalter sends a submitted application back to the applicants for more information."""
    sf, submitted = request.getfixturevalue("sf"), request.getfixturevalue("submitted")
    request.getfixturevalue("leader")  # an applicant who gets the e-mail
    frist = timezone.localdate() + datetime.timedelta(days=14)
    return lambda: information.request_information(sf, submitted, melding=QUESTION, frist=frist)


def _information_answered(request):
    """The applicants answer the request and send the application in again; the case officer hears of it."""
    sf, leader, submitted = (request.getfixturevalue(name) for name in ("sf", "leader", "submitted"))
    frist = timezone.localdate() + datetime.timedelta(days=14)
    information.request_information(sf, submitted, melding=QUESTION, frist=frist)
    return lambda: information.resubmit(leader, submitted, svar="Budsjettet er delt opp.")


def _case_message(request):
    """The statsforvalter writes a message in the case; the applicants get it."""
    sf, submitted = request.getfixturevalue("sf"), request.getfixturevalue("submitted")
    request.getfixturevalue("leader")
    return lambda: information.write_message(sf, submitted, tekst="Vi ser på søknaden nå.")


def _repayment_claim(request):
    """The statsforvalter claims part of a paid-out grant back: the claim letter is made and e-mailed."""
    sf, assessed = request.getfixturevalue("sf"), request.getfixturevalue("assessed")
    request.getfixturevalue("frame")
    request.getfixturevalue("leader")
    decision = award(sf, assessed)  # paid out
    forfall = timezone.localdate() + datetime.timedelta(days=60)
    return lambda: repayments.create_repayment_claim(
        sf, decision, belop="50000", begrunnelse="Ubrukte midler.", forfall=forfall, kontonummer="76940512057"
    )


def _appeal_forwarded(request):
    """The statsforvalter does not agree with an appeal and forwards it to Bufdir: the letter is made and e-mailed."""
    sf, leader, assessed = (request.getfixturevalue(name) for name in ("sf", "leader", "assessed"))
    request.getfixturevalue("frame")
    appeal = appeals.file_appeal(leader, award(sf, assessed, pay=False), "Vi trenger hele beløpet.")
    return lambda: appeals.resolve_appeal(sf, appeal, utfall="ikke_medhold", begrunnelse="Rammen er fordelt.")


def _awarded_application(request):
    application = request.getfixturevalue("awarded").soknad
    DevelopmentProject.objects.filter(pk=application.prosjekt_id).update(
        planlagt_start=datetime.date(2026, 1, 1), planlagt_slutt=datetime.date(2027, 12, 31)
    )
    return application


def _send_change(leader, application):
    return changes.send_notice(
        leader, application, type="forsinkelse", beskrivelse="Prosjektlederen sluttet.",
        ny_sluttdato=datetime.date(2028, 6, 30),
    )  # fmt: skip


def _change_sent(request):
    """The applicants send a change notice; the statsforvalter hears of it."""
    request.getfixturevalue("sf")
    leader, application = request.getfixturevalue("leader"), _awarded_application(request)
    return lambda: _send_change(leader, application)


def _change_decided(request):
    """The statsforvalter approves a change notice; the applicants hear of it."""
    sf, leader = request.getfixturevalue("sf"), request.getfixturevalue("leader")
    application = _awarded_application(request)
    notice = _send_change(leader, application)
    return lambda: changes.decide(sf, notice, godkjent=True)


QUESTION = "Send et budsjett der lønn og samlinger er skilt."

# kind: (tasks queued, subject of the e-mail it sends or None, set-up returning the user action)
KINDS = {
    **{kind: ((task,), subject, build) for kind, (task, subject, build) in FLOWS.items()},
    "vedtaksbrev": (
        ("grants.tasks.deliver_decision", "grants.tasks.generate_round_letters"),
        "Vedtak i sak",
        _round_letters,
    ),
    "tildelingsimport": (("reporting.import_allocations",), None, _allocation_import),
    "kontoepost": (("accounts.tasks.send_account_email",), "[Læringsnett] ", _account_mail),
    "opplysninger": (("grants.tasks_information.send_information_requested",), "Søknad ", _information_requested),
    "opplysningssvar": (("grants.tasks_information.send_information_answered",), "Søknad ", _information_answered),
    "saksmelding": (("grants.tasks_information.send_case_message",), "Søknad ", _case_message),
    "tilbakebetaling": (
        ("grants.tasks_claims.deliver_repayment_claim",),
        "Krav om tilbakebetaling:",
        _repayment_claim,
    ),
    "klagebrev": (("grants.tasks_appeals.deliver_appeal_letter",), "Klagen i sak", _appeal_forwarded),
    "endringsmelding": (("followup.tasks.send_change_notice_sent",), "Endringsmelding:", _change_sent),
    "endringssvar": (("followup.tasks.send_change_notice_decided",), "Endringen er godkjent:", _change_decided),
}
# The worker drill starts a Redis and a worker per kind: the reported kind and the one with two tasks and a PDF.
WORKER_KINDS = ["invitasjon", "vedtaksbrev"]
# Tasks that are not outbox messages: the dispatcher itself (beat) and the health check.
NOT_MESSAGES = {"common.dispatch_outbox", "laeringsnett.ping", "projects.send_report_reminders"}


def test_every_kind_of_outbox_message_is_in_the_drill():
    """A new task enqueued through the outbox must be added to KINDS, so the drill covers it."""
    celery_app.loader.import_default_modules()
    ours = {name for name in celery_app.tasks if not name.startswith("celery.")}
    covered = {task for tasks, _subject, _build in KINDS.values() for task in tasks}
    assert ours - NOT_MESSAGES == covered


# --- the database the processes share ----------------------------------------------------------------------------


class SharedDatabase:
    """The test database, reachable from another process: a file copy of SQLite's in-memory database (written by
    `export`, read back by `load`), or PostgreSQL's test database itself."""

    def __init__(self, tmp_path: Path):
        self.sqlite = connection.vendor == "sqlite"
        self.path = tmp_path / "drill.sqlite3"

    @property
    def url(self) -> str:
        if self.sqlite:
            return f"sqlite:///{self.path}"
        db = connection.settings_dict
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"

    def export(self) -> None:
        if self.sqlite:
            connection.ensure_connection()
            with sqlite3.connect(self.path) as target:
                connection.connection.backup(target)

    def load(self) -> None:
        if self.sqlite:
            connection.ensure_connection()
            with sqlite3.connect(self.path) as source:
                source.backup(connection.connection)

    def rows(self) -> list[tuple[str, bool, bool, int]]:
        """(task, done, given up, times sent) of every outbox row, read by a connection of its own."""
        query = "SELECT oppgave, utfort IS NOT NULL, gitt_opp IS NOT NULL, ganger_sendt FROM common_outboxmessage"
        if self.sqlite:
            with sqlite3.connect(self.path, timeout=10) as db:
                return [(t, bool(d), bool(g), n) for t, d, g, n in db.execute(query + " ORDER BY id")]
        return [(m.oppgave, m.utfort is not None, m.gitt_opp is not None, m.ganger_sendt) for m in _all_rows()]


def _all_rows():
    return list(OutboxMessage.objects.order_by("id"))


def _env(shared: SharedDatabase, tmp_path: Path, **extra: str) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in CLEARED}
    env.update(
        DATABASE_URL=shared.url,
        SECRET_KEY=settings.SECRET_KEY,  # opens the sealed invitation token
        LAERINGSNETT_DATA_DIR=str(tmp_path / "var"),
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


def dispatch_outbox(env: dict, *args: str) -> subprocess.CompletedProcess:
    """`python manage.py dispatch_outbox …` exactly as an operator runs it."""
    return subprocess.run(
        [sys.executable, "manage.py", "dispatch_outbox", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def subjects(output: str) -> list[str]:
    """The subjects of the e-mails the console backend printed."""
    found = re.findall(r"^Subject: (.*(?:\n[ \t].*)*)$", output, flags=re.MULTILINE)
    return [str(email.header.make_header(email.header.decode_header(s.replace("\n", "")))) for s in found]


# --- the drill ---------------------------------------------------------------------------------------------------


@pytest.fixture
def queued_during_outage(request, clock, no_mfa, real_broker, tmp_path):
    """One kind of message (the test's `kind` parameter), queued through the real user action while Redis is down."""
    kind = request.node.callspec.params["kind"]
    tasks, subject, build = KINDS[kind]
    run = build(request)
    OutboxMessage.objects.all().delete()  # what the set-up queued (sent eagerly) is not part of the drill
    mail.outbox.clear()
    real_broker(f"redis://127.0.0.1:{free_port()}/0")  # Redis is down
    run()
    rows = _all_rows()
    assert sorted(m.oppgave for m in rows) == sorted(tasks)
    assert all(m.utfort is None and m.gitt_opp is None and "OperationalError" in m.siste_feil for m in rows)
    assert mail.outbox == []
    shared = SharedDatabase(tmp_path)
    shared.export()
    return kind, tasks, subject, shared


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.django_db(transaction=True)
def test_the_command_delivers_every_kind_queued_during_an_outage_once_embedded(kind, queued_during_outage, tmp_path):
    _kind, tasks, subject, shared = queued_during_outage
    env = _env(shared, tmp_path)

    first = dispatch_outbox(env, "--grace", "0")
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"Sendt til køen: {len(tasks)}." in first.stdout and "Venter fortsatt: 0." in first.stdout
    sent = subjects(first.stdout)
    assert len(sent) == (1 if subject else 0), sent
    assert all(s.startswith(subject) for s in sent)

    again = dispatch_outbox(env, "--grace", "0")  # run again: nothing left, nothing sent twice
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Sendt til køen: 0." in again.stdout and subjects(again.stdout) == []

    shared.load()
    rows = sorted((m.oppgave, m.utfort is not None, m.gitt_opp, m.ganger_sendt) for m in _all_rows())
    assert rows == sorted((task, True, None, 1) for task in tasks)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.mark.parametrize("kind", WORKER_KINDS)
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_command_hands_every_kind_to_redis_and_a_worker_delivers_it_once(kind, queued_during_outage, tmp_path):
    _require_redis_server(REDIS_SERVER.exists(), os.environ.get("CI", "").lower() in ("1", "true", "yes"))
    _kind, tasks, subject, shared = queued_during_outage
    redis = PrivateRedis(tmp_path)
    redis.start()  # Redis is back (empty)
    try:
        env = _env(shared, tmp_path, REDIS_URL=redis.url(0))
        first = dispatch_outbox(env, "--grace", "0")
        assert first.returncode == 0, first.stdout + first.stderr
        assert f"Sendt til køen: {len(tasks)}." in first.stdout and subjects(first.stdout) == []

        log_path = tmp_path / "worker.log"
        with log_path.open("wb") as log:
            worker = subprocess.Popen(
                [str(Path(sys.executable).parent / "celery"), "-A", "config", "worker", "--pool=solo",
                 "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
                cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            try:
                deadline = time.monotonic() + WAIT
                while not all(done for _task, done, _given_up, _sent in shared.rows()):
                    if worker.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"the worker did not finish:\n{log_path.read_text(errors='replace')}")
                    time.sleep(0.3)
            finally:
                _stop(worker)
        again = dispatch_outbox(env, "--grace", "0")
        assert again.returncode == 0 and "Sendt til køen: 0." in again.stdout, again.stdout + again.stderr
    finally:
        redis.stop()

    sent = subjects(log_path.read_text(errors="replace"))
    assert len(sent) == (1 if subject else 0), sent
    assert all(s.startswith(subject) for s in sent)
    assert sorted(shared.rows()) == sorted((task, True, False, 1) for task in tasks)


# --- faults in the code never give a message up -----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_message_given_up_as_not_registered_is_delivered_by_retry_failed(sf, bergen, no_mfa, broker_down, tmp_path):
    """The reported case: an invitation given up as NotRegistered by the old command is sent by --retry-failed."""
    from accounts import services as account_services
    from accounts.models import Role

    account_services.invite(sf, email="kari@example.no", rolle=Role.TJENESTE_MEDARBEIDER, tjeneste=bergen)
    OutboxMessage.objects.update(gitt_opp=OutboxMessage.objects.get().opprettet, siste_feil="NotRegistered: ...")
    shared = SharedDatabase(tmp_path)
    shared.export()
    env = _env(shared, tmp_path)

    result = dispatch_outbox(env, "--grace", "0", "--retry-failed")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Prøves igjen: 1" in result.stdout and subjects(result.stdout) == ["Invitasjon til Læringsnett"]
    assert shared.rows() == [("accounts.tasks.send_invitation_email", True, False, 1)]


def _row(oppgave="laeringsnett.ping", argumenter=("x",)) -> OutboxMessage:
    return OutboxMessage.objects.create(oppgave=oppgave, argumenter=list(argumenter))


@pytest.mark.django_db
def test_an_unregistered_task_waits_with_the_error_and_the_command_fails_loudly():
    message = _row(oppgave="finnes.ikke")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="ikke gitt opp") as info:
        call_command("dispatch_outbox", "--grace", "0", stdout=out, stderr=err)
    assert info.value.returncode == 2
    assert f"#{message.pk} (finnes.ikke) ble ikke sendt og venter: NotRegistered" in err.getvalue()
    message.refresh_from_db()
    assert message.gitt_opp is None and message.utfort is None and "NotRegistered" in message.siste_feil
    assert outbox.publish(message.pk) == outbox.BROKEN  # and again: never given up


@pytest.mark.django_db
def test_a_call_the_task_refuses_waits_and_is_sent_once_the_row_is_right():
    message = _row(argumenter=["a", "b", "c"])  # ping takes one argument
    assert outbox.publish(message.pk) == outbox.BROKEN
    message.refresh_from_db()
    assert message.gitt_opp is None and "TypeError" in message.siste_feil
    OutboxMessage.objects.filter(pk=message.pk).update(argumenter=["x"], sist_forsokt=None)
    assert outbox.dispatch(grace_seconds=0).sent == 1
    message.refresh_from_db()
    assert message.utfort is not None


@pytest.mark.django_db
def test_a_task_module_that_does_not_import_keeps_its_rows(monkeypatch):
    message = _row(oppgave="finnes.ikke")

    def broken(*args, **kwargs):
        raise ImportError("cannot import name 'x' from 'grants.services'")

    # load_tasks imports the apps' task modules through Celery's autodiscovery (not import_default_modules, whose
    # Django fixup would run django.setup() again in a worker and reset its logging).
    monkeypatch.setattr(celery_app, "autodiscover_tasks", broken)
    assert outbox.load_tasks(force=True) is not None
    assert outbox.publish(message.pk) == outbox.BROKEN
    message.refresh_from_db()
    assert message.gitt_opp is None and message.siste_feil.startswith("ImportError: cannot import name")
    monkeypatch.undo()
    assert outbox.load_tasks(force=True) is None
