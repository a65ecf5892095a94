"""Packed files: zip bombs, XML bombs and oversized sheets in every upload (issue 20, item 1).

The hostile files come from tests/security/hostile/ (README.md there says what each one is). Each test shows the
attack is refused with a Norwegian message naming why, that nothing was stored, and that memory stays low while
the file is checked (tracemalloc peak, which counts every Python allocation, also the output of zlib and bz2)."""

import io
import random
import time
import tomllib
import tracemalloc
import zipfile
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import openpyxl
import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from common.uploads import validate_document
from grants.models import Award
from organisations.models import ChildWelfareService
from organisations.services import ImportFileError, read_dataset
from reporting.services import allocations
from reporting.tasks import import_allocations_task
from tests.networks.conftest import docx_bytes, odt_bytes, upload
from tests.reporting.history.test_commands import run

from .conftest import client_for
from .hostile import generate as hostile
from .test_uploads import MODELS, upload_via

PACKED = "Filen er pakket på en måte vi ikke godtar"
XML_DEFS = "Filen inneholder XML med egne definisjoner (DOCTYPE eller ENTITY)"
MAX_PEAK = 20 * 1024 * 1024
NBSP = "\u00a0"


@contextmanager
def peak_memory():
    """{"peak": bytes} – the most memory Python allocated inside the block."""
    box = {}
    tracemalloc.start()
    try:
        yield box
    finally:
        box["peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


def messages_of(exc) -> str:
    return " ".join(exc.value.messages)


# --- documents: attachments, network documents, minutes, outputs --------------------------------------------------

HOSTILE_DOCUMENTS = [
    # the attack of the issue: 300 MB of zeros in the ODT `mimetype` entry, bzip2, 655 bytes
    ("odt-bzip2-mimetype-300mb.odt", "komprimeringsmetode"),
    ("odt-deflate-mimetype-50mb.odt", "komprimert uvanlig hardt"),
    ("docx-deflate-document-50mb.docx", "komprimert uvanlig hardt"),
    ("docx-bzip2.docx", "komprimeringsmetode"),
    ("docx-lzma.docx", "komprimeringsmetode"),
    ("docx-encrypted.docx", "kryptert"),
]


@pytest.mark.parametrize("kind", ["document", "attachment", "output"])
@pytest.mark.parametrize("name, reason", HOSTILE_DOCUMENTS)
def test_packed_documents_are_refused_before_anything_is_unpacked(w, kind, name, reason):
    before = MODELS[kind].objects.count()
    fil = upload(name, hostile.load(name))
    with peak_memory() as memory, pytest.raises(ValidationError) as refused:
        upload_via(kind, w, fil)
    message = messages_of(refused)
    assert PACKED in message and reason in message, message
    assert MODELS[kind].objects.count() == before
    assert memory["peak"] < MAX_PEAK, memory["peak"]


def test_minutes_of_a_gathering_are_refused_and_no_gathering_is_made(w):
    from networks import services as network_services
    from networks.models import Gathering, NetworkDocument

    gatherings, documents = Gathering.objects.count(), NetworkDocument.objects.count()
    name = "odt-bzip2-mimetype-300mb.odt"
    with peak_memory() as memory, pytest.raises(ValidationError) as refused:
        network_services.create_gathering(
            w.users["sf"],
            w.network,
            tittel="Samling",
            dato=w.network.status_fra,
            format="digital",
            referat=upload(name, hostile.load(name)),
        )
    assert PACKED in messages_of(refused)
    assert (Gathering.objects.count(), NetworkDocument.objects.count()) == (gatherings, documents)
    assert memory["peak"] < MAX_PEAK, memory["peak"]


def test_the_zip_limits_on_entries_and_total_size(settings):
    many = hostile.docx_many_entries(20_000)  # 1.8 MB: twenty thousand empty entries
    with peak_memory() as memory, pytest.raises(ValidationError) as refused:
        validate_document(upload("mange.docx", many))
    assert PACKED in messages_of(refused) and "for mange deler" in messages_of(refused)
    assert memory["peak"] < MAX_PEAK, memory["peak"]  # refused from the end record, before reading the entries

    settings.UPLOAD_ZIP_MAX_UNCOMPRESSED = 1024 * 1024
    overlapping = hostile.docx_overlapping_sizes(count=20, each=100 * 1024)  # 2 MB, stored: ratio 1:1
    with pytest.raises(ValidationError) as refused:
        validate_document(upload("stor.docx", overlapping))
    assert PACKED in messages_of(refused) and "pakkes ut" in messages_of(refused)
    assert f"1,0{NBSP}MB" in messages_of(refused)


def test_sniffing_reads_only_a_few_bytes_of_the_odt_mimetype():
    """A 4 MB `mimetype` entry, stored without compression: nothing is refused for packing, but only its first
    bytes are read (before: the whole entry was read into memory)."""
    fil = upload("stor.odt", hostile.odt_big_stored_mimetype(4 * 1024 * 1024))
    with peak_memory() as memory, pytest.raises(ValidationError) as refused:
        validate_document(fil)
    assert "Innholdet i filen stemmer ikke med filtypen" in messages_of(refused)
    assert memory["peak"] < 512 * 1024, memory["peak"]


def test_ordinary_documents_with_text_and_images_are_still_accepted():
    words = [f"ord{i}" for i in range(2000)]
    rng = random.Random(20)
    text = " ".join(rng.choice(words) for _ in range(400_000))  # ~3 MB of text, deflates ~3:1
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_bytes())) as source, zipfile.ZipFile(buffer, "w") as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = f'<?xml version="1.0"?><w:document><w:t>{text}</w:t></w:document>'.encode()
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("word/media/image1.png", rng.randbytes(500_000), compress_type=zipfile.ZIP_STORED)
    assert validate_document(upload("rapport.docx", buffer.getvalue())).extension == "docx"
    assert validate_document(upload("referat.odt", odt_bytes())).extension == "odt"


