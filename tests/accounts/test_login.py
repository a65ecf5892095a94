"""Logging in: failed attempts are limited per address and account, and nobody can sign themselves up."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from tests import factories

PASSWORD = "Testpassord-123"  # factories.UserFactory
LIMITED = "Du har prøvd for mange ganger med feil passord"


def _login(client, login, password):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def _refused_for_rate_limit(response) -> bool:
    return response.status_code == 429 or LIMITED in response.content.decode()


@pytest.fixture
def person(db):
    return factories.UserFactory(email="kari@example.no")


def test_correct_password_logs_in(client, person):
    response = _login(client, "kari@example.no", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)


def test_wrong_password_is_refused_in_norwegian(client, person):
    response = _login(client, "kari@example.no", "feil-passord-1")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "E-postadressen og/eller passordet du oppgav er feil." in response.content.decode()


def test_repeated_failures_hold_back_that_address_even_for_the_right_password(client, person):
    """Per address and account (test_login_lockout.py: other addresses, the owner included, are not held back)."""
    attempts = []
    for i in range(5):
        # Varying case counts against the same account.
        login = "kari@example.no" if i % 2 else "KARI@Example.no"
        attempts.append(_login(client, login, f"feil-passord-{i}"))
    assert all(r.status_code == 200 and not _refused_for_rate_limit(r) for r in attempts)

    sixth = _login(client, "kari@example.no", "feil-passord-6")
    assert _refused_for_rate_limit(sixth)
    assert LIMITED in sixth.content.decode()  # said in Norwegian

    right = _login(client, "kari@example.no", PASSWORD)
    assert _refused_for_rate_limit(right)
    assert "_auth_user_id" not in client.session

    # Another account from the same address is not locked out.
    other = factories.UserFactory(email="ola@example.no")
    assert _login(client, "ola@example.no", PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)
    client.logout()

    # The limit is 5 per 5 minutes: afterwards the right password works again.
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=5, seconds=5)):
        later = _login(client, "kari@example.no", PASSWORD)
        assert later.status_code == 302
        assert client.session["_auth_user_id"] == str(person.pk)


def test_successful_logins_do_not_use_up_the_limit(client, person):
    for _ in range(7):
        assert _login(client, "kari@example.no", PASSWORD).status_code == 302
        client.logout()


def test_unknown_account_is_limited_too(client, db):
    for i in range(5):
        assert not _refused_for_rate_limit(_login(client, "ingen@example.no", f"gjett-{i}"))
    assert _refused_for_rate_limit(_login(client, "ingen@example.no", "gjett-6"))


def test_deactivated_user_cannot_log_in(client, person):
    person.is_active = False
    person.save()
    response = _login(client, "kari@example.no", PASSWORD)
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response["Location"] == reverse("account_inactive")


class TestSignupClosed:
    def test_signup_page_says_closed(self, client, db):
        response = client.get(reverse("account_signup"))
        assert response.status_code == 200
        assert "Registrering stengt" in response.content.decode()
        assert 'name="password1"' not in response.content.decode()

    def test_posting_to_signup_creates_no_user_and_sends_no_mail(self, client, db):
        response = client.post(
            reverse("account_signup"),
            {"email": "inntrenger@example.no", "password1": "Langt-passord-77", "password2": "Langt-passord-77"},
        )
        assert response.status_code in (200, 403)
        assert not User.objects.filter(email="inntrenger@example.no").exists()
        assert User.objects.count() == 0
        assert "_auth_user_id" not in client.session
        assert mail.outbox == []

    def test_login_page_offers_no_signup_link(self, client, db):
        body = client.get(reverse("account_login")).content.decode()
        assert reverse("account_signup") not in body
