"""Rounding and showing shares the one way Norwegian readers expect: half up (81,25 → 81,3), from exact decimals.

Charts and tables must show the same figure; float formatting (f"{x:.1f}", round()) rounds half to even on the
binary value (13 of 16 = 81,25 gave 81,2 in the chart) while the template's floatformat rounded half up (81,3 in the
table). Both now go through percent_text (the |pct template filter in ui.templatetags.ui)."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats


def round_half_up(value, places: int = 1) -> Decimal:
    """value (int, float, Decimal or str) rounded half up to places decimals, as a Decimal. A float is taken by its
    shortest decimal text (81.25, not 81.2499999…)."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def share(part, whole, places: int = 1) -> Decimal | None:
    """part of whole in per cent, rounded half up from the exact quotient; None when whole is 0."""
    if not whole:
        return None
    return round_half_up(Decimal(part) * 100 / Decimal(whole), places)


def number_text(value, places: int = 1) -> str:
    """The rounded value in the active language's format ('81,3' in Norwegian, '81.3' in English)."""
    return formats.number_format(round_half_up(value, places), places)


def percent_text(value, places: int = 1) -> str:
    """'81,3 %' ('81.3 %' in English); '–' for None."""
    if value is None:
        return "–"
    return f"{number_text(value, places)} %"
