"""The database itself refuses role assignments and invitations that make no sense."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Invitation, Role, RoleAssignment, hash_token
from tests import factories


@pytest.fixture
def person(reference_data):
    return factories.UserFactory()


def _refused(**fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(**fields)


def test_statsforvalter_role_without_embete_is_refused(person):
    _refused(user=person, rolle=Role.SF_SAKSBEHANDLER)
    _refused(user=person, rolle=Role.SF_LEDER)
    assert not RoleAssignment.objects.filter(user=person).exists()


def test_role_with_wrong_kind_of_scope_is_refused(person, vestland_service):
    vestland = factories.embete("vestland")
    _refused(user=person, rolle=Role.SF_LEDER, tjeneste=vestland_service)
    _refused(user=person, rolle=Role.SF_LEDER, embete=vestland, tjeneste=vestland_service)
    _refused(user=person, rolle=Role.TJENESTE_LEDER, embete=vestland)
    _refused(user=person, rolle=Role.TJENESTE_MEDARBEIDER)
    _refused(user=person, rolle=Role.BUFDIR, embete=vestland)
    _refused(user=person, rolle=Role.PARTNER)
    assert not RoleAssignment.objects.filter(user=person).exists()


def test_period_must_be_ordered(person):
    today = timezone.localdate()
    _refused(user=person, rolle=Role.BUFDIR, gyldig_fra=today, gyldig_til=today - datetime.timedelta(days=1))


@pytest.mark.parametrize(
    "rolle,scope",
    [
        (Role.SF_SAKSBEHANDLER, "embete"),
        (Role.SF_LEDER, "embete"),
        (Role.TJENESTE_LEDER, "tjeneste"),
        (Role.TJENESTE_MEDARBEIDER, "tjeneste"),
        (Role.PARTNER, "partner"),
        (Role.BUFDIR, None),
    ],
)
def test_duplicate_role_in_same_scope_is_refused(person, vestland_service, rolle, scope):
    scopes = {
        "embete": factories.embete("vestland"),
        "tjeneste": vestland_service,
        "partner": factories.PartnerFactory(),
    }
    fields = {"user": person, "rolle": rolle}
    if scope:
        fields[scope] = scopes[scope]
    RoleAssignment.objects.create(**fields)
    _refused(**fields)
    assert RoleAssignment.objects.filter(user=person).count() == 1


def test_same_role_in_other_scope_is_allowed(person, vestland_service, agder_service):
    RoleAssignment.objects.create(user=person, rolle=Role.TJENESTE_LEDER, tjeneste=vestland_service)
    RoleAssignment.objects.create(user=person, rolle=Role.TJENESTE_LEDER, tjeneste=agder_service)
    RoleAssignment.objects.create(user=person, rolle=Role.SF_LEDER, embete=factories.embete("vestland"))
    RoleAssignment.objects.create(user=person, rolle=Role.SF_LEDER, embete=factories.embete("agder"))
    assert RoleAssignment.objects.filter(user=person).count() == 4


def test_same_role_and_scope_for_another_person_is_allowed(person, vestland_service):
    other = factories.UserFactory()
    RoleAssignment.objects.create(user=person, rolle=Role.TJENESTE_LEDER, tjeneste=vestland_service)
    RoleAssignment.objects.create(user=other, rolle=Role.TJENESTE_LEDER, tjeneste=vestland_service)
    assert RoleAssignment.objects.filter(tjeneste=vestland_service).count() == 2


def test_invitation_scope_must_match_role(person, vestland_service):
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(
            email="x@example.no",
            rolle=Role.SF_LEDER,
            tjeneste=vestland_service,
            token_hash=hash_token("a"),
            utloper=Invitation.default_expiry(),
        )
    assert not Invitation.objects.exists()


def test_email_is_unique_case_insensitively_via_normalisation(db):
    from accounts.models import User

    User.objects.create_user("Kari.Nordmann@Example.no", "Testpassord-123")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("kari.nordmann@example.no", "Testpassord-123")
    assert User.objects.get().email == "kari.nordmann@example.no"
