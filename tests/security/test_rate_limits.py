"""Rate limits on login, password reset and API keys: each limit trips at the configured count with a clear
Norwegian message (or 429), counts per client address or per key as configured, and cannot be dodged by a forged
X-Forwarded-For header (TRUSTED_PROXY_COUNT=0 by default).

Already proven elsewhere (not repeated here):
- tests/accounts/test_login.py::test_repeated_failures_hold_back_that_address_even_for_the_right_password (failed logins
  per address and account, 5 per 5 minutes, Norwegian message, other accounts unaffected, lifted after 5 minutes;
  test_login_lockout.py: other addresses and the owner are never held back),
  ::test_unknown_account_is_limited_too, ::test_successful_logins_do_not_use_up_the_limit;
- tests/api/test_endpoints.py::test_repeated_failed_keys_are_throttled (failed API keys give 429 with a Norwegian
  message and Retry-After; while blocked even a good key waits).
"""

from django.conf import settings
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse

from api.authentication import ApiThrottle
from tests import factories
from tests.api.conftest import make_token

PASSWORD = "Testpassord-123"  # factories.UserFactory
LOGIN_LIMITED = "Du har prøvd for mange ganger med feil passord"
TOO_MANY = "For mange forsøk"  # templates/429.html
SUMMARY = "/api/v1/summary"


def allowed(action: str, per: str) -> int:
    """How many attempts settings.ACCOUNT_RATE_LIMITS allows for `action` per ip or key, e.g. 10 for "10/m/ip"."""
    for rate in settings.ACCOUNT_RATE_LIMITS[action].split(","):
        amount, _duration, kind = rate.split("/")
        if kind == per:
            return int(amount)
    raise AssertionError(f"{action} har ingen grense per {per}")


def from_address(address: str, **headers) -> Client:
    return Client(REMOTE_ADDR=address, **headers)


