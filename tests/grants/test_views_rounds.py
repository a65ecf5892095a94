"""The statsforvalter's rounds over HTTP (grants/views_rounds.py): create, update and publish, Norwegian form
errors, and only the embete's own staff may manage them."""

from decimal import Decimal

import pytest
from django.urls import reverse

from grants.models import ApplicationRound, RoundStatus

from .conftest import YEAR, round_data
from .test_views_applicant import html, login

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock", "no_mfa")]


def round_post(guideline, **overrides) -> dict:
    data = round_data(guideline)
    post = {
        "tittel": data["tittel"],
        "aar": YEAR + 1,
        "apner": "2026-02-10",
        "frist": "2026-04-01",
        "retningslinjer": guideline.pk,
        "kriterier": data["kriterier"],
        "kriterieliste": "Samarbeid\nForankring\n\nPlan",
        "kategorier": ["egeninitiert", "fosterhjem"],
        "maks_belop": "800000",
        "dokumentkrav": "Budsjett",
        "rapportfrist": "2028-03-01",
        "tilbakebetaling_terskel": "5000",
    }
    post.update(overrides)
    return post


def test_statsforvalter_creates_updates_and_publishes_a_round(client, sf, g2021, vestland):
    login(client, sf)
    assert client.get(reverse("grants:round_create")).status_code == 200
    response = client.post(reverse("grants:round_create"), round_post(g2021))
    rnd = ApplicationRound.objects.get(embete=vestland, aar=YEAR + 1)
    assert response["Location"] == reverse("grants:round_detail", args=[rnd.pk])
    assert [c.navn for c in rnd.kriterieliste.all()] == ["Samarbeid", "Forankring", "Plan"]
    assert rnd.status == RoundStatus.UTKAST and rnd.maks_belop == Decimal("800000")
    page = client.get(reverse("grants:round_update", args=[rnd.pk]))
    assert page.status_code == 200 and page.context["form"].initial["kriterieliste"] == "Samarbeid\nForankring\nPlan"
    response = client.post(
        reverse("grants:round_update", args=[rnd.pk]),
        round_post(g2021, tittel="Ny tittel", kategorier=["fosterhjem"], kriterieliste="Samarbeid\nEffekt"),
    )
    assert response.status_code == 302
    rnd.refresh_from_db()
    assert (rnd.tittel, rnd.egeninitiert, rnd.fosterhjem) == ("Ny tittel", False, True)
    assert [c.navn for c in rnd.kriterieliste.all()] == ["Samarbeid", "Effekt"]
    assert client.get(reverse("grants:round_publish", args=[rnd.pk])).status_code == 405
    client.post(reverse("grants:round_publish", args=[rnd.pk]))
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.PUBLISERT
    again = client.post(reverse("grants:round_publish", args=[rnd.pk]), follow=True)
    assert "Utlysningen er allerede publisert." in html(again)


def test_round_form_errors_are_norwegian(client, sf, g2021):
    response = login(client, sf).post(
        reverse("grants:round_create"),
        round_post(g2021, frist="2026-02-01", kategorier=[], maks_belop="abc"),
    )
    assert response.status_code == 200
    text = html(response)
    assert "Skriv beløpet med sifre" in text
    assert "feiloppsummering" in text
    assert not ApplicationRound.objects.exists()
    response = client.post(reverse("grants:round_create"), round_post(g2021, frist="2026-02-01"))
    assert "Søknadsfristen kan ikke være før utlysningen åpner." in html(response)


def test_round_management_is_for_the_embetes_own_staff(client, rnd, sf_agder, bufdir, leader, g2021):
    before = ApplicationRound.objects.get(pk=rnd.pk).tittel
    # Another embete's staff do not see the round at all.
    login(client, sf_agder)
    assert client.get(reverse("grants:round_update", args=[rnd.pk])).status_code == 404
    assert client.post(reverse("grants:round_publish", args=[rnd.pk])).status_code == 404
    # Bufdir sees it, may not change it; services may not create rounds.
    login(client, bufdir)
    assert client.get(reverse("grants:round_update", args=[rnd.pk])).status_code == 403
    assert client.post(reverse("grants:round_update", args=[rnd.pk]), round_post(g2021)).status_code == 403
    assert client.get(reverse("grants:round_create")).status_code == 403
    login(client, leader)
    assert client.get(reverse("grants:round_create")).status_code == 403
    assert client.get(reverse("grants:round_update", args=[rnd.pk])).status_code == 403
    assert ApplicationRound.objects.get(pk=rnd.pk).tittel == before


def test_round_detail_shows_apply_button_to_services_only(client, rnd, leader, sf):
    assert reverse("grants:application_create", args=[rnd.pk]) in html(
        login(client, leader).get(reverse("grants:round_detail", args=[rnd.pk]))
    )
    staff_page = html(login(client, sf).get(reverse("grants:round_detail", args=[rnd.pk])))
    assert reverse("grants:application_create", args=[rnd.pk]) not in staff_page
    assert reverse("grants:round_update", args=[rnd.pk]) in staff_page
