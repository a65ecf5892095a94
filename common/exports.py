"""The one writer of downloadable tables (every CSV and XLSX export renders its tablib dataset here), safe to open
in Excel.

Formats (the `fmt` of the export URLs):
- "csv": standard CSV for programs – comma, UTF-8 (with a BOM, so Excel still reads æøå), dot decimal, ISO dates.
- "csv-excel" («CSV for Excel»): what Norwegian Excel opens in columns with a double click – semicolon, UTF-8
  with BOM, decimal comma, dates dd.mm.yyyy. The file is still named .csv.
- "xlsx": amounts (columns named *_kr, or given) as numbers with the money format of common.money (thousands
  set off, «kr» after), dates as real dates (dd.mm.yyyy), the header row bold and frozen.
Datasets hold Python values (int, Decimal, float, date), never preformatted text; the writer formats them."""

import csv
import datetime
import io
import re
from decimal import Decimal

import tablib
from openpyxl import Workbook
from openpyxl.styles import Font

from .money import XLSX_FORMAT

EXCEL_CSV = "csv-excel"
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    EXCEL_CSV: "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {"csv": "csv", EXCEL_CSV: "csv", "xlsx": "xlsx"}
XLSX_DATE_FORMAT = "dd.mm.yyyy"
XLSX_DATETIME_FORMAT = "dd.mm.yyyy hh:mm"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0, and so an XLSX file, cannot hold: the C0 controls but tab, LF and CR, lone surrogates and the
# noncharacters U+FFFE/U+FFFF. openpyxl refuses the controls (IllegalCharacterError: a 500) and writes the others
# into a file Excel and openpyxl cannot open. Free text may hold them (a pasted "\x0b"; issue 20's corpus).
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def safe_cell(value, *, xlsx: bool = False):
    """A cell value a spreadsheet shows as text: for XLSX without XML-illegal characters, and a text that would
    run as a formula prefixed with an apostrophe (CSV injection). Anything but text is left as it is."""
    if not isinstance(value, str):
        return value
    if xlsx:
        value = XML_ILLEGAL.sub("", value)
    return f"'{value}" if value.startswith(FORMULA_PREFIXES) else value


def neutralise_formulae(dataset: tablib.Dataset, *, xlsx: bool = False) -> tablib.Dataset:
    """The dataset with every cell passed through safe_cell."""
    safe = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        safe.append([safe_cell(c, xlsx=xlsx) for c in row])
    return safe


def filename(base: str, fmt: str) -> str:
    """'tildelinger-2023' -> 'tildelinger-2023.csv', '…-excel.csv' for CSV for Excel, '….xlsx'."""
    return f"{base}-excel.csv" if fmt == EXCEL_CSV else f"{base}.{EXTENSIONS[fmt]}"


def _excel_text(value):
    """A value as Norwegian Excel reads it from a semicolon CSV: decimal comma, dates dd.mm.yyyy."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else value
    if isinstance(value, (float, Decimal)):
        return str(value).replace(".", ",")
    if isinstance(value, datetime.datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    return value


def _plain_text(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return "" if value is None else value


def _csv(dataset: tablib.Dataset, *, excel: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if excel else ",")
    convert = _excel_text if excel else _plain_text
    if dataset.headers:
        writer.writerow([safe_cell(h) for h in dataset.headers])
    for row in dataset:
        writer.writerow([safe_cell(convert(c)) for c in row])
    return "\ufeff" + out.getvalue()


def _xlsx(dataset: tablib.Dataset, money: set[str]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = XML_ILLEGAL.sub("", (dataset.title or "Ark"))[:31] or "Ark"
    headers = list(dataset.headers or [])
    if headers:
        sheet.append([safe_cell(h, xlsx=True) for h in headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    money_at = {i for i, h in enumerate(headers) if h in money or str(h).endswith("_kr")}
    for row in dataset:
        values = []
        for c in row:
            if isinstance(c, Decimal):
                c = int(c) if c == c.to_integral_value() else float(c)
            values.append(safe_cell(c, xlsx=True))
        sheet.append(values)
        for i, cell in enumerate(sheet[sheet.max_row]):
            value = cell.value
            if i in money_at and isinstance(value, (int, float)) and not isinstance(value, bool):
                cell.number_format = XLSX_FORMAT
            elif isinstance(value, datetime.datetime):
                cell.number_format = XLSX_DATETIME_FORMAT
            elif isinstance(value, datetime.date):
                cell.number_format = XLSX_DATE_FORMAT
    for i, header in enumerate(headers, start=1):
        width = max(10, min(len(str(header)) + 4, 40))
        sheet.column_dimensions[sheet.cell(row=1, column=i).column_letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render(dataset: tablib.Dataset, fmt: str, *, money=()) -> tuple[str, bytes | str]:
    """(content type, body) for fmt 'csv', 'csv-excel' (CSV for Excel) or 'xlsx'. money: more header names of
    amount columns (besides those ending in _kr)."""
    if fmt == "xlsx":
        return CONTENT_TYPES[fmt], _xlsx(dataset, set(money))
    if fmt in ("csv", EXCEL_CSV):
        return CONTENT_TYPES[fmt], _csv(dataset, excel=fmt == EXCEL_CSV)
    raise ValueError(fmt)
