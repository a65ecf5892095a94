"""Who may see a reporting requirement and a progress report (followup.scoping): the list selectors and the
predicates agree for every role, and outsiders see nothing."""

import pytest

from accounts.models import Role
from accounts.permissions import has_permission
from followup.selectors import duty as duty_selectors
from followup.selectors import reports as report_selectors
from tests import factories
from tests.scoping import nobody, superuser, visible

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks", "clock", "no_mfa")]


@pytest.fixture
def users(request, askoy, knowledge_partner):
    """The requirement is Bergen's and Voss' project's; Askøy is in the network, not in the project."""

    def make(name):
        if name == "superuser":
            return superuser()
        if name == "nobody":
            return nobody()
        if name == "partner":
            return factories.user_with_role(Role.PARTNER, partner=knowledge_partner)
        if name == "askoy_leader":
            return factories.service_user(askoy)
        return request.getfixturevalue(name)

    return make


SEES_REQUIREMENT = {"superuser", "bufdir", "sf", "leader", "colleague", "voss_leader"}
OUTSIDERS = {"sf_agder", "askoy_leader", "agder_leader", "partner", "nobody"}
PARTICIPANTS = {"leader", "colleague", "voss_leader"}


@pytest.mark.parametrize("who", sorted(SEES_REQUIREMENT | OUTSIDERS))
def test_requirement_list_and_predicate_agree(users, requirement, who):
    user = users(who)
    seen = visible(
        user, duty_selectors.requirements_visible_to, {"requirement": requirement}, "projects.view_requirement"
    )
    assert seen == ({"requirement"} if who in SEES_REQUIREMENT else set())


@pytest.mark.parametrize("state", ["draft", "submitted"])
@pytest.mark.parametrize("who", sorted(SEES_REQUIREMENT | OUTSIDERS))
def test_report_list_and_predicate_agree(request, users, state, who):
    report = request.getfixturevalue("submitted_report" if state == "submitted" else "draft_report")
    user = users(who)
    seen = visible(user, report_selectors.reports_visible_to, {"report": report}, "projects.view_report")
    # Staff never see a draft that was never submitted; those taking part see their drafts.
    sees = {"superuser", *PARTICIPANTS} if state == "draft" else SEES_REQUIREMENT
    assert seen == ({"report"} if who in sees else set())


@pytest.mark.parametrize("who", ["sf", "bufdir", "sf_agder", "askoy_leader"])
def test_before_the_report_exists_only_those_taking_part_may_open_it(users, requirement, who):
    """Denial: the report rule on a requirement without a report lets no one but the participants through."""
    assert has_permission(users("leader"), "projects.view_report", requirement)
    assert not has_permission(users(who), "projects.view_report", requirement)


def test_the_requirement_list_is_defined_once():
    assert report_selectors.requirements_visible_to is duty_selectors.requirements_visible_to
