"""The evaluators' figures (reporting.selectors.figures, issue 19): every cell of every figure against a small known
data set, a statsforvalter's figures equal to its rows of Bufdir's, the page (charts with the table's figures), the
exports, the API and a constant query count."""

import datetime
import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.template.defaultfilters import floatformat
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from grants.models import Award, AwardSource
from networks.models import LearningNetwork, Membership, MembershipStatus, NetworkStatus, Orientation, Theme
from organisations.models import ChildWelfareService, Kommune, PartnerType
from projects.models import DevelopmentProject, ProjectPartner
from reporting.selectors import figures as f
from reporting.views_national import _percent_text
from tests import factories

pytestmark = pytest.mark.django_db
URL = reverse("reporting:national_summary")
API = reverse("api:figures")
PERIOD = {"year_from": 2020, "year_to": 2023}
ON = datetime.date(2023, 12, 31)
D = datetime.date


def _network(embete, navn):
    return LearningNetwork.objects.create(
        embete=embete, navn=navn, etablert_aar=2019, status=NetworkStatus.AKTIV, status_fra=D(2019, 1, 1)
    )


def _member(network, service, status, fra, til=None):
    Membership.objects.create(network=network, tjeneste=service, status=status, fra_dato=fra, til_dato=til)


def _award(year, embete, kategori, belop, *, project=None, network=None):
    network = network or project.network
    return Award.objects.create(
        aar=year,
        embete=embete,
        kategori=kategori,
        nettverk=network,
        prosjekt=project,
        belop=Decimal(belop),
        kilde=AwardSource.IMPORT,
        import_nokkel=f"figurtest|{Award.objects.count()}",
    )


@pytest.fixture
def data(reference_data):
    """Vestland and Agder, 2019–2023 (see the expected figures in each test)."""
    v, a = factories.embete("vestland"), factories.embete("agder")
    agder_kommune = Kommune.objects.get(nummer="4204")
    s1 = factories.ServiceFactory(navn="V1 Bergen")
    s2 = factories.ServiceFactory(navn="V2 Voss")
    factories.ServiceFactory(navn="V3 Askøy")  # in no network
    factories.ServiceFactory(navn="V4 nedlagt", aktiv=False)  # not active: not counted
    s5 = factories.ServiceFactory(navn="A5 Kristiansand", vertskommune=agder_kommune)
    s6 = factories.ServiceFactory(navn="A6 Arendal", vertskommune=agder_kommune)
    s7 = factories.ServiceFactory(navn="A7 Grimstad", vertskommune=agder_kommune)
    net_v, net_v2, net_a = _network(v, "Vest 1"), _network(v, "Vest 2"), _network(a, "Sør")
    _member(net_v, s1, MembershipStatus.UTMELDT, D(2020, 3, 1), D(2021, 6, 30))  # in the period, not on ON
    _member(net_v, s2, MembershipStatus.AKTIV, D(2023, 1, 1))  # in the period and on ON
    _member(net_a, s5, MembershipStatus.AKTIV, D(2019, 1, 1))  # in the period and on ON
    Membership.objects.create(network=net_a, tjeneste=s6, status=MembershipStatus.SOKT)  # asked only: no
    _member(net_a, s7, MembershipStatus.UTMELDT, D(2018, 1, 1), D(2019, 12, 31))  # ended before the period: no

    t1, t2 = Theme.objects.create(navn="Tema 1"), Theme.objects.create(navn="Tema 2")
    p1 = DevelopmentProject.objects.create(
        network=net_v, navn="P1", kategori="egeninitiert", orientering=Orientation.TILTAK
    )
    p1.temaer.set([t1, t2])
    p2 = DevelopmentProject.objects.create(
        network=net_v, navn="P2", kategori="fosterhjem", orientering=Orientation.KOMPETANSE
    )
    p2.temaer.set([t1])
    p3 = DevelopmentProject.objects.create(
        network=net_v2, navn="P3", kategori="egeninitiert", orientering=Orientation.BEGGE
    )
    p4 = DevelopmentProject.objects.create(
        network=net_a, navn="P4", kategori="egeninitiert", orientering=Orientation.TILTAK
    )
    p4.temaer.set([t2])
    _award(2021, v, "egeninitiert", 100_000, project=p1)
    _award(2021, v, "fosterhjem", 50_000, project=p2)
    _award(2022, v, "egeninitiert", 80_000, project=p1)
    _award(2022, v, "egeninitiert", 20_000, project=p3)
    _award(2022, v, "fosterhjem", 10_000, network=net_v)  # to the network, no project
    _award(2022, a, "egeninitiert", 40_000, project=p4)
    _award(2023, a, "egeninitiert", 0, project=p4)  # nothing awarded: not funded
    _award(2019, a, "egeninitiert", 999, project=p4)  # before the period

    uh = factories.PartnerFactory(type=PartnerType.UNIVERSITET)
    rkbu = factories.PartnerFactory(type=PartnerType.RKBU)
    buf = factories.PartnerFactory(type=PartnerType.BUFETAT)
    pp = ProjectPartner.objects.create
    pp(prosjekt=p1, partner=uh, rolle="r", fra_dato=D(2021, 1, 1), til_dato=D(2021, 12, 31))
    pp(prosjekt=p1, partner=rkbu, rolle="r", fra_dato=D(2022, 6, 1))
    pp(prosjekt=p2, partner=uh, rolle="r", fra_dato=D(2020, 1, 1), til_dato=D(2020, 12, 31))  # not in 2021
    pp(prosjekt=p3, partner=rkbu, rolle="r", fra_dato=D(2022, 1, 1), til_dato=D(2022, 2, 1))
    pp(prosjekt=p3, partner=rkbu, rolle="r", fra_dato=D(2022, 5, 1), til_dato=D(2022, 6, 1))  # again: once
    pp(prosjekt=p4, partner=buf, rolle="r", fra_dato=D(2022, 3, 1))
    pp(prosjekt=p4, partner=uh, rolle="r", fra_dato=D(2022, 1, 1))
    return {"v": v, "a": a, "nets": (net_v, net_v2, net_a)}


