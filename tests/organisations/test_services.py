"""The services layer: permission checks, validation, vertskommune rules and audit events."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role, RoleAssignment
from audit.models import AuditEvent
from organisations.models import ChildWelfareService, Kommune, Maalform, Partner, PartnerType
from organisations.services import create_service, save_partner, set_kommune_maalform, update_service
from tests import factories
from tests.factories import valid_orgnr

DUPLICATE_MESSAGE = "Det finnes allerede en barnevernstjeneste med dette organisasjonsnummeret."


def kommune(nummer: str) -> Kommune:
    return Kommune.objects.get(nummer=nummer)


def events(handling: str):
    return AuditEvent.objects.filter(handling=handling)


# --- create_service ---------------------------------------------------------------------------


def test_statsforvalter_creates_service_in_own_embete(sf_vestland):
    service = create_service(
        sf_vestland, navn="  Kinn og Bremanger barnevern ", orgnr="974 760 673", vertskommune=kommune("4602")
    )

    service.refresh_from_db()
    assert service.navn == "Kinn og Bremanger barnevern"
    assert service.orgnr == "974760673"
    assert service.embete.slug == "vestland"
    assert list(service.kommuner.values_list("nummer", flat=True)) == ["4602"]
    event = events("tjeneste.opprettet").get()
    assert event.aktor == sf_vestland
    assert event.object_id == str(service.pk)
    assert event.endringer == {"orgnr": "974760673", "vertskommune": "4602", "kommuner": ["4602"]}


def test_vertskommune_is_always_among_the_kommuner(sf_vestland):
    service = create_service(
        sf_vestland,
        navn="Interkommunal barnevernstjeneste",
        orgnr=valid_orgnr(1),
        vertskommune=kommune("4611"),
        kommuner=[kommune("4612"), kommune("4613")],
    )
    assert sorted(service.kommuner.values_list("nummer", flat=True)) == ["4611", "4612", "4613"]


def test_vertskommune_listed_twice_is_stored_once(sf_vestland):
    service = create_service(
        sf_vestland,
        navn="Etne barnevern",
        orgnr=valid_orgnr(2),
        vertskommune=kommune("4611"),
        kommuner=[kommune("4611")],
    )
    assert list(service.kommuner.values_list("nummer", flat=True)) == ["4611"]


def test_statsforvalter_of_another_embete_may_not_create(sf_agder):
    with pytest.raises(PermissionDenied):
        create_service(sf_agder, navn="Bergen", orgnr=valid_orgnr(3), vertskommune=kommune("4601"))
    assert not ChildWelfareService.objects.exists()
    assert not AuditEvent.objects.exists()


def test_bufdir_may_not_create(bufdir):
    with pytest.raises(PermissionDenied):
        create_service(bufdir, navn="Bergen", orgnr=valid_orgnr(3), vertskommune=kommune("4601"))
    assert not ChildWelfareService.objects.exists()


def test_service_user_may_not_create(vestland_service_user):
    with pytest.raises(PermissionDenied):
        create_service(vestland_service_user, navn="Ny", orgnr=valid_orgnr(3), vertskommune=kommune("4601"))
    assert ChildWelfareService.objects.count() == 1


def test_missing_vertskommune_is_refused(sf_vestland):
    with pytest.raises(PermissionDenied):
        create_service(sf_vestland, navn="Uten kommune", orgnr=valid_orgnr(3), vertskommune=None)
    assert not ChildWelfareService.objects.exists()


def test_duplicate_orgnr_is_refused_in_norwegian(sf_vestland, vestland_service):
    with pytest.raises(ValidationError) as exc:
        create_service(sf_vestland, navn="Kopi", orgnr=vestland_service.orgnr, vertskommune=kommune("4602"))
    assert exc.value.message_dict["orgnr"] == [DUPLICATE_MESSAGE]
    assert ChildWelfareService.objects.count() == 1
    assert not events("tjeneste.opprettet").exists()


def test_duplicate_orgnr_with_spaces_is_refused(sf_vestland, vestland_service):
    spaced = f"{vestland_service.orgnr[:3]} {vestland_service.orgnr[3:6]} {vestland_service.orgnr[6:]}"
    with pytest.raises(ValidationError) as exc:
        create_service(sf_vestland, navn="Kopi", orgnr=spaced, vertskommune=kommune("4602"))
    assert exc.value.message_dict["orgnr"] == [DUPLICATE_MESSAGE]


def test_invalid_orgnr_and_blank_name_are_reported_together(sf_vestland):
    with pytest.raises(ValidationError) as exc:
        create_service(sf_vestland, navn="  ", orgnr="974760674", vertskommune=kommune("4602"))
    errors = exc.value.message_dict
    assert errors["navn"] == ["Navn må fylles ut."]
    assert errors["orgnr"] == ["Organisasjonsnummeret 974760674 har feil kontrollsiffer (MOD11)."]
    assert not ChildWelfareService.objects.exists()


def test_superuser_may_create_anywhere(reference_data):
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    service = create_service(admin, navn="Kristiansand", orgnr=valid_orgnr(4), vertskommune=kommune("4204"))
    assert service.embete.slug == "agder"


# --- update_service ---------------------------------------------------------------------------


def test_statsforvalter_updates_own_service_and_change_is_audited(sf_vestland, vestland_service):
    old_name = vestland_service.navn
    update_service(sf_vestland, vestland_service, navn="Bergen barnevern", epost="post@bergen.kommune.no")

    vestland_service.refresh_from_db()
    assert vestland_service.navn == "Bergen barnevern"
    assert vestland_service.epost == "post@bergen.kommune.no"
    event = events("tjeneste.endret").get()
    assert event.aktor == sf_vestland
    assert event.endringer == {
        "navn": [old_name, "Bergen barnevern"],
        "epost": ["", "post@bergen.kommune.no"],
    }


def test_update_without_changes_records_no_event(sf_vestland, vestland_service):
    update_service(sf_vestland, vestland_service, navn=vestland_service.navn)
    assert not events("tjeneste.endret").exists()


def test_update_keeps_vertskommune_among_kommuner(sf_vestland, vestland_service):
    update_service(sf_vestland, vestland_service, kommuner=[kommune("4602")])
    assert sorted(vestland_service.kommuner.values_list("nummer", flat=True)) == ["4601", "4602"]
    event = events("tjeneste.endret").get()
    assert event.endringer == {"kommuner": [["4601"], ["4601", "4602"]]}


def test_statsforvalter_of_another_embete_may_not_update(sf_agder, vestland_service):
    with pytest.raises(PermissionDenied):
        update_service(sf_agder, vestland_service, navn="Kapret")
    vestland_service.refresh_from_db()
    assert vestland_service.navn == "Barneverntjenesten i Bergen"
    assert not AuditEvent.objects.exists()


def test_bufdir_may_not_update(bufdir, vestland_service):
    with pytest.raises(PermissionDenied):
        update_service(bufdir, vestland_service, navn="Kapret")
    vestland_service.refresh_from_db()
    assert vestland_service.navn == "Barneverntjenesten i Bergen"


def test_service_user_may_not_update_own_service(vestland_service_user, vestland_service):
    with pytest.raises(PermissionDenied):
        update_service(vestland_service_user, vestland_service, navn="Nytt navn")
    vestland_service.refresh_from_db()
    assert vestland_service.navn == "Barneverntjenesten i Bergen"


def test_statsforvalter_may_not_move_service_to_another_embete(sf_vestland, vestland_service):
    with pytest.raises(PermissionDenied):
        update_service(sf_vestland, vestland_service, vertskommune=kommune("4204"))
    vestland_service.refresh_from_db()
    assert vestland_service.vertskommune.nummer == "4601"


def test_update_to_another_services_orgnr_is_refused(sf_vestland, vestland_service):
    other = factories.ServiceFactory(vertskommune=kommune("4602"))
    with pytest.raises(ValidationError) as exc:
        update_service(sf_vestland, other, orgnr=vestland_service.orgnr)
    assert exc.value.message_dict["orgnr"] == [DUPLICATE_MESSAGE]
    other.refresh_from_db()
    assert other.orgnr != vestland_service.orgnr


def test_update_keeping_own_orgnr_is_not_a_duplicate(sf_vestland, vestland_service):
    update_service(sf_vestland, vestland_service, orgnr=vestland_service.orgnr, aktiv=False)
    vestland_service.refresh_from_db()
    assert vestland_service.aktiv is False
    assert events("tjeneste.endret").get().endringer == {"aktiv": [True, False]}


# --- målform ----------------------------------------------------------------------------------


def test_statsforvalter_sets_maalform_for_own_kommune(sf_vestland):
    result = set_kommune_maalform(sf_vestland, kommune("4602"), Maalform.NYNORSK)

    assert result.maalform == Maalform.NYNORSK
    assert kommune("4602").maalform == Maalform.NYNORSK
    event = events("kommune.maalform_endret").get()
    assert event.aktor == sf_vestland
    assert event.endringer == {"maalform": ["noytral", "nynorsk"]}


def test_setting_the_same_maalform_records_nothing(sf_vestland):
    set_kommune_maalform(sf_vestland, kommune("4602"), Maalform.NOYTRAL)
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("who", ["sf_agder", "bufdir", "vestland_service_user"])
def test_others_may_not_set_maalform(request, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        set_kommune_maalform(user, kommune("4602"), Maalform.NYNORSK)
    assert kommune("4602").maalform == Maalform.NOYTRAL
    assert not events("kommune.maalform_endret").exists()


def test_invalid_maalform_is_refused(sf_vestland):
    with pytest.raises(ValidationError) as exc:
        set_kommune_maalform(sf_vestland, kommune("4602"), "samisk")
    assert exc.value.message_dict == {"maalform": ["Ugyldig målform."]}
    assert kommune("4602").maalform == Maalform.NOYTRAL


# --- partners ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["sf_vestland", "bufdir"])
def test_staff_save_partner_with_audit(request, who):
    user = request.getfixturevalue(who)
    partner = save_partner(user, Partner(navn="Senter for barnevern", type=PartnerType.ANNET))
    assert partner.pk is not None
    event = events("partner.opprettet").get()
    assert event.aktor == user
    assert event.endringer == {"navn": "Senter for barnevern", "type": "annet"}


def test_partner_with_bad_orgnr_is_not_saved(sf_vestland):
    with pytest.raises(ValidationError) as exc:
        save_partner(sf_vestland, Partner(navn="Senter", type=PartnerType.ANNET, orgnr="974760674"))
    assert "kontrollsiffer" in exc.value.message_dict["orgnr"][0]
    assert not Partner.objects.filter(navn="Senter").exists()


@pytest.mark.parametrize("who", ["vestland_service_user", "partner_user"])
def test_non_staff_may_not_save_partner(request, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        save_partner(user, Partner(navn="Senter for barnevern", type=PartnerType.ANNET))
    assert not Partner.objects.filter(navn="Senter for barnevern").exists()


def test_role_outside_validity_period_gives_no_access(reference_data, vestland_service):
    user = factories.UserFactory()
    RoleAssignment.objects.create(
        user=user,
        rolle=Role.SF_LEDER,
        embete=factories.embete("vestland"),
        gyldig_fra=datetime.date(2020, 1, 1),
        gyldig_til=datetime.date(2021, 12, 31),
    )
    with pytest.raises(PermissionDenied):
        update_service(user, vestland_service, navn="Utløpt rolle")
