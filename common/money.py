"""Money in kroner: the one formatter (kr, the |nok filter, letters, PDFs, e-mails and spreadsheets use it) and
the one upper bound on amounts.

The money columns are DecimalField(max_digits=14, decimal_places=2) (grants.models.MONEY, projects.models): they
hold at most 999 999 999 999,99 kr. A larger amount is a numeric overflow on PostgreSQL (a 500) and is silently
stored on SQLite. Every amount is parsed by grants.services.money, which refuses amounts of MAX_AMOUNT or more;
sums that are stored (a budget's total, a report's spending) are checked with too_large and
total_too_large_message by the service that stores them; the money form fields
carry validate_amount_bound so the message comes back with the form."""

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