def _only(rows, *slugs):
    return [r for r in rows if r["embete"] in slugs]


# --- every cell ----------------------------------------------------------------------------------------------------


def test_coverage_over_the_period_and_on_a_date(data):
    rows = {r["embete"]: r for r in f.coverage_over_period(**PERIOD, on=ON)}
    assert len(rows) == 10  # every embete, also those without services
    v, a = rows["vestland"], rows["agder"]
    assert (v["tjenester"], v["deltok_i_perioden"], v["andel_i_perioden"]) == (3, 2, Decimal("66.7"))
    assert (v["i_nettverk_paa_dato"], v["andel_paa_dato"], v["dato"]) == (1, Decimal("33.3"), ON)
    assert (a["tjenester"], a["deltok_i_perioden"], a["andel_i_perioden"]) == (3, 1, Decimal("33.3"))
    assert (a["i_nettverk_paa_dato"], a["andel_paa_dato"]) == (1, Decimal("33.3"))
    assert rows["nordland"]["tjenester"] == 0 and rows["nordland"]["andel_i_perioden"] is None
    total = f.coverage_total(list(rows.values()))
    assert total == {
        "tjenester": 6,
        "deltok_i_perioden": 3,
        "andel_i_perioden": Decimal("50.0"),
        "i_nettverk_paa_dato": 2,
        "andel_paa_dato": Decimal("33.3"),
    }
    # A period that ends before s1 joined: nobody in Vestland took part.
    early = {r["embete"]: r for r in f.coverage_over_period(2019, 2019, on=ON)}
    assert (early["vestland"]["deltok_i_perioden"], early["agder"]["deltok_i_perioden"]) == (0, 2)


def test_services_without_network(data):
    rows = f.services_without_network(**PERIOD)
    assert [(r["embete"], r["tjeneste"]) for r in rows] == [
        ("agder", "A6 Arendal"),
        ("agder", "A7 Grimstad"),
        ("vestland", "V3 Askøy"),
    ]
    assert rows[0]["vertskommune"] == "Kristiansand" and len(rows[0]["orgnr"]) == 9


