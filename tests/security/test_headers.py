"""Security headers, cookies and CSRF.

- Every response carries the Content-Security-Policy (no inline script or style, no eval, no framing) and the other
  protective headers; production adds HSTS and secure cookies and redirects plain HTTP (checked on real responses in
  a subprocess, since settings are read at import). `manage.py check --deploy --fail-level WARNING` with production
  settings: tests/test_settings.py::test_production_passes_check_deploy.
- CSRF everywhere: a walk over the URL configuration finds no csrf_exempt view except the documented read-only API
  endpoints, where DRF's session authentication does its own CSRF check; POSTs without a token are refused with a
  Norwegian page and change nothing.
- That the policy does not break the app in a real browser: tests/browser/test_csp.py (and every browser journey,
  see tests/browser/conftest.py).
"""

import json
import os
import runpy
import secrets
import subprocess
import sys
import textwrap

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.authentication import SessionAuthentication
from rest_framework.views import APIView

from api.authentication import ApiTokenAuthentication
from api.models import ApiToken
from tests import factories
from tests.test_settings import BASE_DIR, CLEARED
from ui.middleware import PermissionsPolicyMiddleware

EXPECTED_POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "font-src": {"'self'"},
    "connect-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}
COMMON_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": PermissionsPolicyMiddleware.POLICY,
}
HSTS = "max-age=31536000; includeSubDomains; preload"
PASSWORD = "Testpassord-123"  # factories.UserFactory

# The only views Django's CSRF middleware does not check, and why that is safe. A new exempt view fails the test.
DOCUMENTED_CSRF_EXEMPT = {
    # DRF marks every APIView csrf_exempt and checks CSRF itself in SessionAuthentication (see the test below);
    # requests with an API key (Authorization header) are not sent automatically by a browser, so need no token.
    # All four are read-only (GET/HEAD).
    "api:summary": "DRF, read-only; session requests are CSRF-checked by DRF",
    "api:figures": "DRF, read-only; session requests are CSRF-checked by DRF",
    "api:awards": "DRF, read-only; session requests are CSRF-checked by DRF",
    "api:schema": "DRF, read-only, public OpenAPI schema without authentication",
}


def parse_policy(header: str) -> dict[str, set[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = set(values)
    return directives


def walk(patterns, namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            inner = ":".join(n for n in (namespace, p.namespace) if n) or None
            yield from walk(p.url_patterns, inner)
        elif isinstance(p, URLPattern):
            yield (f"{namespace}:{p.name}" if namespace else p.name) or str(p.pattern), p.callback


# --- headers ------------------------------------------------------------------------------------------------------


def test_policy_is_exactly_the_documented_one(client, db):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    assert parse_policy(response["Content-Security-Policy"]) == EXPECTED_POLICY
    assert "unsafe" not in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    "path, status",
    [
        ("/konto/login/", 200),  # an allauth page
        ("/", 302),  # a redirect to the login page
        ("/finnes-ikke/", 404),  # the error page
        ("/api/v1/summary", 401),  # JSON from DRF
        ("/healthz", 200),
    ],
)
def test_protective_headers_on_every_kind_of_response(client, db, path, status):
    response = client.get(path)
    assert response.status_code == status
    for header, value in COMMON_HEADERS.items():
        assert response[header] == value, header
    assert parse_policy(response["Content-Security-Policy"])["frame-ancestors"] == {"'none'"}
    assert "Strict-Transport-Security" not in response  # embedded mode is plain HTTP on loopback


def test_cookies_are_http_only_and_same_site_lax(client, db):
    user = factories.UserFactory(email="kari@example.no")
    page = client.get(reverse("account_login"))
    csrf = page.cookies["csrftoken"]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"


PRODUCTION_PROBE = textwrap.dedent(
    """
    import json
    import django
    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings

    # Hashed static names need collectstatic; the headers do not depend on them.
    plain = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    out = {"settings": {name: getattr(settings, name) for name in (
        "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE", "SECURE_SSL_REDIRECT", "ALLAUTH_TRUSTED_PROXY_COUNT")}}
    out["settings"]["NUM_PROXIES"] = settings.REST_FRAMEWORK["NUM_PROXIES"]
    with override_settings(STORAGES=plain):
        client = Client(HTTP_HOST="laeringsnett.example.no")
        for name, path, secure in [("page", "/finnes-ikke/", True), ("api", "/api/v1/summary", True),
                                   ("http", "/finnes-ikke/", False), ("healthz", "/healthz", False)]:
            r = client.get(path, secure=secure)
            out[name] = {"status": r.status_code, "headers": dict(r.headers),
                         "cookies": {k: {"secure": bool(m["secure"]), "httponly": bool(m["httponly"]),
                                         "samesite": m["samesite"]} for k, m in r.cookies.items()}}
    print(json.dumps(out))
    """
)


def run_settings_probe(code: str, tmp_path, **env_vars) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED and not k.startswith("OIDC_")}
    env.update(LAERINGSNETT_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="config.settings", **env_vars)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_responses_have_hsts_secure_cookies_and_https_redirect(tmp_path):
    out = run_settings_probe(
        PRODUCTION_PROBE,
        tmp_path,
        LAERINGSNETT_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="laeringsnett.example.no",
    )
    assert out["settings"] == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SECURE_SSL_REDIRECT": True,
        # Behind the one nginx of docs/deploy.md: rate limits count the address nginx appended.
        "ALLAUTH_TRUSTED_PROXY_COUNT": 1,
        "NUM_PROXIES": 1,
    }
    for name in ("page", "api"):
        headers = out[name]["headers"]
        assert headers["Strict-Transport-Security"] == HSTS, name
        assert parse_policy(headers["Content-Security-Policy"]) == EXPECTED_POLICY, name
        for header, value in COMMON_HEADERS.items():
            assert headers[header] == value, (name, header)
    assert out["page"]["status"] == 404 and out["api"]["status"] == 401
    # The page's form set the CSRF cookie: Secure, HttpOnly, SameSite=Lax on the real response.
    assert out["page"]["cookies"]["csrftoken"] == {"secure": True, "httponly": True, "samesite": "Lax"}
    # Plain HTTP is sent to HTTPS before any view runs; only the load balancer's health check answers on HTTP.
    assert out["http"]["status"] == 301
    assert out["http"]["headers"]["Location"] == "https://laeringsnett.example.no/finnes-ikke/"
    assert out["healthz"]["status"] == 200


