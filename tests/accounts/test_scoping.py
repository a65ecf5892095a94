"""The user's standing (accounts.scoping) and who may see an invitation: the list selector and the rule's test agree
for every role."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Invitation, Role, hash_token
from accounts.scoping import invitations, standing
from accounts.selectors import invitations_visible_to
from tests import factories
from tests.scoping import nobody, superuser, visible


@pytest.fixture
def people(vestland_service, agder_service):
    return {
        "superuser": superuser(),
        "nobody": nobody(),
        "bufdir": factories.bufdir_user(),
        "sf": factories.statsforvalter("vestland"),
        "sf_agder": factories.statsforvalter("agder"),
        "leader": factories.service_user(vestland_service),
        "colleague": factories.service_user(vestland_service, leder=False),
        "agder_leader": factories.service_user(agder_service),
        "partner": factories.user_with_role(Role.PARTNER, partner=factories.PartnerFactory()),
    }


def _invitation(n, invited_by, **scope) -> Invitation:
    return Invitation.objects.create(
        email=f"ny{n}@example.no",
        token_hash=hash_token(f"token-{n}"),
        invitert_av=invited_by,
        utloper=timezone.now() + datetime.timedelta(days=7),
        **scope,
    )


@pytest.fixture
def invites(people, vestland_service, agder_service):
    partner = factories.PartnerFactory()
    return {
        "to_bergen": _invitation(1, people["leader"], rolle=Role.TJENESTE_MEDARBEIDER, tjeneste=vestland_service),
        "to_kristiansand": _invitation(2, people["sf_agder"], rolle=Role.TJENESTE_LEDER, tjeneste=agder_service),
        "to_vestland": _invitation(3, people["bufdir"], rolle=Role.SF_LEDER, embete=factories.embete("vestland")),
        "partner_by_sf": _invitation(4, people["sf"], rolle=Role.PARTNER, partner=partner),
        "partner_by_bufdir": _invitation(5, people["bufdir"], rolle=Role.PARTNER, partner=partner),
    }


EVERY = {"to_bergen", "to_kristiansand", "to_vestland", "partner_by_sf", "partner_by_bufdir"}
SEES = {
    "superuser": EVERY,
    "bufdir": EVERY,
    "sf": {"to_bergen", "to_vestland", "partner_by_sf"},
    "sf_agder": {"to_kristiansand"},
    "leader": {"to_bergen"},
    "colleague": set(),
    "agder_leader": {"to_kristiansand"},
    "partner": set(),
    "nobody": set(),
}


@pytest.mark.parametrize("who", sorted(SEES))
def test_invitation_list_and_rule_agree(people, invites, who):
    def rule(user, invitation):
        return invitations(standing(user)).test(invitation)

    assert visible(people[who], invitations_visible_to, invites, test=rule) == SEES[who]


def test_standing_answers_from_the_active_role(people, vestland_service):
    sf = standing(people["sf"])
    assert (sf.statsforvalter, sf.embete_id, sf.embete_ids, sf.service_id) == (
        True,
        factories.embete("vestland").pk,
        [factories.embete("vestland").pk],
        None,
    )
    leader = standing(people["leader"])
    assert (leader.service_id, leader.service_leader, leader.service_embete_id, leader.embete_ids) == (
        vestland_service.pk,
        True,
        factories.embete("vestland").pk,
        [],
    )
    assert standing(people["bufdir"]).embete_ids is None
    assert standing(people["superuser"]).sees_all
    assert standing(people["partner"]).partner_id is not None
    assert not standing(people["nobody"]).sees_all and standing(people["nobody"]).embete_ids == []
