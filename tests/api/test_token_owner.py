"""An API key acts for its owner, so it stops working the moment the owner could no longer do the same in the
browser: when the role it acts with no longer gives API access (ended, or changed to a role without it), and when
the owner switches off the second factor that role requires (LAERINGSNETT_REQUIRE_MFA)."""

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.utils import translation

from accounts.models import Role, RoleAssignment
from api.models import ApiToken

from .conftest import bearer, make_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _back_to_norwegian():
    """A request in English leaves English active in this thread; the next test must start in Norwegian."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


SUMMARY = "/api/v1/summary"
NO_API_ROLE = "Rollen API-nøkkelen gjelder for, gir ikke lenger tilgang til API-et."
NO_MFA = "API-nøkkelen virker bare når tofaktorinnlogging er slått på for kontoen. Slå den på igjen under /konto/2fa/."


def call(client, secret):
    return client.get(SUMMARY, **bearer(secret))


def test_a_key_works_while_the_owner_has_the_role_and_two_factor(client, sf):
    _token, secret = make_token(sf)
    assert Authenticator.objects.filter(user=sf, type=Authenticator.Type.TOTP).exists()
    assert call(client, secret).status_code == 200


def test_a_key_stops_when_its_role_is_changed_to_one_without_api_access(client, sf, vestland_service):
    token, secret = make_token(sf)
    RoleAssignment.objects.filter(pk=token.rolle_id).update(
        rolle=Role.TJENESTE_LEDER, embete=None, tjeneste=vestland_service
    )

    response = call(client, secret)

    assert response.status_code == 401
    assert response.json() == {"detail": NO_API_ROLE}
    assert ApiToken.objects.get(pk=token.pk).status == "rolle_avsluttet"


def test_a_key_stops_when_the_owner_switches_off_two_factor(client, bufdir):
    _token, secret = make_token(bufdir)
    Authenticator.objects.filter(user=bufdir).delete()

    response = call(client, secret)

    assert response.status_code == 401
    assert response.json() == {"detail": NO_MFA}


def test_without_the_mfa_requirement_the_key_needs_no_second_factor(client, bufdir, settings):
    settings.LAERINGSNETT_REQUIRE_MFA = False
    _token, secret = make_token(bufdir)
    Authenticator.objects.filter(user=bufdir).delete()
    assert call(client, secret).status_code == 200


def test_the_refusal_is_in_english_for_english_callers(client, bufdir):
    _token, secret = make_token(bufdir)
    Authenticator.objects.filter(user=bufdir).delete()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # chosen with the language switcher
    response = client.get(SUMMARY, **bearer(secret))
    assert response.status_code == 401
    assert response.json() == {
        "detail": "The API key only works while two-factor authentication is on for the account. "
        "Turn it on again under /konto/2fa/."
    }
