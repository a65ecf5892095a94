"""The project's own error pages (400, 403, 404, 500): in the user's language (Norwegian unless English was chosen
with the language switcher), each with a link back to the start page, never Django's bare English page. The 500
page renders without a request, context processors or the database."""

import pytest
from django.conf import settings as django_settings
from django.template import loader
from django.test import Client, RequestFactory
from django.urls import reverse

from ui.views import server_error

PAGES = {
    # status: (path, Norwegian heading, English heading)
    400: ("/test-feil/400/", "Forespørselen kunne ikke behandles", "The request could not be processed"),
    403: ("/test-feil/403/", "Du har ikke tilgang til denne siden", "You do not have access to this page"),
    404: ("/finnes-ikke/", "Fant ikke siden", "Page not found"),
    500: ("/test-feil/500/", "Noe gikk galt hos oss", "Something went wrong on our side"),
}
BACK = {"nb": "Til startsiden", "en": "Go to the start page"}
DJANGO_DEFAULTS = ("Server Error (500)", "Bad Request (400)", "Not Found", "403 Forbidden")


@pytest.fixture
def production_errors(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.error_urls"


def _client(language: str) -> Client:
    client = Client(raise_request_exception=False)
    if language != "nb":
        client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.parametrize("language", ["nb", "en"])
@pytest.mark.parametrize("status", list(PAGES))
def test_error_page_is_ours_in_the_users_language_with_a_way_back(production_errors, db, status, language):
    url, heading_nb, heading_en = PAGES[status]

    response = _client(language).get(url)

    assert response.status_code == status
    html = response.content.decode()
    assert f'<html lang="{language}"' in html
    assert (heading_nb if language == "nb" else heading_en) in html
    assert (heading_en if language == "nb" else heading_nb) not in html
    assert f'href="{reverse("home")}"' in html
    assert BACK[language] in html
    assert not any(text in html for text in DJANGO_DEFAULTS)


def test_a_view_that_raises_gives_the_norwegian_500_page(production_errors, db):
    response = _client("nb").get("/test-feil/500/")

    assert response.status_code == 500
    html = response.content.decode()
    assert "Noe gikk galt hos oss" in html
    assert "Til startsiden" in html
    assert "RuntimeError" not in html and "feil med vilje" not in html  # nothing of the error leaks
    assert "/static/css/app.css" in html  # styled like the rest of the site


def test_a_disallowed_host_gives_our_400_page(production_errors, db):
    response = _client("nb").get("/", HTTP_HOST="angriper.example")

    assert response.status_code == 400
    assert "Forespørselen kunne ikke behandles" in response.content.decode()


def test_500_page_needs_no_database_and_no_request_context(settings):
    """No `db` fixture: pytest-django refuses any query, so a page that touched the database would fail here."""
    settings.DEBUG = False
    request = RequestFactory().get("/")  # no session, no user, no LANGUAGE_CODE: what a failing middleware leaves
    response = server_error(request)
    assert response.status_code == 500
    assert "Feilen er logget" in response.content.decode()  # the template, not the last-resort fallback

    # Django's own server_error renders the template with an empty context; ours must survive that too.
    html = loader.get_template("500.html").render({})
    assert "Noe gikk galt hos oss" in html


def test_500_page_survives_a_broken_static_manifest(settings, monkeypatch):
    def missing(path):
        raise ValueError(f"Missing staticfiles manifest entry for '{path}'")

    monkeypatch.setattr("ui.views.static", missing)
    response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    html = response.content.decode()
    assert "Feilen er logget" in html
    assert "stylesheet" not in html
