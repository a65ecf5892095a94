"""Only addresses a person has verified are theirs (issue 20, item 2). Anyone can type any address at /konto/email/;
until it is confirmed it proves nothing. So another account's address cannot be added at all, an unverified
address brings no one else's invitations or audit events into the export, anonymising never deletes or empties
other people's or organisations' rows because of it, and the anonymisation shows beforehand what it will change."""

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps

from accounts import services as account_services
from accounts.models import Invitation, Role
from privacy import services
from privacy.selectors import anonymisation_plan, known_emails, personal_data_export
from tests import factories

from .conftest import EMAIL, WORK_EMAIL, login_client
from .test_export import run

pytestmark = pytest.mark.usefixtures("tasks", "clock")

EMAILS = "/konto/email/"
OTHERS = "ny.leder.bergen@example.no"  # invited by the statsforvalter; not yet registered
TAKEN = "Denne e-postadressen tilhører en annen konto."


def database() -> dict[str, list[dict]]:
    return {m._meta.label: list(m._base_manager.order_by("pk").values()) for m in apps.get_models()}


def add_address(user, email):
    return login_client(user).post(EMAILS, {"action_add": "", "email": email})


@pytest.fixture
def mallory(bergen):
    """A service user who types other people's addresses into her e-mail page."""
    return factories.service_user(bergen)


@pytest.fixture
def invitation_for_someone_else(sf_leader, bergen, mallory):
    invitation, _token = account_services.invite(sf_leader, email=OTHERS, rolle=Role.TJENESTE_LEDER, tjeneste=bergen)
    EmailAddress.objects.create(user=mallory, email=OTHERS.upper(), verified=False, primary=False)
    return invitation


# --- adding an address ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("whose", ["login", "login_other_case", "second_address", "unverified_address"])
def test_another_accounts_address_cannot_be_added(whose, mallory, reference_data):
    victim = factories.UserFactory(email="Victim.Person@example.no")
    address = {
        "login": "victim.person@example.no",
        "login_other_case": "VICTIM.PERSON@EXAMPLE.NO",
        "second_address": "victim.private@example.no",
        "unverified_address": "victim.unverified@example.no",
    }[whose]
    EmailAddress.objects.create(user=victim, email="victim.private@example.no", verified=True)
    EmailAddress.objects.create(user=victim, email="victim.unverified@example.no", verified=False)

    response = add_address(mallory, address)

    assert response.status_code == 200
    assert TAKEN in response.content.decode()
    assert not EmailAddress.objects.filter(user=mallory, email__iexact=address).exists()


def test_a_new_address_can_still_be_added_unverified(mallory):
    response = add_address(mallory, "mallory.privat@example.no")
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=mallory, email="mallory.privat@example.no").verified is False


# --- what belongs to the person ------------------------------------------------------------------------------


def test_only_verified_addresses_and_the_login_are_the_users(mallory, invitation_for_someone_else):
    EmailAddress.objects.create(user=mallory, email="bekreftet@example.no", verified=True)
    assert known_emails(mallory) == {mallory.email.lower(), "bekreftet@example.no"}


def test_the_export_leaves_out_invitations_and_events_for_an_unverified_address(
    mallory, invitation_for_someone_else, sf_leader
):
    doc = personal_data_export(mallory)

    assert doc["invitasjoner"]["til_deg"] == []
    text = str(doc["revisjonsspor"]) + str(doc["invitasjoner"])
    assert OTHERS not in text.lower() and sf_leader.get_full_name() not in text
    # Her own rows are still listed: the address she typed, marked unconfirmed.
    assert {"epost": OTHERS.upper(), "bekreftet": False, "hovedadresse": False} in doc["epostadresser"]


def test_anonymising_keeps_someone_elses_invitation_and_a_services_address(
    mallory, invitation_for_someone_else, bergen, voss
):
    bergen.epost = OTHERS
    bergen.save(update_fields=["epost"])

    result = services.anonymise_user(None, mallory)

    assert result.changed
    assert Invitation.objects.filter(pk=invitation_for_someone_else.pk, akseptert__isnull=True).exists()
    bergen.refresh_from_db()
    assert bergen.epost == OTHERS
    assert result.counts["invitasjoner_slettet"] == 0
    assert not EmailAddress.objects.filter(user=mallory).exists()  # her own rows do go


def test_a_services_address_equal_to_her_verified_address_is_named_not_emptied(kari_everywhere, kari, bergen):
    """Bergen's e-mail is Kari's work address: the service's row is not hers to change; the plan says so."""
    warning = (
        f"Barneverntjenesten i Bergen har {WORK_EMAIL} som e-postadresse. Den endres ikke; "
        "be tjenesten registrere en annen adresse."
    )
    assert warning in anonymisation_plan(kari).warnings
    services.anonymise_user(None, kari)
    bergen.refresh_from_db()
    assert bergen.epost == WORK_EMAIL


def test_the_command_finds_no_user_by_an_unverified_address(mallory, invitation_for_someone_else, capsys):
    assert run("export_personal_data", "--email", OTHERS) == 2
    assert f"Fant ingen bruker med e-postadressen {OTHERS}." in capsys.readouterr().err


# --- seeing what will change first -------------------------------------------------------------------------------


def test_the_preview_lists_the_changes_and_changes_nothing(kari_everywhere, kari):
    before = database()

    preview = services.anonymise_user(None, kari, dry_run=True)

    assert database() == before
    assert preview.changed and preview.counts["invitasjoner_slettet"] == 1
    assert "E-postadresser som slettes: 2" in preview.changes
    assert f"Ubrukt invitasjon som slettes: {WORK_EMAIL} (Barneverntjenesten i Bergen)" in preview.changes
    assert f"Navn, e-post ({EMAIL}), telefon og stilling erstattes med «Anonymisert bruker {kari.pk}»" in (
        preview.changes
    )
    done = services.anonymise_user(None, kari)
    assert done.changes == preview.changes and done.counts == preview.counts


def test_the_command_has_a_dry_run(kari_everywhere, kari, capsys):
    before = database()
    assert run("anonymise_user", "--email", EMAIL, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "Dette vil bli endret:" in out and "E-postadresser som slettes: 2" in out
    assert "Prøvekjøring: ingenting er endret." in out
    assert database() == before


def test_the_admin_confirmation_lists_the_changes(kari_everywhere, kari, settings):
    settings.LAERINGSNETT_REQUIRE_MFA = False
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    browser = login_client(admin)
    before = database()
    page = browser.post("/admin/accounts/user/", {"action": "anonymise", "_selected_action": [kari.pk]})
    html = page.content.decode()
    assert "E-postadresser som slettes: 2" in html and "Ja, anonymiser" in html
    assert database() == before
