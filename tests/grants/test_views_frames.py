"""Bufdir's frames page over HTTP (grants/views_frames.py): every embete and category for Bufdir, the own embete
read-only for the statsforvalter, nothing for services; setting and adjusting a frame; the figures (applied,
awarded, paid, repaid, remaining) and a query count that does not grow with the data."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants import repayments, services
from grants.models import Frame

from .conftest import YEAR, make_submitted, set_frame
from .test_views_applicant import decided, html, login

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock", "no_mfa")]


def test_bufdir_sees_every_embete_and_category(client, bufdir, vestland):
    set_frame(bufdir, vestland, "1000000")
    response = login(client, bufdir).get(reverse("grants:frames"), {"aar": YEAR})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == 2 * len({r["embete"].pk for r in rows}) > 2
    vest = next(r for r in rows if r["embete"] == vestland and r["kategori"] == "fosterhjem")
    assert vest["ramme"] == Decimal("1000000")
    assert "Sett eller juster en ramme" in html(response)
    assert "Rammer for stimuleringsmidler 2026" in html(response)
    assert f"?aar=2026&amp;embete={vestland.slug}&amp;kategori=fosterhjem" in html(response)


def test_statsforvalter_sees_only_own_embete_read_only(client, sf, bufdir, vestland, agder):
    set_frame(bufdir, agder, "700000")
    response = login(client, sf).get(reverse("grants:frames"), {"aar": YEAR})
    assert response.status_code == 200
    assert {r["embete"] for r in response.context["rows"]} == {vestland}
    assert "Sett eller juster" not in html(response)
    assert login(client, sf).get(reverse("grants:frame_set")).status_code == 403


def test_service_users_may_not_see_frames(client, leader):
    assert login(client, leader).get(reverse("grants:frames")).status_code == 403
    assert client.get(reverse("grants:frame_set")).status_code == 403


def test_bufdir_sets_and_adjusts_a_frame(client, bufdir, vestland):
    login(client, bufdir)
    url = reverse("grants:frame_set")
    data = {"embete": vestland.pk, "aar": YEAR, "kategori": "fosterhjem", "belop": "1 000 000", "begrunnelse": ""}
    response = client.post(url, data)
    assert response.status_code == 302
    frame = Frame.objects.get(embete=vestland, aar=YEAR, kategori="fosterhjem")
    assert frame.belop == Decimal("1000000")
    # An adjustment needs a reason.
    response = client.post(url, {**data, "belop": "1200000"})
    assert response.status_code == 200
    assert "Skriv en begrunnelse for endringen av rammen." in html(response)
    response = client.post(url, {**data, "belop": "1200000", "begrunnelse": "Omfordeling"})
    assert response.status_code == 302
    frame.refresh_from_db()
    assert frame.belop == Decimal("1200000")
    page = client.get(reverse("grants:frames"), {"aar": YEAR})
    assert "Omfordeling" in html(page)
    prefilled = client.get(url, {"aar": YEAR, "embete": vestland.slug, "kategori": "fosterhjem"})
    assert prefilled.context["form"].initial["belop"] == "1200000"


@pytest.mark.parametrize(
    "amount,message",
    [("abc", "Skriv beløpet med sifre"), ("-5", "kan ikke være negativt"), ("100000,50", "Skriv hele kroner")],
)
def test_bad_frame_amount_is_refused_in_norwegian(client, bufdir, vestland, amount, message):
    data = {"embete": vestland.pk, "aar": YEAR, "kategori": "fosterhjem", "belop": amount}
    response = login(client, bufdir).post(reverse("grants:frame_set"), data)
    assert response.status_code == 200
    assert message in html(response)
    assert not Frame.objects.exists()


def test_frames_page_figures(client, bufdir, sf, leader, rnd, network, bergen, voss, vestland):
    set_frame(bufdir, vestland, "2000000")
    first, second = decided(leader, sf, rnd, network, [bergen, voss], 2)
    make_submitted(leader, rnd, network, [bergen, voss], navn="Bare søkt")  # applied, not decided
    decision = first.vedtak
    services.register_payment(sf, decision, dato=datetime.date(2026, 4, 1), belop="350000", kontonummer="86011117947")
    claim = services.create_repayment_claim(
        sf, decision, belop="50000", begrunnelse="Ubrukt", forfall=datetime.date(2027, 4, 1)
    )
    repayments.register_receipt(sf, claim, dato=datetime.date(2026, 2, 2), belop="50000")  # paid back
    response = login(client, bufdir).get(reverse("grants:frames"), {"aar": YEAR})
    row = next(r for r in response.context["rows"] if r["embete"] == vestland and r["kategori"] == "fosterhjem")
    assert row["ramme"] == Decimal("2000000")
    assert row["soknadsbelop"] == Decimal("1050000")
    assert row["tildelt"] == Decimal("700000")
    assert row["utbetalt"] == Decimal("350000")
    assert row["tilbakebetalt"] == Decimal("50000")
    assert row["igjen"] == Decimal("1300000")


def test_frames_page_query_count_does_not_grow(client, bufdir, sf, leader, rnd, network, bergen, voss, vestland):
    set_frame(bufdir, vestland, "5000000")
    decided(leader, sf, rnd, network, [bergen, voss], 3)
    login(client, bufdir)
    url = reverse("grants:frames")
    client.get(url, {"aar": YEAR})  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"aar": YEAR})
    decided(leader, sf, rnd, network, [bergen, voss], 7, start=3)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, {"aar": YEAR})
    row = next(r for r in response.context["rows"] if r["embete"] == vestland and r["kategori"] == "fosterhjem")
    assert row["tildelt"] == Decimal("3500000")
    assert len(many) == len(few)
