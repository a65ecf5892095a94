"""API keys: made and revoked through the service, stored hashed, refused for roles without API access."""

import datetime
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from api import services
from api.models import ApiToken
from audit.models import AuditEvent

from .conftest import make_token

pytestmark = pytest.mark.django_db


def _all_text_in_db() -> str:
    """Every text column of the key and audit tables, to prove the secret is nowhere."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT navn, prefiks, nokkel_hash FROM api_apitoken")
        rows = cursor.fetchall()
    events = list(AuditEvent.objects.values_list("objekt", "endringer"))
    return repr(rows) + repr(events)


def test_key_is_stored_as_a_hash_and_the_secret_only_returned(bufdir):
    token, secret = make_token(bufdir, "Månedlig uttrekk")

    assert secret.startswith("lnt_") and len(secret) > 40
    stored = ApiToken.objects.get()
    assert stored.nokkel_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert stored.prefiks == secret[:12]
    assert secret not in _all_text_in_db()
    assert secret[12:] not in _all_text_in_db()
    assert stored.rolle == bufdir.roller.get()
    assert stored.user == bufdir and stored.navn == "Månedlig uttrekk"


def test_two_keys_get_different_secrets(sf):
    _t1, s1 = make_token(sf, "A")
    _t2, s2 = make_token(sf, "B")
    assert s1 != s2
    assert ApiToken.objects.filter(user=sf).count() == 2


def test_creating_and_revoking_are_audited(sf):
    token, _secret = make_token(sf, "Uttrekk")
    services.revoke_token(sf, token)

    actions = list(AuditEvent.objects.order_by("id").values_list("handling", "object_id"))
    assert actions == [("api.token_created", str(token.pk)), ("api.token_revoked", str(token.pk))]
    token.refresh_from_db()
    assert token.tilbakekalt is not None


@pytest.mark.parametrize("who", ["leader", "partner_user"])
def test_roles_without_api_access_cannot_make_keys(who, request):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied) as info:
        services.create_token(user, "Forsøk")
    assert str(info.value) == "Du har ikke tilgang til dette."
    assert ApiToken.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_name_is_required(bufdir):
    with pytest.raises(ValidationError) as info:
        services.create_token(bufdir, "  ")
    assert info.value.message_dict == {"navn": ["Gi nøkkelen et navn, for eksempel hva den skal brukes til."]}
    assert ApiToken.objects.count() == 0


def test_expiry_must_be_in_the_future_and_within_two_years(bufdir):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as info:
        services.create_token(bufdir, "Gammel", expires=today - datetime.timedelta(days=1))
    assert info.value.message_dict == {"utloper": ["Utløpsdatoen må være etter i dag."]}
    with pytest.raises(ValidationError) as info:
        services.create_token(bufdir, "Evig", expires=today + datetime.timedelta(days=3 * 365))
    assert info.value.message_dict == {"utloper": ["En API-nøkkel kan gjelde i høyst to år."]}
    assert ApiToken.objects.count() == 0

    token, _secret = services.create_token(bufdir, "I dag", expires=today)
    # Valid through the chosen day (Europe/Oslo).
    assert timezone.localtime(token.utloper).date() == today + datetime.timedelta(days=1)
    assert timezone.localtime(token.utloper).time() == datetime.time(0, 0)


def test_someone_else_cannot_revoke_a_key(sf, sf_agder):
    token, _secret = make_token(sf)
    with pytest.raises(PermissionDenied):
        services.revoke_token(sf_agder, token)
    token.refresh_from_db()
    assert token.tilbakekalt is None
    assert AuditEvent.objects.filter(handling="api.token_revoked").count() == 0


def test_revoking_twice_is_refused(sf):
    token, _secret = make_token(sf)
    services.revoke_token(sf, token)
    first = ApiToken.objects.get().tilbakekalt
    with pytest.raises(ValidationError) as info:
        services.revoke_token(sf, token)
    assert info.value.messages == ["Nøkkelen er allerede trukket tilbake."]
    assert ApiToken.objects.get().tilbakekalt == first


def test_active_key_limit(sf):
    for n in range(services.MAX_ACTIVE_TOKENS):
        make_token(sf, f"Nøkkel {n}")
    with pytest.raises(ValidationError) as info:
        make_token(sf, "En for mye")
    assert "aktive API-nøkler" in info.value.messages[0]
    assert ApiToken.objects.count() == services.MAX_ACTIVE_TOKENS
