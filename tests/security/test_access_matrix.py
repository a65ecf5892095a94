"""The access matrix (issue 8): every URL of the site × every role, against the expectations declared in
tests/security/access_matrix.py.

- test_every_url_has_an_entry: the URL configuration and the table agree; a new URL without an entry fails here
  with its name, a removed URL leaves a stale entry that fails too.
- test_get: each URL × role, GET, the outcome must be exactly the declared one (O/L/D/H/M).
- test_post: each URL that takes POST × role, with a valid body for the action. A refused role must get exactly
  the declared refusal and change nothing: not one INSERT/UPDATE/DELETE reaches the database (sessions aside),
  no e-mail, no queued Celery task, no on-commit callback. An allowed role must not be refused.
- A refused GET must not write either.
"""

from contextlib import contextmanager
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.test import TestCase
from django.urls import reverse

from config.celery import app as celery_app

from .access_matrix import (
    DENY,
    EXPECTED,
    HIDDEN,
    LOGIN,
    METHOD,
    OK,
    OUTCOMES,
    POST_DATA,
    ROLE_KEYS,
    RULES,
    entry_for,
    path_for,
    url_patterns,
)
from .conftest import client_for

ROUTES = url_patterns()
BY_KEY = {r.key: r for r in ROUTES}
POST_ROUTES = [r for r in ROUTES if entry_for(r.key) is not None and entry_for(r.key).method != "get"]

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class WriteRecorder:
    """Records every statement that writes to the database (sessions aside), through the connection's
    execute_wrapper: a refused request must not even try to write, whether or not it would be rolled back."""

    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        text = sql.lstrip().upper()
        if text.startswith(WRITES) and "DJANGO_SESSION" not in text:
            self.statements.append(sql[:120])
        return execute(sql, params, many, context)


@contextmanager
def no_side_effects(where: str, check: bool):
    """When check is set: no write, no e-mail, no queued Celery task, no on-commit callback during the block."""
    writes = WriteRecorder()
    tasks = Recorder()
    mails = len(mail.outbox)
    with (
        connection.execute_wrapper(writes),
        mock.patch.object(celery_app.Task, "apply_async", tasks.apply_async),
        TestCase.captureOnCommitCallbacks() as callbacks,
    ):
        yield
    if check:
        assert writes.statements == [], f"{where} was refused but wrote: {writes.statements}"
        assert len(mail.outbox) == mails, f"{where} was refused but sent e-mail"
        assert tasks.calls == [], f"{where} was refused but queued {tasks.calls}"
        assert callbacks == [], f"{where} was refused but scheduled on-commit work"


class Recorder:
    """Stands in for Celery's Task.apply_async (and so .delay): records the task instead of running it."""

    def __init__(self):
        self.calls = []
        recorder = self

        def apply_async(task, *args, **kwargs):
            recorder.calls.append(task.name)

        self.apply_async = apply_async


def login_paths() -> tuple[str, ...]:
    return (reverse("account_login"), reverse("admin:login"))


def classify(response) -> str:
    """The outcome letter of a response; with follow=True every hop of the redirect chain is looked at."""
    for url, _status in getattr(response, "redirect_chain", []):
        if url.startswith(login_paths()):
            return LOGIN
    code = response.status_code
    if code in (301, 302, 303, 307, 308):
        location = response["Location"]
        if location.startswith(login_paths()):
            return LOGIN
        if location.startswith(reverse("mfa_activate_totp")):
            return "MFA-REDIRECT"
        return OK
    if code == 401:
        return LOGIN
    if code == 403:
        return DENY
    if code == 404:
        return HIDDEN
    if code == 405:
        return METHOD
    if 200 <= code < 300:
        return OK
    return f"status {code}"


def name(letter: str) -> str:
    return OUTCOMES.get(letter, letter)


# --- the table covers the URL configuration ------------------------------------------------------------------


def test_every_url_has_an_entry():
    missing = sorted(r.key for r in ROUTES if entry_for(r.key) is None)
    assert not missing, (
        "URLs without an entry in tests/security/access_matrix.py (EXPECTED): "
        + ", ".join(missing)
        + ". Declare who may reach each of them."
    )
    stale = sorted(set(EXPECTED) - set(BY_KEY))
    assert not stale, "Entries in EXPECTED for URLs that no longer exist: " + ", ".join(stale)
    for prefix, _expect in RULES:
        assert any(r.key.startswith(prefix) and r.key not in EXPECTED for r in ROUTES), f"rule {prefix} is unused"


