"""A missing or malformed reference file: a Norwegian CommandError naming the file, the line and the fix, and
nothing loaded (one transaction)."""

import io
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from organisations.models import Embete, EmbeteNavn, Fylke, Kommune, Partner
from organisations.reference_data import ReferenceDataError, load_reference_data

FIX = "Rett filen, eller angi en annen mappe med --data-dir"
HEADER = "kommunenummer,kommunenavn,fylkesnummer,fylke,embete"


def source_lines() -> list[str]:
    return (Path(settings.REFERENCE_DATA_DIR) / "kommuner.csv").read_text(encoding="utf-8").splitlines()


def data_dir(tmp_path: Path, kommuner: list[str] | None = None, embeter: str | None = None) -> Path:
    """A copy of the project's files; kommuner replaces kommuner.csv's lines (line 1 is the header)."""
    source = Path(settings.REFERENCE_DATA_DIR)
    if embeter is None:
        shutil.copy(source / "embeter.csv", tmp_path / "embeter.csv")
    else:
        (tmp_path / "embeter.csv").write_text(embeter, encoding="utf-8")
    (tmp_path / "kommuner.csv").write_text("\n".join(kommuner or source_lines()) + "\n", encoding="utf-8")
    return tmp_path


def with_line(number: int, text: str) -> list[str]:
    """The project's kommuner.csv with line `number` (1 = header) replaced."""
    lines = source_lines()
    lines[number - 1] = text
    return lines


def load_error(path: Path) -> str:
    with pytest.raises(CommandError) as exc:
        call_command("load_reference_data", "--data-dir", str(path), stdout=io.StringIO())
    return str(exc.value)


def counts() -> tuple:
    return tuple(m.objects.count() for m in (Embete, EmbeteNavn, Fylke, Kommune, Partner))


@pytest.mark.django_db
def test_missing_file_is_named_with_the_fix(tmp_path):
    shutil.copy(Path(settings.REFERENCE_DATA_DIR) / "embeter.csv", tmp_path / "embeter.csv")

    message = load_error(tmp_path)

    assert f"Fant ikke kommuner.csv i {tmp_path}." in message
    assert "Referansedataene er ikke lastet; ingenting er endret." in message
    assert FIX in message
    assert counts() == (0, 0, 0, 0, 0)  # not even the embeter, which were fine


@pytest.mark.django_db
def test_missing_column_names_the_header_line(tmp_path):
    lines = [line.rsplit(",", 1)[0] for line in source_lines()]  # the embete column removed everywhere

    message = load_error(data_dir(tmp_path, lines))

    assert "kommuner.csv, linje 1: mangler kolonnen «embete»" in message
    assert "kommunenummer,kommunenavn,fylkesnummer,fylke" in message  # what the header has
    assert FIX in message
    assert counts() == (0, 0, 0, 0, 0)


@pytest.mark.django_db
def test_missing_column_in_embeter(tmp_path):
    embeter = (Path(settings.REFERENCE_DATA_DIR) / "embeter.csv").read_text(encoding="utf-8")
    embeter = embeter.replace("embete,navn,navn_2019_2023,", "embete,navn,", 1)

    message = load_error(data_dir(tmp_path, embeter=embeter))

    assert "embeter.csv, linje 1: mangler kolonnen «navn_2019_2023»" in message
    assert counts() == (0, 0, 0, 0, 0)


@pytest.mark.django_db
def test_empty_file(tmp_path):
    message = load_error(data_dir(tmp_path, [""]))
    assert "kommuner.csv, linje 1: filen er tom." in message


@pytest.mark.django_db
def test_header_only(tmp_path):
    message = load_error(data_dir(tmp_path, [HEADER]))
    assert "kommuner.csv: har bare overskriften, ingen data." in message


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("4601,,46,Vestland,vestland", "kommuner.csv, linje 12: mangler verdi i kolonnen «kommunenavn»."),
        ("4601,Bergen,46,Vestland", "kommuner.csv, linje 12: mangler verdi i kolonnen «embete»."),  # short line
        (
            "4601,Bergen,46,Vestland,narnia",
            "kommuner.csv, linje 12: ukjent embete «narnia»: det finnes ikke i embeter.csv.",
        ),
        ("9901,Atlantis,99,Havet,vestland", "kommuner.csv, linje 12: ukjent fylke «99»"),
        (
            "301,Oslo,03,Oslo,ostfold-buskerud-oslo-akershus",
            "kommunenummeret «301» skal være fire siffer, f.eks. 0301 (en ledende null",
        ),
        ("46011,Bergen,46,Vestland,vestland", "kommuner.csv, linje 12: kommunenummeret «46011» skal være fire siffer"),
        ("46A1,Bergen,46,Vestland,vestland", "kommuner.csv, linje 12: kommunenummeret «46A1» skal være fire siffer"),
        ("4601,Bergen,6,Vestland,vestland", "kommuner.csv, linje 12: fylkesnummeret «6» skal være to siffer"),
        ("4601,Bergen,42,Agder,agder", "kommuner.csv, linje 12: kommunenummer 4601 hører ikke til fylke 42"),
        ("4601,Bergen,46,Vestland,agder", "kommuner.csv, linje 12: fylke 46 hører til embetet «vestland»"),
        (
            "0301,Oslo,03,Oslo,ostfold-buskerud-oslo-akershus",
            "kommuner.csv, linje 12: kommunenummer 0301 står også på linje 2.",
        ),
        ("4601,Bergen,46,Vestland,vestland,ekstra", "kommuner.csv, linje 12: har 6 felt, men overskriften har 5."),
        ("1101,Eigersund,11,Rogland,rogaland", "kommuner.csv, linje 12: fylke 11 heter «Rogaland» på linje 3"),
    ],
)
def test_malformed_line_is_named_and_nothing_changes(reference_data, tmp_path, line, expected):
    before = counts()
    # line 2 renames Oslo (a valid change): it must not be half-loaded
    lines = with_line(12, line)
    lines[1] = "0301,Oslo by,03,Oslo,ostfold-buskerud-oslo-akershus"

    message = load_error(data_dir(tmp_path, lines))

    assert expected in message
    assert message.rstrip().endswith("(standard: organisations/data i prosjektet).")
    assert FIX in message
    assert counts() == before
    assert Kommune.objects.get(nummer="0301").navn == "Oslo - Oslove"


