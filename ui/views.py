"""The project's own error pages (config.urls handler400/403/404/500), in the user's language, each with a way back
to the start page.

403 and 404 are ordinary pages (base.html, with the menu). 400 and 500 are standalone (templates/error_page.html):
they render without the request's context processors and without a database query, because the error may be the
database, the session or a broken request itself. Their language is the one LocaleMiddleware chose for the request,
else the language cookie (the language switcher), else Norwegian bokmål."""

import logging

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

STYLESHEETS = ("designsystemet-theme/digdir.css", "designsystemet/index.css", "css/app.css")

# The last resort when even the template cannot be rendered (a broken template directory, a missing file).
FALLBACK_500 = (
    '<!DOCTYPE html><html lang="nb"><head><meta charset="utf-8"><title>Serverfeil – Læringsnett</title></head>'
    "<body><h1>Noe gikk galt hos oss</h1><p>Prøv igjen om litt.</p>"
    '<p><a href="/">Til startsiden</a></p></body></html>'
)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def _language(request) -> str:
    known = {code for code, _name in settings.LANGUAGES}
    for candidate in (
        getattr(request, "LANGUAGE_CODE", None),
        getattr(request, "COOKIES", {}).get(settings.LANGUAGE_COOKIE_NAME),
    ):
        if candidate in known:
            return candidate
    return settings.LANGUAGE_CODE


def _stylesheets() -> list[str]:
    """The style sheets' URLs, or none: a missing manifest entry must not turn the error page into another error."""
    try:
        return [static(path) for path in STYLESHEETS]
    except Exception:  # noqa: BLE001 - any failure here only costs the page its styling
        return []


def _home_url() -> str:
    try:
        return reverse("home")
    except Exception:  # noqa: BLE001
        return "/"


def _standalone(request, template_name: str, status: int) -> HttpResponse:
    language = _language(request)
    with translation.override(language):
        body = loader.get_template(template_name).render(
            {"LANGUAGE_CODE": language, "stylesheets": _stylesheets(), "home_url": _home_url()}
        )
    response = HttpResponse(body, status=status)
    response.headers["Content-Language"] = language
    return response


@requires_csrf_token
def bad_request(request, exception=None):
    return _standalone(request, "400.html", 400)


@requires_csrf_token
def server_error(request):
    try:
        return _standalone(request, "500.html", 500)
    except Exception:
        logger.exception("Feilsiden 500.html kunne ikke vises")
        return HttpResponse(FALLBACK_500, status=500)