def test_networks_funded_per_year_and_embete(data):
    rows = {(r["aar"], r["embete"]): (r["nettverk"], r["prosjekter"]) for r in f.networks_funded(**PERIOD)}
    assert len(rows) == 4 * 10
    assert rows[(2021, "vestland")] == (1, 2)
    assert rows[(2022, "vestland")] == (2, 2)  # Vest 1 (P1 and money to the network) and Vest 2 (P3)
    assert rows[(2022, "agder")] == (1, 1)
    assert rows[(2023, "agder")] == (0, 0)  # 0 kr is not funding
    assert sum(n for n, _p in rows.values()) == 4
    fosterhjem = {(r["aar"], r["embete"]): r["nettverk"] for r in f.networks_funded(**PERIOD, kategori="fosterhjem")}
    assert (fosterhjem[(2021, "vestland")], fosterhjem[(2022, "vestland")], fosterhjem[(2022, "agder")]) == (1, 1, 0)


def test_projects_per_network(data):
    rows = [(r["embete"], r["nettverk"], r["prosjekter"], r["tildelt_kr"]) for r in f.projects_per_network(**PERIOD)]
    assert rows == [
        ("agder", "Sør", 1, 40_000),
        ("vestland", "Vest 1", 2, 240_000),
        ("vestland", "Vest 2", 1, 20_000),
    ]
    assert f.networks_by_project_count(f.projects_per_network(**PERIOD)) == [
        ("0", 0),
        ("1", 2),
        ("2", 1),
        ("3", 0),
        ("4", 0),
        ("5+", 0),
    ]


def test_projects_by_theme_and_direction(data):
    themes = [(r["aar"], r["kategori"], r["embete"], r["tema"], r["prosjekter"]) for r in f.projects_by_theme(**PERIOD)]
    assert themes == [
        (2021, "egeninitiert", "vestland", "Tema 1", 1),
        (2021, "egeninitiert", "vestland", "Tema 2", 1),
        (2021, "fosterhjem", "vestland", "Tema 1", 1),
        (2022, "egeninitiert", "agder", "Tema 2", 1),
        (2022, "egeninitiert", "vestland", "", 1),
        (2022, "egeninitiert", "vestland", "Tema 1", 1),
        (2022, "egeninitiert", "vestland", "Tema 2", 1),
    ]
    directions = [
        (r["aar"], r["kategori"], r["embete"], r["retning"], r["prosjekter"]) for r in f.projects_by_direction(**PERIOD)
    ]
    assert directions == [
        (2021, "egeninitiert", "vestland", "tiltaksutvikling", 1),
        (2021, "fosterhjem", "vestland", "kompetanseutvikling", 1),
        (2022, "egeninitiert", "agder", "tiltaksutvikling", 1),
        (2022, "egeninitiert", "vestland", "begge", 1),
        (2022, "egeninitiert", "vestland", "tiltaksutvikling", 1),
    ]
    figures = f.evaluation_figures(**PERIOD, on=ON)
    table = figures.theme_table("Uten tema")
    assert table.years == [2020, 2021, 2022, 2023]
    assert table.rows == [("Tema 1", [0, 2, 1, 0]), ("Tema 2", [0, 1, 2, 0]), ("Uten tema", [0, 0, 1, 0])]
    assert figures.direction_table().rows == [
        ("Tiltaksutvikling", [0, 1, 2, 0]),
        ("Kompetanseutvikling", [0, 1, 0, 0]),
        ("Begge", [0, 0, 1, 0]),
    ]


@pytest.mark.parametrize(
    "language, label", [("nb", "Foreldreveiledning"), ("nn", "Foreldrerettleiing"), ("en", "Parent guidance")]
)
def test_fixed_themes_are_shown_in_the_users_language_and_typed_ones_as_typed(data, language, label):
    """The fixed theme list is translated (as in the network filter); themes staff typed stay as typed."""
    p4 = DevelopmentProject.objects.get(navn="P4")
    p4.temaer.add(Theme.objects.get(navn="Foreldreveiledning"))  # seeded by networks' migration 0002
    with translation.override(language):
        rows = dict(f.evaluation_figures(**PERIOD, on=ON).theme_table("–").rows)
    assert rows[label] == [0, 0, 1, 0]
    assert "Tema 1" in rows and "Tema 2" in rows
    assert "Foreldreveiledning" not in rows or language == "nb"


