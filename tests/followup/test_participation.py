"""Who takes part in a project in the grant year, asked the same way everywhere (issue 16).

Askøy is in the network but neither applied for the grant nor is in the project unless a test adds a
participation period. The rule: a service whose participation overlaps the year the requirement covers (any
day of it) takes part in that year's report. The requirement pages (rapportkrav), the report pages (rapporter)
and the permission predicates must agree, so a link that is shown opens and a report that is listed opens."""

import datetime

import pytest
from django.urls import reverse

from accounts.permissions import has_permission
from followup.models import ProgressReport, ReportingRequirement
from followup.services import reports as report_services
from projects.models import ProjectService
from tests import factories
from tests.grants.conftest import make_assessed, make_submitted, set_frame
from tests.projects.conftest import award

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks", "clock", "no_mfa")]

D = datetime.date
# Askøy's participation in the project (from, to) and whether it takes part in the 2026 report.
PERIODS = {
    "before the year": (D(2024, 1, 1), D(2025, 12, 31), False),
    "ended on the year's first day": (D(2025, 3, 1), D(2026, 1, 1), True),
    "January to June": (D(2026, 1, 1), D(2026, 6, 30), True),
    "the whole year and still": (D(2025, 1, 1), None, True),
    "the whole year, ended after": (D(2025, 1, 1), D(2027, 2, 1), True),
    "joined on the year's last day": (D(2026, 12, 31), None, True),
    "joined after the year": (D(2027, 1, 15), None, False),
    "joined and left after the year": (D(2027, 1, 1), D(2027, 1, 31), False),
}


def html(response) -> str:
    return response.content.decode()


def edit_url(krav) -> str:
    return reverse("projects:report_edit", args=[krav.pk])


def requirement_url(krav) -> str:
    return reverse("projects:requirement_detail", args=[krav.pk])


def report_url(report) -> str:
    return reverse("projects:report_detail", args=[report.pk])


def take_part(krav, service, start, end) -> ProjectService:
    return ProjectService.objects.create(prosjekt_id=krav.prosjekt_id, tjeneste=service, fra_dato=start, til_dato=end)


@pytest.fixture
def writing_time(clock, requirement):
    """February 2027: the 2026 reports are being written (frist 1 March 2027)."""
    clock.move_to(datetime.datetime(2027, 2, 10, 10, 0, tzinfo=datetime.UTC))


@pytest.fixture
def askoy_leader(askoy):
    return factories.service_user(askoy)


def test_the_requirement_covers_2026(requirement):
    assert requirement.aar == 2026


@pytest.mark.usefixtures("writing_time")
def test_a_service_of_january_to_june_opens_the_report_from_the_requirement_page(
    client, requirement, askoy, askoy_leader
):
    take_part(requirement, askoy, D(2026, 1, 1), D(2026, 6, 30))
    client.force_login(askoy_leader)
    page = client.get(requirement_url(requirement))
    assert page.status_code == 200
    assert edit_url(requirement) in html(page)
    assert "Skriv rapporten" in html(page)
    form = client.get(edit_url(requirement))
    assert form.status_code == 200
    report = ReportingRequirement.objects.get(pk=requirement.pk).rapport
    assert askoy.pk in set(report.deltakere.values_list("tjeneste_id", flat=True))


@pytest.mark.usefixtures("writing_time")
def test_a_service_that_joined_after_the_year_neither_lists_nor_opens_the_report(
    client, requirement, leader, askoy, askoy_leader
):
    report = report_services.start_report(leader, requirement)
    take_part(requirement, askoy, D(2027, 1, 15), None)
    client.force_login(askoy_leader)
    listed = client.get(reverse("projects:report_list"))
    assert listed.status_code == 200
    assert report.pk not in [r.pk for r in listed.context["page"]]
    assert report_url(report) not in html(listed)
    assert client.get(report_url(report)).status_code == 404
    assert client.get(edit_url(requirement)).status_code == 404
    assert client.get(requirement_url(requirement)).status_code == 404


