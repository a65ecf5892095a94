"""The directory: filters, exports, and query counts that stay flat as networks and services grow."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from networks import selectors, services
from networks.filters import NetworkFilter
from networks.models import Membership, NetworkStatus, PersonRole, Theme
from organisations.models import Kommune
from tests import factories

from .conftest import DAY, add_member, make_network

FOSTERHJEM = "Oppfølging av fosterhjem"


def names(response) -> set[str]:
    return {n.navn for n in response.context["page"]}


@pytest.fixture
def catalogue(sf_vestland, sf_agder, vestland_service, second_service, third_service, agder_service, partner):
    """Three networks that differ in every filterable way.

    Fosterheim (Vestland, aktiv, tiltak, 2019, fosterhjem, partner, Bergen+Voss, Askøy has left)
    Leiarar (Vestland, etablering, kompetanse, 2022, lederutvikling, Askøy)
    Agder (Agder, pause, begge, 2020, fosterhjem, ended partnership, Kristiansand+Arendal)
    """
    fosterhjem = Theme.objects.get(navn=FOSTERHJEM)
    leder = Theme.objects.get(navn="Lederutvikling")

    foster = make_network(
        sf_vestland,
        navn="Fosterheimsnettverket",
        etablert_aar=2019,
        orientering="tiltaksutvikling",
        beskrivelse="Traumebevisst omsorg i fosterheimar.",
        themes=[fosterhjem],
    )
    add_member(foster, vestland_service)
    add_member(foster, second_service)
    askoy = add_member(foster, third_service)
    services.leave_network(sf_vestland, askoy, datetime.date(2024, 3, 1))
    services.change_status(sf_vestland, foster, NetworkStatus.AKTIV, DAY)
    services.add_partner(sf_vestland, foster, partner, "Fagleg støtte", DAY)
    services.add_person(sf_vestland, foster, rolle=PersonRole.LEDER, navn="Gunn Leiar", fra_dato=DAY)

    leiar = make_network(
        sf_vestland,
        navn="Leiarnettverket",
        etablert_aar=2022,
        orientering="kompetanseutvikling",
        maal="Betre leiing i små tenester.",
        themes=[leder],
    )
    add_member(leiar, third_service)

    arendal = factories.ServiceFactory(
        navn="Barneverntjenesten i Arendal", vertskommune=Kommune.objects.get(nummer="4203")
    )
    agder = make_network(sf_agder, navn="Agder-nettverket", etablert_aar=2020, themes=[fosterhjem])
    add_member(agder, agder_service)
    add_member(agder, arendal)
    services.change_status(sf_agder, agder, NetworkStatus.AKTIV, DAY)
    services.change_status(sf_agder, agder, NetworkStatus.PAUSE, DAY + datetime.timedelta(days=1))
    link = services.add_partner(sf_agder, agder, partner, "Tidligere partner", DAY)
    services.end_partner(sf_agder, link, DAY + datetime.timedelta(days=5))
    services.add_person(sf_agder, agder, rolle=PersonRole.KOORDINATOR, navn="Kim Koordinator", fra_dato=DAY)
    return {"foster": foster, "leiar": leiar, "agder": agder, "partner": partner, "arendal": arendal}


# --- filters ----------------------------------------------------------------------------------


def test_unfiltered_directory_lists_every_network(login, catalogue, bufdir):
    response = login(bufdir).get(reverse("networks:list"))
    assert names(response) == {"Fosterheimsnettverket", "Leiarnettverket", "Agder-nettverket"}
    assert "3 nettverk" in response.content.decode()


@pytest.mark.parametrize(
    "param, value, expected",
    [
        ("embete", "vestland", {"Fosterheimsnettverket", "Leiarnettverket"}),
        ("embete", "agder", {"Agder-nettverket"}),
        ("status", "aktiv", {"Fosterheimsnettverket"}),
        ("status", "pause", {"Agder-nettverket"}),
        ("status", "avsluttet", set()),
        ("tema", FOSTERHJEM, {"Fosterheimsnettverket", "Agder-nettverket"}),
        ("tema", "Lederutvikling", {"Leiarnettverket"}),
        ("orientering", "tiltaksutvikling", {"Fosterheimsnettverket"}),
        ("orientering", "begge", {"Agder-nettverket"}),
        ("aar", "2020", {"Agder-nettverket"}),
        ("aar", "2019", {"Fosterheimsnettverket"}),
        ("partner", "partner", {"Fosterheimsnettverket"}),  # the Agder partnership has ended
        ("tjeneste", "bergen", {"Fosterheimsnettverket"}),
        ("tjeneste", "askoy", {"Leiarnettverket"}),  # Askøy left Fosterheim; it is active only in Leiar
        ("tjeneste", "kristiansand", {"Agder-nettverket"}),
        ("q", "traume", {"Fosterheimsnettverket"}),  # description
        ("q", "leiing", {"Leiarnettverket"}),  # goals
        ("q", "AGDER", {"Agder-nettverket"}),  # name, any case
        ("q", "   ", {"Fosterheimsnettverket", "Leiarnettverket", "Agder-nettverket"}),
    ],
)
def test_each_filter_narrows_the_directory(
    login, catalogue, sf_vestland, vestland_service, third_service, agder_service, param, value, expected
):
    lookup = {
        "embete": lambda v: factories.embete(v).pk,
        "tema": lambda v: Theme.objects.get(navn=v).pk,
        "partner": lambda v: catalogue["partner"].pk,
        "tjeneste": lambda v: {"bergen": vestland_service, "askoy": third_service, "kristiansand": agder_service}[v].pk,
    }
    query = lookup[param](value) if param in lookup else value
    response = login(sf_vestland).get(reverse("networks:list"), {param: query})
    assert response.status_code == 200
    assert names(response) == expected


def test_filters_combine_and_keep_the_service_count_right(login, catalogue, sf_vestland, vestland_service):
    response = login(sf_vestland).get(
        reverse("networks:list"),
        {
            "embete": factories.embete("vestland").pk,
            "tema": Theme.objects.get(navn=FOSTERHJEM).pk,
            "tjeneste": vestland_service.pk,
            "partner": catalogue["partner"].pk,
        },
    )
    [network] = list(response.context["page"])
    assert network.navn == "Fosterheimsnettverket"
    # Filtering on one member must not change the number of services shown (Bergen and Voss; Askøy has left).
    assert network.antall_tjenester == 2
    [exported] = NetworkFilter(
        {"tjeneste": vestland_service.pk, "embete": network.embete_id}, queryset=selectors.directory(with_members=True)
    ).qs.filter(pk=network.pk)
    assert sorted(m.tjeneste.navn for m in exported.aktive_medlemskap) == [
        "Barnevernstenesta i Voss",
        "Barneverntjenesten i Bergen",
    ]


def test_invalid_filter_value_is_an_error_not_a_crash(login, catalogue, sf_vestland):
    response = login(sf_vestland).get(reverse("networks:list"), {"status": "borte", "aar": "tjue"})
    assert response.status_code == 200
    assert response.context["filter"].errors


# --- exports ----------------------------------------------------------------------------------


def test_directory_export_xlsx(login, catalogue, bufdir):
    response = login(bufdir).get(reverse("networks:export", args=["nettverk", "xlsx"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == f'attachment; filename="nettverk-{datetime.date.today():%Y-%m-%d}.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[:4] == ("id", "embete", "nettverk", "status")
    by_name = {r[2]: dict(zip(header, r, strict=True)) for r in body}
    assert set(by_name) == {"Fosterheimsnettverket", "Leiarnettverket", "Agder-nettverket"}
    foster = by_name["Fosterheimsnettverket"]
    assert foster["embete"] == "vestland"
    assert foster["status"] == "Aktiv"
    assert foster["antall_tjenester"] == 2
    assert foster["tjenester"] == "Barnevernstenesta i Voss; Barneverntjenesten i Bergen"
    assert foster["partnere"] == "RKBU Vest testpartner"
    assert foster["leder_eller_koordinator"] == "Gunn Leiar"
    assert foster["temaer"] == FOSTERHJEM
    agder = by_name["Agder-nettverket"]
    assert (agder["status"], agder["partnere"], agder["leder_eller_koordinator"]) == ("Pause", None, "Kim Koordinator")


def test_directory_export_csv_follows_the_filter(login, catalogue, sf_vestland):
    response = login(sf_vestland).get(
        reverse("networks:export", args=["nettverk", "csv"]), {"embete": factories.embete("vestland").pk}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel opens æøå correctly
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert sorted(r["nettverk"] for r in rows) == ["Fosterheimsnettverket", "Leiarnettverket"]
    leiar = next(r for r in rows if r["nettverk"] == "Leiarnettverket")
    assert (leiar["status"], leiar["antall_tjenester"], leiar["retning"]) == (
        "Under etablering",
        "1",
        "Kompetanseutvikling",
    )


def test_membership_export_keeps_history_and_no_email(login, catalogue, vestland_leader, third_service):
    response = login(vestland_leader).get(reverse("networks:export", args=["medlemskap", "csv"]))
    text = response.content.decode("utf-8").lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0].keys()) == ["embete", "nettverk", "tjeneste", "orgnr", "status", "med_fra", "med_til"]
    table = {(r["nettverk"], r["tjeneste"]): (r["status"], r["med_fra"], r["med_til"]) for r in rows}
    assert table == {
        ("Agder-nettverket", "Barneverntjenesten i Arendal"): ("Deltar", "2024-01-15", ""),
        ("Agder-nettverket", "Barneverntjenesten i Kristiansand"): ("Deltar", "2024-01-15", ""),
        ("Fosterheimsnettverket", "Barnevernstenesta i Askøy"): ("Har gått ut", "2024-01-15", "2024-03-01"),
        ("Fosterheimsnettverket", "Barnevernstenesta i Voss"): ("Deltar", "2024-01-15", ""),
        ("Fosterheimsnettverket", "Barneverntjenesten i Bergen"): ("Deltar", "2024-01-15", ""),
        ("Leiarnettverket", "Barnevernstenesta i Askøy"): ("Deltar", "2024-01-15", ""),
    }
    assert next(r for r in rows if r["tjeneste"] == "Barnevernstenesta i Askøy")["orgnr"] == third_service.orgnr
    assert "@" not in text


def test_membership_export_lists_rejoins_as_separate_periods_and_skips_declined(
    login, sf_vestland, active_network, vestland_service, third_service
):
    membership = Membership.objects.get(network=active_network, tjeneste=vestland_service)
    services.leave_network(sf_vestland, membership, datetime.date(2024, 6, 30))
    services.add_member_directly(sf_vestland, active_network, vestland_service, datetime.date(2025, 1, 1))
    declined = services.invite_service(sf_vestland, active_network, third_service)
    services.respond_to_invitation(factories.service_user(third_service), declined, accept=False)

    response = login(sf_vestland).get(reverse("networks:export", args=["medlemskap", "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))[1:]
    bergen = [(r[4], r[5], r[6]) for r in rows if r[2] == "Barneverntjenesten i Bergen"]
    day = datetime.datetime  # dates are real dates in the workbook (common.exports)
    assert bergen == [("Har gått ut", day(2024, 1, 15), day(2024, 6, 30)), ("Deltar", day(2025, 1, 1), None)]
    assert not [r for r in rows if r[2] == "Barnevernstenesta i Askøy"]


@pytest.mark.parametrize("what, fmt", [("nettverk", "pdf"), ("brukere", "csv"), ("medlemskap", "json")])
def test_unknown_exports_are_404(login, sf_vestland, what, fmt):
    assert login(sf_vestland).get(reverse("networks:export", args=[what, fmt])).status_code == 404


# --- register and coverage pages --------------------------------------------------------------


def test_register_shows_who_takes_part_where(login, catalogue, sf_vestland, vestland_service):
    services.add_person(
        sf_vestland,
        catalogue["foster"],
        rolle=PersonRole.KONTAKTPERSON,
        navn="Kari Kontakt",
        tjeneste=vestland_service,
        fra_dato=DAY,
    )
    client = login(sf_vestland)
    response = client.get(reverse("networks:register"))
    rows = {s.navn: s for s in response.context["page"]}
    assert [m.network.navn for m in rows["Barneverntjenesten i Bergen"].aktive_medlemskap] == ["Fosterheimsnettverket"]
    assert [m.network.navn for m in rows["Barnevernstenesta i Askøy"].aktive_medlemskap] == ["Leiarnettverket"]
    assert [(p.navn, p.rolle) for p in rows["Barneverntjenesten i Bergen"].aktive_personer] == [
        ("Kari Kontakt", "kontaktperson")
    ]
    assert "Kari Kontakt (kontaktperson for tjenesten, Fosterheimsnettverket)" in response.content.decode()

    agder_only = client.get(reverse("networks:register"), {"embete": factories.embete("agder").pk})
    assert {s.navn for s in agder_only.context["page"]} == {
        "Barneverntjenesten i Kristiansand",
        "Barneverntjenesten i Arendal",
    }
    # A bad embete value is ignored rather than crashing.
    assert client.get(reverse("networks:register"), {"embete": "x'; DROP"}).status_code == 200


def test_coverage_page(login, catalogue, sf_vestland):
    response = login(sf_vestland).get(reverse("networks:coverage"))
    page = response.content.decode()
    # Vestland: Bergen and Voss of three services; Agder's only network is paused.
    assert {r.embete.slug: (r.total, r.covered) for r in response.context["rows"]} == {
        "vestland": (3, 2),
        "agder": (2, 0),
    }
    assert "Nasjonalt deltar 2 av 5 aktive barnevernstjenester (40,0 %) i minst ett aktivt nettverk i dag." in page


# --- query counts -----------------------------------------------------------------------------


def grow(sf, count: int, start: int = 0) -> None:
    """count more Vestland networks, each with two new services, a leader with an account, a contact person,
    two themes, a partner and a sub-group relation."""
    themes = list(Theme.objects.filter(kontrollert=True)[:2])
    parent = None
    for i in range(start, start + count):
        a = factories.ServiceFactory(navn=f"Teneste A{i}")
        b = factories.ServiceFactory(navn=f"Teneste B{i}")
        network = make_network(sf, navn=f"Vekstnettverk {i}", themes=themes, overordnet=parent)
        parent = parent or network
        add_member(network, a)
        add_member(network, b)
        services.change_status(sf, network, NetworkStatus.AKTIV, DAY)
        leader = factories.service_user(a)
        services.add_person(sf, network, rolle=PersonRole.LEDER, user=leader, fra_dato=DAY)
        services.add_person(sf, network, rolle=PersonRole.KONTAKTPERSON, navn=f"Kontakt {i}", tjeneste=b, fra_dato=DAY)
        services.add_partner(sf, network, factories.PartnerFactory(), "Veiledning", DAY)


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url_name, params, budget",
    [
        ("networks:list", None, 14),
        ("networks:list", {"status": "aktiv"}, 14),
        ("networks:register", None, 8),
        ("networks:coverage", None, 5),
    ],
)
def test_page_query_counts_do_not_grow_with_the_data(
    login, sf_vestland, django_assert_max_num_queries, url_name, params, budget
):
    client = login(sf_vestland)
    url = reverse(url_name)
    grow(sf_vestland, 3)
    small = count_queries(client, url, params)
    grow(sf_vestland, 12, start=3)
    large = count_queries(client, url, params)
    assert large == small, f"{url_name}: {small} queries with 3 networks, {large} with 15"
    with django_assert_max_num_queries(budget):
        client.get(url, params or {})


def test_directory_query_count_for_a_service_user_does_not_grow(login, sf_vestland, vestland_service):
    client = login(factories.service_user(vestland_service))
    grow(sf_vestland, 3)
    small = count_queries(client, reverse("networks:list"))
    grow(sf_vestland, 12, start=3)
    assert count_queries(client, reverse("networks:list")) == small


def test_detail_query_count_does_not_grow_with_members(login, sf_vestland, network):
    client = login(sf_vestland)
    url = reverse("networks:detail", args=[network.pk])

    def populate(start, count):
        for i in range(start, start + count):
            service = factories.ServiceFactory(navn=f"Medlem {i}")
            add_member(network, service)
            services.add_person(
                sf_vestland,
                network,
                rolle=PersonRole.DELTAKER,
                user=factories.service_user(service),
                tjeneste=service,
                fra_dato=DAY,
            )
            services.add_partner(sf_vestland, network, factories.PartnerFactory(), "Støtte", DAY)
            services.create_gathering(
                sf_vestland, network, tittel=f"Samling {i}", dato=DAY, format="digital", oppmote={service: 2}
            )

    populate(0, 2)
    small = count_queries(client, url)
    populate(2, 8)
    assert count_queries(client, url) == small


@pytest.mark.parametrize("what, fmt", [("nettverk", "xlsx"), ("medlemskap", "csv")])
def test_export_query_counts_do_not_grow(login, sf_vestland, what, fmt):
    client = login(sf_vestland)
    url = reverse("networks:export", args=[what, fmt])
    grow(sf_vestland, 3)
    small = count_queries(client, url)
    grow(sf_vestland, 12, start=3)
    assert count_queries(client, url) == small
