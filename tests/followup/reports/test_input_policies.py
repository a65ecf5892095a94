"""The progress report refuses what no form may hold (issue 20): identity numbers in its texts, also through
autosave, and spending that adds up to more than a money column holds."""

import pytest
from django.urls import reverse

from followup.models import ProgressReport
from tests.common.test_sensitive import DNR, FNR, MESSAGE

from .test_views import edit_url, form_post, html, login

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks", "clock", "no_mfa")]


@pytest.fixture
def report(client, leader, requirement):
    login(client, leader).get(edit_url(requirement))
    return ProgressReport.objects.get(krav=requirement)


@pytest.mark.parametrize(("field", "number"), [("resultater", FNR), ("avvik", DNR), ("kommentar_stilling", FNR)])
def test_identity_number_in_the_report_is_refused_also_on_autosave(client, report, requirement, field, number):
    url = reverse("projects:report_autosave", args=[report.pk])
    response = client.post(url, form_post(report, **{field: f"Gutten ({number[:6]} {number[6:]}) flyttet."}))
    assert response.status_code == 400
    assert response.json()["errors"][field] == [MESSAGE]
    response = client.post(edit_url(requirement), form_post(report, **{field: f"Barn {number}"}))
    assert response.status_code == 200
    assert MESSAGE in html(response)
    report.refresh_from_db()
    assert (report.resultater, report.avvik) == ("", "")
    assert report.forbruk.get(type="stilling").kommentar == ""


def test_spending_adding_up_past_a_money_column_is_refused(client, report, requirement):
    huge = "999999999999"
    response = client.post(edit_url(requirement), form_post(report, brukt_stilling=huge, brukt_kompetanse=huge))
    assert response.status_code == 200
    assert "Summen brukt er for stor" in html(response)
    report.refresh_from_db()
    assert {s.brukt for s in report.forbruk.all()} == {0}