def test_money_share_of_the_whole_country(data):
    rows = {r["embete"]: r for r in f.money_share(**PERIOD)}
    v, a = rows["vestland"], rows["agder"]
    # egeninitiert 240 000 in all (V 200 000, A 40 000), fosterhjem 60 000 (V), 300 000 in all; 2019 is outside.
    assert (v["egeninitiert_kr"], v["andel_egeninitiert"]) == (200_000, Decimal("83.3"))
    assert (v["fosterhjem_kr"], v["andel_fosterhjem"]) == (60_000, Decimal("100.0"))
    assert (v["tildelt_kr"], v["andel"]) == (260_000, Decimal("86.7"))
    assert (a["egeninitiert_kr"], a["andel_egeninitiert"]) == (40_000, Decimal("16.7"))
    assert (a["fosterhjem_kr"], a["andel_fosterhjem"]) == (0, Decimal("0.0"))
    assert (a["tildelt_kr"], a["andel"]) == (40_000, Decimal("13.3"))
    assert rows["nordland"]["tildelt_kr"] == 0
    one = {r["embete"]: r for r in f.money_share(**PERIOD, kategori="fosterhjem")}
    assert one["vestland"]["egeninitiert_kr"] is None and one["vestland"]["andel"] == Decimal("100.0")
    assert f.money_share(2015, 2015)[0]["andel"] is None  # nothing awarded: no share


def test_partners_by_type_per_year(data):
    rows = [(r["aar"], r["embete"], r["partnertype"], r["prosjekter"]) for r in f.partners_by_type(**PERIOD)]
    assert rows == [
        (2021, "vestland", "universitet", 1),
        (2022, "agder", "bufetat", 1),
        (2022, "agder", "universitet", 1),
        (2022, "vestland", "rkbu", 2),
    ]
    table = f.evaluation_figures(**PERIOD, on=ON).partner_table()
    assert table.rows == [
        ("Bufetat", [0, 0, 1, 0]),
        ("RKBU", [0, 0, 2, 0]),
        ("Universiteter og høyskoler", [0, 1, 1, 0]),
    ]
    assert table.total == [0, 2, 3, 0]  # funded projects per year


def test_percent_rounds_half_up():
    assert f.percent(13, 16) == Decimal("81.3")  # 81.25
    assert f.percent(1, 8) == Decimal("12.5")
    assert f.percent(0, 0) is None


# --- scoping: a statsforvalter's figures are its rows of Bufdir's ---------------------------------------------------


def test_statsforvalter_figures_are_its_rows_of_bufdirs(data):
    everybody = f.evaluation_figures(**PERIOD, on=ON)
    for embete in (data["v"], data["a"]):
        own = f.evaluation_figures(**PERIOD, on=ON, embete_ids=[embete.pk])
        for attribute in ("coverage", "without_network", "networks", "network_projects", "themes", "directions"):
            assert getattr(own, attribute) == _only(getattr(everybody, attribute), embete.slug), attribute
        assert own.money == _only(everybody.money, embete.slug)
        assert own.partners == _only(everybody.partners, embete.slug)
    # The national table is the sum of the embeter's rows.
    total = f.coverage_total(everybody.coverage)
    parts = [f.coverage_total(_only(everybody.coverage, s)) for s in {r["embete"] for r in everybody.coverage}]
    assert total["deltok_i_perioden"] == sum(p["deltok_i_perioden"] for p in parts)
    assert sum(r["andel"] for r in everybody.money) == Decimal("100.0")


# --- page, exports, API ---------------------------------------------------------------------------------------------