def test_public_pages_say_why():
    """A page open to anonymous visitors must be declared public with a reason, never by accident."""
    undeclared = [
        r.key
        for r in ROUTES
        if entry_for(r.key).get_row()["anon"] not in (LOGIN, HIDDEN) and not entry_for(r.key).public
    ]
    assert not undeclared, "Open to anonymous visitors without a reason: " + ", ".join(undeclared)


def test_kwargs_cover_every_url(w):
    for route in ROUTES:
        assert path_for(route, w).startswith("/"), route.key


def test_roles_are_what_the_matrix_says(w):
    """The world's users hold exactly the roles the columns describe (a guard against a broken fixture)."""
    from accounts.models import Role

    expected = {
        "svc_other": (Role.TJENESTE_LEDER, w.sogndal),
        "svc_leader": (Role.TJENESTE_LEDER, w.bergen),
        "svc_staff": (Role.TJENESTE_MEDARBEIDER, w.bergen),
        "sf_other": (Role.SF_SAKSBEHANDLER, w.agder),
        "sf": (Role.SF_SAKSBEHANDLER, w.vestland),
        "sf_leader": (Role.SF_LEDER, w.vestland),
        "bufdir": (Role.BUFDIR, None),
        "partner": (Role.PARTNER, w.rkbu),
    }
    for role, (rolle, scope) in expected.items():
        (assignment,) = w.users[role].roller.all()
        assert assignment.rolle == rolle, role
        assert scope in (None, assignment.tjeneste, assignment.embete, assignment.partner), role
    assert w.bergen.vertskommune.embete == w.sogndal.vertskommune.embete == w.vestland


# --- GET: every URL × every role ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLE_KEYS)
@pytest.mark.parametrize("key", [r.key for r in ROUTES])
def test_get(w, key, role):
    route = BY_KEY[key]
    expect = entry_for(key)
    path = path_for(route, w)
    expected = expect.get_row()[role]
    client = client_for(w, role)
    with no_side_effects(f"GET {path} ({key}) as {role}", check=expected != OK):
        response = client.get(path, follow=expect.follow)
    got = classify(response)
    assert got == expected, (
        f"GET {path} ({key}) as {role}: expected {name(expected)}, got {name(got)} (status {response.status_code})"
    )


# --- POST: every URL that takes POST × every role ------------------------------------------------------------


@pytest.mark.parametrize("role", ROLE_KEYS)
@pytest.mark.parametrize("key", [r.key for r in POST_ROUTES])
def test_post(w, key, role):
    route = BY_KEY[key]
    expect = entry_for(key)
    path = path_for(route, w)
    data = POST_DATA[key](w) if key in POST_DATA else {}
    expected = expect.post_row()[role]
    client = client_for(w, role)
    where = f"POST {path} ({key}) as {role}"
    with no_side_effects(where, check=expected != OK):
        response = client.post(path, data, follow=expect.follow)
    got = classify(response)
    if expected == OK:
        assert got == OK or response.status_code == 400, (
            f"{where}: expected to be allowed, got {name(got)} (status {response.status_code})"
        )
    else:
        assert got == expected, f"{where}: expected {name(expected)}, got {name(got)} (status {response.status_code})"


# --- the admin is for superusers only, behind allauth's login with TOTP ----------------------------------------


def test_a_superuser_reaches_the_admin(w):
    """The admin rows are not LOGIN because the admin is broken: a superuser with TOTP gets in."""
    from tests import factories

    from .conftest import _with_totp

    admin = _with_totp(factories.UserFactory(is_superuser=True, is_staff=True))
    client = client_for(w, "anon")
    client.force_login(admin)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:grants_application_changelist")).status_code == 200


def test_the_admin_login_goes_through_allauth(w):
    from tests import factories

    from .conftest import _with_totp

    admin = _with_totp(factories.UserFactory(is_superuser=True, is_staff=True))
    client = client_for(w, "anon")
    response = client.post(reverse("admin:login"), {"username": admin.email, "password": "Testpassord-123"})
    # Logging in with only a password must not open the admin: the TOTP step is allauth's.
    assert client.get(reverse("admin:index")).status_code != 200, "password alone opened the admin"
    assert response.status_code in (302, 403)


def test_post_rows_only_for_urls_that_take_post():
    for key, expect in EXPECTED.items():
        if expect.post:
            assert expect.method != "get", key
        assert expect.method in ("get", "both", "post"), key
    assert {OK, LOGIN, DENY, HIDDEN, METHOD} <= set(OUTCOMES)
