"""Import of barnevernstjenester from CSV and XLSX: all or nothing, every bad row listed with its line number."""

import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from organisations.models import ChildWelfareService, Kommune
from organisations.services import ImportFileError, import_services, read_dataset
from tests import factories
from tests.factories import valid_orgnr

URL = reverse("organisations:service_import")
HEADER = ["navn", "orgnr", "vertskommune", "kommuner", "epost", "aktiv"]


def csv_bytes(rows, header=HEADER, delimiter=",", encoding="utf-8") -> bytes:
    lines = [delimiter.join(header)] + [delimiter.join(str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def dataset(content: bytes, name: str = "tjenester.csv"):
    return read_dataset(io.BytesIO(content), name)


def run_import(user, content: bytes, name: str = "tjenester.csv", slug: str = "vestland", dry_run: bool = False):
    return import_services(user, dataset(content, name), embete=factories.embete(slug), dry_run=dry_run)


GOOD_ROWS = [
    ("Bergen barnevern", valid_orgnr(1), "4601", "", "post@bergen.kommune.no", "ja"),
    ("Sunnhordland barnevern", valid_orgnr(2), "4612", "4611;4613", "", "ja"),
    ("Kinn barnevern", valid_orgnr(3), "4602", "", "", "nei"),
]


def numbers(service: ChildWelfareService) -> list[str]:
    return sorted(service.kommuner.values_list("nummer", flat=True))


# --- good files -------------------------------------------------------------------------------


def test_csv_with_good_rows_is_imported(sf_vestland):
    report = run_import(sf_vestland, csv_bytes(GOOD_ROWS))

    assert report.ok
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    assert ChildWelfareService.objects.count() == 3
    bergen = ChildWelfareService.objects.get(orgnr=valid_orgnr(1))
    assert bergen.navn == "Bergen barnevern"
    assert bergen.epost == "post@bergen.kommune.no"
    assert numbers(bergen) == ["4601"]  # the vertskommune is always included
    sunnhordland = ChildWelfareService.objects.get(orgnr=valid_orgnr(2))
    assert numbers(sunnhordland) == ["4611", "4612", "4613"]
    assert ChildWelfareService.objects.get(orgnr=valid_orgnr(3)).aktiv is False
    event = AuditEvent.objects.get(handling="tjenester.importert")
    assert event.aktor == sf_vestland
    assert event.endringer == {"nye": 3, "oppdaterte": 0, "uendrede": 0}


def test_xlsx_with_good_rows_is_imported(sf_vestland):
    # Excel stores numbers as numbers: orgnr and kommunenummer arrive as int, and 0301-style numbers lose the 0
    rows = [
        ("Bergen barnevern", int(valid_orgnr(1)), 4601, None, None, None),
        ("Sunnhordland barnevern", valid_orgnr(2), "4612", "4611;4613", "post@sunnhordland.no", "nei"),
        ("Kinn barnevern", float(valid_orgnr(3)), 4602.0, 4611, None, "ja"),
    ]
    report = run_import(sf_vestland, xlsx_bytes(rows), name="Tjenester.XLSX")

    assert report.ok, report.errors
    assert report.created == 3
    assert numbers(ChildWelfareService.objects.get(orgnr=valid_orgnr(2))) == ["4611", "4612", "4613"]
    assert numbers(ChildWelfareService.objects.get(orgnr=valid_orgnr(3))) == ["4602", "4611"]
    bergen = ChildWelfareService.objects.get(orgnr=valid_orgnr(1))
    assert bergen.aktiv is True and bergen.epost == ""


def test_xlsx_leading_zero_kommunenummer_as_number(reference_data):
    oslo = factories.statsforvalter("ostfold-buskerud-oslo-akershus")
    report = run_import(
        oslo, xlsx_bytes([("Oslo barnevern", valid_orgnr(9), 301, None, None, None)]), "t.xlsx", slug=oslo_slug()
    )
    assert report.ok, report.errors
    assert ChildWelfareService.objects.get().vertskommune.nummer == "0301"


def oslo_slug() -> str:
    return "ostfold-buskerud-oslo-akershus"


def test_xlsx_trailing_empty_rows_are_ignored(sf_vestland):
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(GOOD_ROWS[:1])))
    workbook.active.cell(row=10, column=1).font = openpyxl.styles.Font(bold=True)  # formatted but empty
    buffer = io.BytesIO()
    workbook.save(buffer)

    report = run_import(sf_vestland, buffer.getvalue(), "t.xlsx")

    assert report.ok, report.errors
    assert report.created == 1


