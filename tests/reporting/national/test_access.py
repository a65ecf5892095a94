"""Who may see the national summary: Bufdir everything; a statsforvalter the same page for its own embete only
(tables, totals, charts, filter and exports); service users, partners, users without a role and anonymous
visitors are refused. The menu shows the right entry."""

import csv
import io
import json

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db
PAGE = reverse("reporting:national_summary")
EXPORTS = [
    reverse("reporting:national_export", args=[what, fmt])
    for what in ("oversikt", "tildelinger")
    for fmt in ("csv", "xlsx", "json")
]
OTHER_EMBETE_NAMES = ("Agder", "Innlandet", "Nordland", "Rogaland", "Trøndelag", "Oslo og Viken", "Troms og Finnmark")


def test_statsforvalter_sees_only_its_own_embete(client, sf_vestland, published_awards):
    client.force_login(sf_vestland)
    response = client.get(PAGE, {"fra_aar": 2021, "til_aar": 2023})
    assert response.status_code == 200
    overview = response.context["overview"]
    for table in overview.years:
        assert [r["embete"] for r in table.rows] == ["vestland"]
        vestland = table.rows[0]
        # The total is the embete's own, not the country's.
        assert table.total["prosjekter_totalt"] == vestland["prosjekter_totalt"]
        assert table.total["tildelt_kr"] == vestland["tildelt_kr"]
    assert [t.tildelt for t in overview.trends] == [4_250_000, 4_350_000, 4_350_000]
    assert [c.embete.slug for c in overview.coverage] == ["vestland"]
    assert [p.embete.slug for p in overview.partners] == ["vestland"]
    html = response.content.decode()
    assert "Tall for embetet: Statsforvalteren i Vestland" in html
    assert "32\u00a0500\u00a0000" not in html
    for name in OTHER_EMBETE_NAMES:
        assert name not in html, name
    # The embete filter offers its own embete only, with no «all».
    choices = [str(label) for _value, label in response.context["form"].fields["embete"].choices]
    assert choices == ["Statsforvalteren i Vestland"]
    assert "Alle embeter" not in html


def test_statsforvalter_cannot_pick_another_embete(client, sf_vestland, published_awards):
    client.force_login(sf_vestland)
    response = client.get(PAGE, {"fra_aar": 2023, "til_aar": 2023, "embete": "agder"})
    assert response.status_code == 200
    assert response.context["valid"] is False
    assert "Velg et gyldig valg" in response.content.decode()
    for url in EXPORTS:
        response = client.get(url, {"fra_aar": 2023, "til_aar": 2023, "embete": "agder"})
        assert response.status_code == 400, url
        assert "Velg et gyldig valg" in response.content.decode()
        assert b"1650000" not in response.content


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_statsforvalter_exports_hold_only_its_own_rows(client, sf_vestland, published_awards, fmt):
    client.force_login(sf_vestland)
    params = {"fra_aar": 2023, "til_aar": 2023}
    summary = client.get(reverse("reporting:national_export", args=["oversikt", fmt]), params)
    awards = client.get(reverse("reporting:national_export", args=["tildelinger", fmt]), params)
    assert summary["Content-Disposition"] == f'attachment; filename="nasjonal-oversikt-2023-vestland.{fmt}"'
    assert awards["Content-Disposition"] == f'attachment; filename="tildelinger-2023-vestland.{fmt}"'
    if fmt == "json":
        summary_rows, award_rows = json.loads(summary.content), json.loads(awards.content)
    else:
        summary_rows = list(csv.DictReader(io.StringIO(summary.content.decode()[1:])))
        award_rows = list(csv.DictReader(io.StringIO(awards.content.decode()[1:])))
    assert [r["embete"] for r in summary_rows] == ["vestland", "totalt"]
    assert int(summary_rows[-1]["tildelt_kr"]) == 4_350_000
    assert {r["embete"] for r in award_rows} == {"vestland"}
    assert len(award_rows) == 15


def test_bufdir_sees_every_embete_and_may_filter(client, bufdir, published_awards):
    client.force_login(bufdir)
    response = client.get(PAGE, {"fra_aar": 2023, "til_aar": 2023})
    assert len(response.context["overview"].years[0].rows) == 10
    choices = [str(label) for _v, label in response.context["form"].fields["embete"].choices]
    assert choices[0] == "Alle embeter"
    assert len(choices) == 11
    assert "Nasjonal oversikt over stimuleringsmidler" in response.content.decode()


@pytest.fixture(params=["service", "partner", "no_role"])
def refused_user(request, service_leader, partner_user, reference_data):
    return {"service": service_leader, "partner": partner_user, "no_role": factories.UserFactory()}[request.param]


def test_service_users_partners_and_users_without_role_are_refused(client, refused_user, published_awards):
    client.force_login(refused_user)
    response = client.get(PAGE)
    assert response.status_code == 403
    assert "Nasjonal oversikt over stimuleringsmidler" not in response.content.decode()
    for url in EXPORTS:
        response = client.get(url, {"fra_aar": 2023, "til_aar": 2023})
        assert response.status_code == 403, url
        assert b"agder" not in response.content


def test_anonymous_is_sent_to_login(client, published_awards):
    for url in [PAGE, *EXPORTS]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_staff_without_mfa_are_not_let_in(client, reference_data, published_awards):
    """Without the no_mfa fixture (the production default), Bufdir staff without TOTP are sent to enrol."""
    client.force_login(factories.bufdir_user())
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "national" not in response.get("Location", "")


def test_menu_entry_per_role(client, bufdir, sf_vestland, service_leader):
    client.force_login(bufdir)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{PAGE}"' in html
    assert ">Nasjonal oversikt</a>" in html
    client.force_login(sf_vestland)
    html = client.get(reverse("home")).content.decode()
    assert ">Tall for embetet</a>" in html
    client.force_login(service_leader)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{PAGE}"' not in html
