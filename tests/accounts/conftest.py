import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from tests import factories

LINK_RE = re.compile(r"https?://\S+/invitasjon/(?P<token>[A-Za-z0-9_-]+)/")


def token_from_mail(message) -> str:
    match = LINK_RE.search(message.body)
    assert match, f"no invitation link in: {message.body}"
    return match.group("token")


def activate_totp(user) -> str:
    """Give the user an active TOTP authenticator through allauth's own API; returns the secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


@pytest.fixture
def vestland_sf(reference_data):
    return factories.statsforvalter("vestland")