def test_semicolon_csv_from_norwegian_excel(sf_vestland):
    """Excel with Norwegian settings saves "CSV (semikolondelt)" in Windows-1252."""
    rows = [
        ("Bømlo barnevern", valid_orgnr(1), "4613", "", "", "ja"),
        ("Sunnhordland barneverntenester", valid_orgnr(2), "4612", "4611,4613", "", "ja"),
    ]
    report = run_import(sf_vestland, csv_bytes(rows, delimiter=";", encoding="cp1252"))

    assert report.ok, report.errors
    assert report.created == 2
    assert ChildWelfareService.objects.filter(navn="Bømlo barnevern").exists()
    assert numbers(ChildWelfareService.objects.get(orgnr=valid_orgnr(2))) == ["4611", "4612", "4613"]


def test_csv_with_bom_and_spaced_capitalised_headers(sf_vestland):
    content = "\ufeff Navn ,ORGNR,Vertskommune\nÅsane barnevern,974 760 673,4601\n".encode()
    report = run_import(sf_vestland, content)
    assert report.ok, report.errors
    service = ChildWelfareService.objects.get()
    assert (service.navn, service.orgnr, numbers(service)) == ("Åsane barnevern", "974760673", ["4601"])


def test_reimporting_the_same_file_changes_nothing(sf_vestland):
    content = csv_bytes(GOOD_ROWS)
    run_import(sf_vestland, content)
    before = {s.orgnr: (s.navn, s.endret, tuple(numbers(s))) for s in ChildWelfareService.objects.all()}

    report = run_import(sf_vestland, content)

    assert report.ok
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    after = {s.orgnr: (s.navn, s.endret, tuple(numbers(s))) for s in ChildWelfareService.objects.all()}
    assert after == before


def test_reimporting_an_export_changes_nothing(sf_vestland, login):
    run_import(sf_vestland, csv_bytes(GOOD_ROWS))
    exported = login(sf_vestland).get(reverse("organisations:service_export", args=["xlsx"])).content

    report = run_import(sf_vestland, exported, "eksport.xlsx")

    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)


def test_known_orgnr_updates_the_service(sf_vestland, vestland_service):
    rows = [("Bergen kommune barnevern", vestland_service.orgnr, "4601", "4602", "ny@bergen.no", "ja")]
    report = run_import(sf_vestland, csv_bytes(rows))

    assert (report.created, report.updated) == (0, 1)
    vestland_service.refresh_from_db()
    assert vestland_service.navn == "Bergen kommune barnevern"
    assert vestland_service.epost == "ny@bergen.no"
    assert numbers(vestland_service) == ["4601", "4602"]
    assert ChildWelfareService.objects.count() == 1


def test_file_without_kommuner_column_keeps_deltakerkommuner(sf_vestland):
    service = factories.ServiceFactory(
        orgnr=valid_orgnr(2),
        vertskommune=Kommune.objects.get(nummer="4612"),
        kommuner=[Kommune.objects.get(nummer="4611")],
        epost="post@sunnhordland.no",
    )
    content = csv_bytes([(service.navn, service.orgnr, "4612")], header=["navn", "orgnr", "vertskommune"])

    report = run_import(sf_vestland, content)

    assert report.ok
    assert report.unchanged == 1
    service.refresh_from_db()
    assert numbers(service) == ["4611", "4612"]
    assert service.epost == "post@sunnhordland.no"


