"""The one money formatter (common.money): Python code, the |nok filter, letters and PDFs write amounts alike."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from common import money

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("1650000"), f"1{NBSP}650{NBSP}000{NBSP}kr"),
        (1650000, f"1{NBSP}650{NBSP}000{NBSP}kr"),
        ("1650000.00", f"1{NBSP}650{NBSP}000{NBSP}kr"),
        (Decimal("999"), f"999{NBSP}kr"),
        (0, f"0{NBSP}kr"),
        (Decimal("0.00"), f"0{NBSP}kr"),
        (None, f"0{NBSP}kr"),
        (Decimal("-1234567"), f"-1{NBSP}234{NBSP}567{NBSP}kr"),
        (Decimal("999999999999.99"), f"1{NBSP}000{NBSP}000{NBSP}000{NBSP}000{NBSP}kr"),
        (Decimal("123456789012345678"), f"123{NBSP}456{NBSP}789{NBSP}012{NBSP}345{NBSP}678{NBSP}kr"),
        (Decimal("1234.50"), f"1{NBSP}234{NBSP}kr"),  # whole kroner, half to even
        (Decimal("1235.50"), f"1{NBSP}236{NBSP}kr"),
        (Decimal("0.49"), f"0{NBSP}kr"),
    ],
)
def test_kr(amount, text):
    assert money.kr(amount) == text


def test_blank_and_plain_variants():
    assert money.kr_or_blank(None) == money.kr_or_blank("") == ""
    assert money.kr_or_blank(0) == f"0{NBSP}kr"
    assert money.kr_or_blank(Decimal("-5")) == f"-5{NBSP}kr"
    assert money.kr_plain(Decimal("1650000")) == "1 650 000 kr"  # ordinary spaces, for PDF tables
    assert money.largest_text() == f"999{NBSP}999{NBSP}999{NBSP}999{NBSP}kr"


@pytest.mark.parametrize("value", [None, "", 0, Decimal("1650000"), "350000.5", Decimal("-42"), 7.0])
def test_the_nok_filter_is_kr(value):
    rendered = Template("{% load ui %}{{ value|nok }}").render(Context({"value": value}))
    assert rendered == money.kr_or_blank(value)
