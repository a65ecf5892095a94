"""The stable command-line interfaces: import_allocations and export_national_summary (docs/interfaces.md).
Run as from the shell (execute_from_command_line), so the exit codes are the real ones."""

import csv
import io
import json
from unittest import mock

import pytest
from django.core.management import execute_from_command_line
from openpyxl import load_workbook

from grants.models import Award
from networks.models import LearningNetwork

from .conftest import HISTORY_FILE, PUBLISHED_FILE, csv_bytes, published

pytestmark = pytest.mark.usefixtures("reference_data")


def run(*args) -> int:
    """The exit code of `python manage.py ARGS`. run_from_argv closes every database connection when it ends,
    which on PostgreSQL would drop the test's transaction; here the test keeps its connection."""
    with mock.patch("django.core.management.base.connections.close_all"):
        try:
            execute_from_command_line(["manage.py", *map(str, args)])
        except SystemExit as exc:
            return exc.code
    return 0


@pytest.fixture
def imported(reference_data):
    assert run("import_allocations", HISTORY_FILE) == 0


def test_import_prints_a_norwegian_summary_and_reimport_changes_nothing(capsys):
    assert run("import_allocations", HISTORY_FILE) == 0
    out = capsys.readouterr().out
    assert "Import av tildelinger-2021-2023.csv fullført: 192 rader." in out
    assert "Tildelinger: 192 nye, 0 endrede, 0 uendrede." in out
    assert "Nettverk opprettet: 23. Prosjekter opprettet: 126." in out
    assert run("import_allocations", HISTORY_FILE) == 0
    assert "Tildelinger: 0 nye, 0 endrede, 192 uendrede." in capsys.readouterr().out
    assert Award.objects.count() == 192


def test_dry_run_imports_nothing(capsys):
    assert run("import_allocations", HISTORY_FILE, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "Kontroll uten import av tildelinger-2021-2023.csv: 192 rader." in out
    assert "Ingenting er importert (--dry-run)." in out
    assert Award.objects.count() == 0 and LearningNetwork.objects.count() == 0


def test_bad_rows_exit_1_with_every_row_listed(tmp_path, capsys):
    path = tmp_path / "feil.csv"
    path.write_bytes(
        csv_bytes("2021,agder,N,P,fosterhjem,1", "2021,Narnia,N,P,fosterhjem,1", "2021,agder,N,Q,fosterhjem,-5")
    )
    assert run("import_allocations", path) == 1
    err = capsys.readouterr().err
    assert "Linje 3: Ukjent embete «Narnia»." in err
    assert "Linje 4: tildelt_kr kan ikke være negativt." in err
    assert "Ingenting er importert: 2 feil i filen." in err
    assert Award.objects.count() == 0
    assert run("import_allocations", path, "--dry-run") == 1


def test_missing_file_exits_2(tmp_path, capsys):
    assert run("import_allocations", tmp_path / "finnes-ikke.csv") == 2
    assert "Kan ikke lese" in capsys.readouterr().err


@pytest.mark.usefixtures("imported")
def test_export_csv_to_stdout_equals_the_published_table(capsys):
    published_file = PUBLISHED_FILE
    published_lines = published_file.read_text(encoding="utf-8").splitlines()
    for year in (2021, 2022, 2023):
        capsys.readouterr()
        assert run("export_national_summary", "--year", year) == 0
        lines = capsys.readouterr().out.splitlines()
        assert lines[0] == published_lines[0]
        assert lines[1:-1] == [line for line in published_lines[1:] if line.startswith(f"{year},")]
        assert lines[-1].startswith(f"{year},totalt,")
    assert lines[-1] == "2023,totalt,37,32,69,32500000"


@pytest.mark.usefixtures("imported")
def test_export_json_and_csv_file(tmp_path, capsys):
    assert run("export_national_summary", "--year", 2022, "--format", "json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[:-1] == published()[2022]
    assert rows[-1] == {
        "aar": 2022,
        "embete": "totalt",
        "egeninitierte_prosjekter": 26,
        "fosterhjemsprosjekter": 26,
        "prosjekter_totalt": 52,
        "tildelt_kr": 32_800_000,
    }
    out = tmp_path / "2021.csv"
    assert run("export_national_summary", "--year", 2021, "--output", out) == 0
    with open(out, encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == 11


@pytest.mark.usefixtures("imported")
def test_export_xlsx_needs_output(tmp_path, capsys):
    assert run("export_national_summary", "--year", 2023, "--format", "xlsx") == 2
    assert "XLSX krever --output FIL." in capsys.readouterr().err
    out = tmp_path / "2023.xlsx"
    assert run("export_national_summary", "--year", 2023, "--format", "xlsx", "--output", out) == 0
    sheet = load_workbook(io.BytesIO(out.read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "aar",
        "embete",
        "egeninitierte_prosjekter",
        "fosterhjemsprosjekter",
        "prosjekter_totalt",
        "tildelt_kr",
    )
    assert rows[4] == (2023, "nordland", 0, 0, 0, 2_700_000)
    assert rows[-1] == (2023, "totalt", 37, 32, 69, 32_500_000)


def test_export_of_a_year_without_awards_has_zero_rows(capsys):
    assert run("export_national_summary", "--year", 2019) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 12 and lines[1] == "2019,agder,0,0,0,0" and lines[-1] == "2019,totalt,0,0,0,0"


def test_export_wrong_arguments_exit_2(capsys):
    assert run("export_national_summary", "--year", 1850) == 2
    assert run("export_national_summary") == 2  # --year is required
    assert run("export_national_summary", "--year", 2023, "--format", "pdf") == 2