@pytest.mark.usefixtures("writing_time")
@pytest.mark.parametrize("leder", [True, False], ids=["leader", "colleague"])
@pytest.mark.parametrize("period", list(PERIODS))
def test_lists_pages_and_permissions_agree_for_every_period(client, requirement, leader, askoy, period, leder):
    start, end, takes_part = PERIODS[period]
    report = report_services.start_report(leader, requirement)
    take_part(requirement, askoy, start, end)
    user = factories.service_user(askoy, leder=leder)
    krav = ReportingRequirement.objects.get(pk=requirement.pk)
    report = ProgressReport.objects.get(pk=report.pk)  # fresh: the answer is cached on the requirement object
    client.force_login(user)

    # the permission predicates
    assert has_permission(user, "projects.view_requirement", krav) is takes_part
    assert has_permission(user, "projects.request_postponement", krav) is takes_part
    assert has_permission(user, "projects.edit_report", report) is takes_part
    assert has_permission(user, "projects.view_report", report) is takes_part

    # the requirement pages (rapportkrav): listed ⇔ the page opens ⇔ the report link is shown and opens
    duty_list = client.get(reverse("projects:requirement_list"))
    assert (requirement.pk in [k.pk for k in duty_list.context["page"]]) is takes_part
    duty_page = client.get(requirement_url(requirement))
    assert duty_page.status_code == (200 if takes_part else 404)
    if takes_part:
        assert edit_url(requirement) in html(duty_page)
    assert client.get(edit_url(requirement)).status_code == (200 if takes_part else 404)

    # the report pages (rapporter): listed ⇔ the report opens
    report_list = client.get(reverse("projects:report_list"))
    assert (report.pk in [r.pk for r in report_list.context["page"]]) is takes_part
    assert client.get(report_url(report)).status_code == (200 if takes_part else 404)


def test_list_pages_of_a_participating_service_have_constant_queries(
    client, requirement, leader, sf, bufdir, rnd, network, bergen, voss, askoy, askoy_leader, vestland
):
    report_services.start_report(leader, requirement)
    take_part(requirement, askoy, D(2026, 1, 1), D(2026, 6, 30))
    client.force_login(askoy_leader)
    pages = (reverse("projects:requirement_list"), reverse("projects:report_list"))
    for url in pages:
        client.get(url)  # warm the caches that are read once per process

    def counts() -> list[int]:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        result = []
        for url in pages:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            result.append(len(ctx.captured_queries))
        return result

    few = counts()
    set_frame(bufdir, vestland, "3000000", begrunnelse="Flere prosjekter")
    for i in range(3):
        application = make_assessed(sf, make_submitted(leader, rnd, network, [bergen, voss], navn=f"Prosjekt {i}"))
        krav = award(sf, application).rapportkrav.get()
        take_part(krav, askoy, D(2025, 1, 1), D(2026, 3, 31))
        take_part(krav, askoy, D(2026, 9, 1), None)
        report_services.start_report(leader, krav)
    duty_list = client.get(pages[0])
    assert len(duty_list.context["page"]) == 4
    assert len(client.get(pages[1]).context["page"]) == 4
    assert counts() == few


# --- the one rule: the database and Python agree, for dates and for a year held in a column ---------------

DAYS = (D(2025, 12, 31), D(2026, 1, 1), D(2026, 6, 30), D(2026, 12, 31), D(2027, 1, 1))
ASKED = (
    (D(2026, 1, 1), D(2026, 12, 31)),  # the grant year
    (D(2026, 6, 30), D(2026, 6, 30)),  # one day
    (D(2025, 12, 31), D(2025, 12, 31)),
    (D(2027, 1, 1), D(2027, 3, 1)),
)


@pytest.fixture
def grid(project, reference_data):
    """One participation period per (from, to) pair of DAYS, open ones included, each for its own service."""
    rows = []
    for start in DAYS:
        for end in (*DAYS, None):
            if end is None or end >= start:
                service = factories.ServiceFactory()
                rows.append(
                    ProjectService.objects.create(prosjekt=project, tjeneste=service, fra_dato=start, til_dato=end)
                )
    return rows


def test_the_database_and_python_answer_alike(grid):
    for start, end in ASKED:
        in_database = set(ProjectService.objects.filter(pk__in=[r.pk for r in grid]).active_in(start, end))
        in_python = {r for r in grid if r.is_active_in(start, end)}
        assert in_database == in_python, (start, end)
        assert in_python and in_python != set(grid)  # the grid has periods on both sides


def test_a_year_from_a_column_asks_the_same_as_a_year_given_as_a_number(grid):
    from django.db.models import F, IntegerField, Value

    from common import periods

    ids = [r.pk for r in grid]
    column = ProjectService.objects.filter(pk__in=ids).annotate(aar=Value(2026, output_field=IntegerField()))
    bounds = column.annotate(first=periods.year_start(F("aar")), last=periods.year_end(F("aar"))).first()
    assert (bounds.first, bounds.last) == (D(2026, 1, 1), D(2026, 12, 31))
    by_column = set(column.active_in_year(F("aar")).values_list("pk", flat=True))
    by_number = set(ProjectService.objects.filter(pk__in=ids).active_in_year(2026).values_list("pk", flat=True))
    assert by_column == by_number == {r.pk for r in grid if r.is_active_in(D(2026, 1, 1), D(2026, 12, 31))}
    assert {(r.fra_dato, r.til_dato) for r in grid if r.pk not in by_number} == {
        (D(2025, 12, 31), D(2025, 12, 31)),
        (D(2027, 1, 1), D(2027, 1, 1)),
        (D(2027, 1, 1), None),
    }
