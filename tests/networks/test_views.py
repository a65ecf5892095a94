"""Every URL of the networks app, for the roles that may and may not use it."""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from networks import services
from networks.models import (
    Gathering,
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
from networks.urls import urlpatterns
from organisations.models import Kommune
from tests import factories

from .conftest import DAY, PDF_BYTES, add_member, docx_bytes, odt_bytes, upload

CONTACT_EMAIL = "kari.kontakt@bergen.kommune.no"


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def fourth_service(reference_data):
    return factories.ServiceFactory(navn="Barnevernstenesta i Stord", vertskommune=Kommune.objects.get(nummer="4614"))


@pytest.fixture
def world(sf_vestland, active_network, vestland_service, second_service, third_service, fourth_service, partner):
    """An active Vestland network (Bergen, Voss) with a contact person, a partner, a plan, a gathering,
    an open invitation to Askøy and a pending request from Stord."""
    net = active_network
    person = services.add_person(
        sf_vestland,
        net,
        rolle=PersonRole.KONTAKTPERSON,
        navn="Kari Kontakt",
        epost=CONTACT_EMAIL,
        tjeneste=vestland_service,
        fra_dato=DAY,
    )
    link = services.add_partner(sf_vestland, net, partner, "Fagleg støtte", DAY)
    document = services.upload_document(
        sf_vestland, net, type="overordnet_plan", tittel="Overordnet plan 2024", fil=upload("plan.pdf", PDF_BYTES)
    )
    gathering = services.create_gathering(
        sf_vestland,
        net,
        tittel="Vårsamling på Voss",
        dato=datetime.date(2024, 4, 10),
        format="fysisk",
        oppmote={vestland_service: 3},
    )
    invitation = services.invite_service(sf_vestland, net, third_service)
    request = services.request_to_join(factories.service_user(fourth_service), net, fourth_service)
    return SimpleNamespace(
        network=net,
        person=person,
        link=link,
        document=document,
        gathering=gathering,
        invitation=invitation,
        request=request,
        bergen=Membership.objects.get(network=net, tjeneste=vestland_service),
    )


def snapshot() -> dict:
    """Everything a refused request must leave untouched."""
    return {
        "networks": list(LearningNetwork.objects.order_by("pk").values()),
        "memberships": list(Membership.objects.order_by("pk").values()),
        "people": list(NetworkPerson.objects.order_by("pk").values()),
        "partners": list(NetworkPartner.objects.order_by("pk").values()),
        "oppvekst": list(OppvekstParticipant.objects.order_by("pk").values()),
        "documents": list(NetworkDocument.objects.order_by("pk").values()),
        "gatherings": list(Gathering.objects.order_by("pk").values()),
        "status": list(NetworkStatusChange.objects.order_by("pk").values()),
        "audit": AuditEvent.objects.count(),
    }


def manage_requests(world, partner):
    """(method, url, data) for every write/management URL of the world's network."""
    pk = world.network.pk
    return [
        ("get", reverse("networks:update", args=[pk]), None),
        (
            "post",
            reverse("networks:update", args=[pk]),
            {"navn": "Kapret", "etablert_aar": 2022, "orientering": "begge"},
        ),
        ("post", reverse("networks:status", args=[pk]), {"status": "pause", "fra_dato": "2024-05-01"}),
        ("get", reverse("networks:invite", args=[pk]), None),
        ("post", reverse("networks:invite", args=[pk]), {"tjeneste": world.request.tjeneste_id}),
        ("get", reverse("networks:person_add", args=[pk]), None),
        ("post", reverse("networks:person_add", args=[pk]), {"rolle": "leder", "navn": "X", "fra_dato": "2024-05-01"}),
        ("get", reverse("networks:partner_add", args=[pk]), None),
        (
            "post",
            reverse("networks:partner_add", args=[pk]),
            {"partner": factories.PartnerFactory().pk, "rolle": "Ny", "fra_dato": "2024-05-01"},
        ),
        ("get", reverse("networks:oppvekst_add", args=[pk]), None),
        (
            "post",
            reverse("networks:oppvekst_add", args=[pk]),
            {"type": "ppt", "navn": "PPT", "fra_dato": "2024-05-01"},
        ),
        ("get", reverse("networks:document_upload", args=[pk]), None),
        (
            "post",
            reverse("networks:document_upload", args=[pk]),
            {"type": "annet", "tittel": "Lurt", "fil": upload("x.pdf", PDF_BYTES)},
        ),
        ("get", reverse("networks:gathering_create", args=[pk]), None),
        (
            "post",
            reverse("networks:gathering_create", args=[pk]),
            {"tittel": "Falsk", "dato": "2024-05-01", "format": "digital"},
        ),
        (
            "post",
            reverse("networks:membership_decide", args=[world.request.pk]),
            {"beslutning": "godkjenn", "dato": "2024-05-01"},
        ),
        ("post", reverse("networks:membership_decide", args=[world.request.pk]), {"beslutning": "avslaa"}),
        ("get", reverse("networks:membership_leave", args=[world.bergen.pk]), None),
        ("post", reverse("networks:membership_leave", args=[world.bergen.pk]), {"til_dato": "2024-05-01"}),
        ("post", reverse("networks:person_end", args=[world.person.pk]), {"dato": "2024-05-01"}),
        ("post", reverse("networks:partner_end", args=[world.link.pk]), {"dato": "2024-05-01"}),
        ("post", reverse("networks:membership_respond", args=[world.invitation.pk]), {"svar": "ja"}),
    ]


# --- anonymous --------------------------------------------------------------------------------


def test_every_url_sends_anonymous_visitors_to_login(client, world):
    kwargs = {
        "export": {"what": "nettverk", "fmt": "csv"},
        "detail": {"pk": world.network.pk},
        "membership_respond": {"pk": world.invitation.pk},
        "membership_decide": {"pk": world.request.pk},
        "membership_leave": {"pk": world.bergen.pk},
        "person_end": {"pk": world.person.pk},
        "partner_end": {"pk": world.link.pk},
        "document_download": {"pk": world.document.pk},
    }
    before = snapshot()
    names = [p.name for p in urlpatterns]
    assert len(names) == 21
    for name in names:
        if "<int:pk>" in str(urlpatterns[names.index(name)].pattern):
            url = reverse(f"networks:{name}", kwargs=kwargs.get(name, {"pk": world.network.pk}))
        else:
            url = reverse(f"networks:{name}", kwargs=kwargs.get(name, {}))
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 302, (name, method)
            assert response.url.startswith(reverse("account_login") + "?next="), name
    assert snapshot() == before


# --- another embete and Bufdir: may not manage ------------------------------------------------


@pytest.mark.parametrize("who", ["sf_agder", "bufdir"])
def test_other_embete_and_bufdir_cannot_manage_the_network(login, world, partner, who, sf_agder, bufdir):
    client = login({"sf_agder": sf_agder, "bufdir": bufdir}[who])
    requests = manage_requests(world, partner)
    before = snapshot()
    for method, url, data in requests:
        response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
        assert response.status_code in (403, 404), (method, url, response.status_code)
    assert snapshot() == before


def test_staff_of_the_embete_gets_all_management_pages(login, world, sf_vestland):
    client = login(sf_vestland)
    for name in (
        "update",
        "invite",
        "person_add",
        "partner_add",
        "oppvekst_add",
        "document_upload",
        "gathering_create",
    ):
        response = client.get(reverse(f"networks:{name}", args=[world.network.pk]))
        assert response.status_code == 200, name
        assert world.network.navn in html(response)
    response = client.get(reverse("networks:membership_leave", args=[world.bergen.pk]))
    assert "Historikken blir tatt vare på." in html(response)


# --- reading: who sees what -------------------------------------------------------------------


def test_statsforvalter_sees_everything_and_the_warnings(login, world, sf_vestland):
    response = login(sf_vestland).get(reverse("networks:detail", args=[world.network.pk]))
    page = html(response)
    assert response.status_code == 200
    assert response.context["may_manage"] is True
    assert [w.code for w in response.context["warnings"]] == ["no_leader"]
    assert "Nettverket har ingen nettverksleder eller koordinator." in page
    for text in ("Planer og dokumenter", "Overordnet plan 2024", "Vårsamling på Voss", CONTACT_EMAIL, "Endringslogg"):
        assert text in page
    assert reverse("networks:membership_decide", args=[world.request.pk]) in page


def test_bufdir_reads_everything_but_sees_no_management_controls(login, world, bufdir):
    client = login(bufdir)
    response = client.get(reverse("networks:detail", args=[world.network.pk]))
    page = html(response)
    assert response.context["may_manage"] is False
    for text in ("Planer og dokumenter", "Samlinger", CONTACT_EMAIL, "Endringslogg"):
        assert text in page
    assert reverse("networks:update", args=[world.network.pk]) not in page
    assert reverse("networks:status", args=[world.network.pk]) not in page
    download = client.get(reverse("networks:document_download", args=[world.document.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    for name in ("list", "register", "coverage"):
        assert client.get(reverse(f"networks:{name}")).status_code == 200
    assert client.get(reverse("networks:create")).status_code == 403


@pytest.mark.parametrize("outsider", ["askøy_invited", "stord_requested", "agder_leader", "unrelated_vestland"])
def test_services_outside_the_network_see_neither_documents_nor_contact_details(
    login, world, outsider, third_service, fourth_service, agder_service
):
    user = {
        "askøy_invited": lambda: factories.service_user(third_service),
        "stord_requested": lambda: factories.service_user(fourth_service, leder=False),
        "agder_leader": lambda: factories.service_user(agder_service),
        "unrelated_vestland": lambda: factories.service_user(
            factories.ServiceFactory(
                navn="Barnevernstenesta i Øygarden", vertskommune=Kommune.objects.get(nummer="4626")
            )
        ),
    }[outsider]()
    client = login(user)

    response = client.get(reverse("networks:detail", args=[world.network.pk]))
    page = html(response)
    assert response.status_code == 200
    assert response.context["internal"] is False
    assert "Kari Kontakt" in page  # who takes part is public to every role …
    for hidden in (CONTACT_EMAIL, "Planer og dokumenter", "Overordnet plan 2024", "Vårsamling på Voss", "Endringslogg"):
        assert hidden not in page  # … but documents, gatherings and e-mail addresses are not
    assert reverse("networks:document_download", args=[world.document.pk]) not in page
    assert client.get(reverse("networks:document_download", args=[world.document.pk])).status_code == 404


def test_member_service_user_downloads_documents(login, world, vestland_service):
    client = login(factories.service_user(vestland_service, leder=False))
    page = html(client.get(reverse("networks:detail", args=[world.network.pk])))
    assert CONTACT_EMAIL in page
    assert "Overordnet plan 2024" in page

    response = client.get(reverse("networks:document_download", args=[world.document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="plan.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_partner_of_the_network_downloads_until_the_partnership_ends(login, world, partner_user, sf_vestland):
    client = login(partner_user)
    url = reverse("networks:document_download", args=[world.document.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES

    services.end_partner(sf_vestland, world.link, datetime.date(2024, 12, 31))
    client.force_login(partner_user)
    assert client.get(url).status_code == 404


def test_partner_not_in_the_network_cannot_download(login, world):
    other = factories.user_with_role(Role.PARTNER, partner=factories.PartnerFactory(navn="Annet miljø"))
    assert login(other).get(reverse("networks:document_download", args=[world.document.pk])).status_code == 404


def test_unknown_or_missing_document_is_404(login, world, sf_vestland):
    client = login(sf_vestland)
    assert client.get(reverse("networks:document_download", args=[world.document.pk + 100])).status_code == 404
    world.document.fil.delete(save=False)
    assert client.get(reverse("networks:document_download", args=[world.document.pk])).status_code == 404


def test_unknown_network_is_404(login, sf_vestland):
    assert login(sf_vestland).get(reverse("networks:detail", args=[999999])).status_code == 404


# --- creating and editing ---------------------------------------------------------------------


def test_statsforvalter_creates_network_through_the_form(login, sf_vestland):
    client = login(sf_vestland)
    assert client.get(reverse("networks:create")).status_code == 200
    theme = Theme.objects.get(navn="Lederutvikling")
    response = client.post(
        reverse("networks:create"),
        {
            "navn": "Nettverk Sunnhordland",
            "etablert_aar": 2023,
            "orientering": "tiltaksutvikling",
            "temaer": [theme.pk],
            "nye_temaer": "Ettervern, Samisk perspektiv",
        },
    )
    network = LearningNetwork.objects.get(navn="Nettverk Sunnhordland")
    assert response.status_code == 302
    assert response.url == reverse("networks:detail", args=[network.pk])
    assert network.embete.slug == "vestland"
    assert sorted(network.temaer.values_list("navn", flat=True)) == ["Ettervern", "Lederutvikling", "Samisk perspektiv"]


def test_create_form_shows_the_duplicate_name_error(login, sf_vestland, network):
    response = login(sf_vestland).post(
        reverse("networks:create"), {"navn": network.navn, "etablert_aar": 2023, "orientering": "begge"}
    )
    assert response.status_code == 200
    assert "Embetet har allerede et nettverk med dette navnet." in html(response)
    assert LearningNetwork.objects.count() == 1


@pytest.mark.parametrize("who", ["bufdir", "leader", "partner"])
def test_only_statsforvalter_may_open_the_create_form(login, who, bufdir, vestland_leader, partner_user):
    client = login({"bufdir": bufdir, "leader": vestland_leader, "partner": partner_user}[who])
    assert client.get(reverse("networks:create")).status_code == 403
    assert client.post(reverse("networks:create"), {"navn": "X", "etablert_aar": 2023}).status_code == 403
    assert not LearningNetwork.objects.exists()


def test_statsforvalter_updates_network(login, sf_vestland, network):
    response = login(sf_vestland).post(
        reverse("networks:update", args=[network.pk]),
        {"navn": "Hordalandsnettverket", "etablert_aar": 2021, "orientering": "kompetanseutvikling"},
    )
    assert response.status_code == 302
    network.refresh_from_db()
    assert (network.navn, network.etablert_aar, network.orientering) == (
        "Hordalandsnettverket",
        2021,
        "kompetanseutvikling",
    )


# --- status -----------------------------------------------------------------------------------


def test_status_view_explains_the_two_service_rule(login, sf_vestland, network, vestland_service):
    add_member(network, vestland_service)
    response = login(sf_vestland).post(
        reverse("networks:status", args=[network.pk]), {"status": "aktiv", "fra_dato": "2024-02-01"}, follow=True
    )
    assert "Et læringsnettverk må ha minst to deltakende barnevernstjenester for å bli aktivt." in html(response)
    network.refresh_from_db()
    assert network.status == NetworkStatus.ETABLERING


def test_status_view_changes_status(login, sf_vestland, active_network):
    response = login(sf_vestland).post(
        reverse("networks:status", args=[active_network.pk]), {"status": "pause", "fra_dato": "2024-08-01"}, follow=True
    )
    assert "Statusen er endret." in html(response)
    active_network.refresh_from_db()
    assert (active_network.status, active_network.status_fra) == ("pause", datetime.date(2024, 8, 1))


def test_status_view_with_a_bad_date(login, sf_vestland, active_network):
    response = login(sf_vestland).post(
        reverse("networks:status", args=[active_network.pk]), {"status": "pause", "fra_dato": "i morgen"}, follow=True
    )
    assert "Velg status og en gyldig dato." in html(response)
    active_network.refresh_from_db()
    assert active_network.status == "aktiv"


# --- invitations, requests, leaving -----------------------------------------------------------


def test_invite_view_invites_or_registers_directly(login, sf_vestland, network, vestland_service, second_service):
    client = login(sf_vestland)
    response = client.post(reverse("networks:invite", args=[network.pk]), {"tjeneste": vestland_service.pk})
    assert response.status_code == 302
    assert Membership.objects.get(tjeneste=vestland_service).status == MembershipStatus.INVITERT

    response = client.post(
        reverse("networks:invite", args=[network.pk]),
        {"tjeneste": second_service.pk, "allerede_med": "on", "fra_dato": "2023-08-15"},
    )
    assert response.status_code == 302
    voss = Membership.objects.get(tjeneste=second_service)
    assert (voss.status, voss.fra_dato) == (MembershipStatus.AKTIV, datetime.date(2023, 8, 15))


def test_invite_view_offers_only_services_of_the_embete(login, sf_vestland, network, vestland_service, agder_service):
    client = login(sf_vestland)
    form = client.get(reverse("networks:invite", args=[network.pk])).context["form"]
    assert list(form.fields["tjeneste"].queryset) == [vestland_service]

    response = client.post(reverse("networks:invite", args=[network.pk]), {"tjeneste": agder_service.pk})
    assert response.status_code == 200
    assert "Velg et gyldig valg." in html(response)
    response = client.post(
        reverse("networks:invite", args=[network.pk]), {"tjeneste": vestland_service.pk, "allerede_med": "on"}
    )
    assert "Oppgi datoen tjenesten ble med." in html(response)
    assert not Membership.objects.exists()


def test_service_leader_accepts_invitation(login, world, third_service):
    leader = factories.service_user(third_service)
    client = login(leader)
    page = html(client.get(reverse("networks:detail", args=[world.network.pk])))
    assert "Takk ja, vi blir med" in page

    response = client.post(
        reverse("networks:membership_respond", args=[world.invitation.pk]), {"svar": "ja"}, follow=True
    )

    assert f"Dere er nå med i {world.network.navn}." in html(response)
    world.invitation.refresh_from_db()
    assert world.invitation.status == MembershipStatus.AKTIV
    assert world.invitation.fra_dato == datetime.date.today()
    # Now a member: the documents open up.
    assert client.get(reverse("networks:document_download", args=[world.document.pk])).status_code == 200


def test_service_leader_declines_invitation(login, world, third_service):
    client = login(factories.service_user(third_service))
    client.post(reverse("networks:membership_respond", args=[world.invitation.pk]), {"svar": "nei"})
    world.invitation.refresh_from_db()
    assert (world.invitation.status, world.invitation.fra_dato) == (MembershipStatus.AVSLATT, None)


@pytest.mark.parametrize("who", ["other_leader", "own_staff"])
def test_others_cannot_answer_an_invitation(login, world, third_service, vestland_service, who):
    user = (
        factories.service_user(vestland_service)
        if who == "other_leader"
        else factories.service_user(third_service, leder=False)
    )
    response = login(user).post(reverse("networks:membership_respond", args=[world.invitation.pk]), {"svar": "ja"})
    assert response.status_code == 403
    world.invitation.refresh_from_db()
    assert world.invitation.status == MembershipStatus.INVITERT


def test_service_leader_asks_to_join_and_statsforvalter_approves(login, client, network, vestland_service, sf_vestland):
    leader = factories.service_user(vestland_service)
    login(leader)
    listing = client.get(reverse("networks:list"))
    assert list(listing.context["joinable"]) == [network]
    assert client.get(reverse("networks:request_join", args=[network.pk])).status_code == 200
    response = client.post(reverse("networks:request_join", args=[network.pk]), {"begrunnelse": "Vi vil vere med."})
    assert response.status_code == 302
    membership = Membership.objects.get(network=network, tjeneste=vestland_service)
    assert (membership.status, membership.begrunnelse) == (MembershipStatus.SOKT, "Vi vil vere med.")
    assert "Forespørselen om å bli med venter på statsforvalteren." in html(
        client.get(reverse("networks:detail", args=[network.pk]))
    )

    client.force_login(sf_vestland)
    assert list(client.get(reverse("networks:list")).context["pending_requests"]) == [membership]
    response = client.post(
        reverse("networks:membership_decide", args=[membership.pk]), {"beslutning": "godkjenn", "dato": "2024-03-01"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.status, membership.fra_dato) == (MembershipStatus.AKTIV, datetime.date(2024, 3, 1))


def test_statsforvalter_declines_request_and_bad_date_is_refused(login, world, sf_vestland):
    client = login(sf_vestland)
    url = reverse("networks:membership_decide", args=[world.request.pk])
    response = client.post(url, {"beslutning": "godkjenn", "dato": "ikke en dato"}, follow=True)
    assert "Oppgi en gyldig dato (dd.mm.åååå)." in html(response)
    world.request.refresh_from_db()
    assert world.request.status == MembershipStatus.SOKT

    client.post(url, {"beslutning": "avslaa"})
    world.request.refresh_from_db()
    assert world.request.status == MembershipStatus.AVSLATT


@pytest.mark.parametrize("who", ["staff", "agder_leader"])
def test_only_leaders_in_the_embete_may_ask_to_join(login, network, vestland_service, agder_service, who):
    user = (
        factories.service_user(vestland_service, leder=False)
        if who == "staff"
        else factories.service_user(agder_service)
    )
    client = login(user)
    assert client.get(reverse("networks:request_join", args=[network.pk])).status_code == 403
    assert client.post(reverse("networks:request_join", args=[network.pk]), {}).status_code == 403
    assert not Membership.objects.exists()


def test_leave_form_with_bad_dates_shows_errors(login, world, vestland_leader):
    client = login(vestland_leader)
    url = reverse("networks:membership_leave", args=[world.bergen.pk])
    before = snapshot()

    response = client.post(url, {"til_dato": "31.02.2024"})
    assert response.status_code == 200
    assert "Oppgi en gyldig dato." in html(response)

    response = client.post(url, {"til_dato": "2024-01-01"})
    assert response.status_code == 200
    assert "Utmeldingsdatoen kan ikke være før tjenesten ble med i nettverket (15.01.2024)." in html(response)
    assert snapshot() == before


def test_leader_leaves_through_the_form(login, world, vestland_leader):
    response = login(vestland_leader).post(
        reverse("networks:membership_leave", args=[world.bergen.pk]),
        {"til_dato": "2024-06-30", "begrunnelse": "For mange nettverk."},
    )
    assert response.status_code == 302
    world.bergen.refresh_from_db()
    assert (world.bergen.status, world.bergen.til_dato) == (MembershipStatus.UTMELDT, datetime.date(2024, 6, 30))
    world.person.refresh_from_db()
    assert world.person.til_dato == datetime.date(2024, 6, 30)


def test_leader_of_another_service_cannot_leave_on_its_behalf(login, world, second_service):
    client = login(factories.service_user(second_service))
    url = reverse("networks:membership_leave", args=[world.bergen.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"til_dato": "2024-06-30"}).status_code == 403
    world.bergen.refresh_from_db()
    assert world.bergen.status == MembershipStatus.AKTIV


# --- people, partners, oppvekst ---------------------------------------------------------------


def test_statsforvalter_registers_a_leader(login, world, sf_vestland):
    colleague = factories.statsforvalter("vestland")
    client = login(sf_vestland)
    form = client.get(reverse("networks:person_add", args=[world.network.pk])).context["form"]
    assert colleague in form.fields["user"].queryset
    response = client.post(
        reverse("networks:person_add", args=[world.network.pk]),
        {"rolle": "leder", "user": colleague.pk, "fra_dato": "2024-02-01", "til_dato": "2025-01-31"},
    )
    assert response.status_code == 302
    person = NetworkPerson.objects.get(rolle="leder")
    assert (person.user, person.fra_dato, person.til_dato) == (
        colleague,
        datetime.date(2024, 2, 1),
        datetime.date(2025, 1, 31),
    )


def test_service_leader_form_offers_only_own_service_and_participant_roles(
    login, world, vestland_leader, vestland_service
):
    colleague = factories.service_user(vestland_service, leder=False)
    client = login(vestland_leader)
    url = reverse("networks:person_add", args=[world.network.pk])
    form = client.get(url).context["form"]
    assert [c[0] for c in form.fields["rolle"].choices] == ["kontaktperson", "deltaker"]
    assert list(form.fields["tjeneste"].queryset) == [vestland_service]
    assert set(form.fields["user"].queryset) == {vestland_leader, colleague}

    response = client.post(
        url, {"rolle": "leder", "navn": "Meg", "tjeneste": vestland_service.pk, "fra_dato": "2024-02-01"}
    )
    assert response.status_code == 200
    assert "Velg et gyldig valg." in html(response)
    response = client.post(
        url,
        {
            "rolle": "deltaker",
            "navn": "Voss-person",
            "tjeneste": world.network.medlemskap.get(tjeneste__navn__contains="Voss").tjeneste_id,
            "fra_dato": "2024-02-01",
        },
    )
    assert response.status_code == 200
    assert not NetworkPerson.objects.filter(navn__in=["Meg", "Voss-person"]).exists()

    response = client.post(
        url, {"rolle": "deltaker", "user": colleague.pk, "tjeneste": vestland_service.pk, "fra_dato": "2024-02-01"}
    )
    assert response.status_code == 302
    assert NetworkPerson.objects.filter(rolle="deltaker", user=colleague, tjeneste=vestland_service).exists()


@pytest.mark.parametrize("who", ["staff_of_member", "leader_of_non_member"])
def test_others_cannot_name_participants(login, world, vestland_service, third_service, who):
    user = (
        factories.service_user(vestland_service, leder=False)
        if who == "staff_of_member"
        else factories.service_user(third_service)
    )
    client = login(user)
    url = reverse("networks:person_add", args=[world.network.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"rolle": "deltaker", "navn": "X", "fra_dato": "2024-02-01"}).status_code == 403
    assert NetworkPerson.objects.count() == 1


def test_statsforvalter_ends_a_role(login, world, sf_vestland):
    response = login(sf_vestland).post(
        reverse("networks:person_end", args=[world.person.pk]), {"dato": "2024-09-30"}, follow=True
    )
    assert "Rollen til Kari Kontakt er avsluttet." in html(response)
    world.person.refresh_from_db()
    assert world.person.til_dato == datetime.date(2024, 9, 30)


def test_partner_form_requires_a_role_and_ends_a_partnership(login, world, sf_vestland):
    client = login(sf_vestland)
    new_partner = factories.PartnerFactory(navn="Høgskulen på Vestlandet (test)")
    url = reverse("networks:partner_add", args=[world.network.pk])
    response = client.post(url, {"partner": new_partner.pk, "rolle": "  ", "fra_dato": "2024-02-01"})
    assert response.status_code == 200
    assert "Feltet er påkrevet." in html(response)
    assert not NetworkPartner.objects.filter(partner=new_partner).exists()

    response = client.post(url, {"partner": new_partner.pk, "rolle": "Vidareutdanning", "fra_dato": "2024-02-01"})
    assert response.status_code == 302
    link = NetworkPartner.objects.get(partner=new_partner)
    assert link.rolle == "Vidareutdanning"

    response = client.post(reverse("networks:partner_end", args=[link.pk]), {"dato": "2024-12-31"}, follow=True)
    assert "er ikke lenger partner." in html(response)
    link.refresh_from_db()
    assert link.til_dato == datetime.date(2024, 12, 31)


def test_oppvekst_form_follows_the_guidelines(login, world, sf_vestland):
    client = login(sf_vestland)
    url = reverse("networks:oppvekst_add", args=[world.network.pk])
    response = client.post(url, {"type": "helsestasjon", "navn": "Helsestasjonen", "fra_dato": "2020-05-01"})
    assert response.status_code == 200
    assert "Retningslinjer 2018" in html(response)
    assert "Det er tillatt fra 01.01.2021." in html(response)
    assert not OppvekstParticipant.objects.exists()

    response = client.post(url, {"type": "helsestasjon", "navn": "Helsestasjonen", "fra_dato": "2021-05-01"})
    assert response.status_code == 302
    assert OppvekstParticipant.objects.get().navn == "Helsestasjonen"
    assert "Helsestasjonen (Helsestasjon)" in html(client.get(reverse("networks:detail", args=[world.network.pk])))


# --- documents and gatherings -----------------------------------------------------------------


def test_document_upload_view_accepts_a_real_docx(login, network, sf_vestland):
    response = login(sf_vestland).post(
        reverse("networks:document_upload", args=[network.pk]),
        {"type": "samarbeidsplan", "tittel": "Samarbeidsplan", "fil": upload("samarbeid.docx", docx_bytes())},
    )
    assert response.status_code == 302
    document = NetworkDocument.objects.get()
    assert (document.tittel, document.filnavn, document.type) == ("Samarbeidsplan", "samarbeid.docx", "samarbeidsplan")


@pytest.mark.parametrize(
    "name, content, max_bytes, expected",
    [
        ("plan.pdf", b"Bare tekst", None, "Innholdet i filen stemmer ikke med filtypen."),
        ("plan.exe", PDF_BYTES, None, "Filtypen er ikke tillatt."),
        ("plan.pdf", b"", None, "Filen er tom."),
        (
            "plan.pdf",
            PDF_BYTES + b"0" * 2048,
            1024,
            "Filen er for stor (2,1\xa0KB). Største tillatte størrelse er 1,0\xa0KB.",
        ),
    ],
)
def test_document_upload_view_shows_errors_and_saves_nothing(
    login, network, sf_vestland, settings, name, content, max_bytes, expected
):
    if max_bytes:
        settings.UPLOAD_MAX_BYTES = max_bytes
    response = login(sf_vestland).post(
        reverse("networks:document_upload", args=[network.pk]),
        {"type": "annet", "tittel": "X", "fil": upload(name, content)},
    )
    assert response.status_code == 200
    assert expected in html(response)
    assert not NetworkDocument.objects.exists()
    assert not AuditEvent.objects.filter(handling="nettverk.dokument_lastet_opp").exists()


def test_gathering_form_lists_member_services_and_records_attendance(
    login, world, sf_vestland, vestland_service, second_service
):
    client = login(sf_vestland)
    url = reverse("networks:gathering_create", args=[world.network.pk])
    form = client.get(url).context["form"]
    assert sorted(n for n in form.fields if n.startswith("oppmote_")) == sorted(
        [f"oppmote_{vestland_service.pk}", f"oppmote_{second_service.pk}"]
    )
    response = client.post(
        url,
        {
            "tittel": "Haustsamling",
            "dato": "2024-10-15",
            "format": "hybrid",
            "sted": "Bergen",
            f"oppmote_{vestland_service.pk}": "5",
            f"oppmote_{second_service.pk}": "",
            "referat": upload("referat.odt", odt_bytes()),
        },
    )
    assert response.status_code == 302
    gathering = Gathering.objects.get(tittel="Haustsamling")
    assert list(gathering.oppmote.values_list("tjeneste", "antall_personer")) == [(vestland_service.pk, 5)]
    assert gathering.referat.innholdstype == "application/vnd.oasis.opendocument.text"


def test_gathering_form_with_a_bad_referat_saves_nothing(login, world, sf_vestland, vestland_service):
    response = login(sf_vestland).post(
        reverse("networks:gathering_create", args=[world.network.pk]),
        {
            "tittel": "Samling",
            "dato": "2024-10-15",
            "format": "digital",
            f"oppmote_{vestland_service.pk}": "2",
            "referat": upload("referat.pdf", b"tekst"),
        },
    )
    assert response.status_code == 200
    assert "Innholdet i filen stemmer ikke med filtypen." in html(response)
    assert list(Gathering.objects.values_list("tittel", flat=True)) == ["Vårsamling på Voss"]


def test_service_leader_sees_leave_link_only_for_own_service(login, world, vestland_leader):
    page = html(login(vestland_leader).get(reverse("networks:detail", args=[world.network.pk])))
    voss = Membership.objects.get(network=world.network, tjeneste__navn="Barnevernstenesta i Voss")
    assert reverse("networks:membership_leave", args=[world.bergen.pk]) in page
    assert reverse("networks:membership_leave", args=[voss.pk]) not in page
    assert reverse("networks:person_add", args=[world.network.pk]) in page  # may name participants
    assert reverse("networks:update", args=[world.network.pk]) not in page


def test_list_shows_the_service_its_invitations(login, world, third_service, sf_vestland):
    client = login(factories.service_user(third_service))
    response = client.get(reverse("networks:list"))
    assert list(response.context["my_memberships"]) == [world.invitation]
    assert reverse("networks:membership_respond", args=[world.invitation.pk]) in html(response)
    assert response.context["may_add"] is False

    client.force_login(sf_vestland)
    assert client.get(reverse("networks:list")).context["may_add"] is True
