"""A reporting deadline far in the future (stored before dates were bounded, issue 20) does not break the
pages: the postponement page used to add 30 days to 9999-12-31 (OverflowError, a 500)."""

import datetime

import pytest

from followup.models import Postponement, ReportingRequirement

from .test_views import REASON, ask_url, detail_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock", "no_mfa")]


@pytest.fixture
def far(requirement):
    ReportingRequirement.objects.filter(pk=requirement.pk).update(
        frist=datetime.date(9999, 12, 31), opprinnelig_frist=datetime.date(9999, 12, 31)
    )
    requirement.refresh_from_db()
    return requirement


def test_postponement_page_for_a_far_deadline_does_not_fail(client, leader, far):
    client.force_login(leader)
    assert client.get(detail_url(far)).status_code == 200
    response = client.get(ask_url(far))
    assert response.status_code == 200
    response = client.post(ask_url(far), {"ny_frist": "9999-12-31", "begrunnelse": REASON})
    assert response.status_code == 400
    assert "Datoen må være mellom 01.01.2000 og 31.12.2041" in response.content.decode()
    assert not Postponement.objects.exists()


def test_asking_for_an_absurd_new_deadline_is_refused(client, leader, requirement):
    client.force_login(leader)
    response = client.post(ask_url(requirement), {"ny_frist": "01.01.3000", "begrunnelse": REASON})
    assert response.status_code == 400
    assert "Datoen må være mellom 01.01.2000 og 31.12.2041" in response.content.decode()
    assert not Postponement.objects.exists()
