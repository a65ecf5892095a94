"""Fixtures for the annual report tests: the grant/project fixtures (tests/reporting/conftest.py), a clock that can
move past the end of 2026 (a year's report can be submitted from 1 January of the next year), and a Vestland
2026 annual report with its narratives written."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from reporting.services import annual as services

OSLO = ZoneInfo("Europe/Oslo")
AFTER_YEAR = datetime.datetime(2027, 1, 11, 9, 0, tzinfo=OSLO)
TEXTS = {
    "vurdering": "Nettverket i Vest har kommet godt i gang med felles veiledning av fosterhjem.",
    "utfordringer": "Få søknader i kategorien egeninitiert.",
    "planer": "Vi vil lyse ut midlene tidligere og hjelpe nye nettverk med søknaden.",
    "kommentarer": "",
}


@pytest.fixture
def report(sf, vestland, awarded):
    """Vestland's 2026 annual report (draft) with the narratives written; the award of 350 000 kr exists."""
    draft = services.create_report(sf, vestland, 2026)
    return services.save_narratives(sf, draft, **TEXTS)


@pytest.fixture
def after_year(clock):
    """Move the clock to Monday 11 January 2027 (the 2026 report may then be submitted)."""
    clock.move_to(AFTER_YEAR)
    return clock


@pytest.fixture
def submitted_report(report, sf, after_year):
    return services.submit(sf, report)
