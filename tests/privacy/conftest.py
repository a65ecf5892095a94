"""Fixtures for the privacy tests. `kari` is a Vestland statsforvalter who came in through an invitation and
then left a trace everywhere personal data is stored (every app's personal_data.py): a second e-mail address, TOTP,
an external login, a browser session, an API key, an unused invitation, roles in a network (as a user and as a
named person without account), project leader and contact person, the service's e-mail, a reminder, the
admin log, and, through the project fixtures, the decision on Bergen and Voss' application and its payment."""

import datetime
import json

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from accounts import services as account_services
from accounts.models import Invitation, Role, User
from api import services as api_services
from followup.models import ReminderKind, ReportReminder
from networks.models import NetworkPerson, PersonRole
from projects.models import ProjectContact
from tests.grants.conftest import *  # noqa: F403  (network, rnd, leader, bufdir, clock, tasks …)
from tests.projects.conftest import *  # noqa: F403  (awarded, requirement, project)

PASSWORD = "Kari-sitt-passord-2026"
EMAIL = "solveig.testesen@example.no"
WORK_EMAIL = "s.testesen.jobb@example.no"
FIRST = "Solveig-Marit"
LAST = "Testesen-Bråthen"
PHONE = "+47 912 34 567"
TITLE = "Spesialrådgiver i personvernenheten"
UID = "ansattporten-sub-7f3a9c"
TEXT_TYPES = ("CharField", "TextField", "EmailField", "JSONField", "FileField", "URLField", "SlugField")


def identifiers() -> list[str]:
    """Everything that identifies Kari, as it would appear in a column."""
    return [EMAIL, WORK_EMAIL, FIRST, LAST, f"{FIRST} {LAST}", PHONE, TITLE, UID]


def text_values(model) -> list[tuple[str, int, str]]:
    """(field, pk, text) for every text-like column of every row of model."""
    names = [f.name for f in model._meta.concrete_fields if f.get_internal_type() in TEXT_TYPES]
    rows = []
    for row in model._base_manager.values("pk", *names):
        for name in names:
            value = row[name]
            if value in (None, ""):
                continue
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
            rows.append((name, row["pk"], text))
    return rows


def where_found(needles, *, skip=()) -> list[str]:
    """model.field#pk for every column in the database that contains one of needles (case-insensitive)."""
    lowered = [n.lower() for n in needles]
    hits = []
    for model in apps.get_models():
        if model._meta.label in skip:
            continue
        for name, pk, text in text_values(model):
            if any(n in text.lower() for n in lowered):
                hits.append(f"{model._meta.label}.{name}#{pk}")
    return hits


def login_client(user, password=PASSWORD) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def sf(sf_leader):
    """Kari, invited by her leader and registered through the invitation link (overrides the grant fixture)."""
    invitation, token = account_services.invite(
        sf_leader, email=EMAIL, rolle=Role.SF_SAKSBEHANDLER, embete=sf_leader.roller.get().embete
    )
    user = account_services.accept_invitation(token, first_name=FIRST, last_name=LAST, password=PASSWORD)
    User.objects.filter(pk=user.pk).update(telefon=PHONE, stilling=TITLE)
    user.refresh_from_db()
    return user


@pytest.fixture
def kari(sf):
    return sf


@pytest.fixture
def kari_everywhere(kari, awarded, requirement, project, network, bergen, sf_leader, settings):
    """Kari with personal data in every place of the inventory; returns the secrets the test needs."""
    settings.LAERINGSNETT_REQUIRE_MFA = False  # her browser session and API key, without a TOTP dance
    EmailAddress.objects.create(user=kari, email=WORK_EMAIL, verified=True, primary=False)
    Authenticator.objects.create(user=kari, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    SocialAccount.objects.create(
        user=kari, provider="openid_connect", uid=UID, extra_data={"name": f"{FIRST} {LAST}", "email": EMAIL}
    )
    _token, secret = api_services.create_token(kari, "Karis skript")
    # Someone invites her other address to a second role; she never takes it.
    account_services.invite(sf_leader, email=WORK_EMAIL, rolle=Role.TJENESTE_LEDER, tjeneste=bergen)
    today = datetime.date(2026, 2, 2)
    NetworkPerson.objects.create(network=network, rolle=PersonRole.KOORDINATOR, user=kari, fra_dato=today)
    NetworkPerson.objects.create(
        network=network,
        rolle=PersonRole.RESSURSGRUPPE,
        navn=f"{FIRST} {LAST}",
        stilling=TITLE,
        epost=WORK_EMAIL,
        fra_dato=datetime.date(2025, 1, 1),
    )
    project.prosjektleder = kari
    project.save(update_fields=["prosjektleder"])
    ProjectContact.objects.create(prosjekt=project, user=kari, rolle="Kontaktperson hos statsforvalteren")
    bergen.epost = WORK_EMAIL
    bergen.save(update_fields=["epost"])
    ReportReminder.objects.create(
        krav=requirement, slag=ReminderKind.DAGER_30, frist=requirement.frist, mottakere=[EMAIL, "annen@example.no"]
    )
    LogEntry.objects.create(
        user=sf_leader,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(kari.pk),
        object_repr=str(kari),
        action_flag=CHANGE,
        change_message='[{"changed": {"fields": ["Telefon"]}}]',
    )
    browser = login_client(kari)
    assert browser.get("/konto/personvern/").status_code == 200  # a live session in the database
    return {"api_secret": secret, "browser": browser}


@pytest.fixture
def other_sf(reference_data):
    """A colleague in Vestland who reads the application after Kari has left."""
    from tests import factories

    return factories.statsforvalter("vestland")


def invitations_to(email) -> list[Invitation]:
    return list(Invitation.objects.filter(email=email))
