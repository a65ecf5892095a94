"""Rendering tablib datasets as downloadable CSV/XLSX, safe to open in Excel."""

import re

import tablib

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
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


def render(dataset: tablib.Dataset, fmt: str) -> tuple[str, bytes | str]:
    """(content type, body) for fmt 'csv' (UTF-8 with BOM, so Excel reads æøå) or 'xlsx'."""
    data = neutralise_formulae(dataset, xlsx=fmt == "xlsx").export(fmt)
    if fmt == "csv":
        data = "\ufeff" + data
    return CONTENT_TYPES[fmt], data
