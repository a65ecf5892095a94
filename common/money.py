"""The one upper bound on amounts of money in kroner.

The money columns are DecimalField(max_digits=14, decimal_places=2) (grants.models.MONEY, projects.models): they
hold at most 999 999 999 999,99 kr. A larger amount is a numeric overflow on PostgreSQL (a 500) and is silently
stored on SQLite. Every amount is parsed by grants.services.money, which refuses amounts of MAX_AMOUNT or more;
sums that are stored (a budget's total, a report's spending) are checked with check_total; the money form fields
carry validate_amount_bound so the message comes back with the form."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_DIGITS = 14
DECIMAL_PLACES = 2
MAX_AMOUNT = Decimal(10) ** (MAX_DIGITS - DECIMAL_PLACES)  # exclusive: 999 999 999 999,99 kr is the largest
CODE = "too_large"


def _kroner(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('1')):,}".replace(",", "\u00a0") + "\u00a0kr"


def largest_text() -> str:
    """'999 999 999 999 kr' (non-breaking spaces), the largest whole amount."""
    return _kroner(MAX_AMOUNT - 1)


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
        "sum": _kroner(total),
        "max": largest_text(),
    }


def check_total(amounts, label) -> Decimal:
    """The sum of amounts, or a Norwegian ValidationError when it is too large for a money column."""
    total = sum(amounts, Decimal("0"))
    if too_large(total):
        raise ValidationError(total_too_large_message(label, total), code=CODE)
    return total


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
