"""The interface language is remembered on the user (accounts.language, UserLanguageMiddleware); new users from a
nynorsk kommune start in nynorsk; e-mails to a user are written in the user's language."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from accounts import services
from accounts.language import in_language_of, language_of, starting_language
from accounts.models import Role, User
from organisations.models import Kommune, Maalform
from tests import factories

from .conftest import token_from_mail

PASSWORD = "Fjelltur-i-regnvær-42"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def person(reference_data):
    return factories.UserFactory(email="ada@example.no")


def test_switching_language_while_logged_in_is_remembered_on_the_user(client, person, no_mfa):
    client.force_login(person)
    response = client.post(reverse("set_language"), {"language": "nn", "next": "/"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.sprak == "nn"


def test_the_remembered_language_follows_the_user_to_a_new_browser(client, person, no_mfa):
    User.objects.filter(pk=person.pk).update(sprak="en")
    client.force_login(person)  # a new browser: no language cookie
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="en"' in response.content.decode()
    assert response.cookies["django_language"].value == "en"  # the login page after logging out stays in English


def test_without_a_choice_the_cookie_or_bokmal_applies(client, person, no_mfa):
    client.force_login(person)
    assert '<html lang="nb"' in client.get("/").content.decode()
    client.cookies["django_language"] = "nn"
    assert '<html lang="nn"' in client.get("/").content.decode()
    person.refresh_from_db()
    assert person.sprak == ""  # only the switcher stores a choice


def test_an_unknown_language_is_not_stored(client, person, no_mfa):
    client.force_login(person)
    client.post(reverse("set_language"), {"language": "sv", "next": "/"})
    person.refresh_from_db()
    assert person.sprak == ""


def test_switching_while_logged_out_does_not_touch_any_user(client, person):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    person.refresh_from_db()
    assert person.sprak == ""


def _service_in(maalform: str):
    kommune = Kommune.objects.get(nummer="4621")
    Kommune.objects.filter(pk=kommune.pk).update(maalform=maalform)
    kommune.refresh_from_db()
    return factories.ServiceFactory(navn="BVT Q7", vertskommune=kommune)


@pytest.mark.parametrize(("maalform", "expected"), [(Maalform.NYNORSK, "nn"), (Maalform.BOKMAAL, ""), ("noytral", "")])
def test_a_new_user_invited_to_a_service_in_a_nynorsk_kommune_starts_in_nynorsk(
    reference_data, maalform, expected, django_capture_on_commit_callbacks
):
    service = _service_in(maalform)
    assert starting_language(tjeneste=service) == expected
    sf = factories.statsforvalter("vestland")
    with django_capture_on_commit_callbacks(execute=True):
        services.invite(sf, email="ny@example.no", rolle=Role.TJENESTE_LEDER, tjeneste=service)
    token = token_from_mail(mail.outbox[-1])
    user = services.accept_invitation(token, first_name="Ny", last_name="Q7", password=PASSWORD)
    assert user.sprak == expected
    assert language_of(user) == (expected or "nb")


def test_staff_and_bufdir_invitations_start_in_the_default():
    assert starting_language(tjeneste=None) == ""


@pytest.mark.django_db
def test_in_language_of_renders_in_the_users_language():
    assert language_of(User(sprak="en")) == "en"
    assert language_of(User(sprak="")) == "nb"
    assert language_of(User(sprak="xx")) == "nb"
    with in_language_of(User(sprak="en")):
        assert translation.get_language() == "en"
        assert translation.gettext("Lagre") == "Save"
    with in_language_of(User(sprak="nn")):
        assert translation.gettext("Søknader") == "Søknader"  # same word
        assert translation.gettext("Hopp til hovedinnhold") == "Hopp til hovudinnhald"
    with in_language_of(None):
        assert translation.get_language() == "nb"


@pytest.mark.parametrize(("sprak", "english"), [("en", True), ("", False)])
def test_password_reset_mail_is_in_the_users_language(
    client, settings, reference_data, sprak, english, django_capture_on_commit_callbacks
):
    """The page is in bokmål (no cookie); the mail follows the addressee's remembered language."""
    settings.EMAIL_BACKEND = LOCMEM
    factories.UserFactory(email="per@example.no", sprak=sprak)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "per@example.no"})
    (message,) = mail.outbox
    assert ("Password" in message.subject) is english
    assert ("passord" in message.subject.lower()) is not english


@pytest.mark.parametrize(
    ("language", "expected", "foreign"),
    [
        ("nb", ["Noen har prøvd", "siste gang fra adressen 10.0.0.7", "Hilsen Læringsnett"], ["Nokon", "Someone"]),
        ("nn", ["Nokon har prøvd", "siste gong frå adressa 10.0.0.7", "Helsing Læringsnett"], ["ikke ", "Hilsen"]),
        ("en", ["Someone has tried", "from the address 10.0.0.7", "Best regards"], ["ikke", "passord", "Hilsen"]),
    ],
)
def test_login_failure_and_invitation_mails_are_written_in_the_active_language(language, expected, foreign):
    """The mail templates translate every sentence; the senders render them in the addressee's language."""
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    context = {"email": "ada@example.no", "ip": "10.0.0.7", "site_url": "https://laeringsnett.example.no"}
    invitation = SimpleNamespace(
        invitert_av=SimpleNamespace(get_full_name="Kari Nordmann", email="kari@example.no"),
        get_rolle_display="Leder",
        scope_label="Barnevernet i Voss",
    )
    with translation.override(language):
        failures = render_to_string("account/email/login_failures_message.txt", context)
        subject = render_to_string("account/email/login_failures_subject.txt", context)
        invited = render_to_string(
            "accounts/email/invitation_message.txt",
            {"invitation": invitation, "valid_days": 14, "link": "https://x.example/i/abc"},
        )
    for text in expected:
        assert text in failures
    for word in foreign:
        assert word not in failures + subject
    assert "Kari Nordmann" in invited and "Barnevernet i Voss" in invited and "14" in invited
    assert {"nb": "14 dager", "nn": "14 dagar", "en": "14 days"}[language] in invited
    assert {"nb": "Mislykkede", "nn": "Mislukka", "en": "Failed"}[language] in subject


def test_allauth_pages_are_in_nynorsk(client, settings, reference_data):
    """allauth ships no nn catalogue; ours (locale_allauth/nn) translates its strings."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nn"
    page = client.get(reverse("account_reset_password")).content.decode()
    assert "Gløymt passordet ditt? Skriv inn e-postadressa di" in page
    assert "Tilbakestill passord" in page
    assert "Glemt passordet ditt?" not in page
