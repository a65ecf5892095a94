"""common.periods: the one overlap rule for dated periods (issue 16). The database side is tested against this
one in tests/followup/test_participation.py."""

import datetime

import pytest

from common.periods import dates_overlap, year_end, year_start

D = datetime.date
YEAR = (D(2026, 1, 1), D(2026, 12, 31))


@pytest.mark.parametrize(
    "start,end,overlaps",
    [
        (D(2024, 1, 1), D(2025, 12, 31), False),  # ended the day before
        (D(2024, 1, 1), D(2026, 1, 1), True),  # ended on the first day
        (D(2026, 1, 1), D(2026, 6, 30), True),  # part of the year
        (D(2025, 1, 1), None, True),  # open, started before
        (D(2026, 12, 31), None, True),  # started on the last day
        (D(2027, 1, 1), None, False),  # started the day after
        (D(2027, 1, 1), D(2027, 1, 31), False),
    ],
)
def test_overlap_with_a_year(start, end, overlaps):
    assert dates_overlap(start, end, *YEAR) is overlaps


def test_a_year_as_a_number_gives_its_first_and_last_day():
    assert (year_start(2026), year_end(2026)) == YEAR
