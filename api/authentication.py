"""How the API knows who is calling: a personal API key in the Authorization header, or the browser session.

`Authorization: Bearer <nøkkel>` (also `Token <nøkkel>`). The key is looked up by its SHA-256 hash (a unique
index), so comparing secrets never leaks timing about the stored value. Revoked and expired keys, keys whose role
assignment has ended or no longer gives API access, keys of deactivated users and, while LAERINGSNETT_REQUIRE_MFA
is on, keys whose owner has switched off the second factor their role requires are refused with 401. Failed
attempts are counted per client address; too many in a minute give 429 before any lookup is made. Every 429 of
the API says, in the caller's language, how many seconds to wait (api.exceptions)."""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle

from accounts.selectors import user_has_totp

from .exceptions import RateLimited
from .models import ApiToken, hash_secret

KEYWORDS = ("bearer", "token")
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


class FailedTokenThrottle(SimpleRateThrottle):
    """Counts failed key attempts per client address (rate "api_token_failed")."""

    scope = "api_token_failed"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def _load(self, request) -> bool:
        if self.rate is None:
            return False
        self.key = self.get_cache_key(request, None)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        return True

    def blocked(self, request) -> bool:
        return self._load(request) and len(self.history) >= self.num_requests

    def record_failure(self, request) -> None:
        if self._load(request):
            self.history.insert(0, self.now)
            self.cache.set(self.key, self.history, self.duration)


class ApiThrottle(ScopedRateThrottle):
    """Rate per user (or per address for anonymous calls) on every API endpoint (rate "api")."""

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            ident = request.user.pk
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower().decode(errors="replace") not in KEYWORDS:
            return None
        throttle = FailedTokenThrottle()
        if throttle.blocked(request):
            raise RateLimited(wait=throttle.wait(), detail=_("For mange mislykkede forsøk med API-nøkkel."))
        if len(parts) != 2:
            throttle.record_failure(request)
            raise exceptions.AuthenticationFailed(_("Ugyldig Authorization-header. Bruk «Bearer <API-nøkkel>»."))
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            throttle.record_failure(request)
            raise exceptions.AuthenticationFailed(_("Ugyldig API-nøkkel.")) from None
        token = (
            ApiToken.objects.select_related("user", "rolle__embete", "rolle__tjeneste", "rolle__partner")
            .filter(nokkel_hash=hash_secret(secret))
            .first()
        )
        problem = self._problem(token, secret)
        if problem:
            throttle.record_failure(request)
            raise exceptions.AuthenticationFailed(problem)
        self._touch(token)
        user = token.user
        # The key acts with its own role assignment, whatever role the user picks in the browser.
        user.active_role = token.rolle
        user._active_roles_cache = [token.rolle]
        return user, token

    @staticmethod
    def _problem(token, secret):
        if token is None or not token.matches(secret):
            return _("Ugyldig API-nøkkel.")
        if token.is_revoked:
            return _("API-nøkkelen er trukket tilbake.")
        if token.is_expired:
            return _("API-nøkkelen er utløpt.")
        if not token.role_is_active:
            return _("Rollen API-nøkkelen gjelder for, er ikke lenger aktiv.")
        if not token.role_grants_api:
            return _("Rollen API-nøkkelen gjelder for, gir ikke lenger tilgang til API-et.")
        if not token.user.is_active:
            return _("Brukeren er deaktivert.")
        if settings.LAERINGSNETT_REQUIRE_MFA and (token.user.is_superuser or token.rolle.requires_mfa):
            # The same rule as RequireMFAMiddleware for the browser: the key is no way around the second factor.
            if not user_has_totp(token.user):
                return _(
                    "API-nøkkelen virker bare når tofaktorinnlogging er slått på for kontoen. "
                    "Slå den på igjen under /konto/2fa/."
                )
        return None

    @staticmethod
    def _touch(token) -> None:
        """Record use at most once a minute, without touching the row's other fields."""
        now = timezone.now()
        if token.sist_brukt is None or now - token.sist_brukt >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(sist_brukt=now)
            token.sist_brukt = now

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