def test_page_shows_every_figure_with_charts_matching_the_tables(client, data, no_mfa, locmem_cache):
    client.force_login(factories.bufdir_user())
    html = client.get(URL, {"fra_aar": 2020, "til_aar": 2023}).content.decode()
    for caption in (
        "tabell-dekning-periode",
        "tabell-uten-nettverk",
        "tabell-nettverk-per-aar",
        "tabell-nettverk-per-embete",
        "tabell-prosjekter-per-nettverk",
        "tabell-tema",
        "tabell-retning",
        "tabell-partnertyper",
        "tabell-andel-midler",
    ):
        assert f'id="{caption}"' in html, caption
    figures_part = html.split('id="evalueringstall"', 1)[1]
    assert figures_part.count('role="img"') == 7
    # The chart labels show the same rounded share as the tables (83,3 / 86,7 %; 66,7 % coverage in the period).
    assert figures_part.count("66,7 %") >= 2  # chart value and table cell
    assert figures_part.count("86,7 %") >= 2
    assert "V3 Askøy" in figures_part and "A6 Arendal" in figures_part


def test_statsforvalter_page_shows_own_embete_only(client, data, no_mfa, locmem_cache):
    client.force_login(factories.statsforvalter("vestland"))
    html = client.get(URL, {"fra_aar": 2020, "til_aar": 2023}).content.decode()
    part = html.split('id="evalueringstall"', 1)[1]
    assert "V3 Askøy" in part and "A6 Arendal" not in part
    assert "Statsforvalteren i Agder" not in part


def test_bad_years_give_a_norwegian_error(client, data, no_mfa):
    client.force_login(factories.bufdir_user())
    response = client.get(URL, {"fra_aar": 2023, "til_aar": 2020})
    assert "«Til år» kan ikke være før «Fra år»." in response.content.decode()
    assert 'id="evalueringstall"' not in response.content.decode()
    response = client.get(URL, {"fra_aar": "abc", "til_aar": 1900})
    assert response.status_code == 200
    assert "Velg et år fra 2015 til" in response.content.decode()
    assert 'id="evalueringstall"' not in response.content.decode()
    export = client.get(reverse("reporting:national_export", args=["tema", "json"]), {"fra_aar": 1900})
    assert export.status_code == 400


@pytest.mark.parametrize("name", sorted(f.EXPORT_TABLES))
def test_every_figure_is_exported(client, data, no_mfa, name):
    client.force_login(factories.statsforvalter("vestland"))
    params = {"fra_aar": 2020, "til_aar": 2023}
    response = client.get(reverse("reporting:national_export", args=[name, "json"]), params)
    assert response.status_code == 200
    rows = json.loads(response.content)
    attribute, columns = f.EXPORT_TABLES[name]
    expected = getattr(f.evaluation_figures(2020, 2023, embete_ids=[data["v"].pk]), attribute)
    assert len(rows) == len(expected)
    assert all(r["embete"] == "vestland" for r in rows)
    assert all(list(r) == list(columns) for r in rows)
    xlsx = client.get(reverse("reporting:national_export", args=[name, "xlsx"]), params)
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[1]] == list(columns)
    assert sheet.max_row == len(expected) + 1
    for fmt in ("csv", "csv-excel"):
        text = client.get(reverse("reporting:national_export", args=[name, fmt]), params).content.decode("utf-8-sig")
        assert len([line for line in text.splitlines() if line]) == len(expected) + 1


def test_money_share_export_cells(client, data, no_mfa):
    client.force_login(factories.bufdir_user())
    response = client.get(
        reverse("reporting:national_export", args=["andel-midler", "json"]), {"fra_aar": 2020, "til_aar": 2023}
    )
    rows = {r["embete"]: r for r in json.loads(response.content)}
    assert rows["vestland"]["tildelt_kr"] == 260_000
    assert Decimal(str(rows["vestland"]["andel"])) == Decimal("86.7")


def test_api_figures_scoped(client, data, no_mfa):
    client.force_login(factories.bufdir_user())
    everything = client.get(API, PERIOD).json()
    assert (everything["year_from"], everything["year_to"]) == (2020, 2023)
    client.force_login(factories.statsforvalter("vestland"))
    own = client.get(API, PERIOD).json()
    for key in (
        "coverage",
        "services_without_network",
        "networks_funded",
        "projects_per_network",
        "themes",
        "directions",
        "money_share",
        "partner_types",
    ):
        assert own[key] == _only(everything[key], "vestland"), key
    money = {r["embete"]: r for r in own["money_share"]}
    assert (money["vestland"]["tildelt_kr"], money["vestland"]["andel"]) == (260_000, 86.7)
    assert client.get(API, {**PERIOD, "embete": "agder"}).status_code == 403
    assert client.get(API, {"year_from": 2023, "year_to": 2020}).status_code == 400


