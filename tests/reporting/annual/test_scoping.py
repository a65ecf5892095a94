"""Who may see an annual report (reporting.scoping): the list selector and the predicate agree for every role, and
outsiders see nothing."""

import pytest

from accounts.models import Role
from accounts.permissions import has_permission
from reporting.models import AnnualReport
from reporting.selectors.annual import reports_visible_to
from tests import factories
from tests.scoping import nobody, superuser, visible


@pytest.fixture
def reports(reference_data):
    author = factories.UserFactory()
    return {
        slug: AnnualReport.objects.create(embete=factories.embete(slug), aar=2025, opprettet_av=author)
        for slug in ("vestland", "agder")
    }


@pytest.fixture
def users(vestland_service):
    def make(name):
        return {
            "superuser": superuser,
            "nobody": nobody,
            "bufdir": factories.bufdir_user,
            "sf": lambda: factories.statsforvalter("vestland"),
            "sf_agder": lambda: factories.statsforvalter("agder"),
            "leader": lambda: factories.service_user(vestland_service),
            "partner": lambda: factories.user_with_role(Role.PARTNER, partner=factories.PartnerFactory()),
        }[name]()

    return make


SEES = {
    "superuser": {"vestland", "agder"},
    "bufdir": {"vestland", "agder"},
    "sf": {"vestland"},
    "sf_agder": {"agder"},
    "leader": set(),
    "partner": set(),
    "nobody": set(),
}


@pytest.mark.parametrize("who", sorted(SEES))
def test_annual_report_list_and_predicate_agree(users, reports, who):
    assert visible(users(who), reports_visible_to, reports, "reporting.view_annual") == SEES[who]


def test_a_service_user_is_refused_the_annual_report(users, reports):
    user = users("leader")
    assert not has_permission(user, "reporting.view_annual", reports["vestland"])
    assert not reports_visible_to(user).exists()
