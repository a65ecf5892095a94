"""Who may see a round and an application (grants.scoping): the list selectors and the predicates agree for every
role, and outsiders see nothing."""

import pytest
from django.urls import reverse

from accounts.models import Role
from accounts.permissions import has_permission
from grants import selectors
from tests import factories
from tests.grants.conftest import make_draft, make_round
from tests.scoping import nobody, superuser, visible

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks", "clock", "no_mfa")]


@pytest.fixture
def rounds(rnd, sf, sf_agder, g2021):
    return {
        "vestland": rnd,
        "vestland_draft": make_round(sf, g2021, publish=False, aar=rnd.aar + 1),
        "agder": make_round(sf_agder, g2021),
    }


@pytest.fixture
def applications(submitted, voss_leader, rnd, network, voss):
    return {
        "submitted": submitted,  # Bergen's with Voss
        "voss_draft": make_draft(voss_leader, rnd, network, tjenester=[voss], navn="Vossaprosjektet"),
    }


@pytest.fixture
def users(request, bergen, knowledge_partner):
    def make(name):
        if name == "superuser":
            return superuser()
        if name == "nobody":
            return nobody()
        if name == "partner":
            return factories.user_with_role(Role.PARTNER, partner=knowledge_partner)
        return request.getfixturevalue(name)

    return make


ROUNDS = {
    "superuser": {"vestland", "vestland_draft", "agder"},
    "bufdir": {"vestland", "vestland_draft", "agder"},
    "sf": {"vestland", "vestland_draft"},
    "sf_agder": {"agder"},
    "leader": {"vestland"},
    "colleague": {"vestland"},
    "agder_leader": {"agder"},
    "partner": set(),
    "nobody": set(),
}

APPLICATIONS = {
    "superuser": {"submitted", "voss_draft"},
    "bufdir": {"submitted"},
    "sf": {"submitted"},
    "sf_agder": set(),
    "leader": {"submitted"},
    "colleague": {"submitted"},
    "voss_leader": {"submitted", "voss_draft"},
    "sogndal_leader": set(),
    "agder_leader": set(),
    "partner": set(),
    "nobody": set(),
}


@pytest.mark.parametrize("who", sorted(ROUNDS))
def test_round_list_and_predicate_agree(users, rounds, who):
    user = users(who)
    assert visible(user, selectors.rounds_visible_to, rounds, "grants.view_round") == ROUNDS[who]


@pytest.mark.parametrize("who", sorted(APPLICATIONS))
def test_application_list_and_predicate_agree(users, applications, who):
    user = users(who)
    assert (
        visible(user, selectors.applications_visible_to, applications, "grants.view_application") == APPLICATIONS[who]
    )


def test_another_embetes_statsforvalter_is_refused_the_application(client, sf_agder, submitted, no_mfa):
    """Denial: the list leaves it out, the predicate says no, and the page answers 404 (not in the user's scope)."""
    assert not selectors.applications_visible_to(sf_agder).filter(pk=submitted.pk).exists()
    assert not has_permission(sf_agder, "grants.view_application", submitted)
    client.force_login(sf_agder)
    response = client.get(reverse("grants:application_detail", args=[submitted.pk]))
    assert response.status_code == 404
