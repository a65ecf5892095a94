"""The demo's clock: replay a step of the demo's history through the real services on the day it happened.

The services take «today» from django.utils.timezone (decisions are not made before the round's deadline, a
report deadline lies after the decision, an appeal is filed within its deadline, a payment is not dated before
the decision …), and the timestamps they write (auto_now_add, audit events) come from the same clock. Inside
`on_day(day)` that clock says `day` (at noon, Norwegian time), so a 2025 decision is made, stamped and checked as
on its day in 2025, with no raw model writes afterwards. Demo data only; never used by the application itself."""

import datetime
from contextlib import contextmanager
from unittest import mock
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")


def moment(day: datetime.date, hour: int = 12) -> datetime.datetime:
    """`day` at `hour` o'clock in Oslo, as the aware UTC time django.utils.timezone.now returns."""
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=OSLO).astimezone(datetime.UTC)


@contextmanager
def on_day(day: datetime.date, hour: int = 12):
    """Within the block, django.utils.timezone.now() (and so localdate(), auto_now_add, the audit trail) is
    `day` at `hour` in Oslo. Tasks that run after commit (letters, e-mails) run on the real clock."""
    stamp = moment(day, hour)
    with mock.patch("django.utils.timezone.now", return_value=stamp):
        yield stamp