def test_dry_run_imports_nothing_but_reports_what_would_happen(sf_vestland):
    report = run_import(sf_vestland, csv_bytes(GOOD_ROWS), dry_run=True)

    assert report.ok and report.dry_run
    assert report.created == 3
    assert not ChildWelfareService.objects.exists()
    assert not AuditEvent.objects.exists()


# --- bad rows: nothing is imported ------------------------------------------------------------


BAD_ROW_CASES = {
    "unknown vertskommune": (
        ("Ukjent", valid_orgnr(10), "9999", "", "", ""),
        "vertskommune: Ukjent kommunenummer «9999».",
    ),
    "unknown deltakerkommune": (
        ("Ukjent deltaker", valid_orgnr(10), "4601", "4602;9998", "", ""),
        "kommuner: Ukjent kommunenummer: 9998.",
    ),
    "bad check digit": (
        ("Feil orgnr", "974760674", "4601", "", "", ""),
        "orgnr: Organisasjonsnummeret 974760674 har feil kontrollsiffer (MOD11).",
    ),
    "short orgnr": (
        ("Kort orgnr", "12345", "4601", "", "", ""),
        "orgnr: Organisasjonsnummeret må ha nøyaktig 9 siffer (fikk «12345»).",
    ),
    "duplicate in file": (
        ("Kopi av Bergen", valid_orgnr(1), "4601", "", "", ""),
        f"orgnr: Organisasjonsnummeret {valid_orgnr(1)} står også på linje 2 i filen.",
    ),
    "vertskommune in another embete": (
        ("Kristiansand barnevern", valid_orgnr(10), "4204", "", "", ""),
        "vertskommune: Vertskommunen 4204 ligger ikke i Statsforvalteren i Vestland.",
    ),
    "missing name": (
        ("", valid_orgnr(10), "4601", "", "", ""),
        "navn: Navn mangler.",
    ),
    "bad aktiv": (
        ("Usikker", valid_orgnr(10), "4601", "", "", "kanskje"),
        "aktiv: «kanskje» er ikke en gyldig verdi for aktiv (bruk ja eller nei).",
    ),
    "bad e-mail": (
        ("Feil e-post", valid_orgnr(10), "4601", "", "ikke-en-adresse", ""),
        "e-post: Oppgi en gyldig e-postadresse",
    ),
}


@pytest.mark.parametrize("case", BAD_ROW_CASES)
def test_one_bad_row_stops_the_whole_import(sf_vestland, case):
    bad_row, message = BAD_ROW_CASES[case]
    rows = [GOOD_ROWS[0], GOOD_ROWS[1], bad_row]  # the bad row is on line 4

    report = run_import(sf_vestland, csv_bytes(rows))

    assert not report.ok
    assert report.errors == [(4, message)]
    assert (report.created, report.updated) == (0, 0)
    assert not ChildWelfareService.objects.exists()
    assert not AuditEvent.objects.exists()


def test_every_bad_row_and_every_problem_is_listed(sf_vestland):
    rows = [
        GOOD_ROWS[0],
        ("Ukjent", valid_orgnr(10), "9999", "", "", ""),
        ("Feil", "974760674", "4601", "", "", ""),
        ("Kopi", valid_orgnr(1), "4601", "", "", ""),
        ("Agder", valid_orgnr(11), "4204", "", "", ""),
        ("", valid_orgnr(12), "4601", "9998", "ikke-epost", ""),
    ]
    report = run_import(sf_vestland, csv_bytes(rows))

    assert report.errors == [
        (3, "vertskommune: Ukjent kommunenummer «9999»."),
        (4, "orgnr: Organisasjonsnummeret 974760674 har feil kontrollsiffer (MOD11)."),
        (5, f"orgnr: Organisasjonsnummeret {valid_orgnr(1)} står også på linje 2 i filen."),
        (6, "vertskommune: Vertskommunen 4204 ligger ikke i Statsforvalteren i Vestland."),
        (7, "e-post: Oppgi en gyldig e-postadresse"),
        (7, "kommuner: Ukjent kommunenummer: 9998."),
        (7, "navn: Navn mangler."),
    ]
    assert not ChildWelfareService.objects.exists()


