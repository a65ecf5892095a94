"""The one rule for dated periods: does something that ran from `start` to `end` (both days included; no end means
it still runs) overlap a period from `period_start` to `period_end`?

It overlaps when it started on or before the period's last day and had not ended before the period's first day.
`overlaps` says it in the database (a Q over two date fields), `dates_overlap` in Python for rows already loaded;
the two are tested against each other. A period of one day asks "on that day"; a calendar year asks "at any
time that year" (`year_start`/`year_end`, also for a year held in a column: OuterRef("aar"))."""

import datetime

from django.db.models import CharField, DateField, Expression, Func, Q, Value
from django.db.models.expressions import Combinable

DateOrExpression = datetime.date | Combinable


def overlaps(start_field: str, end_field: str, period_start: DateOrExpression, period_end: DateOrExpression) -> Q:
    """Rows whose start_field … end_field (end_field empty = open) share at least one day with the period.
    The bounds may be dates or expressions (F, OuterRef, year_start(OuterRef("aar")))."""
    return Q(**{f"{start_field}__lte": period_end}) & (
        Q(**{f"{end_field}__isnull": True}) | Q(**{f"{end_field}__gte": period_start})
    )


def dates_overlap(
    start: datetime.date, end: datetime.date | None, period_start: datetime.date, period_end: datetime.date
) -> bool:
    """The same rule as `overlaps`, for a row already in memory."""
    return start <= period_end and (end is None or end >= period_start)


class _YearDate(Func):
    """The date month/day in the year given by an integer expression (a column or OuterRef)."""

    function = "MAKE_DATE"  # PostgreSQL
    output_field = DateField()

    def __init__(self, year, month: int, day: int):
        super().__init__(year, Value(month), Value(day))

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite keeps dates as 'YYYY-MM-DD' text; date() makes sure the text is a real date.
        text = Func(
            Value("%04d-%02d-%02d"), *self.get_source_expressions(), function="printf", output_field=CharField()
        )
        return compiler.compile(Func(text, function="date", output_field=DateField()))


def year_start(year: int | Expression | Combinable) -> DateOrExpression:
    """1 January of the year: a date for a number, an expression for a column."""
    return datetime.date(year, 1, 1) if isinstance(year, int) else _YearDate(year, 1, 1)


def year_end(year: int | Expression | Combinable) -> DateOrExpression:
    """31 December of the year: a date for a number, an expression for a column."""
    return datetime.date(year, 12, 31) if isinstance(year, int) else _YearDate(year, 12, 31)
