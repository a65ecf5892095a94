"""Export of barnevernstjenester to CSV and XLSX: only what the user may see."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from organisations.models import Kommune
from tests import factories

CSV_URL = reverse("organisations:service_export", args=["csv"])
XLSX_URL = reverse("organisations:service_export", args=["xlsx"])


def csv_rows(response) -> list[dict]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff"), "Excel needs the BOM to read UTF-8"
    return list(csv.DictReader(io.StringIO(text[1:])))


def xlsx_rows(response) -> list[dict]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.fixture
def services(vestland_service, agder_service):
    sunnhordland = factories.ServiceFactory(
        navn="Sunnhordland barnevern",
        vertskommune=Kommune.objects.get(nummer="4612"),
        kommuner=[Kommune.objects.get(nummer="4611")],
        epost="post@sunnhordland.no",
        aktiv=False,
    )
    return {"bergen": vestland_service, "kristiansand": agder_service, "sunnhordland": sunnhordland}


def test_statsforvalter_csv_contains_only_own_embete(login, sf_vestland, services):
    response = login(sf_vestland).get(CSV_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="barnevernstjenester-')
    assert response["Content-Disposition"].endswith('.csv"')
    rows = csv_rows(response)
    assert [r["navn"] for r in rows] == ["Barneverntjenesten i Bergen", "Sunnhordland barnevern"]
    assert services["kristiansand"].orgnr not in response.content.decode()
    sunnhordland = rows[1]
    assert sunnhordland == {
        "navn": "Sunnhordland barnevern",
        "orgnr": services["sunnhordland"].orgnr,
        "vertskommune": "4612",
        "kommuner": "4611;4612",
        "epost": "post@sunnhordland.no",
        "aktiv": "nei",
    }


def test_statsforvalter_xlsx_contains_only_own_embete(login, sf_vestland, services):
    response = login(sf_vestland).get(XLSX_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = xlsx_rows(response)
    assert sorted(r["orgnr"] for r in rows) == sorted([services["bergen"].orgnr, services["sunnhordland"].orgnr])
    assert list(rows[0]) == ["navn", "orgnr", "vertskommune", "kommuner", "epost", "aktiv"]


def test_statsforvalter_cannot_filter_their_way_into_another_embete(login, sf_vestland, services):
    agder = factories.embete("agder")
    response = login(sf_vestland).get(CSV_URL, {"embete": agder.pk, "q": "Kristiansand"})
    assert response.status_code == 200
    assert csv_rows(response) == []


def test_bufdir_exports_every_embete(login, bufdir, services):
    rows = xlsx_rows(login(bufdir).get(XLSX_URL))
    assert {r["navn"] for r in rows} == {s.navn for s in services.values()}


def test_export_applies_the_list_filters(login, bufdir, services):
    rows = csv_rows(login(bufdir).get(CSV_URL, {"aktiv": "nei"}))
    assert [r["navn"] for r in rows] == ["Sunnhordland barnevern"]

    rows = csv_rows(login(bufdir).get(CSV_URL, {"embete": factories.embete("agder").pk}))
    assert [r["navn"] for r in rows] == ["Barneverntjenesten i Kristiansand"]


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
@pytest.mark.parametrize("who", ["vestland_service_user", "partner_user"])
def test_service_and_partner_users_may_not_export(login, request, services, url, who):
    response = login(request.getfixturevalue(who)).get(url)
    assert response.status_code == 403
    assert services["bergen"].orgnr.encode() not in response.content


def test_export_requires_login(client, services):
    response = client.get(CSV_URL)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_unknown_export_format_is_404(login, sf_vestland, services):
    response = login(sf_vestland).get(reverse("organisations:service_export", args=["pdf"]))
    assert response.status_code == 404


def test_export_query_count_does_not_grow_with_services(login, bufdir, django_assert_max_num_queries):
    client = login(bufdir)
    client.get(CSV_URL)  # warm up session and role caches
    bergen = Kommune.objects.get(nummer="4601")
    for _ in range(5):
        factories.ServiceFactory(vertskommune=bergen)
    with django_assert_max_num_queries(15) as few:
        client.get(CSV_URL)
    for _ in range(35):
        factories.ServiceFactory(vertskommune=bergen)
    with django_assert_max_num_queries(15) as many:
        response = client.get(CSV_URL)
    assert len(csv_rows(response)) == 40
    assert len(many.captured_queries) == len(few.captured_queries)
