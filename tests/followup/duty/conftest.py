"""Helpers for the reporting-duty tests: a second requirement (sluttrapport) on the same
award, a report in a given state, moving the clock, and "nothing changed" for refused calls."""

import datetime

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from followup.models import Postponement, ProgressReport, ReportingRequirement, ReportKind, ReportReminder, ReportStatus
from tests.followup.conftest import guards
from tests.grants.conftest import OSLO

DEADLINE = datetime.date(2027, 3, 1)  # the `requirement` fixture's frist (round_data rapportfrist)
WATCHED = (ReportingRequirement, Postponement, ReportReminder, AuditEvent)


def at(clock, day: datetime.date, hour: int = 7):
    """Move the frozen clock to `day` at 07:00 in Oslo (when Celery beat runs the reminders)."""
    clock.move_to(datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=OSLO))


unchanged, denied = guards(WATCHED)


def report_in(krav, status: str, user) -> ProgressReport:
    """A report row in the given state (the report services are tested elsewhere)."""
    now = timezone.now()
    return ProgressReport.objects.create(
        krav=krav,
        status=status,
        opprettet_av=user,
        versjon=0 if status == ReportStatus.UTKAST else 1,
        sendt_inn=None if status == ReportStatus.UTKAST else now,
        godkjent=now if status == ReportStatus.GODKJENT else None,
    )


@pytest.fixture
def final_requirement(requirement):
    """A sluttrapport on the same award with a deadline two weeks after the årlig rapport's."""
    frist = DEADLINE + datetime.timedelta(days=14)
    return ReportingRequirement.objects.create(
        vedtak=requirement.vedtak,
        prosjekt=requirement.prosjekt,
        type=ReportKind.SLUTT,
        aar=requirement.aar,
        frist=frist,
        opprinnelig_frist=frist,
    )