def test_empty_row_between_services_is_reported_once(sf_vestland):
    report = run_import(sf_vestland, xlsx_bytes([GOOD_ROWS[0], (None,) * 6, GOOD_ROWS[1]]), "t.xlsx")
    assert report.errors == [(3, "Raden er tom. Fyll den ut eller slett den.")]
    assert not ChildWelfareService.objects.exists()


def test_updating_a_service_of_another_embete_is_refused(sf_vestland, agder_service):
    rows = [("Kapret", agder_service.orgnr, "4601", "", "", "")]
    report = run_import(sf_vestland, csv_bytes(rows))

    assert report.errors == [
        (2, f"orgnr: Organisasjonsnummeret {agder_service.orgnr} tilhører en tjeneste i et annet embete.")
    ]
    agder_service.refresh_from_db()
    assert agder_service.navn == "Barneverntjenesten i Kristiansand"


def test_dry_run_with_bad_rows_reports_them(sf_vestland):
    report = run_import(sf_vestland, csv_bytes([GOOD_ROWS[0], BAD_ROW_CASES["bad check digit"][0]]), dry_run=True)
    assert [line for line, _ in report.errors] == [3]
    assert report.created == 0


# --- permissions ------------------------------------------------------------------------------


def test_statsforvalter_may_not_import_into_another_embete(sf_vestland):
    with pytest.raises(PermissionDenied):
        import_services(sf_vestland, dataset(csv_bytes(GOOD_ROWS)), embete=factories.embete("agder"))
    assert not ChildWelfareService.objects.exists()


@pytest.mark.parametrize("who", ["bufdir", "vestland_service_user", "partner_user"])
def test_non_statsforvalter_may_not_import(request, who):
    user = request.getfixturevalue(who)
    count = ChildWelfareService.objects.count()
    with pytest.raises(PermissionDenied):
        import_services(user, dataset(csv_bytes(GOOD_ROWS)), embete=None)
    assert ChildWelfareService.objects.count() == count


# --- unreadable files -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "t.csv", "Filen er tom."),
        (b"navn,orgnr,vertskommune\n", "t.csv", "Filen har ingen tjenester, bare overskriftsraden."),
        (b"navn,orgnr,vertskommune\n\n\n", "t.csv", "Filen har ingen tjenester, bare overskriftsraden."),
        (b"navn,epost\nBergen,a@b.no\n", "t.csv", "Filen mangler kolonnene: orgnr, vertskommune."),
        (b"navn,orgnr,vertskommune\n", "t.txt", "Filtypen støttes ikke. Last opp en CSV- eller XLSX-fil."),
        (b"this is not a spreadsheet", "t.xlsx", "Filen kunne ikke leses."),
    ],
)
def test_unreadable_files_give_norwegian_errors(content, name, message):
    with pytest.raises(ImportFileError) as exc:
        read_dataset(io.BytesIO(content), name)
    assert exc.value.messages[0].startswith(message)


# --- the import page --------------------------------------------------------------------------


def upload(content: bytes, name: str = "tjenester.csv", **extra):
    return {"fil": SimpleUploadedFile(name, content), **extra}


def test_import_page_renders_for_statsforvalter(login, sf_vestland):
    response = login(sf_vestland).get(URL)
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.content.decode()


def test_good_file_is_imported_from_the_page(login, sf_vestland):
    response = login(sf_vestland).post(URL, upload(csv_bytes(GOOD_ROWS)), follow=True)

    assert response.redirect_chain[-1][0] == reverse("organisations:service_list")
    assert ChildWelfareService.objects.count() == 3
    assert "Importen er fullført: 3 nye, 0 oppdaterte og 0 uendrede tjenester." in response.content.decode()


def test_good_xlsx_is_imported_from_the_page(login, sf_vestland):
    response = login(sf_vestland).post(URL, upload(xlsx_bytes(GOOD_ROWS), "tjenester.xlsx"))
    assert response.status_code == 302
    assert ChildWelfareService.objects.count() == 3


