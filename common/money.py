"""Money in kroner: the one formatter (kr, the |nok filter, letters, PDFs, e-mails and spreadsheets use it) and
the one upper bound on amounts.

The money columns are DecimalField(max_digits=14, decimal_places=2) (grants.models.MONEY, projects.models): they
hold at most 999 999 999 999,99 kr. A larger amount is a numeric overflow on PostgreSQL (a 500) and is silently
stored on SQLite. Every amount is parsed by grants.services.money, which refuses amounts of MAX_AMOUNT or more;
sums that are stored (a budget's total, a report's spending) are checked with too_large and
total_too_large_message by the service that stores them; the money form fields
carry validate_amount_bound so the message comes back with the form."""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_DIGITS = 14
DECIMAL_PLACES = 2
MAX_AMOUNT = Decimal(10) ** (MAX_DIGITS - DECIMAL_PLACES)  # exclusive: 999 999 999 999,99 kr is the largest
CODE = "too_large"


NBSP = "\u00a0"
XLSX_FORMAT = '# ##0" kr"'  # a money column in a workbook: whole kroner, thousands set off, the unit after


def kr(amount) -> str:
    """1650000 -> '1 650 000 kr': whole kroner (Decimal's rounding, half to even), the thousands and the unit set
    off by non-breaking spaces, a minus sign before negative amounts. None (and "") is '0 kr'."""
    value = Decimal(amount or 0).quantize(Decimal("1"))
    return f"{value:,}".replace(",", NBSP) + NBSP + "kr"


def kr_or_blank(value) -> str:
    """kr(), but nothing for None or "" (an amount not given): the |nok template filter."""
    return "" if value in (None, "") else kr(value)


def kr_plain(amount) -> str:
    """kr() with ordinary spaces: for PDF tables, where nothing wraps, so a search for '1 650 000 kr' finds it."""
    return kr(amount).replace(NBSP, " ")


def largest_text() -> str:
    """'999 999 999 999 kr' (non-breaking spaces), the largest whole amount."""
    return kr(MAX_AMOUNT - 1)


def too_large(amount: Decimal) -> bool:
    return amount >= MAX_AMOUNT


def too_large_message(label) -> str:
    return _("%(l)s: beløpet er for stort. Det største beløpet Læringsnett kan lagre, er %(max)s.") % {
        "l": label,
        "max": largest_text(),
    }


def total_too_large_message(label, total: Decimal) -> str:
    return _("%(l)s er for stor (%(sum)s). Det største beløpet Læringsnett kan lagre, er %(max)s. Sjekk beløpene.") % {
        "l": label,
        "sum": kr(total),
        "max": largest_text(),
    }


def _loose(value) -> Decimal | None:
    text = str(value if value is not None else "").replace("\u00a0", "").replace(" ", "").replace(",", ".")
    text = text.lower().removesuffix("kr")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def validate_amount_bound(value) -> None:
    """Validator for an amount form field (text or Decimal). Only the bound: the format is the parser's."""
    amount = value if isinstance(value, Decimal) else _loose(value)
    if amount is not None and amount.is_finite() and too_large(amount):
        raise ValidationError(
            _("Beløpet er for stort. Det største beløpet Læringsnett kan lagre, er %(max)s.") % {"max": largest_text()},
            code=CODE,
        )


# --- the one parser of amounts typed by people (issue 17: whole kroner everywhere) ---------------------------

# Spaces people (and word processors) put between thousands: ordinary, no-break, thin, narrow no-break, figure.
_SPACES = " \u00a0\u2009\u202f\u2007\t"
_THOUSANDS_DOT = re.compile(r"^\d{1,3}(\.\d{3})+$")  # 1.200.000 (Norwegian thousands separator)
_THOUSANDS_COMMA = re.compile(r"^\d{1,3}(,\d{3}){2,}$")  # 1,200,000 (two groups at least: 1,500 is 1,5)
_DECIMAL = re.compile(r"^(\d+)[.,](\d+)$")  # 100000,50 or 100000.50
_SCIENTIFIC = re.compile(r"^\d+(\.\d+)?e\+?\d{1,3}$")
_SUFFIXES = (",-", ".-", ",\u2013", "kr.", "kr", "nok")
EXAMPLE = "1\u00a0500\u00a0000"


def _refuse(message: str, label, code: str):
    if label:
        message = _("%(label)s: %(message)s") % {"label": label, "message": message[:1].lower() + message[1:]}
    raise ValidationError(message, code=code)


def parse_kroner(value, label=None) -> Decimal | None:
    """The one parser of an amount in whole kroner, for every form field and service (KronerField in
    ui.forms, grants.services.money). None for an empty value; otherwise a non-negative whole Decimal below
    MAX_AMOUNT, or a ValidationError in the user's language (prefixed by label when given).

    Accepts what people type: «1 200 000», «1.200.000», «1200000 kr», «1 200 000,-», «kr 1 200 000», no-break and
    thin spaces, «100 000,00». Refuses øre («100000,50»: «Skriv hele kroner, uten øre»), words («1,5 mill»:
    «Skriv beløpet med sifre, for eksempel 1 500 000»), negative amounts and amounts too large to store."""
    if value is None:
        return None
    if isinstance(value, bool):
        _refuse(_("Skriv beløpet med sifre, for eksempel %(e)s.") % {"e": EXAMPLE}, label, "invalid")
    if isinstance(value, int):
        value = Decimal(value)
    if isinstance(value, Decimal):
        amount = value
        if not amount.is_finite():
            _refuse(_("Skriv beløpet med sifre, for eksempel %(e)s.") % {"e": EXAMPLE}, label, "invalid")
    else:
        text = str(value).strip().lower()
        for space in _SPACES:
            text = text.replace(space, "")
        if not text:
            return None
        negative = text.startswith(("-", "\u2212"))
        text = text.lstrip("-\u2212")
        text = text.removeprefix("kr").removeprefix("nok")
        changed = True
        while changed:
            changed = False
            for suffix in _SUFFIXES:
                if text.endswith(suffix):
                    text, changed = text[: -len(suffix)], True
        if _THOUSANDS_DOT.match(text):
            text = text.replace(".", "")
        elif _THOUSANDS_COMMA.match(text):
            text = text.replace(",", "")
        else:
            head, sep, fraction = text.rpartition(",")
            if sep and _THOUSANDS_DOT.match(head) and fraction.isdigit():  # 1.200.000,00
                text = head.replace(".", "") + "." + fraction
        match = _DECIMAL.match(text)
        if _SCIENTIFIC.match(text):  # a number from a spreadsheet cell (1e+20): bounded below like any other
            pass
        elif match:
            text = f"{match.group(1)}.{match.group(2)}"
        elif not text.isdigit():
            _refuse(_("Skriv beløpet med sifre, for eksempel %(e)s.") % {"e": EXAMPLE}, label, "invalid")
        amount = Decimal(text)
        if negative and amount:
            amount = -amount
    if amount < 0:
        if label:
            raise ValidationError(_("%(l)s kan ikke være negativt.") % {"l": label}, code="negative")
        raise ValidationError(_("Beløpet kan ikke være negativt."), code="negative")
    if too_large(amount):  # before any arithmetic: a 400-digit amount is refused, not an InvalidOperation
        if label:
            raise ValidationError(too_large_message(label), code=CODE)
        raise ValidationError(
            _("Beløpet er for stort. Det største beløpet Læringsnett kan lagre, er %(max)s.") % {"max": largest_text()},
            code=CODE,
        )
    if amount != amount.to_integral_value():
        _refuse(_("Skriv hele kroner, uten øre."), label, "ore")
    return amount.quantize(Decimal("1"))
