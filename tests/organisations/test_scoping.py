"""Who may see an embete and a child welfare service (organisations.scoping): the list selectors and the predicates
agree for every role, and outsiders see nothing."""

import pytest

from accounts.models import Role
from accounts.permissions import has_permission
from organisations.selectors import embete_for_user, embeter_visible_to, services_visible_to
from tests import factories
from tests.scoping import nobody, superuser, visible


@pytest.fixture
def users(vestland_service, agder_service):
    def make(name):
        return {
            "superuser": superuser,
            "nobody": nobody,
            "bufdir": factories.bufdir_user,
            "sf": lambda: factories.statsforvalter("vestland"),
            "sf_agder": lambda: factories.statsforvalter("agder"),
            "leader": lambda: factories.service_user(vestland_service),
            "colleague": lambda: factories.service_user(vestland_service, leder=False),
            "agder_leader": lambda: factories.service_user(agder_service),
            "partner": lambda: factories.user_with_role(Role.PARTNER, partner=factories.PartnerFactory()),
        }[name]()

    return make


EMBETER = {
    "superuser": {"vestland", "agder"},
    "bufdir": {"vestland", "agder"},
    "sf": {"vestland"},
    "sf_agder": {"agder"},
    "leader": set(),
    "colleague": set(),
    "agder_leader": set(),
    "partner": set(),
    "nobody": set(),
}
SERVICES = {
    "superuser": {"bergen", "kristiansand"},
    "bufdir": {"bergen", "kristiansand"},
    "sf": {"bergen"},
    "sf_agder": {"kristiansand"},
    "leader": {"bergen"},
    "colleague": {"bergen"},
    "agder_leader": {"kristiansand"},
    "partner": set(),
    "nobody": set(),
}


@pytest.mark.parametrize("who", sorted(EMBETER))
def test_embete_list_and_predicate_agree(users, who):
    embeter = {"vestland": factories.embete("vestland"), "agder": factories.embete("agder")}
    user = users(who)
    seen = visible(user, embeter_visible_to, embeter, "organisations.view_embete")
    # Only these two embeter are asked about; the list may hold more (Bufdir sees every embete).
    assert seen == EMBETER[who]


@pytest.mark.parametrize("who", sorted(SERVICES))
def test_service_list_and_predicate_agree(users, vestland_service, agder_service, who):
    services = {"bergen": vestland_service, "kristiansand": agder_service}
    user = users(who)
    assert visible(user, services_visible_to, services, "organisations.view_service") == SERVICES[who]


def test_a_service_user_is_refused_other_services_and_has_no_embete(users, agder_service):
    user = users("leader")
    assert not has_permission(user, "organisations.view_service", agder_service)
    assert not services_visible_to(user).filter(pk=agder_service.pk).exists()
    assert embete_for_user(user) is None
    assert embete_for_user(users("sf")) == factories.embete("vestland")
