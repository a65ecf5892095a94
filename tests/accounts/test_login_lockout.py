"""Wrong passwords from a stranger's address must not lock the owner out (issue 20, item 6), and guessing stays hard:
the limit counts per address and per address + account, delays grow each time an address trips again, a burst
against an account makes its addresses trip sooner, and the owner is warned once per burst by e-mail through the
outbox (accounts.login_throttle, accounts.adapters.AccountAdapter)."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import login_throttle
from common.models import OutboxMessage
from tests import factories

from .conftest import activate_totp
from .test_mfa import current_code, frozen_clock

PASSWORD = "Testpassord-123"  # factories.UserFactory
LIMITED = "Du har prøvd for mange ganger med feil passord"
WARNING = "Mislykkede innloggingsforsøk på kontoen din"
ATTACKER, OWNER, OTHER = "203.0.113.7", "192.0.2.10", "198.51.100.23"


def login(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def limited(response) -> bool:
    return response.status_code == 429 or LIMITED in response.content.decode()


def warnings_to(user) -> list:
    return [m for m in mail.outbox if WARNING in m.subject and m.to == [user.email]]


@pytest.fixture
def caseworker(reference_data):
    return factories.statsforvalter("vestland")


def test_wrong_passwords_from_one_address_do_not_lock_the_owner_out(caseworker, no_mfa):
    attacker = Client(REMOTE_ADDR=ATTACKER)
    attempts = [login(attacker, caseworker.email, f"gjett-{i}") for i in range(8)]
    assert [limited(r) for r in attempts] == [False] * 5 + [True] * 3
    assert LIMITED in attempts[-1].content.decode()  # said in Norwegian
    assert "_auth_user_id" not in attacker.session
    # The attacker's address cannot test a guess, not even the right password.
    assert limited(login(attacker, caseworker.email, PASSWORD))

    owner = Client(REMOTE_ADDR=OWNER)
    response = login(owner, caseworker.email, PASSWORD)
    assert response.status_code == 302
    assert owner.session["_auth_user_id"] == str(caseworker.pk)


def test_with_mfa_the_right_password_and_code_get_in_from_another_address(caseworker):
    secret = activate_totp(caseworker)
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for i in range(7):
        login(attacker, caseworker.email, f"gjett-{i}")
    assert limited(login(attacker, caseworker.email, "gjett-8"))

    owner = Client(REMOTE_ADDR=OWNER)
    response = login(owner, caseworker.email, PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    with frozen_clock():
        done = owner.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert done.status_code == 302
    assert owner.session["_auth_user_id"] == str(caseworker.pk)


def test_the_owner_is_warned_once_per_burst_through_the_outbox(caseworker, no_mfa, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the outbox publishes after commit
        attacker = Client(REMOTE_ADDR=ATTACKER)
        for i in range(12):
            login(attacker, caseworker.email, f"gjett-{i}")
        other = Client(REMOTE_ADDR=OTHER)
        for i in range(3):
            login(other, caseworker.email, f"annen-{i}")

    warned = warnings_to(caseworker)
    assert len(warned) == 1, [m.subject for m in mail.outbox]
    assert ATTACKER in warned[0].body and "ikke sperret" in warned[0].body
    sent = OutboxMessage.objects.get(oppgave="accounts.tasks.send_account_email")
    assert sent.utfort is not None

    # A new burst later (after BURST_WINDOW) warns again, once.
    later = timezone.now() + datetime.timedelta(seconds=login_throttle.BURST_WINDOW + 60)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        fresh = Client(REMOTE_ADDR="203.0.113.99")
        for i in range(7):
            login(fresh, caseworker.email, f"ny-{i}")
    assert len(warnings_to(caseworker)) == 2


def test_during_a_burst_other_addresses_trip_after_two_failures(caseworker, no_mfa):
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for i in range(5):
        login(attacker, caseworker.email, f"gjett-{i}")
    second = Client(REMOTE_ADDR=OTHER)
    assert not limited(login(second, caseworker.email, "feil-1"))
    assert not limited(login(second, caseworker.email, "feil-2"))
    assert limited(login(second, caseworker.email, PASSWORD))
    # An address without failures still gets to the password check.
    owner = Client(REMOTE_ADDR=OWNER)
    assert login(owner, caseworker.email, PASSWORD).status_code == 302


def test_delays_grow_each_time_an_address_trips_again(db):
    now = 1_000_000.0
    delays = [login_throttle.tripped(ATTACKER, "konto", now=now + i) for i in range(6)]
    assert delays == [300, 600, 1200, 2400, 3600, 3600]
    assert login_throttle.held_back(ATTACKER, "konto", now=now + 10)
    assert not login_throttle.held_back(OWNER, "konto", now=now + 10)
    assert not login_throttle.held_back(ATTACKER, "konto", now=now + 5 + 3600 + 1)


def test_after_the_delay_the_attackers_address_gets_one_burst_of_tries_then_waits_longer(caseworker, no_mfa):
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for i in range(5):
        login(attacker, caseworker.email, f"gjett-{i}")
    assert limited(login(attacker, caseworker.email, "gjett-5"))
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=5, seconds=5)):
        assert not limited(login(attacker, caseworker.email, "gjett-6"))
        assert not limited(login(attacker, caseworker.email, "gjett-7"))  # burst: two, then 10 minutes
        assert limited(login(attacker, caseworker.email, "gjett-8"))
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=11)):
        assert limited(login(attacker, caseworker.email, PASSWORD))
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
        assert login(attacker, caseworker.email, PASSWORD).status_code == 302
