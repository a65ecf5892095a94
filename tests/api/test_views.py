"""The API-nøkler pages: make a key (secret shown once), list own keys only, revoke with confirmation."""

import pytest
from django.urls import reverse

from api.models import ApiToken

from .conftest import bearer, make_token

pytestmark = pytest.mark.django_db

LIST = reverse("api:token_list")


def test_bufdir_makes_a_key_and_sees_the_secret_once(client, bufdir, no_mfa):
    client.force_login(bufdir)
    page = client.get(LIST)
    assert page.status_code == 200
    assert "Du har ingen API-nøkler ennå." in page.content.decode()

    response = client.post(LIST, {"navn": "Statistikkuttrekk", "utloper": ""})
    assert response.status_code == 200
    html = response.content.decode()
    token = ApiToken.objects.get()
    secret = next(part for part in html.split('"') if part.startswith("lnt_") and len(part) > 40)
    assert token.matches(secret)
    assert "Den vises bare denne ene gangen." in html
    assert "no-store" in response["Cache-Control"]

    again = client.get(LIST).content.decode()
    assert secret not in again
    assert token.prefiks in again and "Statistikkuttrekk" in again

    client.logout()
    assert client.get("/api/v1/summary", **bearer(secret)).status_code == 200


def test_form_errors_are_shown_in_norwegian(client, sf, no_mfa):
    client.force_login(sf)
    response = client.post(LIST, {"navn": "", "utloper": "2001-01-01"})
    html = response.content.decode()
    assert "Gi nøkkelen et navn, for eksempel hva den skal brukes til." in html
    assert "feiloppsummering" in html
    response = client.post(LIST, {"navn": "Gammel", "utloper": "2001-01-01"})
    assert "Utløpsdatoen må være etter i dag." in response.content.decode()
    assert ApiToken.objects.count() == 0


def test_user_sees_only_own_keys(client, sf, sf_agder, no_mfa):
    mine, _s1 = make_token(sf, "Min nøkkel")
    theirs, _s2 = make_token(sf_agder, "Agders nøkkel")
    client.force_login(sf)
    html = client.get(LIST).content.decode()
    assert "Min nøkkel" in html and "Agders nøkkel" not in html
    # Someone else's key cannot even be opened, let alone revoked.
    assert client.get(reverse("api:token_revoke", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("api:token_revoke", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.tilbakekalt is None


def test_revoke_asks_for_confirmation_then_the_key_stops_working(client, sf, no_mfa):
    token, secret = make_token(sf, "Skal bort")
    client.force_login(sf)
    url = reverse("api:token_revoke", args=[token.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Ja, trekk tilbake nøkkelen" in confirm.content.decode()
    token.refresh_from_db()
    assert token.tilbakekalt is None  # looking at the page changes nothing

    response = client.post(url, follow=True)
    assert "API-nøkkelen «Skal bort» er trukket tilbake." in response.content.decode()
    token.refresh_from_db()
    assert token.tilbakekalt is not None
    client.logout()
    assert client.get("/api/v1/awards", **bearer(secret)).status_code == 401


@pytest.mark.parametrize("who", ["leader", "partner_user"])
def test_other_roles_have_no_key_page_and_no_menu_item(client, who, request, no_mfa):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(LIST).status_code == 403
    assert client.post(LIST, {"navn": "Forsøk"}).status_code == 403
    assert ApiToken.objects.count() == 0
    assert LIST not in client.get("/").content.decode()


def test_menu_item_for_bufdir(client, bufdir, no_mfa):
    client.force_login(bufdir)
    assert f'href="{LIST}"' in client.get("/").content.decode()


def test_staff_without_two_factor_cannot_reach_the_page(client, bufdir):
    client.force_login(bufdir)
    response = client.get(LIST)
    assert response.status_code == 302
    assert "/konto/" in response["Location"]
