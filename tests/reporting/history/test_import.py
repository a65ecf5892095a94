"""Import of historical allocations (reporting.services.allocations): the acceptance file reproduces the
published tables, re-import changes nothing, every kind of bad row is reported and nothing is imported."""

import datetime
import subprocess
import sys
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from grants.models import Award
from networks.models import LearningNetwork, NetworkStatus
from projects.models import DevelopmentProject
from reporting.selectors.national import published_rows
from reporting.services.allocations import import_allocations
from tests import factories

from .conftest import DATA, HEADER, csv_bytes, published, xlsx_bytes

pytestmark = pytest.mark.usefixtures("reference_data")


def counts() -> tuple[int, int, int]:
    return Award.objects.count(), LearningNetwork.objects.count(), DevelopmentProject.objects.count()


# --- acceptance on the published figures ------------------------------------------------------------


def test_history_file_imports_cleanly_and_reproduces_the_published_tables(history_bytes):
    report = import_allocations(None, history_bytes, "tildelinger-2021-2023.csv")
    assert report.ok, report.errors[:5]
    assert report.created == report.rows == 192
    assert report.changed == report.unchanged == 0
    for year, rows in published().items():
        produced = published_rows(year)
        assert produced[:-1] == rows, year  # every embete, every column, in the published order
        total = produced[-1]
        assert total["embete"] == "totalt"
        for column in ("egeninitierte_prosjekter", "fosterhjemsprosjekter", "prosjekter_totalt", "tildelt_kr"):
            assert total[column] == sum(r[column] for r in rows)
    # the figures from the domain description: 69, 52 and 69 projects; 32.5 MNOK in 2023
    assert [published_rows(y)[-1]["prosjekter_totalt"] for y in (2021, 2022, 2023)] == [69, 52, 69]
    assert published_rows(2023)[-1]["tildelt_kr"] == 32_500_000


def test_nordland_2023_is_money_without_projects(history_bytes):
    import_allocations(None, history_bytes, "h.csv")
    nordland = next(r for r in published_rows(2023) if r["embete"] == "nordland")
    assert nordland == {
        "aar": 2023,
        "embete": "nordland",
        "egeninitierte_prosjekter": 0,
        "fosterhjemsprosjekter": 0,
        "prosjekter_totalt": 0,
        "tildelt_kr": 2_700_000,
    }
    awards = Award.objects.filter(aar=2023, embete__slug="nordland")
    assert awards.count() == 2 and not awards.filter(prosjekt__isnull=False).exists()
    assert not awards.filter(nettverk__isnull=True).exists()


def test_reimporting_the_same_file_changes_nothing(history_bytes):
    import_allocations(None, history_bytes, "h.csv")
    before = counts()
    stamps = dict(Award.objects.values_list("pk", "endret"))
    events = AuditEvent.objects.count()
    report = import_allocations(None, history_bytes, "h.csv")
    assert report.ok
    assert (report.created, report.changed, report.unchanged) == (0, 0, 192)
    assert (report.networks_created, report.projects_created) == (0, 0)
    assert counts() == before
    assert dict(Award.objects.values_list("pk", "endret")) == stamps
    assert AuditEvent.objects.count() == events  # nothing happened, nothing to record