def test_api_figures_default_to_the_last_five_years_with_awards(client, data, no_mfa):
    client.force_login(factories.bufdir_user())
    body = client.get(API).json()
    assert (body["year_from"], body["year_to"]) == (2019, 2023)


def _count(client, url, params):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def _more_data(n, data):
    net_v = data["nets"][0]
    theme = Theme.objects.create(navn=f"Ekstra {n}")
    partner = factories.PartnerFactory(type=PartnerType.KS)
    for i in range(n):
        service = factories.ServiceFactory(navn=f"Ekstra {n}-{i}")
        _member(net_v, service, MembershipStatus.AKTIV, D(2021, 1, 1))
        p = DevelopmentProject.objects.create(network=net_v, navn=f"Ekstra {n}-{i}", kategori="egeninitiert")
        p.temaer.set([theme])
        ProjectPartner.objects.create(prosjekt=p, partner=partner, rolle="r", fra_dato=D(2021, 1, 1))
        _award(2021 + i % 3, data["v"], "egeninitiert", 1000, project=p)
        network = _network(data["a"], f"Ekstra {n}-{i}")
        _award(2022, data["a"], "fosterhjem", 500, network=network)


@pytest.mark.parametrize("url", [URL, API, reverse("reporting:national_export", args=["tema", "json"])])
def test_query_count_is_constant_in_the_number_of_rows(client, data, no_mfa, url, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    client.force_login(factories.bufdir_user())
    params = {"fra_aar": 2020, "til_aar": 2023} if url != API else PERIOD
    client.get(url, params)
    small = _count(client, url, params)
    _more_data(3, data)
    _more_data(12, data)
    assert _count(client, url, params) == small


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_chart_value_text_is_the_table_figure(language):
    with translation.override(language):
        for share in (Decimal("81.3"), Decimal("0.0"), Decimal("100.0"), Decimal("66.7"), None):
            table = "–" if share is None else f"{floatformat(share, 1)} %"
            assert _percent_text(share) == table


def test_cached_figures_follow_partner_and_membership_changes(client, data, no_mfa, locmem_cache):
    client.force_login(factories.bufdir_user())
    params = {"fra_aar": 2020, "til_aar": 2023}
    before = client.get(API, PERIOD).json()
    assert len(before["services_without_network"]) == 3
    project = DevelopmentProject.objects.get(navn="P3")
    ProjectPartner.objects.create(
        prosjekt=project, partner=factories.PartnerFactory(type=PartnerType.KS), rolle="r", fra_dato=D(2022, 1, 1)
    )
    askoy = ChildWelfareService.objects.get(navn="V3 Askøy")
    _member(data["nets"][0], askoy, MembershipStatus.AKTIV, D(2023, 6, 1))
    after = client.get(API, PERIOD).json()
    assert {"aar": 2022, "embete": "vestland", "partnertype": "ks", "prosjekter": 1} in after["partner_types"]
    assert len(after["services_without_network"]) == 2
    assert "V3 Askøy" not in client.get(URL, params).content.decode().split('id="evalueringstall"', 1)[1]


@pytest.mark.parametrize(
    "language, heading, share",
    [("en", "Figures for the evaluation", "86.7 %"), ("nn", "Tal for evalueringa", "86,7 %")],
)
def test_figures_in_english_and_nynorsk(client, data, no_mfa, locmem_cache, settings, language, heading, share):
    client.force_login(factories.bufdir_user())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(URL, {"fra_aar": 2020, "til_aar": 2023}, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert heading in html
    part = html.split('id="evalueringstall"', 1)[1]
    assert part.count(share) >= 2  # the chart's value and the table's cell


def test_api_figures_refuses_an_unknown_parameter(client, data, no_mfa):
    client.force_login(factories.bufdir_user())
    response = client.get(API, {"year": 2023})
    assert response.status_code == 400
    assert "year" in response.json()