# --- the allocation import (Bufdir; web check, Celery task, command) ----------------------------------------------

HOSTILE_WORKBOOKS = [
    ("xlsx-billion-laughs.xlsx", XML_DEFS),
    ("xlsx-billion-laughs-shared-strings.xlsx", XML_DEFS),
    ("xlsx-quadratic-blowup.xlsx", XML_DEFS),
    ("xlsx-external-entity.xlsx", XML_DEFS),
    ("xlsx-deflate-shared-strings-50mb.xlsx", f"{PACKED}: den blir for stor når den pakkes ut (over 50,0"),
    ("xlsx-bzip2-sheet.xlsx", f"{PACKED}: den bruker en komprimeringsmetode"),
    ("xlsx-row-number-jump.xlsx", "Filen har for mange rader: over "),
    ("xlsx-wide-row.xlsx", "Filen har for mange kolonner: over 50."),
]


def pending_files() -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / allocations.PENDING_DIR
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize("name, message", HOSTILE_WORKBOOKS)
def test_allocation_check_refuses_hostile_workbooks_with_low_memory(w, name, message):
    with peak_memory() as memory:
        report = allocations.import_allocations(w.users["bufdir"], hostile.load(name), name, dry_run=True)
    assert not report.ok
    assert len(report.errors) == 1 and report.errors[0][0] == 0
    assert message in report.errors[0][1], report.errors
    assert memory["peak"] < MAX_PEAK, memory["peak"]


@pytest.mark.parametrize("name, message", HOSTILE_WORKBOOKS)
def test_allocation_upload_refuses_hostile_workbooks_and_keeps_nothing(w, name, message):
    files, awards = pending_files(), Award.objects.count()
    client = client_for(w, "bufdir")
    response = client.post(
        reverse("reporting:allocations_upload"), {"fil": SimpleUploadedFile(name, hostile.load(name))}
    )
    assert response.status_code == 200  # the form again, with the reason
    assert message.replace("«", "&laquo;") in response.content.decode() or message in response.content.decode()
    assert pending_files() == files
    assert Award.objects.count() == awards


