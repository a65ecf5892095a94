"""Who may see a development project (projects.scoping): the list selector and the predicate agree for every role,
and outsiders see nothing."""

import pytest

from accounts.models import Role
from accounts.permissions import has_permission
from projects.models import ProjectPartner
from projects.selectors.projects import projects_visible_to
from tests import factories
from tests.grants.conftest import make_draft
from tests.scoping import nobody, superuser, visible

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks", "clock", "no_mfa")]


@pytest.fixture
def projects(draft, voss_leader, rnd, network, voss, knowledge_partner):
    """Bergen's project (with RKBU Vest as partner) and Voss' project, both in Vestland."""
    bergen_project = draft.prosjekt
    ProjectPartner.objects.create(prosjekt=bergen_project, partner=knowledge_partner, rolle="Veileder")
    voss_project = make_draft(voss_leader, rnd, network, tjenester=[voss], navn="Vossaprosjektet").prosjekt
    return {"bergen": bergen_project, "voss": voss_project}


@pytest.fixture
def users(request, knowledge_partner, ks_partner):
    def make(name):
        if name == "superuser":
            return superuser()
        if name == "nobody":
            return nobody()
        if name == "partner":
            return factories.user_with_role(Role.PARTNER, partner=knowledge_partner)
        if name == "other_partner":
            return factories.user_with_role(Role.PARTNER, partner=ks_partner)
        return request.getfixturevalue(name)

    return make


SEES = {
    "superuser": {"bergen", "voss"},
    "bufdir": {"bergen", "voss"},
    "sf": {"bergen", "voss"},
    "sf_agder": set(),
    "leader": {"bergen"},
    "colleague": {"bergen"},
    "voss_leader": {"voss"},
    "sogndal_leader": set(),
    "partner": {"bergen"},
    "other_partner": set(),
    "nobody": set(),
}


@pytest.mark.parametrize("who", sorted(SEES))
def test_project_list_and_predicate_agree(users, projects, who):
    user = users(who)
    assert visible(user, projects_visible_to, projects, "projects.view_project") == SEES[who]


def test_a_service_outside_the_project_is_refused(users, projects):
    """Denial: neither in the list nor through the predicate, for a service of the same embete."""
    user = users("sogndal_leader")
    assert not projects_visible_to(user).exists()
    assert not has_permission(user, "projects.view_project", projects["bergen"])
