"""Anonymising a person who has left: their name, e-mail and phone are gone from every column except the audit
trail, which is never edited; decisions and audit events still point at the same user, now a pseudonym; they
can no longer log in; a failure half-way changes nothing; running it again changes nothing."""

import datetime
import json
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.test import Client

from accounts.models import Invitation, Role, RoleAssignment, User
from api.models import ApiToken
from audit.models import AuditEvent
from followup.models import ReportReminder
from grants.models import Decision, Payment
from networks.models import NetworkPerson
from organisations.models import ChildWelfareService
from privacy import services
from privacy.selectors import anonymisation_plan, personal_data_export, user_sessions
from projects.models import ProjectContact
from tests import factories

from .conftest import EMAIL, FIRST, LAST, PASSWORD, WORK_EMAIL, identifiers, login_client, where_found
from .test_export import run

pytestmark = pytest.mark.usefixtures("tasks", "clock")

LEFT = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Europe/Oslo"))  # a month after the decision
YESTERDAY = datetime.date(2026, 3, 1)
PSEUDONYM = "Anonymisert bruker {}"


@pytest.fixture
def left(clock):
    """Kari has left; the anonymisation runs on 2 March 2026."""
    clock.move_to(LEFT)


def audit_rows() -> dict[int, dict]:
    return {row["id"]: row for row in AuditEvent.objects.values()}


def database() -> dict[str, list[dict]]:
    """Every row of every table (for "nothing changed")."""
    return {m._meta.label: list(m._base_manager.order_by("pk").values()) for m in apps.get_models()}


def test_the_person_is_gone_from_every_column_but_the_audit_trail(kari_everywhere, kari, left):
    assert where_found(identifiers(), skip={"audit.AuditEvent"}) != []  # the fixture put her everywhere
    before = audit_rows()

    result = services.anonymise_user(None, kari)

    assert result.changed
    # Only the service's own e-mail address (Bergen's, which is her work address) stays: it is the service's row,
    # not hers; the plan names it (tests/privacy/test_own_addresses.py).
    bergen = ChildWelfareService.objects.get(epost=WORK_EMAIL)
    assert where_found(identifiers(), skip={"audit.AuditEvent"}) == [
        f"organisations.ChildWelfareService.epost#{bergen.pk}"
    ]
    # The audit trail is untouched: every old row as it was (her address is still in it), one new row.
    after = audit_rows()
    assert {pk: after[pk] for pk in before} == before
    assert where_found([EMAIL]) != [] and all(h.startswith("audit.AuditEvent.") for h in where_found([EMAIL]))
    (new,) = [after[pk] for pk in set(after) - set(before)]
    assert (new["handling"], new["aktor_id"], new["object_id"]) == ("bruker.anonymisert", None, str(kari.pk))
    assert new["objekt"] == PSEUDONYM.format(kari.pk)
    assert not any(n.lower() in json.dumps(new, default=str).lower() for n in identifiers())


def test_the_account_stays_as_a_pseudonym_without_access(kari_everywhere, kari, left):
    services.anonymise_user(None, kari)
    kari.refresh_from_db()
    assert str(kari) == PSEUDONYM.format(kari.pk)
    assert kari.email == f"anonymisert-{kari.pk}@anonymisert.invalid"
    assert (kari.stilling, kari.telefon, kari.last_login) == ("", "", None)
    assert not kari.is_active and not kari.has_usable_password()
    for model in (EmailAddress, Authenticator, SocialAccount, ApiToken):
        assert not model.objects.filter(user=kari).exists(), model
    assert user_sessions(kari) == []
    # Roles end yesterday (history kept), so she is on no "active today" list.
    assert list(RoleAssignment.objects.filter(user=kari).values_list("rolle", "gyldig_til")) == [
        (Role.SF_SAKSBEHANDLER, YESTERDAY)
    ]
    assert not RoleAssignment.objects.active().filter(user=kari).exists()
    # The invitation she used stays as a record (with the pseudonym); the one she never used is gone.
    assert list(Invitation.objects.filter(akseptert_av=kari).values_list("email", flat=True)) == [kari.email]
    assert not Invitation.objects.filter(email=WORK_EMAIL).exists()


