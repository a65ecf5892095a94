"""The networks service layer: permission, validation, history and audit for every write."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from networks import services
from networks.models import (
    Gathering,
    GatheringAttendance,
    GuidelineVersion,
    LearningNetwork,
    Membership,
    MembershipStatus,
    NetworkDocument,
    NetworkPartner,
    NetworkPerson,
    NetworkStatus,
    NetworkStatusChange,
    OppvekstParticipant,
    PersonRole,
    Theme,
)
from tests import factories

from .conftest import DAY, PDF_BYTES, add_member, docx_bytes, make_network, odt_bytes, upload

TWO_SERVICE_RULE = "Et læringsnettverk må ha minst to deltakende barnevernstjenester for å bli aktivt."


def events(handling: str):
    return AuditEvent.objects.filter(handling=handling)


def errors_of(excinfo) -> list[str]:
    return excinfo.value.messages


# --- reference data ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_guideline_versions_are_seeded_with_their_rules():
    g2018 = GuidelineVersion.objects.get(gyldig_fra=datetime.date(2018, 1, 1))
    g2021 = GuidelineVersion.objects.get(gyldig_fra=datetime.date(2021, 1, 1))
    assert (g2018.navn, g2018.kunnskapspartner_paakrevd, g2018.kommuneledelse_paakrevd, g2018.oppvekst_tillatt) == (
        "Retningslinjer 2018",
        True,
        True,
        False,
    )
    assert (g2021.navn, g2021.kunnskapspartner_paakrevd, g2021.kommuneledelse_paakrevd, g2021.oppvekst_tillatt) == (
        "Retningslinjer 2021",
        False,
        False,
        True,
    )
    assert services.guideline_on(datetime.date(2020, 12, 31)) == g2018
    assert services.guideline_on(datetime.date(2021, 1, 1)) == g2021
    assert services.guideline_on(datetime.date(2017, 12, 31)) is None


@pytest.mark.django_db
def test_controlled_themes_are_seeded():
    controlled = set(Theme.objects.filter(kontrollert=True).values_list("navn", flat=True))
    assert {
        "Oppfølging av fosterhjem",
        "Opplæring og kompetanseutvikling",
        "Lederutvikling",
        "Utvikling av lokale tiltak",
        "Høykonflikt",
        "Medvirkning",
        "Minoriteter",
        "Akuttberedskap",
        "Foreldreveiledning",
        "Rekruttering av fosterhjem",
    } <= controlled
    assert not Theme.objects.filter(kontrollert=False).exists()


# --- create_network ---------------------------------------------------------------------------


def test_statsforvalter_creates_network_in_own_embete(sf_vestland):
    fosterhjem = Theme.objects.get(navn="Oppfølging av fosterhjem")
    network = services.create_network(
        sf_vestland,
        embete=factories.embete("vestland"),
        navn="  Nettverk Nordhordland ",
        etablert_aar=2019,
        orientering="kompetanseutvikling",
        themes=[fosterhjem],
        new_themes=["Traumebevisst praksis", " medvirkning "],
    )

    network.refresh_from_db()
    assert network.embete.slug == "vestland"
    assert network.status == NetworkStatus.ETABLERING
    assert network.status_fra == timezone.localdate()
    # A free theme that matches a controlled one (case-insensitively) reuses it; a new one is uncontrolled.
    assert sorted(network.temaer.values_list("navn", "kontrollert")) == [
        ("Medvirkning", True),
        ("Oppfølging av fosterhjem", True),
        ("Traumebevisst praksis", False),
    ]
    assert list(network.statushistorikk.values_list("status", "endret_av")) == [("etablering", sf_vestland.pk)]
    event = events("nettverk.opprettet").get()
    assert event.aktor == sf_vestland
    assert event.object_id == str(network.pk)
    assert event.endringer["embete"] == "vestland"


@pytest.mark.parametrize("who", ["sf_agder", "bufdir", "service_leader", "service_staff"])
def test_only_statsforvalter_of_the_embete_may_create_networks(who, sf_agder, bufdir, vestland_service):
    actor = {
        "sf_agder": sf_agder,
        "bufdir": bufdir,
        "service_leader": factories.service_user(vestland_service),
        "service_staff": factories.service_user(vestland_service, leder=False),
    }[who]
    with pytest.raises(PermissionDenied):
        services.create_network(actor, embete=factories.embete("vestland"), navn="Ulovlig nettverk", etablert_aar=2022)
    assert not LearningNetwork.objects.exists()
    assert not events("nettverk.opprettet").exists()


def test_duplicate_name_in_embete_is_refused_in_norwegian(sf_vestland, sf_agder, network):
    with pytest.raises(ValidationError) as excinfo:
        make_network(sf_vestland, navn=network.navn.upper())
    assert excinfo.value.message_dict["navn"] == ["Embetet har allerede et nettverk med dette navnet."]
    assert LearningNetwork.objects.count() == 1

    # The same name in another embete is fine.
    other = make_network(sf_agder, navn=network.navn)
    assert other.embete.slug == "agder"


def test_network_needs_a_name_and_a_plausible_year(sf_vestland):
    with pytest.raises(ValidationError) as excinfo:
        make_network(sf_vestland, navn=" ", etablert_aar=1999)
    assert excinfo.value.message_dict["navn"] == ["Navn må fylles ut."]
    assert "Oppgi år etablert mellom 2000 og" in excinfo.value.message_dict["etablert_aar"][0]
    assert not LearningNetwork.objects.exists()


def test_sub_group_must_belong_to_a_network_in_the_same_embete(sf_vestland, sf_agder):
    agder_network = make_network(sf_agder, navn="Agder-nettverket")
    with pytest.raises(ValidationError) as excinfo:
        make_network(sf_vestland, navn="Undergruppe", overordnet=agder_network)
    assert excinfo.value.message_dict["overordnet"] == ["Et nettverk kan bare være del av et nettverk i samme embete."]

    parent = make_network(sf_vestland, navn="Store nettverket")
    child = make_network(sf_vestland, navn="Undergruppe", overordnet=parent)
    assert list(parent.undergrupper.all()) == [child]


def test_update_network_records_what_changed(sf_vestland, sf_agder, network):
    services.update_network(sf_vestland, network, navn="Nytt navn", maal="Bedre oppfølging")
    network.refresh_from_db()
    assert (network.navn, network.maal) == ("Nytt navn", "Bedre oppfølging")
    changes = events("nettverk.endret").get().endringer
    assert changes["navn"] == ["Læringsnettverk Hordaland", "Nytt navn"]
    assert changes["maal"] == ["", "Bedre oppfølging"]

    with pytest.raises(PermissionDenied):
        services.update_network(sf_agder, network, navn="Kapret")
    network.refresh_from_db()
    assert network.navn == "Nytt navn"


# --- status -----------------------------------------------------------------------------------


@pytest.mark.parametrize("members", [0, 1])
def test_activating_with_fewer_than_two_services_is_refused(sf_vestland, network, vestland_service, members):
    if members:
        add_member(network, vestland_service)
    before_events = AuditEvent.objects.count()

    with pytest.raises(ValidationError) as excinfo:
        services.change_status(sf_vestland, network, "aktiv", DAY)

    message = excinfo.value.message_dict["status"][0]
    assert TWO_SERVICE_RULE in message
    assert f"Nettverket har {members} deltakende tjeneste(r) per 15.01.2024" in message
    network.refresh_from_db()
    assert network.status == NetworkStatus.ETABLERING
    assert network.statushistorikk.count() == 1
    assert AuditEvent.objects.count() == before_events


def test_invited_services_do_not_count_towards_the_two_service_rule(
    sf_vestland, network, vestland_service, second_service
):
    add_member(network, vestland_service)
    services.invite_service(sf_vestland, network, second_service)
    with pytest.raises(ValidationError):
        services.change_status(sf_vestland, network, "aktiv", DAY)
    network.refresh_from_db()
    assert network.status == NetworkStatus.ETABLERING


def test_services_joining_later_do_not_count_on_an_earlier_date(sf_vestland, network, vestland_service, second_service):
    add_member(network, vestland_service, fra=DAY)
    add_member(network, second_service, fra=DAY + datetime.timedelta(days=30))
    with pytest.raises(ValidationError):
        services.change_status(sf_vestland, network, "aktiv", DAY)
    services.change_status(sf_vestland, network, "aktiv", DAY + datetime.timedelta(days=30))
    network.refresh_from_db()
    assert network.status == NetworkStatus.AKTIV


def test_activating_with_two_services_records_history_and_audit(sf_vestland, network, vestland_service, second_service):
    add_member(network, vestland_service)
    add_member(network, second_service)

    services.change_status(sf_vestland, network, "aktiv", DAY)

    network.refresh_from_db()
    assert (network.status, network.status_fra) == (NetworkStatus.AKTIV, DAY)
    change = NetworkStatusChange.objects.filter(network=network).last()
    assert (change.status, change.fra_dato, change.endret_av) == ("aktiv", DAY, sf_vestland)
    event = events("nettverk.status").get()
    assert event.aktor == sf_vestland
    assert event.endringer == {"status": ["etablering", "aktiv"], "fra": "2024-01-15"}


def test_status_change_cannot_predate_the_previous_one(sf_vestland, active_network):
    with pytest.raises(ValidationError) as excinfo:
        services.change_status(sf_vestland, active_network, "pause", DAY - datetime.timedelta(days=1))
    assert excinfo.value.message_dict["fra_dato"] == ["Datoen kan ikke være før forrige statusendring (15.01.2024)."]
    active_network.refresh_from_db()
    assert active_network.status == NetworkStatus.AKTIV


def test_status_change_by_other_embete_is_denied(sf_agder, bufdir, active_network):
    for actor in (sf_agder, bufdir):
        with pytest.raises(PermissionDenied):
            services.change_status(actor, active_network, "pause", DAY)
    active_network.refresh_from_db()
    assert active_network.status == NetworkStatus.AKTIV


# --- invitations and requests -----------------------------------------------------------------


def test_invitation_accepted_makes_membership_active_with_a_date(
    sf_vestland, network, vestland_service, vestland_leader
):
    membership = services.invite_service(sf_vestland, network, vestland_service)
    assert (membership.status, membership.fra_dato) == (MembershipStatus.INVITERT, None)
    assert events("nettverk.tjeneste_invitert").get().endringer == {"tjeneste": vestland_service.navn}

    services.respond_to_invitation(vestland_leader, membership, accept=True)

    membership.refresh_from_db()
    assert membership.status == MembershipStatus.AKTIV
    assert membership.fra_dato == timezone.localdate()
    assert events("nettverk.invitasjon_akseptert").get().aktor == vestland_leader
    with pytest.raises(ValidationError) as excinfo:
        services.respond_to_invitation(vestland_leader, membership, accept=False)
    assert excinfo.value.messages == ["Invitasjonen er allerede besvart."]


def test_invitation_declined_leaves_no_start_date(sf_vestland, network, vestland_service, vestland_leader):
    membership = services.invite_service(sf_vestland, network, vestland_service)
    services.respond_to_invitation(vestland_leader, membership, accept=False)
    membership.refresh_from_db()
    assert (membership.status, membership.fra_dato) == (MembershipStatus.AVSLATT, None)
    # A declined invitation is closed: the service may be invited again later.
    again = services.invite_service(sf_vestland, network, vestland_service)
    assert again.pk != membership.pk


def test_only_the_leader_of_the_invited_service_may_answer(sf_vestland, network, vestland_service, second_service):
    membership = services.invite_service(sf_vestland, network, vestland_service)
    for actor in (
        factories.service_user(second_service),
        factories.service_user(vestland_service, leder=False),
        sf_vestland,
    ):
        with pytest.raises(PermissionDenied):
            services.respond_to_invitation(actor, membership, accept=True)
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.INVITERT


def test_service_from_another_embete_cannot_be_invited(sf_vestland, network, agder_service):
    with pytest.raises(ValidationError) as excinfo:
        services.invite_service(sf_vestland, network, agder_service)
    assert excinfo.value.message_dict["tjeneste"] == [
        "Barneverntjenesten i Kristiansand hører til et annet embete og kan ikke være med i dette nettverket."
    ]
    assert not Membership.objects.exists()


def test_service_cannot_be_invited_twice(sf_vestland, network, vestland_service):
    services.invite_service(sf_vestland, network, vestland_service)
    with pytest.raises(ValidationError) as excinfo:
        services.invite_service(sf_vestland, network, vestland_service)
    assert excinfo.value.message_dict["tjeneste"] == [
        "Barneverntjenesten i Bergen har allerede status «invitert» i nettverket."
    ]
    assert Membership.objects.count() == 1


def test_other_embete_cannot_invite_into_the_network(sf_agder, network, vestland_service):
    with pytest.raises(PermissionDenied):
        services.invite_service(sf_agder, network, vestland_service)
    assert not Membership.objects.exists()


def test_join_request_approved_by_statsforvalter(sf_vestland, network, vestland_service, vestland_leader):
    membership = services.request_to_join(vestland_leader, network, vestland_service, "Vi vil lære av naboene.")
    assert (membership.status, membership.begrunnelse) == (MembershipStatus.SOKT, "Vi vil lære av naboene.")

    services.approve_request(sf_vestland, membership, DAY)

    membership.refresh_from_db()
    assert (membership.status, membership.fra_dato) == (MembershipStatus.AKTIV, DAY)
    assert events("nettverk.forespørsel_godkjent").get().aktor == sf_vestland
    with pytest.raises(ValidationError) as excinfo:
        services.decline_request(sf_vestland, membership)
    assert excinfo.value.messages == ["Forespørselen er allerede behandlet."]


def test_join_request_declined_by_statsforvalter(sf_vestland, network, vestland_service, vestland_leader):
    membership = services.request_to_join(vestland_leader, network, vestland_service)
    services.decline_request(sf_vestland, membership)
    membership.refresh_from_db()
    assert (membership.status, membership.fra_dato) == (MembershipStatus.AVSLATT, None)
    assert events("nettverk.forespørsel_avslatt").exists()


def test_inviting_a_service_that_asked_to_join_approves_the_request(
    sf_vestland, network, vestland_service, vestland_leader
):
    request = services.request_to_join(vestland_leader, network, vestland_service)
    membership = services.invite_service(sf_vestland, network, vestland_service)
    assert membership.pk == request.pk
    assert membership.status == MembershipStatus.AKTIV
    assert Membership.objects.count() == 1


def test_join_request_rules(sf_vestland, sf_agder, network, vestland_service, agder_service):
    # Staff of a service may not ask on its behalf; only its leader.
    with pytest.raises(PermissionDenied):
        services.request_to_join(factories.service_user(vestland_service, leder=False), network, vestland_service)
    # A leader in another embete may not ask to join.
    with pytest.raises(PermissionDenied):
        services.request_to_join(factories.service_user(agder_service), network, agder_service)
    membership = services.request_to_join(factories.service_user(vestland_service), network, vestland_service)
    # Another embete cannot decide on it.
    with pytest.raises(PermissionDenied):
        services.approve_request(sf_agder, membership, DAY)
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.SOKT


def test_ended_network_takes_no_join_requests(sf_vestland, active_network, third_service):
    services.change_status(sf_vestland, active_network, "avsluttet", DAY + datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as excinfo:
        services.request_to_join(factories.service_user(third_service), active_network, third_service)
    assert excinfo.value.messages == ["Nettverket er avsluttet og tar ikke inn nye tjenester."]
    assert not Membership.objects.filter(tjeneste=third_service).exists()


# --- leaving and rejoining --------------------------------------------------------------------


def test_leaving_keeps_history_and_rejoining_creates_a_new_row(
    sf_vestland, active_network, vestland_service, vestland_leader
):
    old = Membership.objects.get(network=active_network, tjeneste=vestland_service)
    contact = services.add_person(
        sf_vestland,
        active_network,
        rolle=PersonRole.KONTAKTPERSON,
        navn="Kari Kontakt",
        tjeneste=vestland_service,
        fra_dato=DAY,
    )
    leave_day = datetime.date(2024, 6, 30)

    services.leave_network(vestland_leader, old, leave_day, "Vi prioriterer et annet nettverk.")

    old.refresh_from_db()
    assert (old.status, old.fra_dato, old.til_dato) == (MembershipStatus.UTMELDT, DAY, leave_day)
    assert old.begrunnelse == "Vi prioriterer et annet nettverk."
    contact.refresh_from_db()
    assert contact.til_dato == leave_day  # the service's people leave with it
    assert events("nettverk.tjeneste_gikk_ut").get().endringer == {
        "tjeneste": vestland_service.navn,
        "til": "2024-06-30",
    }
    snapshot = Membership.objects.filter(pk=old.pk).values().get()

    new = services.invite_service(sf_vestland, active_network, vestland_service)
    services.respond_to_invitation(vestland_leader, new, accept=True, fra_dato=datetime.date(2025, 2, 1))

    rows = Membership.objects.filter(network=active_network, tjeneste=vestland_service).order_by("id")
    assert [(m.pk, m.status, m.fra_dato, m.til_dato) for m in rows] == [
        (old.pk, MembershipStatus.UTMELDT, DAY, leave_day),
        (new.pk, MembershipStatus.AKTIV, datetime.date(2025, 2, 1), None),
    ]
    assert Membership.objects.filter(pk=old.pk).values().get() == snapshot


def test_leave_date_before_join_date_is_refused(sf_vestland, active_network, vestland_service):
    membership = Membership.objects.get(network=active_network, tjeneste=vestland_service)
    with pytest.raises(ValidationError) as excinfo:
        services.leave_network(sf_vestland, membership, DAY - datetime.timedelta(days=1))
    assert excinfo.value.message_dict["til_dato"] == [
        "Utmeldingsdatoen kan ikke være før tjenesten ble med i nettverket (15.01.2024)."
    ]
    membership.refresh_from_db()
    assert (membership.status, membership.til_dato) == (MembershipStatus.AKTIV, None)
    assert not events("nettverk.tjeneste_gikk_ut").exists()


def test_leaving_twice_or_by_another_service_is_refused(active_network, vestland_service, second_service):
    membership = Membership.objects.get(network=active_network, tjeneste=vestland_service)
    with pytest.raises(PermissionDenied):
        services.leave_network(factories.service_user(second_service), membership, DAY)
    services.leave_network(factories.service_user(vestland_service), membership, DAY)
    with pytest.raises(ValidationError) as excinfo:
        services.leave_network(factories.service_user(vestland_service), membership, DAY)
    assert excinfo.value.messages == ["Tjenesten deltar ikke i nettverket nå."]


# --- people -----------------------------------------------------------------------------------


def test_statsforvalter_registers_people_in_roles_with_dates(sf_vestland, active_network, vestland_service):
    leader = services.add_person(
        sf_vestland,
        active_network,
        rolle=PersonRole.LEDER,
        navn="Gunn Rønning",
        stilling="fagleiar",
        fra_dato=DAY,
        til_dato=datetime.date(2025, 12, 31),
    )
    steering = services.add_person(
        sf_vestland,
        active_network,
        rolle=PersonRole.STYRINGSGRUPPE,
        navn="Kommunalsjef Bergen",
        tjeneste=vestland_service,
        kommuneledelse=True,
        fra_dato=DAY,
    )
    staff_user = factories.service_user(vestland_service, leder=False)
    participant = services.add_person(
        sf_vestland, active_network, rolle=PersonRole.DELTAKER, user=staff_user, tjeneste=vestland_service, fra_dato=DAY
    )

    assert (leader.rolle, leader.fra_dato, leader.til_dato, leader.tjeneste) == (
        "leder",
        DAY,
        datetime.date(2025, 12, 31),
        None,
    )
    assert steering.kommuneledelse is True
    assert participant.display_name == staff_user.get_full_name()
    assert events("nettverk.person_lagt_til").count() == 3

    services.end_person(sf_vestland, participant, datetime.date(2024, 3, 1))
    participant.refresh_from_db()
    assert participant.til_dato == datetime.date(2024, 3, 1)
    with pytest.raises(ValidationError) as excinfo:
        services.end_person(sf_vestland, participant, datetime.date(2024, 4, 1))
    assert excinfo.value.messages == ["Rollen er allerede avsluttet."]


def test_person_validation_messages(sf_vestland, active_network, third_service):
    with pytest.raises(ValidationError) as excinfo:
        services.add_person(
            sf_vestland,
            active_network,
            rolle=PersonRole.KONTAKTPERSON,
            navn="",
            fra_dato=DAY,
            til_dato=DAY - datetime.timedelta(days=1),
        )
    assert excinfo.value.message_dict == {
        "navn": ["Velg en bruker eller skriv inn navnet på personen."],
        "til_dato": ["Til-datoen kan ikke være før fra-datoen."],
        "tjeneste": ["En kontaktperson representerer en tjeneste. Velg tjeneste."],
    }
    with pytest.raises(ValidationError) as excinfo:
        services.add_person(
            sf_vestland, active_network, rolle=PersonRole.DELTAKER, navn="Ola", tjeneste=third_service, fra_dato=DAY
        )
    assert excinfo.value.message_dict["tjeneste"] == ["Barnevernstenesta i Askøy deltar ikke i nettverket."]
    assert not NetworkPerson.objects.exists()


@pytest.mark.parametrize("rolle", [PersonRole.DELTAKER, PersonRole.KONTAKTPERSON])
def test_service_leader_names_participants_from_own_service(active_network, vestland_service, vestland_leader, rolle):
    colleague = factories.service_user(vestland_service, leder=False)
    person = services.add_person(
        vestland_leader, active_network, rolle=rolle, user=colleague, tjeneste=vestland_service, fra_dato=DAY
    )
    assert (person.rolle, person.tjeneste, person.user) == (rolle, vestland_service, colleague)
    assert events("nettverk.person_lagt_til").get().aktor == vestland_leader


@pytest.mark.parametrize(
    "rolle, for_other_service",
    [
        (PersonRole.LEDER, False),
        (PersonRole.STYRINGSGRUPPE, False),
        (PersonRole.KOORDINATOR, False),
        (PersonRole.DELTAKER, True),
        (PersonRole.KONTAKTPERSON, True),
    ],
)
def test_service_leader_may_not_name_leaders_or_people_of_other_services(
    active_network, vestland_service, second_service, vestland_leader, rolle, for_other_service
):
    with pytest.raises(PermissionDenied):
        services.add_person(
            vestland_leader,
            active_network,
            rolle=rolle,
            navn="Per Person",
            tjeneste=second_service if for_other_service else vestland_service,
            fra_dato=DAY,
        )
    assert not NetworkPerson.objects.exists()


def test_service_leader_may_not_name_users_of_another_service(
    active_network, vestland_service, second_service, vestland_leader
):
    outsider = factories.service_user(second_service, leder=False)
    with pytest.raises(ValidationError) as excinfo:
        services.add_person(
            vestland_leader,
            active_network,
            rolle=PersonRole.DELTAKER,
            user=outsider,
            tjeneste=vestland_service,
            fra_dato=DAY,
        )
    assert excinfo.value.message_dict["user"] == ["Personen arbeider ikke i Barneverntjenesten i Bergen."]
    assert not NetworkPerson.objects.exists()


def test_service_leader_may_not_name_people_once_the_service_has_left(
    active_network, vestland_service, vestland_leader
):
    membership = Membership.objects.get(network=active_network, tjeneste=vestland_service)
    services.leave_network(vestland_leader, membership, DAY)
    with pytest.raises(PermissionDenied):
        services.add_person(
            vestland_leader,
            active_network,
            rolle=PersonRole.DELTAKER,
            navn="Sen Deltaker",
            tjeneste=vestland_service,
            fra_dato=DAY,
        )
    assert not NetworkPerson.objects.exists()


def test_medarbeider_may_not_name_participants(active_network, vestland_service):
    with pytest.raises(PermissionDenied):
        services.add_person(
            factories.service_user(vestland_service, leder=False),
            active_network,
            rolle=PersonRole.DELTAKER,
            navn="Meg selv",
            tjeneste=vestland_service,
            fra_dato=DAY,
        )


# --- oppvekst and partners --------------------------------------------------------------------


def test_other_oppvekst_services_are_refused_under_the_2018_guidelines(sf_vestland, network):
    with pytest.raises(ValidationError) as excinfo:
        services.add_oppvekst(
            sf_vestland,
            network,
            type="helsestasjon",
            navn="Helsestasjonen i Bergen",
            fra_dato=datetime.date(2020, 6, 1),
        )
    message = excinfo.value.message_dict["fra_dato"][0]
    assert "Retningslinjer 2018" in message
    assert "kan andre oppveksttjenester ikke delta i læringsnettverk" in message
    assert "Det er tillatt fra 01.01.2021." in message
    assert not OppvekstParticipant.objects.exists()


@pytest.mark.parametrize("day", [datetime.date(2021, 1, 1), datetime.date(2024, 8, 15)])
def test_other_oppvekst_services_are_allowed_from_2021(sf_vestland, network, day):
    participant = services.add_oppvekst(sf_vestland, network, type="ppt", navn=" PPT Bergen ", fra_dato=day)
    assert (participant.navn, participant.type, participant.fra_dato) == ("PPT Bergen", "ppt", day)
    assert events("nettverk.oppvekst_lagt_til").get().endringer == {"navn": "PPT Bergen", "type": "ppt"}


def test_oppvekst_type_must_be_from_the_list(sf_vestland, network):
    with pytest.raises(ValidationError) as excinfo:
        services.add_oppvekst(sf_vestland, network, type="sirkus", navn="Sirkus", fra_dato=DAY)
    assert excinfo.value.message_dict["type"] == ["Velg en type tjeneste fra listen."]
    assert not OppvekstParticipant.objects.exists()


def test_partner_needs_a_role_description(sf_vestland, network, partner):
    with pytest.raises(ValidationError) as excinfo:
        services.add_partner(sf_vestland, network, partner, "   ", DAY)
    assert excinfo.value.message_dict["rolle"] == ["Beskriv hvilken rolle partneren har i nettverket."]
    assert not NetworkPartner.objects.exists()

    link = services.add_partner(sf_vestland, network, partner, " Veileder nettverket i modellutvikling. ", DAY)
    assert (link.rolle, link.fra_dato, link.til_dato) == ("Veileder nettverket i modellutvikling.", DAY, None)
    with pytest.raises(ValidationError) as excinfo:
        services.add_partner(sf_vestland, network, partner, "Igjen", DAY)
    assert excinfo.value.message_dict["partner"] == ["RKBU Vest testpartner er allerede partner i nettverket."]


def test_ending_a_partnership_keeps_the_period(sf_vestland, sf_agder, network, partner):
    link = services.add_partner(sf_vestland, network, partner, "Fagleg støtte", DAY)
    with pytest.raises(PermissionDenied):
        services.end_partner(sf_agder, link, DAY)
    services.end_partner(sf_vestland, link, datetime.date(2024, 12, 31))
    link.refresh_from_db()
    assert link.til_dato == datetime.date(2024, 12, 31)
    # An ended period is history: ending it again must not move its end date.
    with pytest.raises(ValidationError) as excinfo:
        services.end_partner(sf_vestland, link, datetime.date(2025, 6, 30))
    assert excinfo.value.messages == ["Partnerskapet er allerede avsluttet."]
    link.refresh_from_db()
    assert link.til_dato == datetime.date(2024, 12, 31)
    # The partner can be linked again for a new period.
    again = services.add_partner(sf_vestland, network, partner, "Ny runde", datetime.date(2025, 1, 1))
    assert NetworkPartner.objects.filter(network=network, partner=partner).count() == 2
    assert again.til_dato is None


# --- documents --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content, content_type",
    [
        ("plan.pdf", PDF_BYTES, "application/pdf"),
        ("plan.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("plan.odt", odt_bytes(), "application/vnd.oasis.opendocument.text"),
    ],
)
def test_real_documents_are_accepted(sf_vestland, network, name, content, content_type):
    document = services.upload_document(
        sf_vestland, network, type="overordnet_plan", tittel="Overordnet plan", fil=upload(name, content)
    )
    document.refresh_from_db()
    assert (document.filnavn, document.innholdstype, document.storrelse) == (name, content_type, len(content))
    assert document.lastet_opp_av == sf_vestland
    with document.fil.open("rb") as fh:
        assert fh.read() == content
    assert events("nettverk.dokument_lastet_opp").get().endringer == {"tittel": "Overordnet plan", "fil": name}


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("plan.pdf", b"Dette er bare tekst, ikke PDF.", "Innholdet i filen stemmer ikke med filtypen."),
        ("plan.docx", PDF_BYTES, "Innholdet i filen stemmer ikke med filtypen."),
        ("plan.odt", docx_bytes(), "Innholdet i filen stemmer ikke med filtypen."),
        ("plan.docx", b"PK\x03\x04 not really a zip", "Innholdet i filen stemmer ikke med filtypen."),
        ("plan.exe", PDF_BYTES, "Filtypen er ikke tillatt. Last opp PDF, Word (DOCX) eller OpenDocument (ODT)."),
        ("plan", PDF_BYTES, "Filtypen er ikke tillatt."),
        ("plan.pdf", b"", "Filen er tom."),
    ],
)
def test_wrong_or_empty_documents_are_refused(sf_vestland, network, name, content, expected):
    with pytest.raises(ValidationError) as excinfo:
        services.upload_document(sf_vestland, network, type="annet", tittel="X", fil=upload(name, content))
    assert expected in " ".join(excinfo.value.messages)
    assert not NetworkDocument.objects.exists()
    assert not events("nettverk.dokument_lastet_opp").exists()


def test_too_large_document_is_refused(sf_vestland, network, settings):
    settings.UPLOAD_MAX_BYTES = 2 * 1024 * 1024
    content = PDF_BYTES + b"0" * (3 * 1024 * 1024)
    with pytest.raises(ValidationError) as excinfo:
        services.upload_document(sf_vestland, network, type="annet", tittel="Stor", fil=upload("stor.pdf", content))
    assert excinfo.value.messages == ["Filen er for stor (3,0\xa0MB). Største tillatte størrelse er 2,0\xa0MB."]
    assert not NetworkDocument.objects.exists()


def test_small_upload_limit_is_shown_readably(sf_vestland, network, settings):
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationError) as excinfo:
        services.upload_document(sf_vestland, network, type="annet", tittel="", fil=upload("p.pdf", PDF_BYTES))
    assert excinfo.value.messages == [
        f"Filen er for stor ({len(PDF_BYTES)}\xa0byte). Største tillatte størrelse er 100\xa0byte."
    ]


def test_document_type_must_be_from_the_list(sf_vestland, network):
    with pytest.raises(ValidationError) as excinfo:
        services.upload_document(sf_vestland, network, type="hemmelig", tittel="X", fil=upload("p.pdf", PDF_BYTES))
    assert excinfo.value.message_dict["type"] == ["Velg en dokumenttype fra listen."]
    assert not NetworkDocument.objects.exists()


def test_upload_by_other_embete_is_denied(sf_agder, network):
    with pytest.raises(PermissionDenied):
        services.upload_document(sf_agder, network, type="annet", tittel="X", fil=upload("p.pdf", PDF_BYTES))
    assert not NetworkDocument.objects.exists()


def test_unsafe_file_names_are_cleaned(sf_vestland, network):
    document = services.upload_document(
        sf_vestland, network, type="annet", tittel="", fil=upload("../../etc/plan for 2024.pdf", PDF_BYTES)
    )
    assert document.filnavn == "plan_for_2024.pdf"
    assert document.tittel == "plan_for_2024.pdf"
    assert document.fil.name.startswith(f"nettverk/{network.pk}/")


# --- gatherings -------------------------------------------------------------------------------


def test_gathering_with_attendance_from_member_services(sf_vestland, active_network, vestland_service, second_service):
    gathering = services.create_gathering(
        sf_vestland,
        active_network,
        tittel="Vårsamling",
        dato=datetime.date(2024, 4, 10),
        format="fysisk",
        sted="Bergen",
        oppmote={vestland_service: 4, second_service: 2},
        referat=upload("referat.pdf", PDF_BYTES),
    )
    assert sorted(gathering.oppmote.values_list("tjeneste__navn", "antall_personer")) == [
        ("Barnevernstenesta i Voss", 2),
        ("Barneverntjenesten i Bergen", 4),
    ]
    assert gathering.referat.type == "referat"
    assert gathering.referat.tittel == "Referat: Vårsamling"
    assert events("nettverk.samling_registrert").get().endringer["deltakere"] == 6


def test_gathering_attendance_only_for_member_services(sf_vestland, active_network, vestland_service, third_service):
    with pytest.raises(ValidationError) as excinfo:
        services.create_gathering(
            sf_vestland,
            active_network,
            tittel="Høstsamling",
            dato=datetime.date(2024, 10, 1),
            format="digital",
            oppmote={vestland_service: 3, third_service: 1},
        )
    assert excinfo.value.message_dict["oppmote"] == ["Barnevernstenesta i Askøy deltar ikke i nettverket."]
    assert not Gathering.objects.exists()
    assert not GatheringAttendance.objects.exists()


def test_gathering_attendance_only_while_the_service_took_part(
    sf_vestland, active_network, vestland_service, second_service
):
    membership = Membership.objects.get(network=active_network, tjeneste=second_service)
    services.leave_network(sf_vestland, membership, datetime.date(2024, 6, 30))
    # Before leaving, Voss attended: fine.
    services.create_gathering(
        sf_vestland,
        active_network,
        tittel="Vår",
        dato=datetime.date(2024, 5, 1),
        format="fysisk",
        oppmote={second_service: 2},
    )
    # After leaving, Voss cannot be registered as present.
    with pytest.raises(ValidationError) as excinfo:
        services.create_gathering(
            sf_vestland,
            active_network,
            tittel="Haust",
            dato=datetime.date(2024, 10, 1),
            format="fysisk",
            oppmote={vestland_service: 1, second_service: 2},
        )
    assert excinfo.value.message_dict["oppmote"] == ["Barnevernstenesta i Voss deltar ikke i nettverket."]
    assert list(Gathering.objects.values_list("tittel", flat=True)) == ["Vår"]


def test_gathering_validation(sf_vestland, sf_agder, active_network, vestland_service):
    with pytest.raises(ValidationError) as excinfo:
        services.create_gathering(
            sf_vestland, active_network, tittel=" ", dato=DAY, format="telepati", oppmote={vestland_service: 0}
        )
    assert excinfo.value.message_dict == {
        "oppmote": ["Antall personer fra Barneverntjenesten i Bergen må være minst 1."],
        "tittel": ["Tittel må fylles ut."],
        "format": ["Velg fysisk, digital eller hybrid."],
    }
    with pytest.raises(PermissionDenied):
        services.create_gathering(sf_agder, active_network, tittel="X", dato=DAY, format="digital")
    assert not Gathering.objects.exists()


def test_gathering_with_a_bad_referat_creates_nothing(sf_vestland, active_network, vestland_service):
    with pytest.raises(ValidationError):
        services.create_gathering(
            sf_vestland,
            active_network,
            tittel="Samling",
            dato=DAY,
            format="digital",
            oppmote={vestland_service: 2},
            referat=upload("referat.pdf", b"ikke en pdf"),
        )
    assert not Gathering.objects.exists()
    assert not NetworkDocument.objects.exists()


def test_service_that_has_given_notice_counts_until_its_last_day(
    sf_vestland, network, vestland_service, second_service
):
    add_member(network, vestland_service)
    voss = add_member(network, second_service)
    services.leave_network(sf_vestland, voss, datetime.date(2024, 3, 31))

    assert services.active_service_count(network, datetime.date(2024, 3, 31)) == 2
    assert services.active_service_count(network, datetime.date(2024, 4, 1)) == 1
    services.change_status(sf_vestland, network, "aktiv", datetime.date(2024, 2, 1))
    network.refresh_from_db()
    assert network.status == NetworkStatus.AKTIV


def test_sub_groups_are_one_level_deep_and_never_circular(sf_vestland):
    top = make_network(sf_vestland, navn="Hovudnettverket")
    sub = make_network(sf_vestland, navn="Undergruppe nord", overordnet=top)
    with pytest.raises(ValidationError) as excinfo:
        make_network(sf_vestland, navn="Under-undergruppe", overordnet=sub)
    assert excinfo.value.message_dict["overordnet"] == [
        "Et nettverk kan bare være del av et hovednettverk, ikke av en undergruppe."
    ]
    other = make_network(sf_vestland, navn="Anna nettverk")
    with pytest.raises(ValidationError) as excinfo:
        services.update_network(sf_vestland, top, overordnet=other)
    assert excinfo.value.message_dict["overordnet"] == [
        "Et nettverk som har undergrupper, kan ikke selv være undergruppe."
    ]
    with pytest.raises(ValidationError) as excinfo:
        services.update_network(sf_vestland, top, overordnet=top)
    assert excinfo.value.message_dict["overordnet"] == ["Et nettverk kan ikke være del av seg selv."]
    top.refresh_from_db()
    assert top.overordnet is None


def test_same_status_twice_is_refused(sf_vestland, active_network):
    with pytest.raises(ValidationError) as excinfo:
        services.change_status(sf_vestland, active_network, "aktiv", DAY + datetime.timedelta(days=3))
    assert excinfo.value.message_dict["status"] == ["Nettverket har allerede denne statusen."]
    with pytest.raises(ValidationError) as excinfo:
        services.change_status(sf_vestland, active_network, "borte", DAY + datetime.timedelta(days=3))
    assert excinfo.value.message_dict["status"] == ["Ugyldig status."]
    assert active_network.statushistorikk.count() == 2


def test_service_leader_ends_own_participants_but_not_the_network_leader(
    sf_vestland, active_network, vestland_service, vestland_leader
):
    participant = services.add_person(
        vestland_leader,
        active_network,
        rolle=PersonRole.DELTAKER,
        navn="Ola Deltaker",
        tjeneste=vestland_service,
        fra_dato=DAY,
    )
    leader = services.add_person(
        sf_vestland, active_network, rolle=PersonRole.LEDER, navn="Nina Leiar", tjeneste=vestland_service, fra_dato=DAY
    )
    with pytest.raises(ValidationError) as excinfo:
        services.end_person(vestland_leader, participant, DAY - datetime.timedelta(days=1))
    assert excinfo.value.message_dict["til_dato"] == ["Til-datoen kan ikke være før fra-datoen (15.01.2024)."]
    services.end_person(vestland_leader, participant, datetime.date(2024, 5, 31))
    participant.refresh_from_db()
    assert participant.til_dato == datetime.date(2024, 5, 31)
    with pytest.raises(PermissionDenied):
        services.end_person(vestland_leader, leader, datetime.date(2024, 5, 31))
    leader.refresh_from_db()
    assert leader.til_dato is None
