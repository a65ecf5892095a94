"""Helpers for the allocation import tests: the acceptance file, the published tables and small files."""

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings

DATA = Path(__file__).resolve().parents[2] / "data"
HISTORY_FILE = DATA / "tildelinger-2021-2023.csv"
HEADER = "aar,embete,nettverk,prosjekt,kategori,tildelt_kr"
# The published tables 3-1 and 3-3 (final evaluation of the competence strategy, 2024), kept in reporting/data.
PUBLISHED_FILE = Path(settings.BASE_DIR) / "reporting" / "data" / "publiserte-tildelinger-2021-2023.csv"


def published() -> dict[int, list[dict]]:
    """The published tables 3-1 and 3-3 per year, values as in export_national_summary (ints)."""
    path = PUBLISHED_FILE
    out: dict[int, list[dict]] = {}
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            row = {k: (v if k == "embete" else int(v)) for k, v in row.items()}
            out.setdefault(row["aar"], []).append(row)
    return out


def csv_bytes(*lines: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def history_bytes() -> bytes:
    return HISTORY_FILE.read_bytes()