@pytest.mark.django_db
def test_every_problem_is_listed(tmp_path):
    lines = with_line(5, "11,Eigersund,11,Rogaland,rogaland")
    lines[9] = "1111,Sokndal,11,Rogaland,"

    message = load_error(data_dir(tmp_path, lines))

    assert "kommuner.csv, linje 5: kommunenummeret «11» skal være fire siffer" in message
    assert "kommuner.csv, linje 10: mangler verdi i kolonnen «embete»." in message
    assert counts() == (0, 0, 0, 0, 0)


@pytest.mark.django_db
def test_names_too_long_for_the_register_are_named_by_line(tmp_path):
    """Issue 20: the pre_save length check covers organisations; a too long name in a file is a line error
    before anything is written, not a crash halfway."""
    lines = with_line(3, f"1101,{'E' * 101},11,Rogaland,rogaland")
    embeter = (Path(settings.REFERENCE_DATA_DIR) / "embeter.csv").read_text(encoding="utf-8")
    embeter = embeter.replace("rogaland,Statsforvalteren i Rogaland,", f"rogaland,{'R' * 201},", 1)

    message = load_error(data_dir(tmp_path, lines, embeter=embeter))

    assert "kommuner.csv, linje 3: «kommunenavn» er 101 tegn; registeret tar høyst 100." in message
    assert "embeter.csv, linje 7: «navn» er 201 tegn; registeret tar høyst 200." in message
    assert counts() == (0, 0, 0, 0, 0)


@pytest.mark.django_db
def test_bad_embete_lines(tmp_path):
    embeter = (Path(settings.REFERENCE_DATA_DIR) / "embeter.csv").read_text(encoding="utf-8")
    embeter = embeter.replace(
        "rogaland,Statsforvalteren i Rogaland,Statsforvalteren i Rogaland,Statsforvaltaren i Rogaland,"
        "Statsforvaltaren i Rogaland,11",
        "Rogaland!,X,Y,X,Y,11",
    )
    embeter = embeter.replace("Statsforvaltaren i Trøndelag,50", "Statsforvaltaren i Trøndelag,42")

    message = load_error(data_dir(tmp_path, embeter=embeter))

    assert "embeter.csv, linje 7: kortnavnet «Rogaland!» kan bare ha små bokstaver" in message
    assert "embeter.csv, linje 9: fylke 42 er allerede knyttet til et embete på linje 2." in message
    assert counts() == (0, 0, 0, 0, 0)


@pytest.mark.django_db
def test_file_that_is_not_utf8(tmp_path):
    path = data_dir(tmp_path)
    lines = source_lines()
    raw = (
        "\n".join(lines[:40]).encode()
        + b"\n"
        + "3201,Bærum,32,Akershus,ostfold-buskerud-oslo-akershus".encode("latin-1")
    )
    (path / "kommuner.csv").write_bytes(raw + b"\n")

    message = load_error(path)

    assert "kommuner.csv, linje 41: filen er ikke UTF-8. Lagre den som CSV (UTF-8)." in message


@pytest.mark.django_db
def test_file_from_excel_with_bom_loads(tmp_path):
    path = data_dir(tmp_path)
    (path / "kommuner.csv").write_bytes(b"\xef\xbb\xbf" + (path / "kommuner.csv").read_bytes())
    call_command("load_reference_data", "--data-dir", str(path), stdout=io.StringIO())
    assert Kommune.objects.count() == 357


@pytest.mark.django_db
def test_bad_date_column(tmp_path):
    lines = [line + ",2027-01-01" for line in source_lines()]
    lines[0] = HEADER + ",gyldig_fra"
    lines[20] = lines[20].replace("2027-01-01", "2027-13-01")

    message = load_error(data_dir(tmp_path, lines))

    assert "kommuner.csv, linje 21: «2027-13-01» i kolonnen «gyldig_fra» er ikke en dato (ÅÅÅÅ-MM-DD)." in message


@pytest.mark.django_db
def test_bad_gyldig_fra_option():
    with pytest.raises(CommandError, match="«1.1.2027» er ikke en dato; skriv ÅÅÅÅ-MM-DD"):
        call_command("load_reference_data", "--gyldig-fra", "1.1.2027", stdout=io.StringIO())


@pytest.mark.django_db
def test_the_service_raises_reference_data_error(tmp_path):
    path = data_dir(tmp_path, with_line(3, "1101,Eigersund,11,Rogaland,narnia"))
    with pytest.raises(ReferenceDataError) as exc:
        load_reference_data(path / "embeter.csv", path / "kommuner.csv")
    assert exc.value.errors == ["kommuner.csv, linje 3: ukjent embete «narnia»: det finnes ikke i embeter.csv."]
