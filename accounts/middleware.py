from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .language import known_languages, remember_language
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


class UserLanguageMiddleware:
    """The language is remembered on the user (accounts.language). Switching it while logged in (Django's
    set_language view) stores the choice on the user; on every other request a logged-in user with a stored
    language gets it, whatever the browser's cookie says (a new browser, a shared PC), and the cookie is set to it
    so the login page after logging out stays in the same language. After AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        if request.method == "POST" and request.path == reverse("set_language"):
            response = self.get_response(request)
            remember_language(user, request.POST.get("language", ""))
            return response
        chosen = user.sprak
        if chosen not in known_languages():
            return self.get_response(request)
        translation.activate(chosen)
        request.LANGUAGE_CODE = chosen
        response = self.get_response(request)
        if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != chosen:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                chosen,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response
