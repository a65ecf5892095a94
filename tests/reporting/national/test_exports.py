"""Exports of the national summary (XLSX, CSV, JSON) and the per-grant open-data export, for the current filter:
content parsed back, suppression carried into the files, safe filenames and CSV injection neutralised."""

import csv
import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from grants.models import Award, AwardSource
from networks.models import LearningNetwork
from tests import factories

from .published import published

pytestmark = pytest.mark.django_db


def export(client, user, what, fmt, **params):
    client.force_login(user)
    return client.get(reverse("reporting:national_export", args=[what, fmt]), params)


def parse(response, fmt) -> list[dict]:
    if fmt == "json":
        assert response["Content-Type"].startswith("application/json")
        return json.loads(response.content)
    if fmt == "csv":
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        text = response.content.decode("utf-8")
        assert text.startswith("\ufeff")
        return list(csv.DictReader(io.StringIO(text[1:])))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_summary_export_reproduces_the_published_table(client, bufdir, published_awards, fmt):
    response = export(client, bufdir, "oversikt", fmt, fra_aar=2023, til_aar=2023)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="nasjonal-oversikt-2023.{fmt}"'
    rows = parse(response, fmt)
    assert len(rows) == 11
    by_slug = {r["embete"]: r for r in rows}
    for want in published(2023):
        got = by_slug[want["embete"]]
        for column in ("egeninitierte_prosjekter", "fosterhjemsprosjekter", "prosjekter_totalt", "tildelt_kr"):
            assert int(got[column]) == want[column], (want["embete"], column)
    total = rows[-1]
    assert total["embete"] == "totalt"
    assert (int(total["prosjekter_totalt"]), int(total["tildelt_kr"])) == (69, 32_500_000)
    assert by_slug["ostfold-buskerud-oslo-akershus"]["embete_navn"] == "Statsforvalteren i Oslo og Viken"
    assert set(rows[0]) >= {"ramme_kr", "utbetalt_kr", "rapportert_brukt_kr", "ubrukt_kr", "tilbakebetalt_kr"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_summary_export_carries_suppression(client, bufdir, published_awards, fmt):
    response = export(client, bufdir, "oversikt", fmt, fra_aar=2023, til_aar=2023, skjul_sma_tall="on", terskel=5)
    rows = {r["embete"]: r for r in parse(response, fmt)}
    assert rows["agder"]["egeninitierte_prosjekter"] == ":"
    assert rows["agder"]["skjult"].startswith("ja: antall under 5")
    assert str(rows["agder"]["prosjekter_totalt"]) == "5"
    assert str(rows["nordland"]["prosjekter_totalt"]) == "0"
    assert int(rows["more-og-romsdal"]["tildelt_kr"]) == 1_900_000  # money is never suppressed


def test_summary_export_over_several_years_and_one_category(client, bufdir, published_awards):
    response = export(client, bufdir, "oversikt", "json", fra_aar=2021, til_aar=2023, kategori="egeninitiert")
    assert response["Content-Disposition"] == 'attachment; filename="nasjonal-oversikt-2021-2023-egeninitiert.json"'
    rows = parse(response, "json")
    totals = [r for r in rows if r["embete"] == "totalt"]
    assert [t["aar"] for t in totals] == [2021, 2022, 2023]
    for t in totals:
        assert t["fosterhjemsprosjekter"] is None
        assert t["prosjekter_totalt"] == sum(r["egeninitierte_prosjekter"] for r in published(t["aar"]))


@pytest.fixture
def award_with_services(reference_data):
    vestland = factories.embete("vestland")
    network = LearningNetwork.objects.create(embete=vestland, navn='=HYPERLINK("http://x")', etablert_aar=2023)
    from projects.models import DevelopmentProject

    project = DevelopmentProject.objects.create(network=network, navn="@Samvær", kategori="fosterhjem")
    bergen = factories.ServiceFactory(navn="Barneverntjenesten i Bergen")
    askoy = factories.ServiceFactory(navn="Barneverntjenesten i Askøy")
    award = Award.objects.create(
        aar=2023,
        embete=vestland,
        kategori="fosterhjem",
        nettverk=network,
        prosjekt=project,
        belop=Decimal("250000.50"),
        dato="2023-03-01",
        kilde=AwardSource.IMPORT,
        import_nokkel="test|export",
    )
    award.tjenester.set([bergen, askoy])
    return award, bergen, askoy


def test_award_export_json_one_row_per_award(client, bufdir, award_with_services):
    award, bergen, askoy = award_with_services
    response = export(client, bufdir, "tildelinger", "json", fra_aar=2023, til_aar=2023)
    assert response["Content-Disposition"] == 'attachment; filename="tildelinger-2023.json"'
    [row] = parse(response, "json")
    assert row == {
        "id": award.pk,
        "aar": 2023,
        "embete": "vestland",
        "embete_navn": "Statsforvalteren i Vestland",
        "nettverk": '=HYPERLINK("http://x")',
        "prosjekt": "@Samvær",
        "kategori": "fosterhjem",
        "tildelt_kr": 250000.5,
        "tildelingsdato": "2023-03-01",
        "tjenester": [{"navn": askoy.navn, "orgnr": askoy.orgnr}, {"navn": bergen.navn, "orgnr": bergen.orgnr}],
        "tjenester_orgnr": f"{askoy.orgnr};{bergen.orgnr}",
        "skjult": "nei: tildelinger er offentlige, og åpne data skjules ikke",
    }


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_award_export_spreadsheets_neutralise_formulae(client, bufdir, award_with_services, fmt):
    award, bergen, askoy = award_with_services
    response = export(client, bufdir, "tildelinger", fmt, fra_aar=2023, til_aar=2023)
    assert response["Content-Disposition"] == f'attachment; filename="tildelinger-2023.{fmt}"'
    [row] = parse(response, fmt)
    assert row["nettverk"] == '\'=HYPERLINK("http://x")'
    assert row["prosjekt"] == "'@Samvær"
    assert str(row["id"]) == str(award.pk)
    assert row["tjenester"] == f"{askoy.navn} ({askoy.orgnr}); {bergen.navn} ({bergen.orgnr})"
    assert row["tjenester_orgnr"] == f"{askoy.orgnr};{bergen.orgnr}"
    assert Decimal(str(row["tildelt_kr"])) == Decimal("250000.5")


def test_award_export_follows_the_filter(client, bufdir, published_awards):
    rows = parse(export(client, bufdir, "tildelinger", "csv", fra_aar=2023, til_aar=2023, embete="vestland"), "csv")
    assert len(rows) == 15
    assert {r["embete"] for r in rows} == {"vestland"}
    assert sum(int(r["tildelt_kr"]) for r in rows) == 4_350_000
    rows = parse(export(client, bufdir, "tildelinger", "json", fra_aar=2023, til_aar=2023), "json")
    # Nordland's 2023 money has no project: one row with the network and an empty project.
    nordland = [r for r in rows if r["embete"] == "nordland"]
    assert [(r["prosjekt"], r["tildelt_kr"]) for r in nordland] == [(None, 2_700_000)]
    assert sum(r["tildelt_kr"] for r in rows) == 32_500_000
    rows = parse(
        export(client, bufdir, "tildelinger", "json", fra_aar=2021, til_aar=2021, kategori="fosterhjem"), "json"
    )
    assert {r["kategori"] for r in rows} == {"fosterhjem"}
    assert len(rows) == sum(r["fosterhjemsprosjekter"] for r in published(2021))


def test_unknown_export_and_bad_filter_are_refused(client, bufdir, published_awards):
    assert export(client, bufdir, "oversikt", "pdf").status_code == 400
    assert export(client, bufdir, "personer", "csv").status_code == 400
    response = export(client, bufdir, "oversikt", "csv", fra_aar=2023, til_aar=2021)
    assert response.status_code == 400
    assert "«Til år» kan ikke være før «Fra år»." in response.content.decode()


def test_a_bad_year_in_an_export_names_each_field_once(client, bufdir, published_awards):
    """Both years out of range: one line per field, named, not the same sentence twice without a name."""
    response = export(client, bufdir, "oversikt", "csv-excel", fra_aar=1900, til_aar=3000)
    assert response.status_code == 400
    lines = response.content.decode().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("Fra år: ") and lines[1].startswith("Til år: ")
    assert len(set(lines)) == 2
