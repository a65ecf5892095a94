"""A rate-limit answer is in one language, the caller's: Norwegian (the default) or English. DRF's own 429 text
(«Request was throttled. Expected available in N seconds.») came out half Norwegian, half English; the API's
exception handler (api.exceptions) now writes the whole sentence, with the wait equal to Retry-After."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from api.authentication import ApiThrottle, FailedTokenThrottle
from tests import factories
from tests.api.conftest import make_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _back_to_norwegian():
    """A request in English leaves English active in this thread; the next test must start in Norwegian."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


SUMMARY = "/api/v1/summary"
PASSWORD = "Testpassord-123"  # factories.UserFactory
ENGLISH_LEFTOVERS = ("Request was throttled", "Expected available", "second")
NORWEGIAN_LEFTOVERS = ("For mange", "Prøv igjen", "sekund", "forsøk", "Forespørsel")


def caller(language: str | None, address: str) -> Client:
    """A client that has chosen language with the language switcher (the browser's Accept-Language is ignored)."""
    client = Client(REMOTE_ADDR=address)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def wait_in(detail: str) -> int:
    return int(re.search(r"(\d+)", detail).group(1))


@pytest.fixture
def tight_limits(monkeypatch):
    monkeypatch.setattr(FailedTokenThrottle, "THROTTLE_RATES", {"api_token_failed": "2/min"})
    monkeypatch.setattr(ApiThrottle, "THROTTLE_RATES", {"api": "2/min"})


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (None, r"For mange mislykkede forsøk med API-nøkkel\. Prøv igjen om (\d+) sekunder\."),
        ("en", r"Too many failed attempts with an API key\. Try again in (\d+) seconds\."),
    ],
)
def test_failed_keys_429_is_in_one_language(language, expected, tight_limits, reference_data):
    client = caller(language, "203.0.113.60")
    for _ in range(2):
        assert client.get(SUMMARY, HTTP_AUTHORIZATION="Bearer lnt_feil").status_code == 401
    response = client.get(SUMMARY, HTTP_AUTHORIZATION="Bearer lnt_feil")
    assert response.status_code == 429
    detail = response.json()["detail"]
    assert re.fullmatch(expected, detail), detail
    assert wait_in(detail) == int(response["Retry-After"])


@pytest.mark.parametrize(
    ("language", "expected", "foreign"),
    [
        (None, r"For mange forespørsler på kort tid\. Prøv igjen om (\d+) sekunder\.", ENGLISH_LEFTOVERS),
        ("en", r"Too many requests in a short time\. Try again in (\d+) seconds\.", NORWEGIAN_LEFTOVERS),
    ],
)
def test_api_rate_limit_429_is_in_one_language(language, expected, foreign, tight_limits, reference_data):
    _token, secret = make_token(factories.bufdir_user())
    client = caller(language, "203.0.113.61")
    for _ in range(2):
        assert client.get(SUMMARY, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    response = client.get(SUMMARY, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 429
    detail = response.json()["detail"]
    assert re.fullmatch(expected, detail), detail
    assert not [w for w in foreign if w in detail]
    assert wait_in(detail) == int(response["Retry-After"])


def test_one_second_is_singular():
    from api.exceptions import RateLimited

    with translation.override("nb"):
        assert str(RateLimited(wait=0.2).detail) == "For mange forespørsler på kort tid. Prøv igjen om 1 sekund."
    with translation.override("en"):
        assert str(RateLimited(wait=1).detail) == "Too many requests in a short time. Try again in 1 second."


@pytest.mark.parametrize(
    ("language", "present", "absent"),
    [
        (None, ["For mange forsøk", "Vent noen minutter"], ["Too many", "Wait a few"]),
        ("en", ["Too many attempts", "Wait a few minutes"], ["For mange", "Vent noen", "prøv igjen"]),
    ],
)
def test_the_429_page_is_in_one_language(language, present, absent, db):
    user = factories.UserFactory(email="kari@example.no")
    client = caller(language, "203.0.113.62")
    limit = int(settings.ACCOUNT_RATE_LIMITS["login"].split(",")[0].split("/")[0])
    for _ in range(limit):
        client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
        client.logout()  # also forgets the cookies: choose the language again
        if language:
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 429
    main = response.content.decode().split("<main", 1)[-1].split("</main>", 1)[0]
    assert all(p in main for p in present), main
    assert not [a for a in absent if a in main]