@pytest.mark.parametrize(
    "env_vars, expected",
    [
        ({}, ["'self'"]),
        # The OIDC login posts a form here that redirects to the provider; form-action covers that redirect.
        (
            {"OIDC_CLIENT_ID": "laeringsnett", "OIDC_SERVER_URL": "https://idp.example.no:8443/realms/test"},
            ["'self'", "https://idp.example.no:8443"],
        ),
        (
            {
                "OIDC_CLIENT_ID": "laeringsnett",
                "OIDC_SERVER_URL": "https://ansattporten.no",
                "OIDC_FORM_ACTION_ORIGINS": "https://login.ansattporten.no",
            },
            ["'self'", "https://login.ansattporten.no"],
        ),
    ],
)
def test_form_action_allows_exactly_the_oidc_provider(tmp_path, monkeypatch, env_vars, expected):
    """The settings file read afresh with the given environment (runpy: nothing of the running Django changes)."""
    for name in [n for n in os.environ if n.startswith("OIDC_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("LAERINGSNETT_DATA_DIR", str(tmp_path))
    for name, value in env_vars.items():
        monkeypatch.setenv(name, value)
    fresh = runpy.run_path(str(BASE_DIR / "config" / "settings.py"))
    assert fresh["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["form-action"] == expected


# --- CSRF ---------------------------------------------------------------------------------------------------------


def test_no_view_is_csrf_exempt_except_the_documented_api_views():
    exempt = {name for name, callback in walk(get_resolver().url_patterns) if getattr(callback, "csrf_exempt", False)}
    assert exempt == set(DOCUMENTED_CSRF_EXEMPT)


@pytest.mark.parametrize("name", sorted(DOCUMENTED_CSRF_EXEMPT))
def test_exempt_api_views_are_read_only_drf_views_with_csrf_checked_session_auth(name):
    callback = dict(walk(get_resolver().url_patterns))[name]
    view = callback.cls
    assert issubclass(view, APIView)
    allowed = {m.upper() for m in view.http_method_names if hasattr(view, m)} - {"OPTIONS"}
    assert allowed <= {"GET", "HEAD"}, allowed
    # Only two ways in: the browser session through DRF's CSRF-enforcing SessionAuthentication, and an API key in
    # the Authorization header (which a browser never adds on its own). The schema has none: it is public.
    for auth in view().get_authenticators():
        assert isinstance(auth, SessionAuthentication | ApiTokenAuthentication), auth


def test_api_with_a_browser_session_refuses_unsafe_requests_without_csrf_token(db, reference_data, no_mfa):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(factories.bufdir_user())
    assert client.get("/api/v1/summary").status_code == 200
    response = client.post("/api/v1/summary", {}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_post_without_csrf_token_is_refused_in_norwegian_and_changes_nothing(db, reference_data, no_mfa):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(factories.statsforvalter("vestland"))
    url = reverse("api:token_list")
    response = client.post(url, {"navn": "Uten token"})
    assert response.status_code == 403
    assert "Skjemaet kunne ikke sendes" in response.content.decode()
    assert "unsafe" not in response["Content-Security-Policy"]  # the failure page works under the policy too
    assert not ApiToken.objects.exists()

    # The same form with the token from the page works, so the refusal above was about the token alone.
    page = client.get(url)
    token = page.context["csrf_token"]
    assert client.post(url, {"navn": "Med token", "csrfmiddlewaretoken": str(token)}).status_code == 200
    assert list(ApiToken.objects.values_list("navn", flat=True)) == ["Med token"]


def test_login_form_needs_a_csrf_token(db):
    from django.test import Client

    user = factories.UserFactory(email="kari@example.no")
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