def test_history_files_are_current_and_identical():
    """tests/data and demo/data hold the same bytes, and the generator reproduces them."""
    test_copy = DATA / "tildelinger-2021-2023.csv"
    demo_copy = DATA.parents[1] / "demo" / "data" / "tildelinger-2021-2023.csv"
    assert test_copy.read_bytes() == demo_copy.read_bytes()
    result = subprocess.run(
        [sys.executable, str(DATA / "make_history.py"), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- what an import creates -----------------------------------------------------------------------


def test_networks_and_projects_are_created_once_and_matched_by_name_case_insensitively():
    data = csv_bytes(
        "2021,vestland,Nettverk Nord,Barnesamtalen,egeninitiert,100000",
        "2022,vestland,  nettverk   NORD ,barnesamtalen,egeninitiert,200000",
        "2022,vestland,Nettverk Nord,,fosterhjem,50000",
        "2022,agder,Nettverk Nord,Barnesamtalen,egeninitiert,70000",
    )
    report = import_allocations(None, data, "a.csv")
    assert report.ok, report.errors
    assert (report.created, report.networks_created, report.projects_created) == (4, 2, 2)
    network = LearningNetwork.objects.get(embete__slug="vestland")
    assert network.navn == "Nettverk Nord"
    assert network.status == NetworkStatus.AKTIV
    assert network.etablert_aar == 2021 and network.status_fra == datetime.date(2021, 1, 1)
    assert network.statushistorikk.get().status == NetworkStatus.AKTIV
    project = DevelopmentProject.objects.get(network=network)
    assert (project.navn, project.kategori) == ("Barnesamtalen", "egeninitiert")
    assert project.tildelinger.count() == 2
    # money without a project counts as money, not as a project
    vestland = next(r for r in published_rows(2022) if r["embete"] == "vestland")
    assert (vestland["prosjekter_totalt"], vestland["fosterhjemsprosjekter"], vestland["tildelt_kr"]) == (1, 0, 250_000)
    assert Award.objects.filter(kilde="import", vedtak__isnull=True, import_nokkel__isnull=False).count() == 4


def test_existing_network_of_the_embete_is_used():
    embete = factories.embete("innlandet")
    existing = LearningNetwork.objects.create(
        embete=embete, navn="Læringsnettverk Innlandet 1", etablert_aar=2018, status=NetworkStatus.PAUSE
    )
    report = import_allocations(None, csv_bytes("2021,innlandet,LÆRINGSNETTVERK INNLANDET 1,P,fosterhjem,1000"), "a")
    assert report.ok and report.networks_created == 0
    existing.refresh_from_db()
    assert existing.status == NetworkStatus.PAUSE and existing.etablert_aar == 2018  # left as it was
    assert Award.objects.get().nettverk == existing


def test_empty_network_is_money_to_the_embete():
    report = import_allocations(None, csv_bytes("2022,rogaland,,,fosterhjem,300000"), "a.csv")
    assert report.ok and report.networks_created == 0
    award = Award.objects.get()
    assert award.nettverk is None and award.prosjekt is None
    rogaland = next(r for r in published_rows(2022) if r["embete"] == "rogaland")
    assert (rogaland["prosjekter_totalt"], rogaland["tildelt_kr"]) == (0, 300_000)


def test_a_new_amount_updates_the_award_and_is_reported_as_changed():
    import_allocations(None, csv_bytes("2021,agder,N,P,fosterhjem,100000", "2021,agder,N,Q,fosterhjem,5"), "a")
    report = import_allocations(None, csv_bytes("2021,agder,N,P,fosterhjem,150000", "2021,agder,n,q,fosterhjem,5"), "a")
    assert (report.created, report.changed, report.unchanged) == (0, 1, 1)
    assert Award.objects.get(prosjekt__navn="P").belop == Decimal("150000")
    assert Award.objects.count() == 2
    event = AuditEvent.objects.filter(handling="tildelinger.importert").latest("pk")
    assert event.endringer["endrede"] == 1


def test_embete_by_old_name_current_name_or_slug_in_any_case():
    data = csv_bytes(
        "2021,Statsforvalteren i Oslo og Viken,N,P,egeninitiert,100",
        '2024,"statsforvalteren i østfold, buskerud, oslo og akershus",N,P,egeninitiert,200',
        "2022,OSTFOLD-BUSKERUD-OSLO-AKERSHUS,N,P,egeninitiert,300",
    )
    report = import_allocations(None, data, "a.csv")
    assert report.ok, report.errors
    assert set(Award.objects.values_list("embete__slug", flat=True)) == {"ostfold-buskerud-oslo-akershus"}
    assert LearningNetwork.objects.count() == 1
    # the key uses the slug, so the same row written with another name of the embete is the same award
    again = import_allocations(None, csv_bytes("2021,ostfold-buskerud-oslo-akershus,N,P,egeninitiert,100"), "b")
    assert (again.created, again.unchanged) == (0, 1)


def test_services_by_orgnr_and_by_name(vestland_service):
    other = factories.ServiceFactory(navn="Barneverntjenesten i Voss")
    header = HEADER + ",tjenester"
    line = f'2023,vestland,N,P,fosterhjem,1000,"{vestland_service.orgnr}; barneverntjenesten i voss"'
    report = import_allocations(None, csv_bytes(line, header=header), "a.csv")
    assert report.ok, report.errors
    assert set(Award.objects.get().tjenester.all()) == {vestland_service, other}
    # a changed list of services is a change
    report = import_allocations(None, csv_bytes(f"2023,vestland,N,P,fosterhjem,1000,{other.orgnr}", header=header), "a")
    assert (report.changed, report.unchanged) == (1, 0)
    assert list(Award.objects.get().tjenester.all()) == [other]


@pytest.mark.parametrize(
    "encoding,delimiter,bom", [("utf-8", ",", False), ("utf-8", ";", True), ("cp1252", ";", False)]
)
def test_csv_dialects(encoding, delimiter, bom):
    text = f"aar{delimiter}embete{delimiter}nettverk{delimiter}prosjekt{delimiter}kategori{delimiter}tildelt_kr\n"
    text += delimiter.join(["2021", "Statsforvalteren i Møre og Romsdal", "Nettverk Ørsta", "Æ", "fosterhjem", "1"])
    raw = text.encode(encoding)
    if bom:
        raw = b"\xef\xbb\xbf" + raw
    report = import_allocations(None, raw, "a.csv")
    assert report.ok, report.errors
    assert LearningNetwork.objects.get().navn == "Nettverk Ørsta"


def test_xlsx_with_numbers_as_numbers():
    raw = xlsx_bytes(
        [HEADER.split(","), [2021, "trondelag", "Læringsnettverk Fosen", "Medvirkning", "egeninitiert", 350000.0], []]
    )
    report = import_allocations(None, raw, "a.xlsx")
    assert report.ok, report.errors
    assert Award.objects.get().belop == Decimal("350000")


def test_dry_run_writes_nothing_but_reports_what_would_happen(history_bytes):
    report = import_allocations(None, history_bytes, "h.csv", dry_run=True)
    assert report.ok and report.created == 192 and report.networks_created > 0
    assert counts() == (0, 0, 0)
    assert len(report.totals) == 30  # ten embeter × three years, for the preview
    assert report.preview[0]["linje"] == 2 and report.preview[0]["status"] == "ny"


# --- bad rows -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line,message",
    [
        ("2021,oslo,N,P,fosterhjem,1000", "Ukjent embete «oslo»."),
        (",vestland,N,P,fosterhjem,1000", "aar mangler."),
        ("20x1,vestland,N,P,fosterhjem,1000", "aar «20x1» er ikke et gyldig år"),
        ("1999,vestland,N,P,fosterhjem,1000", "aar «1999» er ikke et gyldig år"),
        ("2021,vestland,N,P,barnehage,1000", "Ugyldig kategori «barnehage»: bruk egeninitiert eller fosterhjem."),
        ("2021,vestland,N,P,,1000", "kategori mangler."),
        ("2021,vestland,N,P,fosterhjem,-500", "tildelt_kr kan ikke være negativt."),
        ("2021,vestland,N,P,fosterhjem,mye", "tildelt_kr «mye» er ikke et tall i hele kroner."),
        ("2021,vestland,N,P,fosterhjem,", "tildelt_kr mangler."),
        ("2021,,N,P,fosterhjem,1000", "embete mangler."),
        ("2021,vestland,,P,fosterhjem,1000", "Prosjektet «P» mangler nettverk"),
        ("2021,vestland,N,P,egeninitiert,1000\n2021,vestland,n,p,egeninitiert,2000", "Dublett"),
        ("2021,vestland,N,P,egeninitiert,1000\n2022,vestland,N,P,fosterhjem,2000", "har kategori egeninitiert"),
    ],
)
def test_each_bad_row_is_reported_and_nothing_is_imported(line, message):
    good = "2021,agder,Nettverk,Prosjekt,fosterhjem,1000"
    report = import_allocations(None, csv_bytes(good, line), "a.csv")
    assert not report.ok
    bad_line = 3 + line.count("\n")
    assert any(n == bad_line and message in text for n, text in report.errors), report.errors
    assert counts() == (0, 0, 0)
    assert not AuditEvent.objects.filter(handling="tildelinger.importert").exists()


def test_unknown_service_is_a_bad_row(vestland_service):
    header = HEADER + ",tjenester"
    report = import_allocations(
        None, csv_bytes("2021,vestland,N,P,fosterhjem,1,Barnevernet i Atlantis;999999999", header=header), "a"
    )
    assert report.errors == [
        (2, "Ukjent tjeneste «Barnevernet i Atlantis»."),
        (2, "Ukjent tjeneste med organisasjonsnummer 999999999."),
    ]
    report = import_allocations(
        None, csv_bytes(f"2021,agder,N,P,fosterhjem,1,{vestland_service.orgnr}", header=header), "a"
    )
    assert report.errors == [(2, f"Tjenesten «{vestland_service.orgnr}» hører til et annet embete.")]
    assert counts() == (0, 0, 0)


def test_missing_columns_are_reported_on_line_1():
    report = import_allocations(None, b"aar,embete,nettverk,tildelt_kr\n2021,agder,N,100\n", "a.csv")
    assert report.errors == [(1, "Filen mangler kolonnene: prosjekt, kategori.")]


def test_every_bad_row_is_listed_with_its_line_number():
    data = csv_bytes(
        "2021,agder,N,P,fosterhjem,1000",
        "2021,narnia,N,P,fosterhjem,1000",
        "2021,agder,N,Q,fosterhjem,-1",
        "",
        "2021,agder,N,R,sport,1",
    )
    report = import_allocations(None, data, "a.csv")
    assert [n for n, _m in report.errors] == [3, 4, 6]
    assert counts() == (0, 0, 0)


def test_a_project_registered_with_another_category_is_a_bad_row():
    import_allocations(None, csv_bytes("2021,agder,N,P,fosterhjem,1000"), "a")
    report = import_allocations(None, csv_bytes("2022,agder,N,P,egeninitiert,1000"), "b")
    assert report.errors == [
        (2, "Prosjektet «P» er registrert med kategori fosterhjem i Læringsnett, men raden sier egeninitiert.")
    ]
    assert Award.objects.count() == 1


def test_unreadable_and_empty_files():
    assert import_allocations(None, b"", "a.csv").errors == [(0, "Filen er tom.")]
    assert import_allocations(None, b"PK\x03\x04garbage", "a.xlsx").errors[0][0] == 0
    assert import_allocations(None, (HEADER + "\n").encode(), "a.csv").errors == [
        (0, "Filen har ingen rader med tildelinger, bare overskriftsraden.")
    ]


# --- efficiency -----------------------------------------------------------------------------------


def _rows(n: int, year: int) -> bytes:
    return csv_bytes(*(f"{year},vestland,Nettverk {i % 7},Prosjekt {i},fosterhjem,{1000 + i}" for i in range(n)))


def _selects(context) -> int:
    return sum(1 for q in context.captured_queries if q["sql"].startswith("SELECT"))


def test_no_per_row_queries():
    """Lookups are loaded once (a fixed number of SELECTs); writes are bulk inserts, many rows per query."""
    with CaptureQueriesContext(connection) as small:
        assert import_allocations(None, _rows(20, 2020), "a").ok
    with CaptureQueriesContext(connection) as large:
        assert import_allocations(None, _rows(1000, 2021), "b").ok
    assert _selects(large) == _selects(small) == 5
    assert len(large) < 40  # 1000 awards and 1000 projects: a few batched INSERTs each (SQLite: 999 parameters)
