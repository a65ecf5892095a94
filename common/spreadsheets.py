"""Reading uploaded spreadsheets (XLSX and CSV) without letting one file take the server.

Used by the service import (organisations.services.read_dataset) and the allocation import
(reporting.services.allocations). docs/security.md «Pakkede filer (zip- og XML-bomber)» has the attacks and figures.

An XLSX workbook is checked in two passes, both streaming:
1. the zip (common.uploads.open_zip): parts, unpacked size, compression ratio and method, from the directory only;
2. every part is fed through expat 64 KB at a time, without building a tree: a DOCTYPE or ENTITY declaration is
   refused (billion laughs, quadratic blow-up, external entities: spreadsheets never have one); the rows and
   cells of the sheets and the shared strings are counted, so a sheet with too many rows, columns or cells – or a
   row numbered 1 048 576, which openpyxl would fill up with empty rows – is refused at the first one over the
   limit; any other XML part (styles, workbook: openpyxl parses those whole into a tree) may be 10 MB at most.
Only then does openpyxl (read-only, defusedxml) read the first sheet, row by row; a <dimension> larger than the
limits (forged, or stale) is ignored, and the rows are counted again while they are read (limit_rows), as are CSV
rows. Every pass stops at the deadline (max_seconds)."""

import io
import time
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from xml.parsers import expat

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from common.uploads import ZipLimits, open_zip, packed_error

SHEET_NAMESPACES = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)
CHUNK = 64 * 1024
CHECK_EVERY = 256  # rows between two looks at the clock
CELLS_PER_ROW = 12  # what a raised row limit brings of cells (the files have 6 or 7 columns)
OTHER_PART_MAX = 10 * 1024 * 1024  # styles, workbook, properties: kilobytes in real files, parsed whole by openpyxl


@dataclass(frozen=True)
class TableLimits:
    max_rows: int  # data rows, after the header row
    max_columns: int
    max_cells: int  # cells with a value (CSV, openpyxl); cells and shared strings (in the XML of a workbook)
    max_seconds: float | None  # None: no deadline (an operator's own command)
    zip: ZipLimits

    @classmethod
    def from_settings(cls, max_rows: int, max_seconds: float | None = -1) -> "TableLimits":
        """The limits of settings for a table of at most max_rows rows. More rows than the settings expect (the
        command's --maks-rader) bring room for CELLS_PER_ROW cells each."""
        seconds = settings.IMPORT_MAX_SECONDS if max_seconds == -1 else max_seconds
        cells = max(settings.IMPORT_MAX_CELLS, (max_rows + 1) * CELLS_PER_ROW)
        return cls(max_rows, settings.IMPORT_MAX_COLUMNS, cells, seconds, ZipLimits.for_imports())