def test_reimport_from_the_page_reports_unchanged(login, sf_vestland):
    client = login(sf_vestland)
    client.post(URL, upload(csv_bytes(GOOD_ROWS)))
    response = client.post(URL, upload(csv_bytes(GOOD_ROWS)), follow=True)
    assert "0 nye, 0 oppdaterte og 3 uendrede tjenester" in response.content.decode()
    assert ChildWelfareService.objects.count() == 3


def test_bad_file_lists_every_bad_row_on_the_page(login, sf_vestland, vestland_service):
    rows = [
        GOOD_ROWS[0],
        ("Ukjent", valid_orgnr(10), "9999", "", "", ""),
        ("Feil", "974760674", "4601", "", "", ""),
        ("Kopi", valid_orgnr(1), "4601", "", "", ""),
        ("Agder", valid_orgnr(11), "4204", "", "", ""),
    ]
    response = login(sf_vestland).post(URL, upload(csv_bytes(rows)))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Ingenting er importert. Filen har 4 feil:" in page
    assert "Linje 3: vertskommune: Ukjent kommunenummer «9999»." in page
    assert "Linje 4: orgnr: Organisasjonsnummeret 974760674 har feil kontrollsiffer (MOD11)." in page
    assert f"Linje 5: orgnr: Organisasjonsnummeret {valid_orgnr(1)} står også på linje 2 i filen." in page
    assert "Linje 6: vertskommune: Vertskommunen 4204 ligger ikke i Statsforvalteren i Vestland." in page
    assert 'class="ds-error-summary"' in page
    assert list(ChildWelfareService.objects.values_list("pk", flat=True)) == [vestland_service.pk]


def test_check_only_imports_nothing(login, sf_vestland):
    response = login(sf_vestland).post(URL, upload(csv_bytes(GOOD_ROWS), bare_kontroller="on"))

    assert response.status_code == 200
    assert "Filen er i orden: 3 nye, 0 oppdaterte og 0 uendrede tjenester. Ingenting er importert ennå." in (
        response.content.decode()
    )
    assert not ChildWelfareService.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "tjenester.csv", "Filen er tom."),
        (b"navn,orgnr,vertskommune\n", "tjenester.txt", "Filtypen støttes ikke. Last opp en CSV- eller XLSX-fil."),
        (b"navn,epost\nBergen,a@b.no\n", "tjenester.csv", "Filen mangler kolonnene: orgnr, vertskommune."),
        (b"navn,orgnr,vertskommune\n", "tjenester.csv", "Filen har ingen tjenester, bare overskriftsraden."),
        (b"PK\x03\x04 not really a zip", "tjenester.xlsx", "Filen kunne ikke leses."),
    ],
)
def test_bad_files_give_form_errors(login, sf_vestland, content, name, message):
    response = login(sf_vestland).post(URL, upload(content, name))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="ds-error-summary"' in page
    assert message in page
    assert response.context["form"].errors["fil"][0].startswith(message)
    assert not ChildWelfareService.objects.exists()


def test_missing_file_is_a_form_error(login, sf_vestland):
    response = login(sf_vestland).post(URL, {})
    assert response.status_code == 200
    assert response.context["form"].errors["fil"] == ["Feltet er påkrevet."]


def test_too_large_file_is_refused(login, sf_vestland):
    content = csv_bytes(GOOD_ROWS) + b"#" * (2 * 1024 * 1024)
    response = login(sf_vestland).post(URL, upload(content))
    assert response.context["form"].errors["fil"] == ["Filen er for stor (maks 2 MB)."]
    assert not ChildWelfareService.objects.exists()


@pytest.mark.parametrize("who", ["bufdir", "vestland_service_user", "partner_user"])
def test_import_page_is_refused_to_others(login, request, who):
    client = login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 403
    assert client.post(URL, upload(csv_bytes(GOOD_ROWS))).status_code == 403
    assert not ChildWelfareService.objects.filter(orgnr=valid_orgnr(1)).exists()


def test_import_page_requires_login(client, reference_data):
    response = client.post(URL, upload(csv_bytes(GOOD_ROWS)))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert not ChildWelfareService.objects.exists()
