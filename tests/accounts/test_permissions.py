"""The permission layer: who may see and change what, scoped by the active role."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Role, RoleAssignment
from accounts.permissions import has_permission, require
from tests import factories


def fresh(user):
    """The same person as a new request would see them (no cached active role)."""
    return type(user).objects.get(pk=user.pk)


class TestStatsforvalterScope:
    def test_sees_and_changes_services_in_own_embete(self, vestland_sf, vestland_service):
        assert has_permission(vestland_sf, "organisations.view_service", vestland_service) is True
        assert has_permission(vestland_sf, "organisations.change_service", vestland_service) is True

    def test_cannot_view_or_change_service_in_other_embete(self, vestland_sf, agder_service):
        assert agder_service.vertskommune.embete.slug == "agder"
        assert has_permission(vestland_sf, "organisations.view_service", agder_service) is False
        assert has_permission(vestland_sf, "organisations.change_service", agder_service) is False

    def test_embete_and_kommune_scope(self, vestland_sf, agder_service, vestland_service):
        vestland = factories.embete("vestland")
        agder = factories.embete("agder")
        assert has_permission(vestland_sf, "organisations.view_embete", vestland) is True
        assert has_permission(vestland_sf, "organisations.view_embete", agder) is False
        assert has_permission(vestland_sf, "organisations.change_kommune", vestland_service.vertskommune) is True
        assert has_permission(vestland_sf, "organisations.change_kommune", agder_service.vertskommune) is False
        assert has_permission(vestland_sf, "organisations.add_service", vestland) is True
        assert has_permission(vestland_sf, "organisations.add_service", agder) is False
        assert has_permission(vestland_sf, "organisations.add_service", None) is False

    def test_http_detail_of_other_embetes_service_is_refused(self, client, no_mfa, vestland_sf, agder_service):
        client.force_login(vestland_sf)
        response = client.get(reverse("organisations:service_detail", args=[agder_service.pk]))
        assert response.status_code in (403, 404)
        assert agder_service.navn not in response.content.decode()


class TestServiceUserScope:
    def test_sees_own_service_but_cannot_change_it(self, vestland_service):
        user = factories.service_user(vestland_service)
        assert has_permission(user, "organisations.view_service", vestland_service) is True
        assert has_permission(user, "organisations.change_service", vestland_service) is False

    def test_sees_nothing_of_other_services(self, vestland_service, agder_service):
        other_vestland = factories.ServiceFactory(navn="Barneverntjenesten i Askøy")
        user = factories.service_user(vestland_service, leder=False)
        for service in (agder_service, other_vestland):
            assert has_permission(user, "organisations.view_service", service) is False
            assert has_permission(user, "organisations.change_service", service) is False
        assert has_permission(user, "organisations.view_embete", vestland_service.vertskommune.embete) is False
        assert has_permission(user, "organisations.export_services") is False
        assert has_permission(user, "accounts.view_audit") is False

    def test_http_detail_of_other_service_is_refused(self, client, vestland_service, agder_service):
        user = factories.service_user(vestland_service)
        client.force_login(user)
        own = client.get(reverse("organisations:service_detail", args=[vestland_service.pk]))
        assert own.status_code == 200
        other = client.get(reverse("organisations:service_detail", args=[agder_service.pk]))
        assert other.status_code in (403, 404)
        assert agder_service.navn not in other.content.decode()


class TestBufdir:
    def test_reads_everything_but_changes_nothing_local(self, vestland_service, agder_service):
        user = factories.bufdir_user()
        for service in (vestland_service, agder_service):
            assert has_permission(user, "organisations.view_service", service) is True
            assert has_permission(user, "organisations.change_service", service) is False
        assert has_permission(user, "organisations.view_embete", factories.embete("agder")) is True
        assert has_permission(user, "organisations.change_kommune", agder_service.vertskommune) is False
        assert has_permission(user, "organisations.add_service", factories.embete("agder")) is False
        assert has_permission(user, "organisations.import_services", factories.embete("agder")) is False
        assert has_permission(user, "organisations.export_services") is True


class TestSuperuserAndInactive:
    def test_superuser_may_do_everything(self, vestland_service, agder_service):
        admin = factories.UserFactory(is_superuser=True, is_staff=True)
        assert RoleAssignment.objects.filter(user=admin).count() == 0
        assert has_permission(admin, "organisations.change_service", agder_service) is True
        assert has_permission(admin, "organisations.change_kommune", vestland_service.vertskommune) is True
        assert has_permission(admin, "accounts.view_audit") is True

    def test_expired_role_grants_nothing(self, vestland_service):
        user = factories.UserFactory()
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        RoleAssignment.objects.create(
            user=user,
            rolle=Role.SF_LEDER,
            embete=factories.embete("vestland"),
            gyldig_fra=yesterday - datetime.timedelta(days=30),
            gyldig_til=yesterday,
        )
        assert has_permission(user, "organisations.view_service", vestland_service) is False
        assert has_permission(user, "organisations.change_service", vestland_service) is False
        assert has_permission(user, "organisations.list_services") is False

    def test_future_role_grants_nothing_yet(self, vestland_service):
        user = factories.UserFactory()
        RoleAssignment.objects.create(
            user=user,
            rolle=Role.TJENESTE_LEDER,
            tjeneste=vestland_service,
            gyldig_fra=timezone.localdate() + datetime.timedelta(days=3),
        )
        assert has_permission(user, "organisations.view_service", vestland_service) is False

    def test_expired_role_in_session_is_not_used(self, client, vestland_service):
        """A role that ends while the session still points at it no longer applies."""
        user = factories.service_user(vestland_service)
        role = RoleAssignment.objects.get(user=user)
        client.force_login(user)
        session = client.session
        session["active_role_id"] = role.pk
        session.save()
        role.gyldig_fra = timezone.localdate() - datetime.timedelta(days=10)
        role.gyldig_til = timezone.localdate() - datetime.timedelta(days=1)
        role.save()
        response = client.get(reverse("organisations:service_detail", args=[vestland_service.pk]))
        assert response.status_code in (403, 404)

    def test_deactivated_user_has_no_permissions(self, vestland_service):
        user = factories.statsforvalter("vestland", leder=True)
        user.is_active = False
        user.save()
        assert has_permission(fresh(user), "organisations.view_service", vestland_service) is False

    def test_anonymous_has_no_permissions(self, vestland_service):
        assert has_permission(AnonymousUser(), "organisations.view_service", vestland_service) is False
        assert has_permission(None, "organisations.view_service", vestland_service) is False


class TestUnknownAction:
    def test_unknown_action_raises_key_error(self, db):
        user = factories.bufdir_user()
        with pytest.raises(KeyError):
            has_permission(user, "organisations.delete_everything")

    def test_unknown_action_raises_for_superuser_too(self, db):
        admin = factories.UserFactory(is_superuser=True)
        with pytest.raises(KeyError):
            has_permission(admin, "organisasjons.view_service")

    def test_unknown_action_raises_for_anonymous_too(self, db):
        """A typo in an action name must not silently read as 'refused' for logged-out visitors."""
        with pytest.raises(KeyError):
            has_permission(AnonymousUser(), "organisations.veiw_service")

    def test_require_raises_permission_denied_in_norwegian(self, vestland_sf, agder_service):
        with pytest.raises(PermissionDenied, match="Du har ikke tilgang til dette"):
            require(vestland_sf, "organisations.change_service", agder_service)


class TestInvitePermission:
    def _target(self, **kwargs):
        return Invitation(email="ny@example.no", **kwargs)

    def test_statsforvalter_invites_only_within_own_embete(self, vestland_sf, vestland_service, agder_service):
        assert has_permission(
            vestland_sf, "accounts.invite", self._target(rolle=Role.TJENESTE_LEDER, tjeneste=vestland_service)
        )
        assert not has_permission(
            vestland_sf, "accounts.invite", self._target(rolle=Role.TJENESTE_LEDER, tjeneste=agder_service)
        )

    def test_only_sf_leader_or_bufdir_adds_statsforvalter_staff(self, vestland_sf):
        leader = factories.statsforvalter("vestland", leder=True)
        vestland = factories.embete("vestland")
        target = self._target(rolle=Role.SF_SAKSBEHANDLER, embete=vestland)
        assert has_permission(leader, "accounts.invite", target) is True
        assert has_permission(vestland_sf, "accounts.invite", target) is False
        assert has_permission(factories.bufdir_user(), "accounts.invite", target) is True
        other_embete = self._target(rolle=Role.SF_SAKSBEHANDLER, embete=factories.embete("agder"))
        assert has_permission(leader, "accounts.invite", other_embete) is False

    def test_service_leader_invites_colleagues_only(self, vestland_service, agder_service):
        leader = factories.service_user(vestland_service, leder=True)
        assert has_permission(
            leader, "accounts.invite", self._target(rolle=Role.TJENESTE_MEDARBEIDER, tjeneste=vestland_service)
        )
        assert not has_permission(
            leader, "accounts.invite", self._target(rolle=Role.TJENESTE_MEDARBEIDER, tjeneste=agder_service)
        )
        assert not has_permission(
            leader, "accounts.invite", self._target(rolle=Role.SF_SAKSBEHANDLER, embete=factories.embete("vestland"))
        )
        assert not has_permission(leader, "accounts.invite", self._target(rolle=Role.BUFDIR))

    def test_medarbeider_cannot_invite(self, vestland_service):
        worker = factories.service_user(vestland_service, leder=False)
        assert not has_permission(
            worker, "accounts.invite", self._target(rolle=Role.TJENESTE_MEDARBEIDER, tjeneste=vestland_service)
        )
        assert not has_permission(worker, "accounts.list_invitations")
