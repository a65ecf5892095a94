"""Redis down and up again, for real: the web app keeps working while Redis is stopped, and the e-mails queued
meanwhile are sent, once, when it is back.

The test starts its own redis-server on a free loopback port (never the shared one on 6379), without persistence
(`--save "" --appendonly no`), and points the cache, the Celery broker and the result backend at it. Then:

1. Redis is stopped. A service leader logs in (allauth: rate limits in the cache), opens pages, submits an
   application (receipt e-mail) and invites a colleague (invitation e-mail); the statsforvalter follows the letter
   progress (cache) and Bufdir calls the API (throttles in the cache). No response is a server error; the two
   e-mails wait in the outbox; the dispatcher reports the queue down.
2. Redis is started again on the same port, empty. The dispatcher publishes the two waiting tasks.
3. A real Celery worker (celery.contrib.testing.worker, in a thread of this process) runs them. The SMTP server
   fails the first send, so Celery retries it after its backoff. Each e-mail goes out exactly once; both outbox
   rows are done. A duplicate delivery of each task, through the worker, sends nothing. Rate limits work again.

The test runs wherever /usr/bin/redis-server exists; on CI a missing binary is a failure, elsewhere a skip."""

import datetime
import io
import subprocess
import time
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Role
from accounts.services import find_invitation
from accounts.tasks import send_invitation_email
from api.authentication import FailedTokenThrottle
from common import cache as resilient
from common.models import OutboxMessage
from config.celery import app as celery_app
from grants.models import Application, ApplicationStatus
from grants.tasks import send_receipt
from networks.models import GuidelineVersion, LearningNetwork, NetworkStatus
from organisations.models import Kommune
from tests import factories
from tests.accounts.conftest import token_from_mail
from tests.api.conftest import bearer, make_token
from tests.conftest import ON_CI
from tests.grants.conftest import make_draft, make_round, member

from .conftest import FlakySmtp, free_port, redis_cache

REDIS_SERVER = Path("/usr/bin/redis-server")
PASSWORD = "Testpassord-123"  # factories.UserFactory
WAIT = 90  # seconds for the worker; generous for a loaded CI machine


def _require_redis_server(exists: bool, on_ci: bool) -> None:
    if exists:
        return
    if on_ci:
        pytest.fail(f"{REDIS_SERVER} is missing; CI must install redis-server for the outage test.")
    pytest.skip(f"{REDIS_SERVER} is not installed (apt-get install redis-server); the outage test needs it")


class PrivateRedis:
    """A redis-server of our own: loopback only, free port, no persistence, log in the test's tmp folder."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.log = workdir / "redis.log"
        self.process: subprocess.Popen | None = None

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def ping(self) -> bool:
        import redis

        try:
            return redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5).ping()
        except redis.exceptions.RedisError:
            return False

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                str(REDIS_SERVER),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
                "--logfile",
                str(self.log),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while not self.ping():
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"redis-server did not start on port {self.port}:\n{self._log_text()}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None
        assert not self.ping()

    def _log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else "(no log)"


@pytest.fixture
def private_redis(tmp_path):
    _require_redis_server(REDIS_SERVER.exists(), ON_CI)
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def world(reference_data, settings):
    """Made before Redis is involved (tasks run eagerly here): a published Vestland round, a network with Bergen
    and Voss, Bergen's leader with a draft, the statsforvalter, and Bufdir with an API key."""
    settings.LAERINGSNETT_REQUIRE_MFA = False
    today = timezone.localdate()
    sf = factories.statsforvalter("vestland")
    bergen = factories.ServiceFactory(navn="Barneverntjenesten i Bergen")
    voss = factories.ServiceFactory(navn="Barnevernstenesta i Voss", vertskommune=Kommune.objects.get(nummer="4621"))
    leader = factories.service_user(bergen)
    network = LearningNetwork.objects.create(
        embete=bergen.vertskommune.embete, navn="Læringsnettverk Vest", etablert_aar=2022, status=NetworkStatus.AKTIV
    )
    for service in (bergen, voss):
        member(network, service)
    rnd = make_round(
        sf,
        GuidelineVersion.objects.get(gyldig_fra=datetime.date(2021, 1, 1)),
        aar=today.year,
        apner=today - datetime.timedelta(days=1),
        frist=today + datetime.timedelta(days=30),
        rapportfrist=today + datetime.timedelta(days=400),
    )
    draft = make_draft(leader, rnd, network, tjenester=[bergen, voss])
    bufdir = factories.bufdir_user()
    _token, secret = make_token(bufdir)
    OutboxMessage.objects.all().delete()
    mail.outbox.clear()
    return {"sf": sf, "leader": leader, "bergen": bergen, "rnd": rnd, "draft": draft, "bufdir": bufdir, "key": secret}


