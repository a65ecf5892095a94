"""Rendering tablib datasets as downloadable CSV/XLSX, safe to open in Excel."""

import tablib

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulae(dataset: tablib.Dataset) -> tablib.Dataset:
    """Prefix text cells that a spreadsheet would run as a formula with an apostrophe (CSV injection)."""
    safe = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        safe.append([f"'{c}" if isinstance(c, str) and c.startswith(FORMULA_PREFIXES) else c for c in row])
    return safe


def render(dataset: tablib.Dataset, fmt: str) -> tuple[str, bytes | str]:
    """(content type, body) for fmt 'csv' (UTF-8 with BOM, so Excel reads æøå) or 'xlsx'."""
    data = neutralise_formulae(dataset).export(fmt)
    if fmt == "csv":
        data = "\ufeff" + data
    return CONTENT_TYPES[fmt], data
