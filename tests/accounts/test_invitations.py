"""Invitations end to end: invite through the page, e-mail after commit, follow the link, get the role."""

import datetime

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, Role, RoleAssignment, User
from accounts.tasks import send_invitation_email
from audit.models import AuditEvent
from tests import factories

from .conftest import activate_totp, token_from_mail

PASSWORD = "Fjelltur-i-regnvær-42"


def _invite_via_page(client, captured, **data):
    with captured(execute=True):
        return client.post(reverse("invitation_list"), data)


def _accept_form(**overrides):
    data = {"first_name": "Kari", "last_name": "Nordmann", "password1": PASSWORD, "password2": PASSWORD}
    data.update(overrides)
    return data


def _logged_in_user_id(client):
    return client.session.get("_auth_user_id")


@pytest.fixture
def inviter(client, no_mfa, vestland_sf):
    client.force_login(vestland_sf)
    return vestland_sf


@pytest.fixture
def sent(client, inviter, vestland_service, django_capture_on_commit_callbacks):
    """A Vestland statsforvalter has invited kari@example.no to lead a Vestland service. Returns the token."""
    response = _invite_via_page(
        client,
        django_capture_on_commit_callbacks,
        email="Kari@Example.no",
        rolle=Role.TJENESTE_LEDER,
        tjeneste=vestland_service.pk,
    )
    assert response.status_code == 302, response.content.decode()
    assert len(mail.outbox) == 1
    client.logout()
    return token_from_mail(mail.outbox[0])