def _number(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")  # 20 000, as Norwegian writes it


def too_many_rows(limits: TableLimits) -> ValidationError:
    return ValidationError(
        _("Filen har for mange rader: over %(max)s. Del den opp i filer med høyst %(max)s rader hver.")
        % {"max": _number(limits.max_rows)},
        code="too_many_rows",
    )


def too_many_columns(limits: TableLimits) -> ValidationError:
    return ValidationError(
        _("Filen har for mange kolonner: over %(max)s.") % {"max": _number(limits.max_columns)},
        code="too_many_columns",
    )


def too_many_cells(limits: TableLimits) -> ValidationError:
    return ValidationError(
        _("Filen har for mange celler: over %(max)s. Del den opp i mindre filer.") % {"max": _number(limits.max_cells)},
        code="too_many_cells",
    )


def too_slow(limits: TableLimits) -> ValidationError:
    return ValidationError(
        _("Filen tok for lang tid å lese (over %(s)s sekunder) og er avvist. Del den opp i mindre filer.")
        % {"s": _number(int(limits.max_seconds or 0))},
        code="too_slow",
    )


def xml_definitions() -> ValidationError:
    return ValidationError(
        _(
            "Filen inneholder XML med egne definisjoner (DOCTYPE eller ENTITY), som vi ikke godtar fordi de kan "
            "brukes til angrep. Lagre filen på nytt fra Excel og last den opp igjen."
        ),
        code="xml_definitions",
    )


class Deadline:
    def __init__(self, limits: TableLimits):
        self.limits = limits
        self.end = None if limits.max_seconds is None else time.monotonic() + limits.max_seconds

    def check(self) -> None:
        if self.end is not None and time.monotonic() >= self.end:
            raise too_slow(self.limits)


def _column_index(ref: str) -> int:
    """1 for "A7", 16 384 for "XFD1"; 0 when the reference has no letters."""
    index = 0
    for char in ref:
        if "A" <= char <= "Z":
            index = index * 26 + ord(char) - 64
        elif "a" <= char <= "z":
            index = index * 26 + ord(char) - 96
        else:
            break
        if index > 1_000_000:  # a column name of a thousand letters says enough
            break
    return index


class _StopScan(Exception):
    """The part needs no more reading (its prolog is past and it is neither a sheet nor the shared strings)."""


class _PartScanner:
    """Looks at one XML part through expat callbacks. Every part: no DTD (it could only come before the root
    element). A worksheet: rows, cells per row and cells in all. The shared strings: how many. Any other part
    (styles, workbook, properties, which openpyxl parses whole into a tree): at most OTHER_PART_MAX bytes."""

    def __init__(self, info: zipfile.ZipInfo, limits: TableLimits):
        self.info = info
        self.limits = limits
        self.kind = ""
        self.rows = self.cells = self.row_cells = 0

    def start(self, name: str, attrs: dict) -> None:
        namespace, _sep, local = name.rpartition("}")
        if not self.kind:
            self._root(namespace, local)
            return
        if namespace not in SHEET_NAMESPACES:
            return
        if local == "c":
            self.cells += 1
            self.row_cells += 1
            column = _column_index(attrs.get("r", "")) or self.row_cells
            if self.row_cells > self.limits.max_columns or column > self.limits.max_columns:
                raise too_many_columns(self.limits)
            if self.cells > self.limits.max_cells:
                raise too_many_cells(self.limits)
        elif local == "row":
            self.rows += 1
            self.row_cells = 0
            number = attrs.get("r", "")
            if self.rows > self.limits.max_rows + 1 or (
                number.isdigit() and (len(number) > 12 or int(number) > self.limits.max_rows + 1)
            ):
                raise too_many_rows(self.limits)
        elif local == "si" and self.kind == "sst":
            self.cells += 1
            if self.cells > self.limits.max_cells:
                raise too_many_cells(self.limits)

    def _root(self, namespace: str, local: str) -> None:
        if namespace in SHEET_NAMESPACES and local in ("worksheet", "sst"):
            self.kind = local
            return
        self.kind = "other"
        if self.info.file_size > OTHER_PART_MAX:
            raise packed_error(
                _("en del av filen er uvanlig stor (%(name)s, over %(max)s)")
                % {"name": self.info.filename[:100], "max": filesizeformat(OTHER_PART_MAX)}
            )
        raise _StopScan

    @staticmethod
    def refuse(*_args) -> None:
        raise xml_definitions()


def _scan_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: TableLimits, deadline: Deadline) -> None:
    scanner = _PartScanner(info, limits)
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = scanner.start
    parser.StartDoctypeDeclHandler = scanner.refuse
    parser.EntityDeclHandler = scanner.refuse
    parser.ExternalEntityRefHandler = scanner.refuse
    with archive.open(info) as part:
        try:
            while chunk := part.read(CHUNK):
                parser.Parse(chunk, False)
                deadline.check()
            parser.Parse(b"", True)
        except _StopScan:
            return
        except expat.ExpatError:
            return  # not XML (an image) or broken XML: openpyxl refuses the latter itself, if it needs the part


def check_xlsx(raw: bytes, limits: TableLimits, deadline: Deadline | None = None) -> None:
    """Raise a Norwegian ValidationError for a workbook that is packed or built to cost memory or time (see the
    module doc). zipfile.BadZipFile for a file that is not a zip."""
    deadline = deadline or Deadline(limits)
    with open_zip(io.BytesIO(raw), limits.zip) as archive:
        for info in archive.infolist():
            if not info.is_dir() and info.file_size:
                _scan_part(archive, info, limits, deadline)


def is_xlsx(raw: bytes, limits: ZipLimits | None = None) -> bool:
    """A zip with xl/workbook.xml. Raises the packed_error of common.uploads for a zip bomb."""
    if not raw.startswith(b"PK\x03\x04"):
        return False
    try:
        with open_zip(io.BytesIO(raw), limits or ZipLimits.for_imports()) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError):
        return False


def limit_rows(rows: Iterable, limits: TableLimits, deadline: Deadline | None = None) -> Iterator:
    """The rows (the header first), stopping with a ValidationError at the first row over max_rows, a row wider
    than max_columns, or the deadline."""
    deadline = deadline or Deadline(limits)
    cells = 0
    for count, row in enumerate(rows):
        if count > limits.max_rows:
            raise too_many_rows(limits)
        if len(row) > limits.max_columns:
            raise too_many_columns(limits)
        cells += sum(1 for value in row if value is not None and value != "")
        if cells > limits.max_cells:
            raise too_many_cells(limits)
        if count % CHECK_EVERY == 0:
            deadline.check()
        yield row


def xlsx_rows(raw: bytes, limits: TableLimits, deadline: Deadline | None = None) -> Iterator[tuple]:
    """The values of the first sheet, row by row (call check_xlsx first: this is the second pass)."""
    from openpyxl import load_workbook

    deadline = deadline or Deadline(limits)
    workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        if (sheet.max_row or 0) > limits.max_rows + 1 or (sheet.max_column or 0) > limits.max_columns:
            sheet.reset_dimensions()  # a forged or stale <dimension>: read the rows that are there
        yield from limit_rows(sheet.iter_rows(values_only=True), limits, deadline)
    finally:
        workbook.close()