def test_a_forged_sheet_dimension_is_ignored_and_the_real_rows_are_read(w):
    """The sheet claims A1:XFD1048576 but has two rows. openpyxl pads every row to the claimed 16 384 columns, so
    the column limit would refuse an honest file with a stale <dimension>: a dimension over the limits is ignored
    and the rows that are there are read."""
    raw = hostile.load("xlsx-forged-dimension.xlsx")
    started = time.perf_counter()
    with peak_memory() as memory:
        report = allocations.import_allocations(w.users["bufdir"], raw, "dim.xlsx", dry_run=True)
    assert report.ok, report.errors
    assert report.rows == 1 and report.created == 1
    assert time.perf_counter() - started < 5
    assert memory["peak"] < MAX_PEAK, memory["peak"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_300000_rows_are_refused_quickly_naming_the_limit(w, fmt):
    raw = hostile.xlsx_many_rows(300_000) if fmt == "xlsx" else hostile.csv_many_rows(300_000)
    started = time.perf_counter()
    report = allocations.import_allocations(w.users["bufdir"], raw, f"mange.{fmt}", dry_run=True)
    elapsed = time.perf_counter() - started
    assert report.errors == [
        (0, f"Filen har for mange rader: over 20{NBSP}000. Del den opp i filer med høyst 20{NBSP}000 rader hver.")
    ]
    assert elapsed < 5, elapsed  # before: 73 s of CPU in the web process


def test_300000_rows_through_the_upload_page(w):
    client = client_for(w, "bufdir")
    raw = hostile.xlsx_many_rows(300_000)
    files = pending_files()  # the world has one pending import of its own
    started = time.perf_counter()
    response = client.post(reverse("reporting:allocations_upload"), {"fil": SimpleUploadedFile("mange.xlsx", raw)})
    assert time.perf_counter() - started < 5
    assert response.status_code == 200
    assert f"Filen har for mange rader: over 20{NBSP}000" in response.content.decode()
    assert pending_files() == files


def test_the_row_limit_is_a_setting_and_the_command_can_raise_it(w, settings, capsys, tmp_path):
    settings.ALLOCATION_IMPORT_MAX_ROWS = 2
    path = tmp_path / "tre.csv"
    path.write_text(
        "aar,embete,nettverk,prosjekt,kategori,tildelt_kr\n"
        + "".join(f"2022,vestland,Nettverk K,Prosjekt {i},fosterhjem,1000\n" for i in range(3))
    )
    assert run("import_allocations", path, "--dry-run") == 1
    assert "Filen har for mange rader: over 2." in capsys.readouterr().err
    assert run("import_allocations", path, "--dry-run", "--maks-rader", "3") == 0
    assert "Kontroll uten import av tre.csv: 3 rader." in capsys.readouterr().out


def test_reading_stops_at_the_time_limit(w, settings):
    settings.IMPORT_MAX_SECONDS = 0  # any file takes longer than that
    raw = hostile.xlsx(hostile.sheet_rows(hostile.allocation_rows(3000)))
    report = allocations.import_allocations(w.users["bufdir"], raw, "treg.xlsx", dry_run=True)
    assert report.errors and "Filen tok for lang tid å lese" in report.errors[0][1], report.errors


def test_the_import_task_runs_with_a_time_limit_and_reports_when_stopped(w, tmp_path):
    assert import_allocations_task.soft_time_limit == settings.ALLOCATION_IMPORT_SOFT_TIME_LIMIT
    assert import_allocations_task.time_limit > import_allocations_task.soft_time_limit
    stored = tmp_path / "fil.csv"
    stored.write_bytes(b"aar,embete,nettverk,prosjekt,kategori,tildelt_kr\n")
    allocations.set_state(
        "a" * 32, {"user_id": w.users["bufdir"].pk, "filename": "fil.csv", "path": str(stored), "status": "i_ko"}
    )
    awards = Award.objects.count()
    with mock.patch.object(allocations, "import_allocations", side_effect=SoftTimeLimitExceeded()):
        result = import_allocations_task.run("a" * 32)
    assert result["status"] == "feilet"
    state = allocations.get_state("a" * 32)
    [(line, message)] = state["report"]["errors"]
    assert message.startswith("Importen tok for lang tid og ble stoppet") and "Ingenting er importert" in message
    assert not stored.exists() and Award.objects.count() == awards


# --- the service import (statsforvalter; synchronous) -------------------------------------------------------------


@pytest.mark.parametrize("name, message", HOSTILE_WORKBOOKS)
def test_service_import_refuses_hostile_workbooks_with_low_memory(w, name, message):
    message = message.replace("over 20", "over 2")
    with peak_memory() as memory, pytest.raises(ImportFileError) as refused:
        read_dataset(io.BytesIO(hostile.load(name)), name)
    assert message in messages_of(refused), messages_of(refused)
    assert memory["peak"] < MAX_PEAK, memory["peak"]


@pytest.mark.parametrize("name", ["xlsx-billion-laughs.xlsx", "xlsx-deflate-shared-strings-50mb.xlsx"])
def test_service_import_page_saves_nothing(w, name):
    before = ChildWelfareService.objects.count()
    client = client_for(w, "sf")
    response = client.post(
        reverse("organisations:service_import"), {"fil": SimpleUploadedFile(name, hostile.load(name))}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Filen er pakket på en måte vi ikke godtar" in html or "Filen inneholder XML" in html
    assert ChildWelfareService.objects.count() == before


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_service_import_of_200000_rows_is_refused_quickly(w, fmt):
    raw = hostile.xlsx_many_rows(200_000) if fmt == "xlsx" else hostile.csv_many_rows(200_000)
    assert len(raw) < 2 * 1024 * 1024  # gets past the form's size limit
    started = time.perf_counter()
    with pytest.raises(ImportFileError) as refused:
        read_dataset(io.BytesIO(raw), f"tjenester.{fmt}")
    assert time.perf_counter() - started < 5
    assert messages_of(refused) == (
        f"Filen har for mange rader: over 2{NBSP}000. Del den opp i filer med høyst 2{NBSP}000 rader hver."
    )


def test_service_import_still_reads_an_ordinary_workbook(w):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["navn", "orgnr", "vertskommune", "kommuner", "epost", "aktiv"])
    sheet.append(["Barnevern A", "974760673", "4601", "4601", "", "ja"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    dataset = read_dataset(io.BytesIO(buffer.getvalue()), "t.xlsx")
    assert dataset.headers == ["navn", "orgnr", "vertskommune", "kommuner", "epost", "aktiv"]
    assert list(dataset[0]) == ["Barnevern A", "974760673", "4601", "4601", None, "ja"]


# --- XML parsing everywhere else ----------------------------------------------------------------------------------


def test_openpyxl_parses_with_defusedxml_and_it_is_a_declared_dependency():
    assert openpyxl.DEFUSEDXML is True
    project = tomllib.loads((Path(settings.BASE_DIR) / "pyproject.toml").read_text())
    assert any(dep.startswith("defusedxml") for dep in project["project"]["dependencies"])
    constraints = (Path(settings.BASE_DIR) / "constraints.txt").read_text().splitlines()
    assert any(line.startswith("defusedxml==") for line in constraints)