class TestInviteThroughPage:
    def test_invite_sends_one_norwegian_email_with_link(
        self, client, inviter, vestland_service, django_capture_on_commit_callbacks
    ):
        response = _invite_via_page(
            client,
            django_capture_on_commit_callbacks,
            email="Kari@Example.no",
            rolle=Role.TJENESTE_MEDARBEIDER,
            tjeneste=vestland_service.pk,
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("invitation_list")
        invitation = Invitation.objects.get()
        assert invitation.email == "kari@example.no"
        assert invitation.rolle == Role.TJENESTE_MEDARBEIDER
        assert invitation.tjeneste == vestland_service
        assert invitation.invitert_av == inviter
        assert invitation.epost_sendt is not None
        assert AuditEvent.objects.filter(handling="invitasjon.sendt", aktor=inviter).count() == 1

        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["kari@example.no"]
        assert message.subject == "Invitasjon til Læringsnett"
        assert inviter.get_full_name() in message.body
        assert vestland_service.navn in message.body
        assert "14 dager" in message.body
        token = token_from_mail(message)
        assert reverse("accept_invitation", args=[token]) in message.body
        # Only the hash is stored, never the raw token.
        assert token not in invitation.token_hash

        listing = client.get(reverse("invitation_list"))
        assert "Invitasjonen er sendt til kari@example.no." in listing.content.decode()
        assert "Venter på svar" in listing.content.decode()

    def test_cannot_invite_to_service_in_other_embete(
        self, client, inviter, agder_service, django_capture_on_commit_callbacks
    ):
        response = _invite_via_page(
            client,
            django_capture_on_commit_callbacks,
            email="ola@example.no",
            rolle=Role.TJENESTE_LEDER,
            tjeneste=agder_service.pk,
        )
        assert response.status_code in (200, 403)
        if response.status_code == 200:
            assert response.context["form"].errors
        assert not Invitation.objects.exists()
        assert mail.outbox == []

    def test_service_layer_refuses_other_embete_even_without_the_form(self, vestland_sf, agder_service):
        with pytest.raises(PermissionDenied):
            services.invite(vestland_sf, email="ola@example.no", rolle=Role.TJENESTE_LEDER, tjeneste=agder_service)
        assert not Invitation.objects.exists()

    def test_duplicate_pending_invitation_is_refused(
        self, client, inviter, vestland_service, django_capture_on_commit_callbacks
    ):
        data = {"email": "kari@example.no", "rolle": Role.TJENESTE_LEDER, "tjeneste": vestland_service.pk}
        assert _invite_via_page(client, django_capture_on_commit_callbacks, **data).status_code == 302
        again = _invite_via_page(client, django_capture_on_commit_callbacks, **{**data, "email": "KARI@example.no"})
        assert again.status_code == 200
        assert "har allerede en gyldig invitasjon" in again.content.decode()
        assert Invitation.objects.count() == 1
        assert len(mail.outbox) == 1

    def test_new_invitation_allowed_after_the_old_one_expired(self, vestland_sf, vestland_service):
        services.invite(vestland_sf, email="kari@example.no", rolle=Role.TJENESTE_LEDER, tjeneste=vestland_service)
        with time_machine.travel(timezone.now() + datetime.timedelta(days=15)):
            services.invite(vestland_sf, email="kari@example.no", rolle=Role.TJENESTE_LEDER, tjeneste=vestland_service)
        assert Invitation.objects.count() == 2

    def test_inviting_someone_who_already_has_the_role_is_refused(self, vestland_sf, vestland_service):
        existing = factories.service_user(vestland_service, leder=True)
        with pytest.raises(ValidationError) as exc:
            services.invite(vestland_sf, email=existing.email, rolle=Role.TJENESTE_LEDER, tjeneste=vestland_service)
        assert "har allerede denne rollen" in str(exc.value)
        assert not Invitation.objects.exists()

    def test_service_leader_invites_medarbeider_to_own_service(
        self, client, no_mfa, vestland_service, django_capture_on_commit_callbacks
    ):
        leader = factories.service_user(vestland_service, leder=True)
        client.force_login(leader)
        response = _invite_via_page(
            client,
            django_capture_on_commit_callbacks,
            email="kollega@example.no",
            rolle=Role.TJENESTE_MEDARBEIDER,
            tjeneste=vestland_service.pk,
        )
        assert response.status_code == 302
        invitation = Invitation.objects.get()
        assert (invitation.rolle, invitation.tjeneste) == (Role.TJENESTE_MEDARBEIDER, vestland_service)
        assert len(mail.outbox) == 1

    def test_service_leader_cannot_invite_to_other_service(
        self, client, no_mfa, vestland_service, django_capture_on_commit_callbacks
    ):
        other = factories.ServiceFactory(navn="Barneverntjenesten i Askøy")
        leader = factories.service_user(vestland_service, leder=True)
        client.force_login(leader)
        response = _invite_via_page(
            client,
            django_capture_on_commit_callbacks,
            email="kollega@example.no",
            rolle=Role.TJENESTE_MEDARBEIDER,
            tjeneste=other.pk,
        )
        assert response.status_code == 200
        assert "tjeneste" in response.context["form"].errors
        assert not Invitation.objects.exists()
        assert mail.outbox == []

    def test_service_leader_cannot_invite_statsforvalter(
        self, client, no_mfa, vestland_service, django_capture_on_commit_callbacks
    ):
        leader = factories.service_user(vestland_service, leder=True)
        client.force_login(leader)
        response = _invite_via_page(
            client,
            django_capture_on_commit_callbacks,
            email="sf@example.no",
            rolle=Role.SF_LEDER,
            embete=factories.embete("vestland").pk,
        )
        assert response.status_code == 200
        assert "rolle" in response.context["form"].errors
        assert "Velg et gyldig valg" in response.content.decode()
        assert not Invitation.objects.exists()
        assert mail.outbox == []
        with pytest.raises(PermissionDenied):
            services.invite(leader, email="sf@example.no", rolle=Role.SF_LEDER, embete=factories.embete("vestland"))
        assert not Invitation.objects.exists()

    def test_medarbeider_may_not_open_the_invitation_page(self, client, no_mfa, vestland_service):
        client.force_login(factories.service_user(vestland_service, leder=False))
        response = client.post(
            reverse("invitation_list"),
            {"email": "x@example.no", "rolle": Role.TJENESTE_MEDARBEIDER, "tjeneste": vestland_service.pk},
        )
        assert response.status_code == 403
        assert not Invitation.objects.exists()

    def test_other_embete_does_not_see_the_invitation(
        self, client, inviter, vestland_service, django_capture_on_commit_callbacks
    ):
        _invite_via_page(
            client,
            django_capture_on_commit_callbacks,
            email="kari@example.no",
            rolle=Role.TJENESTE_LEDER,
            tjeneste=vestland_service.pk,
        )
        assert "kari@example.no" in client.get(reverse("invitation_list")).content.decode()
        client.force_login(factories.statsforvalter("agder"))
        listing = client.get(reverse("invitation_list")).content.decode()
        assert "kari@example.no" not in listing
        invitation = Invitation.objects.get()
        revoke = client.post(reverse("invitation_revoke", args=[invitation.pk]))
        assert revoke.status_code == 404
        invitation.refresh_from_db()
        assert invitation.trukket_tilbake is None


class TestAcceptInvitation:
    def test_link_creates_account_with_role_verified_email_and_logs_in(self, client, sent, vestland_service):
        url = reverse("accept_invitation", args=[sent])
        page = client.get(url)
        assert page.status_code == 200
        body = page.content.decode()
        assert "kari@example.no" in body
        assert vestland_service.navn in body
        assert not User.objects.filter(email="kari@example.no").exists()

        response = client.post(url, _accept_form())
        assert response.status_code == 302
        assert response["Location"] == reverse("home")

        user = User.objects.get(email="kari@example.no")
        assert (user.first_name, user.last_name) == ("Kari", "Nordmann")
        assert user.check_password(PASSWORD)
        role = RoleAssignment.objects.get(user=user)
        assert (role.rolle, role.tjeneste, role.embete, role.partner) == (
            Role.TJENESTE_LEDER,
            vestland_service,
            None,
            None,
        )
        address = EmailAddress.objects.get(user=user)
        assert address.email == "kari@example.no"
        assert address.verified and address.primary
        invitation = Invitation.objects.get()
        assert invitation.akseptert is not None
        assert invitation.akseptert_av == user
        assert AuditEvent.objects.filter(handling="invitasjon.akseptert", aktor=user).exists()

        assert _logged_in_user_id(client) == str(user.pk)
        home = client.get(reverse("home"))
        assert home.status_code == 200
        assert home.context["active_role"] == role
        assert "Velkommen! Du har nå rollen" in home.content.decode()

    def test_new_account_can_log_in_with_allauth_afterwards(self, client, sent):
        client.post(reverse("accept_invitation", args=[sent]), _accept_form())
        client.logout()
        response = client.post(reverse("account_login"), {"login": "kari@example.no", "password": PASSWORD})
        assert response.status_code == 302
        assert _logged_in_user_id(client) == str(User.objects.get(email="kari@example.no").pk)

    def test_reused_link_is_refused_and_changes_nothing(self, client, sent):
        url = reverse("accept_invitation", args=[sent])
        client.post(url, _accept_form())
        client.logout()
        accepted_at = Invitation.objects.get().akseptert

        for response in (client.get(url), client.post(url, _accept_form(first_name="Ola", password1="Annet-pass-99"))):
            assert response.status_code == 410
            assert "Denne invitasjonen er allerede brukt" in response.content.decode()
        assert User.objects.filter(email="kari@example.no").count() == 1
        assert User.objects.get(email="kari@example.no").first_name == "Kari"
        assert RoleAssignment.objects.filter(user__email="kari@example.no").count() == 1
        assert Invitation.objects.get().akseptert == accepted_at
        assert _logged_in_user_id(client) is None

    def test_expired_link_is_refused_naming_the_expiry(self, client, sent):
        invitation = Invitation.objects.get()
        expiry = timezone.localtime(invitation.utloper).strftime("%d.%m.%Y")
        url = reverse("accept_invitation", args=[sent])
        with time_machine.travel(timezone.now() + datetime.timedelta(days=15)):
            for response in (client.get(url), client.post(url, _accept_form())):
                assert response.status_code == 410
                body = response.content.decode()
                assert "Invitasjonen utløp" in body
                assert expiry in body
        assert not User.objects.filter(email="kari@example.no").exists()
        assert Invitation.objects.get().akseptert is None

    def test_link_still_works_just_before_expiry(self, client, sent):
        with time_machine.travel(timezone.now() + datetime.timedelta(days=13, hours=23)):
            response = client.post(reverse("accept_invitation", args=[sent]), _accept_form())
        assert response.status_code == 302
        assert User.objects.filter(email="kari@example.no").exists()

    def test_revoked_link_is_refused(self, client, sent, vestland_sf):
        invitation = Invitation.objects.get()
        client.force_login(vestland_sf)
        revoke = client.post(reverse("invitation_revoke", args=[invitation.pk]))
        assert revoke.status_code == 302
        invitation.refresh_from_db()
        assert invitation.trukket_tilbake is not None
        client.logout()

        url = reverse("accept_invitation", args=[sent])
        for response in (client.get(url), client.post(url, _accept_form())):
            assert response.status_code == 410
            assert "trukket tilbake" in response.content.decode()
        assert not User.objects.filter(email="kari@example.no").exists()

    def test_accepted_invitation_cannot_be_revoked(self, client, sent, vestland_sf):
        client.post(reverse("accept_invitation", args=[sent]), _accept_form())
        invitation = Invitation.objects.get()
        with pytest.raises(ValidationError):
            services.revoke_invitation(vestland_sf, invitation)
        invitation.refresh_from_db()
        assert invitation.trukket_tilbake is None

    def test_unknown_or_tampered_link_is_refused(self, client, sent):
        response = client.get(reverse("accept_invitation", args=[sent[:-2] + "xx"]))
        assert response.status_code == 410
        assert "Lenken er ikke gyldig" in response.content.decode()

    def test_password_errors_are_shown_in_norwegian(self, client, sent):
        url = reverse("accept_invitation", args=[sent])
        short = client.post(url, _accept_form(password1="12345", password2="12345"))
        assert short.status_code == 200
        body = short.content.decode()
        assert "Passordet er for kort" in body
        assert "inneholder bare tall" in body

        common = client.post(url, _accept_form(password1="password123", password2="password123"))
        assert "Dette passordet er for vanlig" in common.content.decode()

        mismatch = client.post(url, _accept_form(password2="Noe-helt-annet-77"))
        assert "Passordene er ikke like." in mismatch.content.decode()

        assert not User.objects.filter(email="kari@example.no").exists()
        assert Invitation.objects.get().akseptert is None
        assert _logged_in_user_id(client) is None

    def test_existing_logged_in_user_with_matching_email_gets_role_added(
        self, client, no_mfa, vestland_sf, vestland_service, agder_service
    ):
        existing = factories.service_user(agder_service, leder=False)
        token = services.invite(
            vestland_sf, email=existing.email.upper(), rolle=Role.TJENESTE_LEDER, tjeneste=vestland_service
        )[1]
        client.force_login(existing)
        url = reverse("accept_invitation", args=[token])
        page = client.get(url)
        assert page.status_code == 200
        assert "Rollen legges til på kontoen din" in page.content.decode()

        response = client.post(url)
        assert response.status_code == 302
        assert User.objects.filter(email=existing.email).count() == 1
        assert set(RoleAssignment.objects.filter(user=existing).values_list("rolle", "tjeneste")) == {
            (Role.TJENESTE_MEDARBEIDER, agder_service.pk),
            (Role.TJENESTE_LEDER, vestland_service.pk),
        }
        assert Invitation.objects.get().akseptert_av == existing
        existing.refresh_from_db()
        assert existing.check_password("Testpassord-123")  # untouched
        assert EmailAddress.objects.filter(user=existing, primary=True).count() == 1

    def test_logged_in_user_with_other_email_is_refused(self, client, no_mfa, vestland_sf, vestland_service):
        token = services.invite(
            vestland_sf, email="kari@example.no", rolle=Role.TJENESTE_LEDER, tjeneste=vestland_service
        )[1]
        intruder = factories.UserFactory(email="ola@example.no")
        client.force_login(intruder)
        url = reverse("accept_invitation", args=[token])
        page = client.get(url)
        assert "Invitasjonen gjelder kari@example.no, men du er logget inn som ola@example.no" in page.content.decode()
        assert "Ta imot rollen" not in page.content.decode()

        response = client.post(url)
        assert response.status_code == 200
        assert "Invitasjonen gjelder kari@example.no, men du er logget inn som ola@example.no" in (
            response.content.decode()
        )
        assert not RoleAssignment.objects.filter(user=intruder).exists()
        assert Invitation.objects.get().akseptert is None

    def test_existing_account_must_log_in_first(self, client, vestland_sf, vestland_service):
        existing = factories.UserFactory(email="kari@example.no", first_name="Kirsten", last_name="Berg")
        names_before = (existing.first_name, existing.last_name)
        token = services.invite(
            vestland_sf, email="kari@example.no", rolle=Role.TJENESTE_LEDER, tjeneste=vestland_service
        )[1]
        url = reverse("accept_invitation", args=[token])
        page = client.get(url)
        assert "Det finnes allerede en konto for kari@example.no" in page.content.decode()
        assert 'name="password1"' not in page.content.decode()
        response = client.post(url, _accept_form())
        assert "Det finnes allerede en konto for kari@example.no" in response.content.decode()
        existing.refresh_from_db()
        assert existing.check_password("Testpassord-123")
        assert (existing.first_name, existing.last_name) == names_before
        assert not RoleAssignment.objects.filter(user=existing).exists()
        assert _logged_in_user_id(client) is None

        # Logging in through allauth with ?next= brings them back to the link, and the role is added.
        login = client.post(
            reverse("account_login") + f"?next={url}", {"login": "kari@example.no", "password": "Testpassord-123"}
        )
        assert login.status_code == 302
        assert login["Location"] == url
        assert client.post(url).status_code == 302
        assert RoleAssignment.objects.filter(user=existing, rolle=Role.TJENESTE_LEDER, tjeneste=vestland_service)

    def test_invited_statsforvalter_must_set_up_mfa_before_data(self, client, reference_data):
        leader = factories.statsforvalter("vestland", leder=True)
        activate_totp(leader)
        token = services.invite(
            leader, email="ny.sf@example.no", rolle=Role.SF_SAKSBEHANDLER, embete=factories.embete("vestland")
        )[1]
        response = client.post(reverse("accept_invitation", args=[token]), _accept_form(), follow=True)
        chain = [url for url, _status in response.redirect_chain]
        assert chain[:2] == [reverse("home"), reverse("mfa_activate_totp")]
        # allauth asks for the password once more before TOTP can be enrolled; data is never shown.
        assert response.request["PATH_INFO"] in (reverse("mfa_activate_totp"), reverse("account_reauthenticate"))
        assert "Du må sette opp tofaktorinnlogging" in response.content.decode()
        assert RoleAssignment.objects.filter(user__email="ny.sf@example.no", rolle=Role.SF_SAKSBEHANDLER).exists()


class TestInvitationEmailDelivery:
    def test_task_is_idempotent(self, vestland_sf, vestland_service, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            invitation, token = services.invite(
                vestland_sf, email="kari@example.no", rolle=Role.TJENESTE_LEDER, tjeneste=vestland_service
            )
        assert len(callbacks) == 1
        assert send_invitation_email(invitation.pk, token) is True
        assert send_invitation_email(invitation.pk, token) is False
        assert send_invitation_email.delay(invitation.pk, token).get() is False
        assert len(mail.outbox) == 1
        invitation.refresh_from_db()
        assert invitation.epost_sendt is not None

    def test_task_for_missing_invitation_sends_nothing(self, db):
        assert send_invitation_email(999_999, "whatever") is False
        assert mail.outbox == []

    def test_email_is_sent_only_after_commit(self, vestland_sf, vestland_service, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.invite(vestland_sf, email="kari@example.no", rolle=Role.TJENESTE_LEDER, tjeneste=vestland_service)
            assert mail.outbox == []
        assert mail.outbox == []
        assert len(callbacks) == 1
        callbacks[0]()
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["kari@example.no"]

    def test_nothing_is_sent_when_the_transaction_rolls_back(
        self, vestland_sf, vestland_service, django_capture_on_commit_callbacks
    ):
        class Boom(Exception):
            pass

        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            with pytest.raises(Boom), transaction.atomic():
                services.invite(
                    vestland_sf, email="kari@example.no", rolle=Role.TJENESTE_LEDER, tjeneste=vestland_service
                )
                raise Boom
        assert callbacks == []
        assert mail.outbox == []
        assert not Invitation.objects.exists()
        assert not AuditEvent.objects.filter(handling="invitasjon.sendt").exists()


@pytest.mark.django_db(transaction=True)
class TestWithRealCommits:
    """Same guarantees without the test-case transaction in the way."""

    def test_committed_invitation_sends_mail(self, vestland_sf, vestland_service):
        services.invite(vestland_sf, email="kari@example.no", rolle=Role.TJENESTE_LEDER, tjeneste=vestland_service)
        assert len(mail.outbox) == 1
        assert Invitation.objects.get().epost_sendt is not None

    def test_rolled_back_invitation_sends_nothing(self, vestland_sf, vestland_service):
        with pytest.raises(RuntimeError), transaction.atomic():
            services.invite(vestland_sf, email="kari@example.no", rolle=Role.TJENESTE_LEDER, tjeneste=vestland_service)
            raise RuntimeError("rollback")
        assert mail.outbox == []
        assert not Invitation.objects.exists()


class TestInvitationEdgeCases:
    def test_statsforvalter_sees_and_revokes_own_partner_invitation(
        self, client, inviter, django_capture_on_commit_callbacks
    ):
        partner = factories.PartnerFactory(navn="RKBU Vest")
        response = _invite_via_page(
            client,
            django_capture_on_commit_callbacks,
            email="forsker@example.no",
            rolle=Role.PARTNER,
            partner=partner.pk,
        )
        assert response.status_code == 302
        invitation = Invitation.objects.get()
        assert invitation.partner == partner
        assert "forsker@example.no" in client.get(reverse("invitation_list")).content.decode()
        assert client.post(reverse("invitation_revoke", args=[invitation.pk])).status_code == 302
        invitation.refresh_from_db()
        assert invitation.trukket_tilbake is not None
        assert "Trukket tilbake" in client.get(reverse("invitation_list")).content.decode()
        # Another embete's statsforvalter neither sees it nor can touch it.
        client.force_login(factories.statsforvalter("agder"))
        assert "forsker@example.no" not in client.get(reverse("invitation_list")).content.decode()

    def test_person_whose_role_ended_can_be_invited_back(self, client, no_mfa, vestland_sf, vestland_service):
        former = factories.service_user(vestland_service, leder=True)
        role = RoleAssignment.objects.get(user=former)
        role.gyldig_fra = timezone.localdate() - datetime.timedelta(days=400)
        role.gyldig_til = timezone.localdate() - datetime.timedelta(days=30)
        role.save()
        token = services.invite(vestland_sf, email=former.email, rolle=Role.TJENESTE_LEDER, tjeneste=vestland_service)[
            1
        ]
        client.force_login(former)
        assert client.post(reverse("accept_invitation", args=[token])).status_code == 302
        role.refresh_from_db()
        assert role.gyldig_til is None
        assert RoleAssignment.objects.active().filter(user=former, tjeneste=vestland_service).count() == 1
        assert RoleAssignment.objects.filter(user=former).count() == 1

    def test_bufdir_cannot_be_invited_by_statsforvalter(self, vestland_sf):
        with pytest.raises(PermissionDenied):
            services.invite(vestland_sf, email="x@example.no", rolle=Role.BUFDIR)
        assert not Invitation.objects.exists()
        assert mail.outbox == []
