"""A person with several roles chooses which one they act in; the choice lives in the session."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.middleware import SESSION_KEY
from accounts.models import Role, RoleAssignment
from tests import factories


@pytest.fixture
def two_role_user(no_mfa, vestland_service):
    """Statsforvalter in Vestland and also leader of a service there."""
    user = factories.statsforvalter("vestland")
    RoleAssignment.objects.create(user=user, rolle=Role.TJENESTE_LEDER, tjeneste=vestland_service)
    return user


def _roles(user):
    sf = RoleAssignment.objects.get(user=user, rolle=Role.SF_SAKSBEHANDLER)
    leader = RoleAssignment.objects.get(user=user, rolle=Role.TJENESTE_LEDER)
    return sf, leader


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_switching_changes_the_active_role_in_session_and_on_pages(client, two_role_user, agder_service):
    sf, leader = _roles(two_role_user)
    client.force_login(two_role_user)

    first = client.get(reverse("home"))
    assert first.context["active_role"].pk == sf.pk  # sf_saksbehandler sorts before tjeneste_leder

    response = client.post(reverse("switch_role"), {"rolle": leader.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session[SESSION_KEY] == leader.pk
    assert any("Du bruker nå rollen" in m for m in _messages(response))

    home = client.get(reverse("home"))
    assert home.context["active_role"].pk == leader.pk
    # Acting as the service leader, the statsforvalter-only pages are out of reach.
    assert client.get(reverse("organisations:embete_list")).status_code == 403

    client.post(reverse("switch_role"), {"rolle": sf.pk})
    assert client.session[SESSION_KEY] == sf.pk
    assert client.get(reverse("home")).context["active_role"].pk == sf.pk


def test_switching_to_a_role_one_does_not_hold_is_refused(client, two_role_user, agder_service):
    sf, _leader = _roles(two_role_user)
    someone_else = factories.service_user(agder_service)
    foreign_role = RoleAssignment.objects.get(user=someone_else)
    client.force_login(two_role_user)
    client.post(reverse("switch_role"), {"rolle": sf.pk})

    response = client.post(reverse("switch_role"), {"rolle": foreign_role.pk})
    assert response.status_code == 302
    assert "Du har ikke denne rollen." in _messages(response)
    assert client.session[SESSION_KEY] == sf.pk
    assert client.get(reverse("home")).context["active_role"].pk == sf.pk
    assert RoleAssignment.objects.filter(user=two_role_user).count() == 2


@pytest.mark.parametrize("value", ["", "abc", "999999"])
def test_switching_with_garbage_is_refused_without_error(client, two_role_user, value):
    client.force_login(two_role_user)
    response = client.post(reverse("switch_role"), {"rolle": value})
    assert response.status_code == 302
    assert "Du har ikke denne rollen." in _messages(response)
    assert SESSION_KEY not in client.session


def test_switching_to_an_expired_role_is_refused(client, two_role_user):
    import datetime

    from django.utils import timezone

    sf, leader = _roles(two_role_user)
    leader.gyldig_fra = timezone.localdate() - datetime.timedelta(days=30)
    leader.gyldig_til = timezone.localdate() - datetime.timedelta(days=1)
    leader.save()
    client.force_login(two_role_user)
    response = client.post(reverse("switch_role"), {"rolle": leader.pk})
    assert "Du har ikke denne rollen." in _messages(response)
    assert SESSION_KEY not in client.session


def test_switching_requires_post_and_login(client, two_role_user):
    _sf, leader = _roles(two_role_user)
    anonymous = client.post(reverse("switch_role"), {"rolle": leader.pk})
    assert anonymous.status_code == 302
    assert reverse("account_login") in anonymous["Location"]
    client.force_login(two_role_user)
    assert client.get(reverse("switch_role"), {"rolle": leader.pk}).status_code == 405
    assert SESSION_KEY not in client.session


def test_next_on_same_site_is_followed(client, two_role_user):
    _sf, leader = _roles(two_role_user)
    client.force_login(two_role_user)
    target = reverse("organisations:service_list")
    response = client.post(reverse("switch_role"), {"rolle": leader.pk, "next": target})
    assert response["Location"] == target


@pytest.mark.parametrize(
    "evil",
    [
        "https://evil.example.com/phish",
        "//evil.example.com/phish",
        "///evil.example.com",
        "http:\\\\evil.example.com",
        "javascript:alert(1)",
    ],
)
def test_open_redirect_via_next_is_refused(client, two_role_user, evil):
    _sf, leader = _roles(two_role_user)
    client.force_login(two_role_user)
    response = client.post(reverse("switch_role"), {"rolle": leader.pk, "next": evil})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert "evil" not in response["Location"]
    assert client.session[SESSION_KEY] == leader.pk  # the switch itself still happened
