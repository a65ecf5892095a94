from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .permissions import active_roles
from .selectors import user_has_totp

SESSION_KEY = "active_role_id"


class ActiveRoleMiddleware:
    """Puts the role chosen in the session (or the user's first) on request.user.active_role."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            roles = active_roles(user)
            chosen = request.session.get(SESSION_KEY)
            role = next((r for r in roles if r.pk == chosen), None) or (roles[0] if roles else None)
            user.active_role = role
        return self.get_response(request)


class RequireMFAMiddleware:
    """Bufdir and statsforvalter users (and superusers) must enrol TOTP before they reach any data.

    The requirement is LAERINGSNETT_REQUIRE_MFA (on by default). Only the account pages
    (login, logout, MFA set-up, e-mail confirmation), language switching and static files
    are reachable until a TOTP authenticator is active.
    """

    ALLOWED_PREFIXES = ("/konto/", "/i18n/", "/static/", "/healthz", "/invitasjon/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.LAERINGSNETT_REQUIRE_MFA and self._needs_mfa(request):
            messages.warning(
                request,
                _("Du må sette opp tofaktorinnlogging (autentiseringsapp) før du får tilgang til data."),
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    def _needs_mfa(self, request) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        if request.path.startswith(self.ALLOWED_PREFIXES):
            return False
        needs = user.is_superuser or any(r.requires_mfa for r in active_roles(user))
        return needs and not user_has_totp(user)