def test_contact_person_details_are_removed_and_network_history_kept(
    kari_everywhere, kari, project, bergen, requirement, left
):
    services.anonymise_user(None, kari)
    as_user = NetworkPerson.objects.get(user=kari)
    assert (as_user.navn, as_user.epost, as_user.til_dato) == ("", "", YESTERDAY)
    named = NetworkPerson.objects.get(user__isnull=True)
    assert (named.navn, named.stilling, named.epost, named.til_dato) == (PSEUDONYM.format(kari.pk), "", "", YESTERDAY)
    project.refresh_from_db()
    bergen.refresh_from_db()
    assert project.prosjektleder is None and not ProjectContact.objects.filter(prosjekt=project).exists()
    assert bergen.epost == WORK_EMAIL  # the service's address, not hers to empty
    assert ReportReminder.objects.get(krav=requirement).mottakere == [
        f"anonymisert-{kari.pk}@anonymisert.invalid",
        "annen@example.no",
    ]


def test_decisions_and_audit_events_keep_pointing_at_her_and_show_the_pseudonym(
    kari_everywhere, kari, awarded, other_sf, left, settings
):
    events_by_her = list(AuditEvent.objects.filter(aktor=kari).values_list("pk", flat=True))
    services.anonymise_user(None, kari)
    decision = Decision.objects.get(pk=awarded.pk)
    assert decision.vedtatt_av_id == kari.pk and decision.soknad.saksbehandler_id == kari.pk
    assert Payment.objects.get(vedtak=decision).registrert_av_id == kari.pk
    assert list(AuditEvent.objects.filter(aktor=kari).values_list("pk", flat=True)) == [
        *events_by_her,
        *AuditEvent.objects.filter(handling="bruker.anonymisert", aktor=kari).values_list("pk", flat=True),
    ]
    settings.LAERINGSNETT_REQUIRE_MFA = False
    response = login_client(other_sf).get(f"/midler/soknader/{decision.soknad_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert PSEUDONYM.format(kari.pk) in html and "Vedtak" in html
    assert LAST not in html and FIRST not in html


def test_she_can_no_longer_log_in(kari_everywhere, kari, left):
    assert authenticate(email=EMAIL, password=PASSWORD) == kari
    before = Client().post("/konto/login/", {"login": EMAIL, "password": PASSWORD})
    assert before.status_code == 302 and before["Location"] == "/konto/2fa/authenticate/"  # password accepted
    token = kari_everywhere["api_secret"]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get("/api/v1/summary").status_code == 200

    services.anonymise_user(None, kari)

    assert authenticate(email=EMAIL, password=PASSWORD) is None
    assert authenticate(email=f"anonymisert-{kari.pk}@anonymisert.invalid", password=PASSWORD) is None
    for login in (EMAIL, f"anonymisert-{kari.pk}@anonymisert.invalid"):
        after = Client().post("/konto/login/", {"login": login, "password": PASSWORD})
        assert after.status_code == 200 and "_auth_user_id" not in after.wsgi_request.session
    # The browser she was logged in with is logged out, and her API key is dead.
    assert kari_everywhere["browser"].get("/konto/personvern/").status_code == 302
    assert api.get("/api/v1/summary").status_code in (401, 403)


@pytest.mark.parametrize("fails_at", ["_replace_in", "audit.record"])
def test_a_failure_half_way_changes_nothing(kari_everywhere, kari, left, fails_at):
    before = database()
    target = "privacy.services." + fails_at
    with mock.patch(target, side_effect=RuntimeError("strømbrudd")), pytest.raises(RuntimeError):
        services.anonymise_user(None, kari)
    assert database() == before


def test_running_it_again_changes_nothing(kari_everywhere, kari, left):
    services.anonymise_user(None, kari)
    before = database()
    result = services.anonymise_user(None, User.objects.get(pk=kari.pk))
    assert not result.changed
    assert database() == before


def test_the_export_of_an_anonymised_user_holds_no_personal_data(kari_everywhere, kari, left):
    services.anonymise_user(None, kari)
    doc = personal_data_export(User.objects.get(pk=kari.pk))
    text = json.dumps(doc, ensure_ascii=False).lower()
    assert not [n for n in identifiers() if n.lower() in text]
    assert doc["bruker"]["anonymisert"] is True and doc["revisjonsspor"]["utfort_av_deg"]


def test_only_superusers_and_the_command_line_may_anonymise(kari, other_sf):
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    before = database()
    with pytest.raises(PermissionDenied):
        services.anonymise_user(other_sf, kari)
    with pytest.raises(services.AnonymisationRefused) as info:
        services.anonymise_user(admin, admin)
    assert info.value.messages == ["Du kan ikke anonymisere din egen konto. Be en annen superbruker gjøre det."]
    assert database() == before


def test_the_last_person_who_can_give_the_bufdir_role_must_stay(reference_data, left):
    only = factories.bufdir_user()
    before = database()
    with pytest.raises(services.AnonymisationRefused) as info:
        services.anonymise_user(None, only)
    assert "siste aktive brukeren som kan gi Bufdir-rollen" in info.value.messages[0]
    assert database() == before
    assert run("anonymise_user", "--id", only.pk, "--yes") == 1
    assert database() == before
    factories.bufdir_user()  # a colleague takes over
    assert services.anonymise_user(None, only).changed


def test_leaving_responsibilities_are_named_but_do_not_block(sogndal, kari_everywhere, kari, left):
    leader_only = factories.service_user(sogndal)
    assert anonymisation_plan(leader_only).warnings == [
        "Siste aktive leder i Barnevernstenesta i Sogndal. Statsforvalteren må invitere en ny leder."
    ]
    assert services.anonymise_user(None, leader_only).changed
    assert "Prosjektet «Fosterhjem i fellesskap» mister prosjektlederen og trenger en ny." in (
        anonymisation_plan(kari).warnings
    )


def test_the_command_asks_first_and_then_anonymises(kari_everywhere, kari, left, capsys):
    before = database()
    assert run("anonymise_user", "--email", EMAIL) == 1  # not a terminal and no --yes
    assert "Ingenting er endret. Bekreft med --yes." in capsys.readouterr().err
    assert database() == before

    assert run("anonymise_user", "--email", EMAIL, "--yes") == 0
    out = capsys.readouterr().out
    assert "Merk: Prosjektet «Fosterhjem i fellesskap» mister prosjektlederen og trenger en ny." in out
    assert f"Bruker {kari.pk} er anonymisert som «Anonymisert bruker {kari.pk}»" in out
    assert f"anonymise_user --id {kari.pk} --yes" in out
    assert not User.objects.get(pk=kari.pk).is_active

    assert run("anonymise_user", "--id", kari.pk, "--yes") == 0
    assert f"Bruker {kari.pk} er allerede anonymisert. Ingenting er endret." in capsys.readouterr().out
    assert run("anonymise_user", "--email", EMAIL, "--yes") == 2  # the address is gone


def test_superusers_anonymise_and_export_in_django_admin(kari_everywhere, kari, left, settings):
    settings.LAERINGSNETT_REQUIRE_MFA = False
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    browser = login_client(admin)
    changelist = "/admin/accounts/user/"
    export = browser.post(changelist, {"action": "export_personal_data", "_selected_action": [kari.pk]})
    assert json.loads(export.content)["bruker"]["id"] == kari.pk

    confirm = browser.post(changelist, {"action": "anonymise", "_selected_action": [kari.pk]})
    assert confirm.status_code == 200 and "Ja, anonymiser" in confirm.content.decode()
    assert User.objects.get(pk=kari.pk).is_active  # nothing before the confirmation

    done = browser.post(changelist, {"action": "anonymise", "_selected_action": [kari.pk], "confirm": "ja"})
    assert done.status_code == 302
    assert AuditEvent.objects.get(handling="bruker.anonymisert").aktor == admin
    assert not User.objects.get(pk=kari.pk).is_active
    # Deleting a person is not offered: it would cut them out of the audit trail.
    assert browser.get(f"/admin/accounts/user/{kari.pk}/delete/").status_code == 403
