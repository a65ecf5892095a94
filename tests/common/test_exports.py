"""The one export writer (common.exports): standard CSV, «CSV for Excel» as Norwegian Excel reads it, and XLSX
with money formats and real dates."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
import tablib

from common import exports, money


def dataset() -> tablib.Dataset:
    data = tablib.Dataset(headers=["navn", "tildelt_kr", "andel", "dato"], title="Tildelinger")
    data.append(["Bjørnafjorden", 1_650_000, Decimal("81.25"), datetime.date(2023, 3, 1)])
    data.append(["=HYPERLINK()", Decimal("250000.50"), 0.5, None])
    return data


def test_standard_csv_is_comma_utf8_dot_decimal_iso_dates():
    content_type, body = exports.render(dataset(), "csv")
    assert content_type == "text/csv; charset=utf-8"
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert rows[0] == ["navn", "tildelt_kr", "andel", "dato"]
    assert rows[1] == ["Bjørnafjorden", "1650000", "81.25", "2023-03-01"]
    assert rows[2] == ["'=HYPERLINK()", "250000.50", "0.5", ""]


def test_csv_for_excel_is_semicolon_bom_decimal_comma_norwegian_dates():
    content_type, body = exports.render(dataset(), exports.EXCEL_CSV)
    assert content_type == "text/csv; charset=utf-8"
    assert body.startswith("\ufeff")
    assert body.encode("utf-8").startswith(b"\xef\xbb\xbf")
    lines = body[1:].splitlines()
    assert lines[0] == "navn;tildelt_kr;andel;dato"
    assert lines[1] == "Bjørnafjorden;1650000;81,25;01.03.2023"
    assert lines[2] == "'=HYPERLINK();250000,50;0,5;"
    assert exports.filename("tildelinger-2023", exports.EXCEL_CSV) == "tildelinger-2023-excel.csv"
    assert exports.filename("tildelinger-2023", "xlsx") == "tildelinger-2023.xlsx"


def test_xlsx_amounts_have_the_money_format_and_dates_are_dates():
    _type, body = exports.render(dataset(), "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    assert sheet.title == "Tildelinger"
    assert [c.value for c in sheet[1]] == ["navn", "tildelt_kr", "andel", "dato"]
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    amount, share, day = sheet["B2"], sheet["C2"], sheet["D2"]
    assert (amount.value, amount.number_format) == (1_650_000, money.XLSX_FORMAT)
    assert sheet["B3"].value == 250000.5 and sheet["B3"].number_format == money.XLSX_FORMAT
    assert share.number_format == "General"  # not an amount
    assert day.is_date and day.value.date() == datetime.date(2023, 3, 1)
    assert day.number_format == exports.XLSX_DATE_FORMAT
    assert sheet["A3"].value == "'=HYPERLINK()"


def test_unknown_format_is_refused():
    with pytest.raises(ValueError):
        exports.render(dataset(), "ods")
