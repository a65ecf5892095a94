"""Fixtures for the fault tests: the grant and project fixtures (a Vestland network with Bergen, Voss and Askøy,
users per role, an award with its reporting requirement), but with the real Celery tasks: `rnd` here does not use
the grant tests' task recorder, so every e-mail goes through the outbox, Celery (eager) and the mail outbox.

Also: an SMTP server that fails on the first attempt (`flaky_smtp`), a broker that refuses connections
(`broker_down`) or one the test chooses (`real_broker`), a Redis that accepts and never answers (`SilentRedis`),
the production cache settings for any Redis URL (`redis_cache`), and `flow`, the five user actions that queue an
e-mail, so every property is proved for each."""

import datetime
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from kombu import pools

from accounts import services as account_services
from accounts.models import Role
from common.models import OutboxMessage
from config.celery import app as celery_app
from followup.services import duty
from grants import services as grant_services
from tests.grants.conftest import make_draft, make_round
from tests.projects.conftest import *  # noqa: F403  (network, sf, leader, submitted, assessed, frame, requirement …)
from tests.projects.conftest import award


@pytest.fixture
def rnd(sf, g2021, clock):
    """The published 2026 Vestland round, with the real tasks (no recorder)."""
    return make_round(sf, g2021)


@pytest.fixture
def draft_round(sf, g2021, clock):
    return make_round(sf, g2021, publish=False)


# --- SMTP that fails once ----------------------------------------------------------------------------------------


class FlakySmtp:
    """Stands in for the SMTP connection: the first `failures` sends raise ConnectionRefusedError (an OSError, as
    smtplib raises when the server does not answer); later ones deliver to django.core.mail.outbox."""

    def __init__(self, failures: int = 1):
        self.failures = failures
        self.attempts = 0

    def send_messages(self, backend, messages):
        self.attempts += 1
        if self.attempts <= self.failures:
            raise ConnectionRefusedError("SMTP-tjeneren svarer ikke")
        return self.original(backend, messages)


@pytest.fixture
def flaky_smtp(monkeypatch):
    smtp = FlakySmtp()
    smtp.original = EmailBackend.send_messages
    monkeypatch.setattr(EmailBackend, "send_messages", lambda backend, messages: smtp.send_messages(backend, messages))
    return smtp


# --- a broker that is down ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def reset_celery_connections(app) -> None:
    """Forget pooled broker connections and cached result backends (as Celery does after a fork), so the next
    publish reads broker_url/result_backend from the configuration again."""
    pools.reset()  # closes kombu's pooled connections and forgets the pools (kombu does this after a fork)
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    app._local.__dict__.pop("backend", None)


class SilentRedis:
    """Accepts connections and never answers: a hung Redis, or one behind a dropped network route."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self):
        self.server.close()
        for conn in self.accepted:
            conn.close()


@pytest.fixture
def real_broker():
    """Publish for real (not eagerly) to a broker URL the test chooses; restores the eager test setup afterwards."""
    conf = celery_app.conf
    saved = {key: conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}

    def use(url: str) -> None:
        conf.broker_url = url
        conf.task_always_eager = False
        reset_celery_connections(celery_app)

    yield use
    for key, value in saved.items():
        conf[key] = value
    reset_celery_connections(celery_app)


@pytest.fixture
def broker_down(real_broker):
    """Redis as broker on a loopback port where nothing listens: every publish fails with a refused connection."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    real_broker(url)
    return url


# --- the cache on a Redis of the test's choosing ----------------------------------------------------------------


def redis_cache(url: str, **options) -> dict:
    """CACHES as config/settings.py makes it when REDIS_URL is set, for another Redis URL."""
    return {
        "default": {
            "BACKEND": "common.cache.ResilientRedisCache",
            "LOCATION": url,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
                "CIRCUIT_BREAKER_SECONDS": 5,
                **options,
            },
        }
    }


# --- the five e-mails --------------------------------------------------------------------------------------------


@dataclass
class Flow:
    """A user action that queues one e-mail: `run()` performs it (through the service, inside its transaction) and
    returns the object; `task` is the task it queues; `subject` starts the e-mail's subject."""

    task: str
    subject: str
    run: Callable[[], object]


def _invite(request):
    sf = request.getfixturevalue("sf")
    service = request.getfixturevalue("bergen")
    return lambda: account_services.invite(
        sf, email="ny.kollega@example.no", rolle=Role.TJENESTE_MEDARBEIDER, tjeneste=service
    )[0]


def _publish(request):
    sf, rnd = request.getfixturevalue("sf"), request.getfixturevalue("draft_round")
    request.getfixturevalue("leader")  # a recipient in the embete
    return lambda: grant_services.publish_round(sf, rnd)


def _submit(request):
    leader, rnd = request.getfixturevalue("leader"), request.getfixturevalue("rnd")
    network, bergen, voss = (request.getfixturevalue(name) for name in ("network", "bergen", "voss"))
    draft = make_draft(leader, rnd, network, tjenester=[bergen, voss])
    return lambda: grant_services.submit(leader, draft)


def _decide(request):
    sf, assessed = request.getfixturevalue("sf"), request.getfixturevalue("assessed")
    request.getfixturevalue("frame")
    return lambda: award(sf, assessed, pay=False)


def _postpone(request):
    sf, leader, krav = (request.getfixturevalue(name) for name in ("sf", "leader", "requirement"))
    postponement = duty.request_postponement(leader, krav, krav.frist + datetime.timedelta(days=30), "Sykdom i teamet.")
    return lambda: duty.decide_postponement(sf, postponement, True, "")


FLOWS = {
    "invitasjon": ("accounts.tasks.send_invitation_email", "Invitasjon til Læringsnett", _invite),
    "utlysning": ("grants.tasks.send_round_published", "Ny utlysning:", _publish),
    "kvittering": ("grants.tasks.send_receipt", "Kvittering: søknad", _submit),
    "vedtak": ("grants.tasks.deliver_decision", "Vedtak i sak", _decide),
    "utsettelse": ("projects.tasks.send_postponement_decided", "Utsettelse innvilget", _postpone),
}


@pytest.fixture(params=list(FLOWS))
def flow(request, clock, no_mfa) -> Flow:
    task, subject, build = FLOWS[request.param]
    run = build(request)
    # Whatever the setup queued (it never committed) is not part of the test.
    OutboxMessage.objects.all().delete()
    mail.outbox.clear()
    return Flow(task=task, subject=subject, run=run)
