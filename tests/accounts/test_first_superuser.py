"""The first superuser of a new installation (docs/deploy.md, step «Første innlogging»): created with
`manage.py createsuperuser`, it can log in without a verification e-mail, and its start page says what to do first
(reference data, invitations of Bufdir and the statsforvaltere, the admin) instead of "ask the statsforvalter"."""

import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Invitation, Role, User
from tests import factories

PASSWORD = "Et-langt-passord-8231"


@pytest.fixture
def created_superuser(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    out = io.StringIO()
    call_command("createsuperuser", "--noinput", "--email", "Drift@Example.no", stdout=out)
    return User.objects.get(email="drift@example.no")


def test_createsuperuser_registers_the_address_as_verified(created_superuser):
    user = created_superuser
    assert user.is_superuser and user.is_staff
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == ("drift@example.no", True, True)


def test_the_new_superuser_logs_in_without_a_verification_mail(client, created_superuser, mailoutbox):
    user = created_superuser
    response = client.post(reverse("account_login"), {"login": "drift@example.no", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] != reverse("account_email_verification_sent")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert mailoutbox == []


def test_other_users_are_not_verified_by_the_command(created_superuser):
    """Only the superuser the command makes: other accounts keep their verification state."""
    other = factories.UserFactory()
    EmailAddress.objects.filter(user=other).update(verified=False)
    call_command("createsuperuser", "--noinput", "--email", "annen@example.no", stdout=io.StringIO())
    assert not EmailAddress.objects.get(user=other).verified
    assert EmailAddress.objects.get(email="annen@example.no").verified


def _start_page(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_superuser_start_page_shows_the_first_steps(client, no_mfa, reference_data):
    superuser = factories.UserFactory(is_superuser=True, is_staff=True)
    factories.bufdir_user()
    Invitation.objects.create(
        email="ny@bufdir.no", rolle=Role.BUFDIR, invitert_av=superuser, token_hash="x" * 64, utloper="2099-01-01T00:00Z"
    )

    html = _start_page(client, superuser)

    assert "Be statsforvalteren" not in html
    assert "Superbruker: kom i gang" in html
    assert f'href="{reverse("invitation_list")}"' in html
    assert f'href="{reverse("admin:index")}"' in html
    assert 'data-status="lastet"' in html
    assert "10 embeter" in html and "357 kommuner" in html
    assert "1 bruker med rollen Bufdir" in html
    assert "0 brukere hos statsforvalterne" in html
    assert "1 invitasjon venter på svar" in html


def test_superuser_start_page_says_when_reference_data_is_missing(client, no_mfa, db):
    superuser = factories.UserFactory(is_superuser=True, is_staff=True)

    html = _start_page(client, superuser)

    assert 'data-status="mangler"' in html
    assert "load_reference_data" in html


def test_a_user_without_role_still_gets_the_ask_for_an_invitation_page(client, db):
    html = _start_page(client, factories.UserFactory())
    assert "Du har ingen aktiv rolle" in html
    assert "Superbruker" not in html