@pytest.fixture
def on_private_redis(private_redis, settings, real_broker):
    """Cache, broker and result backend on the private Redis, configured as in production (config/settings.py)."""
    settings.CACHES = redis_cache(private_redis.url(0))
    settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    settings.DJANGO_REDIS_LOGGER = "common.cache"
    hijack = celery_app.conf.worker_hijack_root_logger
    celery_app.conf.worker_hijack_root_logger = False  # keep pytest's log capture
    celery_app.conf.result_backend = private_redis.url(2)
    real_broker(private_redis.url(1))
    resilient.reset_breakers()
    yield private_redis
    celery_app.conf.worker_hijack_root_logger = hijack
    resilient.reset_breakers()


def _wait_for(condition, what: str, log: Path) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {WAIT}s. Redis log:\n{log.read_text(errors='replace')}")
        time.sleep(0.2)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_redis_down_the_site_works_and_the_queued_mail_is_sent_once_when_it_is_back(
    client, world, on_private_redis, monkeypatch, caplog
):
    redis = on_private_redis
    leader, sf, draft = world["leader"], world["sf"], world["draft"]
    cache.set("probe", 1)
    assert cache.get("probe") == 1  # the cache really is on the private Redis

    # --- 1. Redis is down ----------------------------------------------------------------------------------------
    redis.stop()
    responses = {}
    responses["login page"] = client.get(reverse("account_login"))
    responses["login"] = client.post(reverse("account_login"), {"login": leader.email, "password": PASSWORD})
    responses["home"] = client.get(reverse("home"))
    submit_url = reverse("grants:application_submit", args=[draft.pk])
    responses["submit page"] = client.get(submit_url)
    responses["submit"] = client.post(submit_url)
    responses["receipt"] = client.get(reverse("grants:application_receipt", args=[draft.pk]))
    invitation = {"email": "ny.kollega@example.no", "rolle": Role.TJENESTE_MEDARBEIDER, "tjeneste": world["bergen"].pk}
    responses["invite"] = client.post(reverse("invitation_list"), invitation)
    responses["invitations"] = client.get(reverse("invitation_list"))
    staff, api = Client(), Client()
    staff.force_login(sf)
    responses["letter progress"] = staff.get(reverse("grants:round_letters_progress", args=[world["rnd"].pk]))
    responses["api"] = api.get("/api/v1/summary", {"year_from": 2023, "year_to": 2023}, **bearer(world["key"]))
    responses["api, wrong key"] = api.get("/api/v1/summary", {"year_from": 2023, "year_to": 2023}, **bearer("lnt_feil"))

    statuses = {what: r.status_code for what, r in responses.items()}
    assert statuses == {
        "login page": 200,
        "login": 302,
        "home": 200,
        "submit page": 200,
        "submit": 302,
        "receipt": 200,
        "invite": 302,
        "invitations": 200,
        "letter progress": 200,
        "api": 200,
        "api, wrong key": 401,
    }
    assert Application.objects.get(pk=draft.pk).status == ApplicationStatus.SENDT_INN
    waiting = list(OutboxMessage.objects.order_by("id"))
    assert [m.oppgave for m in waiting] == ["grants.tasks.send_receipt", "accounts.tasks.send_invitation_email"]
    assert all(m.forsok == 1 and m.sendt is None and m.utfort is None for m in waiting)
    assert all("OperationalError" in m.siste_feil for m in waiting)
    assert mail.outbox == []
    assert "Køen svarer ikke" in caplog.text and "svarer ikke" in caplog.text
    with pytest.raises(CommandError) as down:
        call_command("dispatch_outbox", "--grace", "0", stdout=io.StringIO())
    assert down.value.returncode == 1

    # --- 2. Redis is back (empty: nothing was persisted) ------------------------------------------------------
    redis.start()
    resilient.reset_breakers()  # instead of waiting out CIRCUIT_BREAKER_SECONDS
    cache.set("probe", 2)
    assert cache.get("probe") == 2
    out = io.StringIO()
    call_command("dispatch_outbox", "--grace", "0", stdout=out)
    assert "Sendt til køen: 2." in out.getvalue()
    assert mail.outbox == []  # handed to Redis, not yet run

    # --- 3. A worker runs them; the first SMTP attempt fails --------------------------------------------------
    smtp = FlakySmtp(failures=1)
    smtp.original = mail.backends.locmem.EmailBackend.send_messages
    monkeypatch.setattr(mail.backends.locmem.EmailBackend, "send_messages", lambda b, m: smtp.send_messages(b, m))
    invited = Invitation.objects.get(email="ny.kollega@example.no")
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30, loglevel="WARNING"):
        # Only the worker touches the database while it runs (SQLite's shared in-memory test database).
        _wait_for(lambda: len(mail.outbox) >= 2, "delivery of both e-mails", redis.log)
        # The same tasks delivered again (a duplicate message, a redelivery): the worker sends nothing.
        duplicates = [
            send_receipt.apply_async(args=[draft.pk], ignore_result=False),
            send_invitation_email.apply_async(args=[invited.pk, "duplikat"], ignore_result=False),
        ]
        assert [d.get(timeout=WAIT) for d in duplicates] == [False, False]

    subjects = sorted(m.subject for m in mail.outbox)
    assert len(subjects) == 2, subjects
    assert subjects[0] == "Invitasjon til Læringsnett" and subjects[1].startswith("Kvittering: søknad VL-")
    assert smtp.attempts == 3  # one refused, retried by Celery after its backoff, and one for the other e-mail
    done = {m.oppgave: m for m in OutboxMessage.objects.all()}
    assert all(m.utfort is not None and m.ganger_sendt == 1 for m in done.values())
    assert done["grants.tasks.send_receipt"].siste_feil.startswith("Nytt forsøk:")
    assert done["accounts.tasks.send_invitation_email"].argumenter[1] == "[fjernet]"
    invitation_mail = next(m for m in mail.outbox if m.subject.startswith("Invitasjon"))
    assert find_invitation(token_from_mail(invitation_mail)).pk == invited.pk  # the link works
    invited.refresh_from_db()
    assert invited.epost_sendt is not None
    out = io.StringIO()
    call_command("dispatch_outbox", "--grace", "0", stdout=out)
    assert "Sendt til køen: 0." in out.getvalue() and "Venter fortsatt: 0." in out.getvalue()

    # Rate limits are kept again now that the counters have somewhere to live.
    monkeypatch.setattr(FailedTokenThrottle, "THROTTLE_RATES", {"api_token_failed": "1/min"})
    api = Client()
    assert api.get("/api/v1/summary", {"year_from": 2023, "year_to": 2023}, **bearer("lnt_feil")).status_code == 401
    assert api.get("/api/v1/summary", {"year_from": 2023, "year_to": 2023}, **bearer("lnt_feil")).status_code == 429


def test_missing_redis_server_fails_on_ci_and_skips_elsewhere():
    with pytest.raises(pytest.fail.Exception, match="CI must install redis-server"):
        _require_redis_server(exists=False, on_ci=True)
    with pytest.raises(pytest.skip.Exception):
        _require_redis_server(exists=False, on_ci=False)
    _require_redis_server(exists=True, on_ci=True)
