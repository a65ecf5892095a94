"""The cache on Redis (common/cache.py) when Redis is down: every page and API call still works, the cache answers as
an empty cache, and each outage is logged once. Rate limits fail open while Redis is down (allauth's login and
password-reset limits, the API throttles): the alternative is that nobody can log in.

Here "down" is a loopback port where nothing listens (refused at once) or a server that accepts and never answers
(each call would wait for the socket timeout). With Redis up, the same backend is what CI runs the whole suite
against (REDIS_URL), including tests/accounts/test_login.py and tests/api (the limits themselves), and
tests/faults/test_redis_outage.py stops and starts a real Redis."""

import datetime
import logging

import pytest
from django.core.cache import cache
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from api.authentication import FailedTokenThrottle
from common import cache as resilient
from networks.models import GuidelineVersion
from tests import factories
from tests.api.conftest import bearer, make_token
from tests.grants.conftest import make_round

from .conftest import SilentRedis, free_port, redis_cache

pytestmark = pytest.mark.django_db

PASSWORD = "Testpassord-123"  # factories.UserFactory


@pytest.fixture
def cache_down(settings):
    """The production cache settings (config/settings.py with REDIS_URL), pointed at a Redis that is not there."""
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{free_port()}/0")
    settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    settings.DJANGO_REDIS_LOGGER = "common.cache"
    resilient.reset_breakers()
    yield
    resilient.reset_breakers()


@pytest.fixture
def silent_redis(settings):
    server = SilentRedis()
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{server.port}/0", SOCKET_TIMEOUT=0.2, SOCKET_CONNECT_TIMEOUT=0.2)
    settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    settings.DJANGO_REDIS_LOGGER = "common.cache"
    resilient.reset_breakers()
    yield server
    server.close()
    resilient.reset_breakers()


def test_the_cache_answers_as_empty_and_never_raises(cache_down):
    assert cache.get("x") is None and cache.get("x", "standard") == "standard"
    assert cache.set("x", 1) is None
    assert cache.get_many(["x", "y"]) == {}
    assert not cache.delete("x")
    assert cache.get_or_set("x", 1) == 1
    cache.clear()


def test_add_fails_open(cache_down):
    """allauth's rate limiter locks with cache.add(); a False here would wait a second and then refuse the login."""
    assert cache.add("lock", True) is True


def test_an_outage_is_logged_once_not_per_call(cache_down, caplog):
    caplog.set_level(logging.WARNING, logger="common.cache")
    for _ in range(20):
        cache.get("x")
        cache.set("x", 1)
    messages = [r.getMessage() for r in caplog.records if r.name == "common.cache"]
    # The first failure only: the breaker's warning, and django-redis' "Exception ignored" with the traceback.
    assert len(messages) == 2
    assert "Exception ignored" in messages
    assert sum("svarer ikke" in m for m in messages) == 1
    assert "Error 111" in caplog.text or "Connection refused" in caplog.text


def test_a_hung_redis_costs_one_timeout_not_one_per_call(silent_redis):
    """The circuit breaker: after the first timeout Redis is not asked again for CIRCUIT_BREAKER_SECONDS, so a page
    that makes many cache calls does not wait a socket timeout for each."""
    assert cache.get("x") is None  # waits for the socket timeout once
    calls_before = len(silent_redis.accepted)
    for _ in range(50):
        assert cache.get("x") is None
        assert cache.add("lock", 1) is True
    assert len(silent_redis.accepted) == calls_before == 1
    breaker = resilient._breaker_for(cache._server)
    assert breaker.is_open()
    breaker.reset()  # the window has passed: the next call asks Redis again, and the breaker trips again
    assert cache.get("x") is None
    assert breaker.is_open()


def test_login_works_while_redis_is_down(client, cache_down, caplog):
    user = factories.UserFactory(email="kari@example.no")
    assert client.get(reverse("account_login")).status_code == 200
    response = client.post(reverse("account_login"), {"login": "kari@example.no", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)  # the session is in the database
    assert client.get(reverse("home")).status_code == 200
    assert "svarer ikke" in caplog.text


def test_failed_logins_are_not_limited_while_redis_is_down(client, cache_down):
    """Fail open, by choice: with the counters gone the limit cannot be kept. Outages are logged; the password hash
    cost and, for staff, TOTP still stand. tests/accounts/test_login.py proves the limit with Redis up."""
    factories.UserFactory(email="kari@example.no")
    for i in range(7):
        wrong = client.post(reverse("account_login"), {"login": "kari@example.no", "password": f"feil-{i}"})
        assert wrong.status_code == 200 and "Du har prøvd for mange ganger" not in wrong.content.decode()
    right = client.post(reverse("account_login"), {"login": "kari@example.no", "password": PASSWORD})
    assert right.status_code == 302


def test_password_reset_works_while_redis_is_down(client, cache_down, mailoutbox, django_capture_on_commit_callbacks):
    factories.UserFactory(email="kari@example.no")
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail leaves through the outbox after commit
        response = client.post(reverse("account_reset_password"), {"email": "kari@example.no"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1


def test_the_api_and_its_throttles_work_while_redis_is_down(client, cache_down, reference_data, monkeypatch):
    monkeypatch.setattr(FailedTokenThrottle, "THROTTLE_RATES", {"api_token_failed": "1/min"})
    bufdir = factories.bufdir_user()
    _token, secret = make_token(bufdir)
    for _ in range(3):
        assert (
            client.get("/api/v1/summary", {"year_from": 2023, "year_to": 2023}, **bearer("lnt_feil")).status_code == 401
        )
    assert client.get("/api/v1/summary", {"year_from": 2023, "year_to": 2023}, **bearer(secret)).status_code == 200


def test_letter_progress_page_works_while_redis_is_down(client, cache_down, no_mfa, reference_data):
    sf = factories.statsforvalter("vestland")
    today = timezone.localdate()
    rnd = make_round(
        sf,
        GuidelineVersion.objects.get(gyldig_fra=datetime.date(2021, 1, 1)),
        publish=False,
        aar=today.year,
        apner=today,
        frist=today + datetime.timedelta(days=30),
        rapportfrist=today + datetime.timedelta(days=400),
    )
    client.force_login(sf)
    with TestCase.captureOnCommitCallbacks(execute=True):
        started = client.post(reverse("grants:round_letters", args=[rnd.pk]))
    assert started.status_code == 302
    progress = client.get(reverse("grants:round_letters_progress", args=[rnd.pk]))
    assert progress.status_code == 200 and progress.json()["done"] == 0
