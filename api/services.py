"""Writes for personal API keys (API-nøkler)."""

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import get_active_role, require
from audit.services import record

from .models import TOKEN_PREFIX, ApiToken, hash_secret

MAX_ACTIVE_TOKENS = 10
MAX_VALID_DAYS = 366 * 2
PREFIX_LENGTH = 12  # "lnt_" and 8 characters of the secret: enough to tell keys apart, useless to guess with


def _expiry(expires) -> datetime.datetime | None:
    """A date means "valid through that day" (Europe/Oslo); a datetime is used as it is."""
    if expires is None:
        return None
    if isinstance(expires, datetime.datetime):
        return expires
    next_day = datetime.datetime.combine(expires + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(next_day)


@transaction.atomic
def create_token(actor, navn: str, expires=None) -> tuple[ApiToken, str]:
    """Make an API key acting with the actor's active role. Returns (token, secret); the secret is not stored
    and cannot be shown again."""
    require(actor, "api.manage_tokens")
    role = get_active_role(actor)
    if role is None or not (role.is_bufdir or role.is_statsforvalter):
        raise ValidationError(_("Bare Bufdir og statsforvaltere kan lage API-nøkler."))
    navn = (navn or "").strip()
    errors = {}
    if not navn:
        errors["navn"] = _("Gi nøkkelen et navn, for eksempel hva den skal brukes til.")
    elif len(navn) > 100:
        errors["navn"] = _("Navnet kan ha høyst 100 tegn.")
    utloper = _expiry(expires)
    if utloper is not None:
        if utloper <= timezone.now():
            errors["utloper"] = _("Utløpsdatoen må være etter i dag.")
        elif utloper > timezone.now() + datetime.timedelta(days=MAX_VALID_DAYS):
            errors["utloper"] = _("En API-nøkkel kan gjelde i høyst to år.")
    if errors:
        raise ValidationError(errors)
    if ApiToken.objects.usable().filter(user=actor).count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError(
            _("Du har allerede %(n)s aktive API-nøkler. Trekk tilbake en du ikke bruker før du lager en ny.")
            % {"n": MAX_ACTIVE_TOKENS}
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        rolle=role,
        navn=navn,
        prefiks=secret[:PREFIX_LENGTH],
        nokkel_hash=hash_secret(secret),
        utloper=utloper,
    )
    record(actor, "api.token_created", token, {"navn": navn, "prefiks": token.prefiks, "utloper": utloper})
    return token, secret


@transaction.atomic
def revoke_token(actor, token: ApiToken) -> ApiToken:
    """Revoke one of the actor's own keys. Refused (nothing changes) for someone else's key or a revoked one."""
    require(actor, "api.revoke_token", token)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.tilbakekalt is not None:
        raise ValidationError(_("Nøkkelen er allerede trukket tilbake."))
    token.tilbakekalt = timezone.now()
    token.save(update_fields=["tilbakekalt"])
    record(actor, "api.token_revoked", token, {"navn": token.navn, "prefiks": token.prefiks})
    return token
