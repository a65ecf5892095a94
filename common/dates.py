"""The one range every date typed into Læringsnett must fall in, and date arithmetic that cannot overflow.

A date outside EARLIEST … 31 December YEARS_AHEAD years from now is a typo (9999-12-31, 0202-03-01) and, stored,
breaks pages that add days to it (datetime.date.max + 30 days is an OverflowError, a 500). Every date form field
is checked centrally (ui.forms.DesignsystemetFormMixin); imports use the same range."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

EARLIEST = datetime.date(2000, 1, 1)  # before the first learning networks and grants
YEARS_AHEAD = 15  # deadlines, plans and token expiry dates lie at most this many years ahead
CODE = "date_range"


def latest(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    return datetime.date(today.year + YEARS_AHEAD, 12, 31)


def in_range(value: datetime.date) -> bool:
    return EARLIEST <= value <= latest()


def validate_date_range(value) -> None:
    """Raise a Norwegian ValidationError when value (a date) lies outside the range."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date) and not in_range(value):
        raise ValidationError(
            _(
                "Datoen må være mellom %(first)s og %(last)s. Sjekk årstallet: datoer utenfor dette er trolig "
                "skrivefeil, og Læringsnett kan ikke regne med dem."
            )
            % {"first": EARLIEST.strftime("%d.%m.%Y"), "last": latest().strftime("%d.%m.%Y")},
            code=CODE,
        )


def add_days(value: datetime.date, days: int) -> datetime.date:
    """value + days, kept within datetime.date.min … datetime.date.max (dates stored before the range)."""
    try:
        return value + datetime.timedelta(days=days)
    except OverflowError:
        return datetime.date.max if days > 0 else datetime.date.min


def add(value: datetime.date, delta: datetime.timedelta) -> datetime.date:
    try:
        return value + delta
    except OverflowError:
        return datetime.date.max if delta > datetime.timedelta(0) else datetime.date.min


def years_after(value: datetime.date, years: int) -> datetime.date:
    """The same day `years` years later (29 February → 28 February), kept within datetime.date.max."""
    year = min(value.year + years, datetime.MAXYEAR)
    try:
        return value.replace(year=year)
    except ValueError:  # 29 February in a year that has none
        return value.replace(year=year, day=28)


def bounded(
    value,
    field: str,
    *,
    after: datetime.date | None = None,
    not_before: datetime.date | None = None,
    latest: datetime.date | None = None,
    message: str | None = None,
) -> datetime.date:
    """Check a date given to a service; return it, or raise ValidationError({field: [message]}) in Norwegian.

    Always: a date (not text), inside the range every date must fall in (validate_date_range: 9999-12-31 is
    refused). Then, each when given: strictly after `after`, on or after `not_before`, on or before `latest`.
    `message` replaces the default sentence for the last three checks (it may use %(d)s, the bound as dd.mm.yyyy).
    Used for round dates, report deadlines, payment and claim dates:
        dates.bounded(dato, "dato", not_before=decision_day, message=_("… ikke før vedtaket (%(d)s)."))"""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        raise ValidationError({field: [_("Skriv en dato, for eksempel 01.03.2027.")]}, code="invalid")
    try:
        validate_date_range(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}, code=CODE) from None
    for bound, wrong, default in (
        (after, lambda b: value <= b, _("Datoen må være etter %(d)s.")),
        (not_before, lambda b: value < b, _("Datoen kan ikke være før %(d)s.")),
        (latest, lambda b: value > b, _("Datoen kan ikke være etter %(d)s.")),
    ):
        if bound is not None and wrong(bound):
            raise ValidationError({field: [(message or default) % {"d": bound.strftime("%d.%m.%Y")}]}, code=CODE)
    return value
