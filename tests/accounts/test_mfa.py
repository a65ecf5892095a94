"""Bufdir and statsforvalter users (and superusers) must have TOTP before they reach any data."""

import time

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse

from accounts.models import Role, RoleAssignment
from tests import factories

from .conftest import activate_totp

BANNER = "Krav om tofaktorinnlogging er slått av"
PASSWORD = "Testpassord-123"  # factories.UserFactory


def frozen_clock():
    return time_machine.travel(time.time(), tick=False)


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def data_pages(service):
    return [
        reverse("home"),
        reverse("organisations:service_list"),
        reverse("organisations:service_detail", args=[service.pk]),
        reverse("organisations:kommune_list"),
        reverse("invitation_list"),
    ]


@pytest.fixture
def staff_users(reference_data):
    return {
        "statsforvalter": factories.statsforvalter("vestland"),
        "statsforvalter-leder": factories.statsforvalter("vestland", leder=True),
        "bufdir": factories.bufdir_user(),
        "superuser": factories.UserFactory(is_superuser=True, is_staff=True),
    }


class TestRequired:
    @pytest.mark.parametrize("who", ["statsforvalter", "statsforvalter-leder", "bufdir", "superuser"])
    def test_staff_without_totp_is_sent_to_totp_setup_from_every_data_page(
        self, client, staff_users, vestland_service, who
    ):
        client.force_login(staff_users[who])
        for url in data_pages(vestland_service):
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"] == reverse("mfa_activate_totp"), url
        # POSTs are stopped too, before the view runs.
        response = client.post(reverse("invitation_list"), {"email": "x@example.no"})
        assert response["Location"] == reverse("mfa_activate_totp")

    def test_redirect_explains_why_in_norwegian(self, client, staff_users):
        client.force_login(staff_users["statsforvalter"])
        response = client.get(reverse("home"), follow=True)
        assert "Du må sette opp tofaktorinnlogging (autentiseringsapp) før du får tilgang til data." in (
            response.content.decode()
        )
        # The set-up page is reachable (allauth first asks for the password again), no redirect loop.
        final = response.request["PATH_INFO"]
        assert final.startswith("/konto/")
        assert response.status_code == 200

    @pytest.mark.parametrize("leder", [True, False])
    def test_service_user_without_totp_is_not_redirected(self, client, vestland_service, leder):
        client.force_login(factories.service_user(vestland_service, leder=leder))
        for url in (reverse("home"), reverse("organisations:service_list")):
            response = client.get(url)
            assert response.status_code == 200, url
        assert BANNER not in response.content.decode()

    @pytest.mark.parametrize("who", ["statsforvalter", "bufdir", "superuser"])
    def test_staff_with_totp_reaches_data(self, client, staff_users, vestland_service, who):
        user = staff_users[who]
        activate_totp(user)
        client.force_login(user)
        for url in (reverse("home"), reverse("organisations:service_list")):
            response = client.get(url)
            assert response.status_code == 200, url
            assert BANNER not in response.content.decode()

    def test_staff_role_counts_even_when_acting_in_a_service_role(self, client, vestland_service):
        user = factories.statsforvalter("vestland")
        service_role = RoleAssignment.objects.create(user=user, rolle=Role.TJENESTE_LEDER, tjeneste=vestland_service)
        client.force_login(user)
        session = client.session
        session["active_role_id"] = service_role.pk
        session.save()
        response = client.get(reverse("home"))
        assert response["Location"] == reverse("mfa_activate_totp")

    def test_anonymous_is_sent_to_login_not_mfa(self, client, db):
        response = client.get(reverse("home"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))

    def test_account_pages_stay_reachable_without_totp(self, client, staff_users):
        client.force_login(staff_users["bufdir"])
        assert client.get(reverse("healthz")).status_code == 200
        logout = client.post(reverse("account_logout"))
        assert logout.status_code == 302
        assert "_auth_user_id" not in client.session


class TestSwitchedOff:
    def test_banner_on_every_page_when_mfa_is_off(self, client, no_mfa, staff_users, vestland_service):
        anonymous = client.get(reverse("account_login"))
        assert BANNER in anonymous.content.decode()
        client.force_login(staff_users["statsforvalter"])
        for url in data_pages(vestland_service):
            response = client.get(url)
            assert response.status_code == 200, url
            assert BANNER in response.content.decode(), url

    def test_no_banner_when_mfa_is_on(self, client, db):
        assert BANNER not in client.get(reverse("account_login")).content.decode()


class TestLoginWithTotp:
    def test_login_form_asks_for_code_before_data(self, client, reference_data):
        user = factories.statsforvalter("vestland")
        secret = activate_totp(user)

        response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_authenticate")
        assert "_auth_user_id" not in client.session  # not logged in yet

        # Data is out of reach between the two stages.
        home = client.get(reverse("home"))
        assert home.status_code == 302
        assert home["Location"].startswith(reverse("account_login"))

        page = client.get(reverse("mfa_authenticate"))
        assert page.status_code == 200
        assert 'name="code"' in page.content.decode()

        wrong_code = "000000" if current_code(secret) != "000000" else "111111"
        wrong = client.post(reverse("mfa_authenticate"), {"code": wrong_code})
        assert wrong.status_code == 200
        assert "Feil kode." in wrong.content.decode()
        assert "_auth_user_id" not in client.session

        with frozen_clock():  # the code must not roll over between computing and checking it
            right = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
        assert right.status_code == 302
        assert client.session["_auth_user_id"] == str(user.pk)
        assert client.get(right["Location"], follow=True).status_code == 200
        home = client.get(reverse("home"))
        assert home.status_code == 200
        assert "Statsforvalteren i Vestland" in home.content.decode()

    def test_login_without_totp_leads_through_setup_to_data(self, client, reference_data):
        from allauth.mfa.models import Authenticator
        from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY

        user = factories.bufdir_user()
        response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True)
        chain = [url for url, _status in response.redirect_chain]
        assert chain[:2] == [reverse("home"), reverse("mfa_activate_totp")]
        assert client.session["_auth_user_id"] == str(user.pk)
        # allauth confirms the password once more before an authenticator may be added.
        assert response.request["PATH_INFO"] == reverse("account_reauthenticate")
        again = client.post(
            reverse("account_reauthenticate") + "?next=" + reverse("mfa_activate_totp"), {"password": PASSWORD}
        )
        assert again["Location"] == reverse("mfa_activate_totp")
        setup = client.get(reverse("mfa_activate_totp"))
        assert setup.status_code == 200
        assert 'name="code"' in setup.content.decode()
        secret = client.session[SECRET_SESSION_KEY]

        with frozen_clock():
            done = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
        assert done.status_code == 302
        assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        assert client.get(reverse("home")).status_code == 200
