"""Issue 19: an unknown query parameter is a 400 on every endpoint (?year=2023 used to be ignored silently and the
answer was for another year), in the caller's language; the rate-limit message is translated too."""

import pytest
from rest_framework.throttling import ScopedRateThrottle

from .conftest import bearer, make_token

pytestmark = pytest.mark.django_db

SUMMARY = "/api/v1/summary"
AWARDS = "/api/v1/awards"


@pytest.mark.parametrize(
    ("url", "known"),
    [
        (SUMMARY, "year_from, year_to, kategori, embete, terskel"),
        (AWARDS, "year_from, year_to, kategori, embete, page, page_size"),
    ],
)
def test_unknown_parameter_is_400_in_norwegian(client, bufdir, url, known):
    _token, secret = make_token(bufdir)
    response = client.get(url, {"year": "2023", "year_from": "2023"}, **bearer(secret))
    assert response.status_code == 400
    assert response.json() == {"year": [f"Ukjent parameter. Bruk en av disse: {known}."]}


def test_unknown_parameter_is_400_in_english(client, bufdir):
    _token, secret = make_token(bufdir)
    response = client.get(SUMMARY, {"year": "2023"}, HTTP_ACCEPT_LANGUAGE="en", **bearer(secret))
    assert response.status_code == 400
    assert response.json() == {
        "year": ["Unknown parameter. Use one of these: year_from, year_to, kategori, embete, terskel."]
    }


def test_known_parameters_still_work(client, bufdir):
    _token, secret = make_token(bufdir)
    response = client.get(SUMMARY, {"year_from": "2023", "year_to": "2023"}, **bearer(secret))
    assert response.status_code == 200
    assert response.json()["year_from"] == 2023
    assert client.get(AWARDS, {"page": "1", "page_size": "10"}, **bearer(secret)).status_code == 200


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("nb", "For mange forespørsler på kort tid. Prøv igjen om 60 sekunder."),
        ("nn", "For mange førespurnader på kort tid. Prøv igjen om 60 sekund."),
        ("en", "Too many requests in a short time. Try again in 60 seconds."),
    ],
)
def test_rate_limit_message_is_translated(client, bufdir, monkeypatch, language, text):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"api": "1/min", "api_token_failed": "100/min"})
    _token, secret = make_token(bufdir)
    headers = {**bearer(secret), "HTTP_ACCEPT_LANGUAGE": language}
    assert client.get(SUMMARY, **headers).status_code == 200
    response = client.get(SUMMARY, **headers)
    assert response.status_code == 429
    assert response.json()["detail"] == text
    assert response["Retry-After"] == "60"


def test_summary_threshold_applies_the_pages_complementary_suppression(client, bufdir, awards):
    from reporting.selectors.tables import HIDDEN

    _token, secret = make_token(bufdir)
    plain = client.get(SUMMARY, {"year_from": "2023", "year_to": "2023"}, **bearer(secret)).json()["results"]
    response = client.get(SUMMARY, {"year_from": "2023", "year_to": "2023", "terskel": "5"}, **bearer(secret))
    assert response.status_code == 200
    rows = response.json()["results"]
    columns = ("egeninitierte_prosjekter", "fosterhjemsprosjekter", "prosjekter_totalt")
    hidden = [(r["embete"], c) for r in rows for c in columns if r[c] == HIDDEN]
    small = [(r["embete"], c) for r in plain for c in columns if 0 < r[c] < 5]
    assert small and set(small) <= set(hidden)
    for row in rows:
        assert sum(1 for c in columns if row[c] == HIDDEN) != 1  # categories sum to the total: never one alone
        assert row["kategorier"]["egeninitiert"]["prosjekter"] == row["egeninitierte_prosjekter"]
        assert row["skjult"].startswith(("ja:", "nei:"))
    for c in columns:  # every column sums to the total row
        assert sum(1 for r in rows if r[c] == HIDDEN) != 1
    assert "skjult" not in plain[0]