def login(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def limited(response) -> bool:
    return response.status_code == 429 or LOGIN_LIMITED in response.content.decode()


# --- login --------------------------------------------------------------------------------------------------------


def test_failed_logins_are_limited_per_address_across_accounts(db):
    per_ip, per_key = allowed("login_failed", "ip"), allowed("login_failed", "key")
    assert per_ip > per_key  # otherwise this test would trip the per-account limit first
    victim = factories.UserFactory(email="offer@example.no")
    attacker = from_address("203.0.113.7")
    # Guessing many accounts, each fewer times than the per-account limit.
    for i in range(per_ip):
        assert not limited(login(attacker, f"konto{i // per_key}@example.no", f"gjett-{i}")), i
    refused = login(attacker, victim.email, PASSWORD)
    assert limited(refused)
    assert LOGIN_LIMITED in refused.content.decode()
    assert "_auth_user_id" not in attacker.session
    # A forged X-Forwarded-For does not make a new client.
    forged = from_address("203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert limited(login(forged, victim.email, PASSWORD))
    # The victim, from their own address, still gets in.
    own = from_address("192.0.2.10")
    assert login(own, victim.email, PASSWORD).status_code == 302
    assert own.session["_auth_user_id"] == str(victim.pk)


def test_login_posts_are_limited_per_address_with_a_norwegian_429(db):
    user = factories.UserFactory(email="kari@example.no")
    client = from_address("203.0.113.8")
    for _ in range(allowed("login", "ip")):
        assert login(client, user.email, PASSWORD).status_code == 302
        client.logout()
    response = login(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert TOO_MANY in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert login(from_address("192.0.2.11"), user.email, PASSWORD).status_code == 302


def test_behind_a_trusted_proxy_logins_are_counted_per_address_the_proxy_appended(db, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1  # production default (TRUSTED_PROXY_COUNT, one nginx)
    per_ip, per_key = allowed("login_failed", "ip"), allowed("login_failed", "key")
    victim = factories.UserFactory(email="offer@example.no")
    proxy = "10.0.0.2"  # every request arrives from the proxy
    for i in range(per_ip):
        # Whatever the client puts first in the header, the proxy appends the address it really saw.
        attempt = from_address(proxy, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, 203.0.113.50")
        assert not limited(login(attempt, f"konto{i // per_key}@example.no", f"gjett-{i}")), i
    assert limited(login(from_address(proxy, HTTP_X_FORWARDED_FOR="203.0.113.50"), victim.email, PASSWORD))
    # Other people behind the same proxy are not locked out with the attacker.
    assert login(from_address(proxy, HTTP_X_FORWARDED_FOR="192.0.2.50"), victim.email, PASSWORD).status_code == 302


# --- password reset -----------------------------------------------------------------------------------------------


def reset(client, email):
    # Account e-mails leave through the outbox after commit: run the callbacks the test's transaction holds back.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("account_reset_password"), {"email": email})


def test_password_reset_is_limited_per_email_address(db):
    user = factories.UserFactory(email="kari@example.no")
    client = from_address("203.0.113.9")
    for _ in range(allowed("reset_password", "key")):
        assert reset(client, user.email).status_code == 302
    sent = len(mail.outbox)
    assert sent == allowed("reset_password", "key")
    # Case does not make a new key; a new address does not help either (limit per e-mail).
    response = reset(from_address("192.0.2.12"), user.email.upper())
    assert response.status_code == 429
    assert TOO_MANY in response.content.decode()
    assert len(mail.outbox) == sent  # nothing more was sent
    # Another person's reset is not affected.
    other = factories.UserFactory(email="ola@example.no")
    assert reset(client, other.email).status_code == 302
    assert mail.outbox[-1].to == [other.email]


def test_password_reset_is_limited_per_client_address(db):
    client = from_address("203.0.113.10")
    for i in range(allowed("reset_password", "ip")):
        assert reset(client, f"person{i}@example.no").status_code == 302
    response = reset(client, "enda.en@example.no")
    assert response.status_code == 429
    assert TOO_MANY in response.content.decode()
    assert reset(from_address("203.0.113.10", HTTP_X_FORWARDED_FOR="198.51.100.1"), "x@example.no").status_code == 429
    assert reset(from_address("192.0.2.13"), "enda.en@example.no").status_code == 302


def test_setting_a_new_password_from_a_link_is_limited_per_address(db):
    client = from_address("203.0.113.11")
    url = reverse("account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "gjettet-nokkel"})
    data = {"password1": "Nytt-passord-123", "password2": "Nytt-passord-123"}
    for _ in range(allowed("reset_password_from_key", "ip")):
        assert client.post(url, data).status_code != 429
    response = client.post(url, data)
    assert response.status_code == 429
    assert TOO_MANY in response.content.decode()


# --- API keys -----------------------------------------------------------------------------------------------------


def failed_key(client):
    return client.get(SUMMARY, HTTP_AUTHORIZATION="Bearer lnt_gjettet")


def failed_rate() -> int:
    return int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api_token_failed"].split("/")[0])


def test_failed_api_keys_are_counted_per_address_and_a_forged_header_does_not_reset_them(db, reference_data):
    bufdir = factories.bufdir_user()
    _token, secret = make_token(bufdir)
    guesser = from_address("203.0.113.20")
    for _ in range(failed_rate()):
        assert failed_key(guesser).status_code == 401
    blocked = failed_key(guesser)
    assert blocked.status_code == 429
    assert "For mange mislykkede forsøk med API-nøkkel" in blocked.json()["detail"]
    # Without a trusted proxy, X-Forwarded-For is not believed (before the fix DRF used it as the client id).
    for forged in ("198.51.100.1", "198.51.100.2, 10.0.0.1"):
        assert failed_key(from_address("203.0.113.20", HTTP_X_FORWARDED_FOR=forged)).status_code == 429
    # Another address, with the right key, is not affected.
    assert from_address("192.0.2.20").get(SUMMARY, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200


def test_behind_a_trusted_proxy_the_address_it_appends_is_used(db, reference_data, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = "10.0.0.2"  # every request arrives from the proxy
    for _ in range(failed_rate()):
        failed_key(from_address(proxy, HTTP_X_FORWARDED_FOR="forfalsket, 203.0.113.30"))
    assert failed_key(from_address(proxy, HTTP_X_FORWARDED_FOR="203.0.113.30")).status_code == 429
    # Another client behind the same proxy has its own count.
    assert failed_key(from_address(proxy, HTTP_X_FORWARDED_FOR="192.0.2.30")).status_code == 401


def test_api_calls_are_limited_per_user_not_per_address(db, reference_data, monkeypatch):
    monkeypatch.setattr(ApiThrottle, "THROTTLE_RATES", {"api": "3/min"})
    bufdir, sf = factories.bufdir_user(), factories.statsforvalter("vestland")
    (_t1, busy), (_t2, calm) = make_token(bufdir), make_token(sf)
    for _ in range(3):
        assert from_address("203.0.113.40").get(SUMMARY, HTTP_AUTHORIZATION=f"Bearer {busy}").status_code == 200
    # The same user from another address is still over the limit ...
    response = from_address("192.0.2.40").get(SUMMARY, HTTP_AUTHORIZATION=f"Bearer {busy}")
    assert response.status_code == 429
    assert response.json()["detail"].startswith("For mange forespørsler på kort tid. Prøv igjen om ")
    assert "Retry-After" in response
    # ... and another user from the first address is not.
    assert from_address("203.0.113.40").get(SUMMARY, HTTP_AUTHORIZATION=f"Bearer {calm}").status_code == 200
