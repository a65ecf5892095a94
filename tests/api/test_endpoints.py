"""The read-only JSON API: authentication by key or session, scoping per role, validation, paging, query counts."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import RoleAssignment
from api import services
from api.authentication import FailedTokenThrottle
from api.models import ApiToken, hash_secret

from .conftest import add_award, bearer, make_token

pytestmark = pytest.mark.django_db

SUMMARY = "/api/v1/summary"
AWARDS = "/api/v1/awards"
NO_ACCESS = "Du har ikke tilgang til dette."


def get(client, url, secret=None, **params):
    headers = bearer(secret) if secret else {}
    return client.get(url, params, **headers)


# --- authentication ---------------------------------------------------------------------------


def test_anonymous_gets_401_with_bearer_challenge(client, reference_data):
    for url in (SUMMARY, AWARDS):
        response = client.get(url)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'
        assert response.json() == {"detail": "Manglende autentiseringsinformasjon."}


def test_unknown_key_gets_401(client, reference_data):
    response = get(client, SUMMARY, "lnt_finnes-ikke")
    assert response.status_code == 401
    assert response.json() == {"detail": "Ugyldig API-nøkkel."}


def test_bearer_and_token_keywords_are_accepted(client, bufdir):
    _token, secret = make_token(bufdir)
    assert get(client, SUMMARY, secret).status_code == 200
    assert client.get(SUMMARY, HTTP_AUTHORIZATION=f"Token {secret}").status_code == 200
    assert client.get(SUMMARY, HTTP_AUTHORIZATION="Bearer").status_code == 401


def test_revoked_key_is_refused(client, bufdir):
    token, secret = make_token(bufdir)
    assert get(client, AWARDS, secret).status_code == 200
    services.revoke_token(bufdir, token)
    response = get(client, AWARDS, secret)
    assert response.status_code == 401
    assert response.json() == {"detail": "API-nøkkelen er trukket tilbake."}


def test_expired_key_is_refused(client, sf):
    today = timezone.localdate()
    _token, secret = make_token(sf, expires=today)
    assert get(client, SUMMARY, secret).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1, hours=1)):
        response = get(client, SUMMARY, secret)
    assert response.status_code == 401
    assert response.json() == {"detail": "API-nøkkelen er utløpt."}


def test_key_stops_working_when_its_role_ends(client, sf):
    _token, secret = make_token(sf)
    role = sf.roller.get()
    RoleAssignment.objects.filter(pk=role.pk).update(
        gyldig_fra=datetime.date(2020, 1, 1), gyldig_til=timezone.localdate() - datetime.timedelta(days=1)
    )
    response = get(client, SUMMARY, secret)
    assert response.status_code == 401
    assert response.json() == {"detail": "Rollen API-nøkkelen gjelder for, er ikke lenger aktiv."}


def test_key_of_deactivated_user_is_refused(client, sf):
    _token, secret = make_token(sf)
    type(sf).objects.filter(pk=sf.pk).update(is_active=False)
    assert get(client, SUMMARY, secret).status_code == 401


def test_last_used_is_recorded_at_most_once_a_minute(client, bufdir):
    token, secret = make_token(bufdir)
    assert token.sist_brukt is None
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        get(client, SUMMARY, secret)
    token.refresh_from_db()
    assert token.sist_brukt == start
    with time_machine.travel(start + datetime.timedelta(seconds=30), tick=False):
        with CaptureQueriesContext(connection) as queries:
            get(client, SUMMARY, secret)
    assert not [q for q in queries if q["sql"].startswith("UPDATE")]
    token.refresh_from_db()
    assert token.sist_brukt == start
    with time_machine.travel(start + datetime.timedelta(seconds=61), tick=False):
        get(client, SUMMARY, secret)
    token.refresh_from_db()
    assert token.sist_brukt == start + datetime.timedelta(seconds=61)


def test_repeated_failed_keys_are_throttled(client, bufdir, monkeypatch):
    monkeypatch.setattr(FailedTokenThrottle, "THROTTLE_RATES", {"api_token_failed": "3/min"})
    _token, secret = make_token(bufdir)
    for _ in range(3):
        assert get(client, SUMMARY, "lnt_feil").status_code == 401
    response = get(client, SUMMARY, "lnt_feil")
    assert response.status_code == 429
    assert "For mange mislykkede forsøk" in response.json()["detail"]
    assert "Retry-After" in response
    # While blocked, even a good key from the same address waits: the lookup is never made.
    assert get(client, SUMMARY, secret).status_code == 429


def test_session_login_works_for_browsing(client, bufdir, no_mfa):
    client.force_login(bufdir)
    response = client.get(SUMMARY, HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_only_get_is_allowed(client, bufdir):
    _token, secret = make_token(bufdir)
    response = client.post(SUMMARY, {}, **bearer(secret))
    assert response.status_code == 405


# --- roles and scoping ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["leader", "partner_user"])
def test_service_users_and_partners_get_403(client, who, request):
    user = request.getfixturevalue(who)
    client.force_login(user)
    for url in (SUMMARY, AWARDS):
        response = client.get(url)
        assert response.status_code == 403
        assert response.json() == {"detail": NO_ACCESS}
    # A key bound to such a role (cannot be made in the UI, but say one existed) is refused too.
    secret = "lnt_tjenestenokkel"
    ApiToken.objects.create(
        user=user, rolle=user.roller.get(), navn="x", prefiks=secret[:12], nokkel_hash=hash_secret(secret)
    )
    client.logout()
    refused = get(client, AWARDS, secret)  # already by the authentication: the role gives no API access
    assert refused.status_code == 401
    assert refused.json() == {"detail": "Rollen API-nøkkelen gjelder for, gir ikke lenger tilgang til API-et."}


def test_bufdir_summary_has_every_embete_and_the_total(client, bufdir, awards):
    _token, secret = make_token(bufdir)
    response = get(client, SUMMARY, secret, year_from=2023, year_to=2023)
    assert response.status_code == 200
    data = response.json()
    assert (data["year_from"], data["year_to"]) == (2023, 2023)
    rows = {r["embete"]: r for r in data["results"]}
    assert len(rows) == 11 and data["results"][-1]["embete"] == "totalt"
    vestland = rows["vestland"]
    assert vestland == {
        "aar": 2023,
        "embete": "vestland",
        "embete_navn": "Statsforvalteren i Vestland",
        "egeninitierte_prosjekter": 1,
        "fosterhjemsprosjekter": 2,
        "prosjekter_totalt": 3,
        "tildelt_kr": 1050000,
        "kategorier": {
            "egeninitiert": {
                "prosjekter": 1,
                "ramme": 0.0,
                "tildelt": 300000.0,
                "utbetalt": 0.0,
                "rapportert_brukt": 0.0,
                "ubrukt": 0.0,
                "tilbakebetalt": 0.0,
                "overfort": 0.0,
            },
            "fosterhjem": {
                "prosjekter": 2,
                "ramme": 0.0,
                "tildelt": 750000.0,
                "utbetalt": 0.0,
                "rapportert_brukt": 0.0,
                "ubrukt": 0.0,
                "tilbakebetalt": 0.0,
                "overfort": 0.0,
            },
        },
    }
    assert rows["totalt"]["prosjekter_totalt"] == 4
    assert rows["totalt"]["tildelt_kr"] == 1450000


def test_summary_category_filter_nulls_the_other_category(client, bufdir, awards):
    _token, secret = make_token(bufdir)
    data = get(client, SUMMARY, secret, year_from=2023, kategori="fosterhjem").json()
    vestland = next(r for r in data["results"] if r["embete"] == "vestland")
    assert vestland["kategorier"]["egeninitiert"] is None
    assert vestland["kategorier"]["fosterhjem"]["tildelt"] == 750000.0
    assert vestland["tildelt_kr"] == 750000 and vestland["egeninitierte_prosjekter"] == 0


def test_summary_covers_each_year_in_the_range(client, bufdir, awards):
    _token, secret = make_token(bufdir)
    data = get(client, SUMMARY, secret, year_from=2022, year_to=2023, embete="vestland").json()
    assert [(r["aar"], r["embete"], r["tildelt_kr"]) for r in data["results"]] == [
        (2022, "vestland", 100000),
        (2022, "totalt", 100000),
        (2023, "vestland", 1050000),
        (2023, "totalt", 1050000),
    ]


def test_statsforvalter_sees_only_its_own_rows(client, sf, awards):
    _token, secret = make_token(sf)
    data = get(client, SUMMARY, secret, year_from=2023, year_to=2023).json()
    assert [r["embete"] for r in data["results"]] == ["vestland"]  # no other embete, no national total

    awards_data = get(client, AWARDS, secret).json()
    assert awards_data["count"] == 4
    assert {r["embete"] for r in awards_data["results"]} == {"vestland"}

    own = get(client, AWARDS, secret, embete="vestland").json()
    assert own["count"] == 4


def test_statsforvalter_cannot_read_another_embete(client, sf, awards):
    _token, secret = make_token(sf)
    for url in (SUMMARY, AWARDS):
        response = get(client, url, secret, embete="agder", year_from=2023, year_to=2023)
        assert response.status_code == 403
        assert response.json() == {"detail": NO_ACCESS}


def test_agder_statsforvalter_gets_agder_only(client, sf_agder, awards):
    _token, secret = make_token(sf_agder)
    rows = get(client, AWARDS, secret).json()["results"]
    assert [(r["embete"], r["tildelt_kr"]) for r in rows] == [("agder", 400000.0)]


# --- the per-grant rows -----------------------------------------------------------------------


def test_award_rows_have_the_open_data_columns(client, bufdir, awards, vestland_service):
    _token, secret = make_token(bufdir)
    data = get(client, AWARDS, secret, year_from=2023, embete="vestland", kategori="egeninitiert").json()
    assert data["count"] == 1 and data["next"] is None
    row = data["results"][0]
    award = awards[2]
    assert row == {
        "id": award.pk,
        "aar": 2023,
        "embete": "vestland",
        "embete_navn": "Statsforvalteren i Vestland",
        "nettverk": "Læringsnettverk vestland",
        "prosjekt": award.prosjekt.navn,
        "kategori": "egeninitiert",
        "tildelt_kr": 300000.0,
        "tildelingsdato": "2023-03-01",
        "tjenester": [{"navn": vestland_service.navn, "orgnr": vestland_service.orgnr}],
    }


def test_money_without_a_project_has_null_project(client, bufdir, reference_data):
    add_award("nordland", 2023, "fosterhjem", Decimal("2700000.50"), prosjekt=None)
    _token, secret = make_token(bufdir)
    row = get(client, AWARDS, secret).json()["results"][0]
    assert row["prosjekt"] is None and row["tildelt_kr"] == 2700000.5


def test_awards_are_paged(client, bufdir, awards):
    _token, secret = make_token(bufdir)
    first = get(client, AWARDS, secret, page_size=2).json()
    assert first["count"] == 5 and len(first["results"]) == 2
    assert first["previous"] is None and "page=2" in first["next"]
    last = get(client, AWARDS, secret, page_size=2, page=3).json()
    assert len(last["results"]) == 1 and last["next"] is None
    seen = {r["id"] for p in (1, 2, 3) for r in get(client, AWARDS, secret, page_size=2, page=p).json()["results"]}
    assert seen == {a.pk for a in awards}
    beyond = get(client, AWARDS, secret, page_size=2, page=4)
    assert beyond.status_code == 404
    assert beyond.json() == {"detail": "Siden finnes ikke. Det er 3 sider."}


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "params", "expected"),
    [
        (SUMMARY, {"year_from": "tjue"}, {"year_from": ["Oppgi et årstall med fire sifre, for eksempel 2023."]}),
        (SUMMARY, {"year_to": "1999"}, {"year_to": ["Årstallet kan ikke være før 2000."]}),
        (AWARDS, {"year_from": "2101"}, {"year_from": ["Årstallet kan ikke være etter 2100."]}),
        (
            SUMMARY,
            {"kategori": "annet"},
            {"kategori": ["Ukjent kategori «annet». Bruk «egeninitiert» eller «fosterhjem»."]},
        ),
        (AWARDS, {"embete": "oslo"}, {"embete": ["Ukjent embete «oslo». Bruk kortnavnet, for eksempel «vestland»."]}),
        (AWARDS, {"year_from": "2024", "year_to": "2023"}, {"year_to": ["«year_to» kan ikke være før «year_from»."]}),
        (AWARDS, {"page": "0"}, {"page": ["Oppgi et helt tall fra og med 1."]}),
        (AWARDS, {"page_size": "5000"}, {"page_size": ["Oppgi et helt tall fra 1 til 1000."]}),
        (AWARDS, {"page_size": "ti"}, {"page_size": ["Oppgi et helt tall fra 1 til 1000."]}),
    ],
)
def test_bad_parameters_give_400_in_norwegian(client, bufdir, url, params, expected):
    _token, secret = make_token(bufdir)
    response = client.get(url, params, **bearer(secret))
    assert response.status_code == 400
    assert response.json() == expected


def test_summary_defaults_to_this_year(client, bufdir):
    _token, secret = make_token(bufdir)
    data = get(client, SUMMARY, secret).json()
    this_year = timezone.localdate().year
    assert (data["year_from"], data["year_to"]) == (this_year, this_year)
    assert {r["aar"] for r in data["results"]} == {this_year}


# --- query counts -----------------------------------------------------------------------------


def _queries(client, url, secret, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = get(client, url, secret, **params)
    assert response.status_code == 200
    return len(ctx)


@pytest.mark.parametrize("url", [AWARDS, SUMMARY])
def test_query_count_does_not_grow_with_awards(client, bufdir, awards, vestland_service, agder_service, url):
    _token, secret = make_token(bufdir)
    get(client, url, secret)  # sist_brukt is written on the first call only
    before = _queries(client, url, secret, year_from=2022, year_to=2023)
    for n in range(20):
        add_award(
            "vestland" if n % 2 else "agder",
            2022 + n % 2,
            "fosterhjem",
            1000 + n,
            services=[vestland_service, agder_service],
        )
    after = _queries(client, url, secret, year_from=2022, year_to=2023)
    assert after == before
    assert after <= 10


# --- schema -----------------------------------------------------------------------------------


def test_openapi_schema_is_public_and_declares_bearer_auth(client, reference_data):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {"/api/v1/summary", "/api/v1/awards", "/api/v1/figures"}
    assert schema["components"]["securitySchemes"]["apiNokkel"]["scheme"] == "bearer"
    params = {p["name"]: p for p in schema["paths"]["/api/v1/awards"]["get"]["parameters"]}
    assert {"year_from", "year_to", "kategori", "embete", "page", "page_size"} <= set(params)
    assert "vestland" in params["embete"]["schema"]["enum"]
    assert set(schema["paths"]["/api/v1/summary"]["get"]["responses"]) >= {"200", "400", "401", "403", "429"}
