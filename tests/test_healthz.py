"""GET /healthz for the load balancer, and `?deep=1` (bin/smoke): a ping through the broker to a worker and back,
only with the right token, so an anonymous visitor can never make the server wait on the queue."""

import socket

import pytest
from django.urls import reverse
from kombu import pools

from config.celery import app as celery_app
from config.celery import ping

TOKEN = "røyk-test-token-0123456789"


@pytest.fixture
def token(settings):
    settings.HEALTHZ_TOKEN = TOKEN
    return TOKEN


@pytest.fixture
def no_ping(monkeypatch):
    sent = []
    monkeypatch.setattr(ping, "apply_async", lambda *args, **kwargs: sent.append(args) or pytest.fail("ping sent"))
    return sent


def _deep(client, token=None):
    headers = {"HTTP_X_HEALTHZ_TOKEN": token} if token is not None else {}
    return client.get(reverse("healthz"), {"deep": "1"}, **headers)


def test_plain_healthz_answers_ok_without_login(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_deep_check_is_refused_without_the_right_token_before_any_work(client, db, token, no_ping):
    for given in (None, "", "feil-token", TOKEN + "x"):
        response = _deep(client, given)
        assert response.status_code == 403
        assert response.json()["status"] == "nektet"
    assert no_ping == []


def test_deep_check_is_off_when_no_token_is_configured(client, db, settings, no_ping):
    settings.HEALTHZ_TOKEN = ""
    assert _deep(client, "").status_code == 403
    assert _deep(client, "noe").status_code == 403


def test_deep_check_in_eager_mode_says_there_is_no_queue(client, db, token):
    response = _deep(client, TOKEN)
    assert response.status_code == 200
    assert response.json()["celery"]["status"] == "eager"


def _reset_connections():
    pools.reset()
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    celery_app._local.__dict__.pop("backend", None)


@pytest.fixture
def dead_broker():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    conf = celery_app.conf
    saved = {key: conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    conf.broker_url = conf.result_backend = f"redis://127.0.0.1:{port}/0"
    conf.task_always_eager = False
    _reset_connections()
    yield
    for key, value in saved.items():
        conf[key] = value
    _reset_connections()


def test_deep_check_with_the_queue_down_answers_503_quickly(client, db, token, settings, dead_broker):
    settings.HEALTHZ_CELERY_TIMEOUT = 2
    response = _deep(client, TOKEN)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "feil"
    assert body["celery"]["status"] == "feil"
    assert "Redis" in body["celery"]["detalj"]
