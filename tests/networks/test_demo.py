"""The demo networks: the real variety the evaluation describes, and safe to build twice."""

import pytest
from django.db.models import Count, F, Q

from accounts.models import RoleAssignment, User
from demo.seed import seed_demo
from networks import selectors
from networks.models import (
    LearningNetwork,
    Membership,
    MembershipStatus,
    NetworkPartner,
    NetworkPerson,
    NetworkStatus,
    NetworkStatusChange,
    PersonRole,
    Theme,
)
from organisations.models import ChildWelfareService, Embete


@pytest.fixture
def demo(reference_data):
    seed_demo()


def active_member_counts(qs):
    return qs.annotate(n=Count("medlemskap", filter=Q(medlemskap__status=MembershipStatus.AKTIV)))


def test_every_embete_has_networks(demo):
    embeter = set(Embete.objects.values_list("slug", flat=True))
    assert len(embeter) == 10
    assert set(LearningNetwork.objects.values_list("embete__slug", flat=True)) == embeter


def test_members_belong_to_the_networks_embete(demo):
    assert Membership.objects.exists()
    assert not Membership.objects.exclude(tjeneste__vertskommune__embete=F("network__embete")).exists()


def test_vestland_has_one_big_network_with_sub_groups(demo):
    parents = LearningNetwork.objects.filter(embete__slug="vestland", undergrupper__isnull=False).distinct()
    assert [p.navn for p in parents] == ["Læringsnettverk Vestland"]
    big = parents.get()
    subs = list(big.undergrupper.all())
    assert len(subs) == 3
    assert all(s.embete_id == big.embete_id for s in subs)
    vestland_services = ChildWelfareService.objects.filter(vertskommune__embete__slug="vestland", aktiv=True)
    # The big network holds every service in the embete; the sub-groups split them between them.
    assert big.medlemskap.filter(status=MembershipStatus.AKTIV).count() == vestland_services.count()
    in_subs = Membership.objects.filter(network__in=subs, status=MembershipStatus.AKTIV)
    assert in_subs.values("tjeneste").distinct().count() == vestland_services.count()


def test_vestfold_og_telemark_runs_many_small_networks(demo):
    networks = active_member_counts(LearningNetwork.objects.filter(embete__slug="vestfold-og-telemark"))
    small = [n for n in networks if 2 <= n.n <= 3]
    assert len(small) >= 4
    assert {n.n for n in small} == {2, 3}
    assert any(n.status == NetworkStatus.PAUSE for n in networks)


def test_trondelag_has_five_networks_led_by_coordinators(demo):
    networks = LearningNetwork.objects.filter(embete__slug="trondelag")
    assert networks.count() == 5
    for network in networks:
        roles = set(network.personer.values_list("rolle", flat=True))
        assert PersonRole.KOORDINATOR in roles, network.navn
        assert PersonRole.LEDER not in roles, network.navn
        # So the "no leader" warning does not fire for a flat structure.
        assert "no_leader" not in [w.code for w in selectors.warnings_for(selectors.network_detail(network.pk))]


def test_active_demo_networks_respect_the_two_service_rule(demo):
    active = active_member_counts(LearningNetwork.objects.filter(status=NetworkStatus.AKTIV))
    assert active
    assert [n.navn for n in active if n.n < 2] == []


def test_demo_has_an_invitation_and_a_request_to_show(demo):
    invitation = Membership.objects.get(status=MembershipStatus.INVITERT)
    assert invitation.network.embete.slug == "agder"
    assert invitation.tjeneste.kommuner.filter(nummer="4204").exists()
    request = Membership.objects.get(status=MembershipStatus.SOKT)
    assert request.network.embete.slug == "nordland"
    assert request.begrunnelse


def counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (
            LearningNetwork,
            Membership,
            NetworkPerson,
            NetworkPartner,
            NetworkStatusChange,
            Theme,
            ChildWelfareService,
            User,
            RoleAssignment,
        )
    }


def test_seeding_twice_changes_nothing(demo):
    first = counts()
    assert first["LearningNetwork"] > 20
    snapshot = list(Membership.objects.order_by("pk").values())
    seed_demo()
    assert counts() == first
    assert list(Membership.objects.order_by("pk").values()) == snapshot
