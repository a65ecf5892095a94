"""The national summary page: the published tables reproduced, names valid in the year, trends, coverage, partner
counts, small-number suppression, the filter and a constant query count as the data grows."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants.models import Award, AwardSource, Frame
from grants.services import scheme
from networks.models import LearningNetwork, Membership, MembershipStatus, NetworkPartner, NetworkStatus
from organisations.models import Kommune, PartnerType
from reporting.selectors import tables
from tests import factories

from .published import published

pytestmark = pytest.mark.django_db
URL = reverse("reporting:national_summary")
NBSP = "\u00a0"


def get(client, user, **params):
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


def test_published_tables_are_reproduced_for_every_year(client, bufdir, published_awards):
    response = get(client, bufdir, fra_aar=2021, til_aar=2023)
    overview = response.context["overview"]
    for table in overview.years:
        expected = {r["embete"]: r for r in published(table.aar)}
        assert len(table.rows) == 10
        for row in table.rows:
            want = expected[row["embete"]]
            assert row["egeninitierte_prosjekter"] == want["egeninitierte_prosjekter"]
            assert row["fosterhjemsprosjekter"] == want["fosterhjemsprosjekter"]
            assert row["prosjekter_totalt"] == want["prosjekter_totalt"]
            assert row["tildelt_kr"] == want["tildelt_kr"]
        assert table.total["embete"] == "totalt"
        assert table.total["prosjekter_totalt"] == sum(r["prosjekter_totalt"] for r in expected.values())
        assert table.total["tildelt_kr"] == sum(r["tildelt_kr"] for r in expected.values())
    # Newest year first; the trends run oldest first with the national totals (projects: 69, 52, 69).
    assert [t.aar for t in overview.years] == [2023, 2022, 2021]
    assert [(t.aar, t.prosjekter) for t in overview.trends] == [(2021, 69), (2022, 52), (2023, 69)]
    assert overview.trends[2].tildelt == 32_500_000


def test_2023_page_shows_published_totals_nordland_money_without_projects(client, bufdir, published_awards):
    response = get(client, bufdir, fra_aar=2023, til_aar=2023)
    html = response.content.decode()
    assert f"32{NBSP}500{NBSP}000{NBSP}kr" in html
    table = response.context["overview"].years[0]
    assert table.total["prosjekter_totalt"] == 69
    assert (table.total["egeninitierte_prosjekter"], table.total["fosterhjemsprosjekter"]) == (37, 32)
    nordland = next(r for r in table.rows if r["embete"] == "nordland")
    assert (nordland["prosjekter_totalt"], nordland["tildelt_kr"]) == (0, 2_700_000)
    # Charts come with their data: an SVG with a title per chart and a table with a caption.
    assert html.split('id="evalueringstall"', 1)[0].count('role="img"') == 4  # the evaluators' figures: test_figures
    assert 'aria-labelledby="graf-tildelt-per-aar-tittel graf-tildelt-per-aar-beskrivelse"' in html
    assert '<caption id="tabell-per-embete">Tildelt per embete i 2023</caption>' in html
    assert "<script" not in html.split("</header>", 1)[1]  # no inline or chart-library script on the page


def test_embete_names_are_those_valid_in_the_year(client, bufdir, published_awards):
    overview = get(client, bufdir, fra_aar=2023, til_aar=2023).context["overview"]
    names = {r["embete"]: r["embete_navn"] for r in overview.years[0].rows}
    assert names["ostfold-buskerud-oslo-akershus"] == "Statsforvalteren i Oslo og Viken"
    Award.objects.create(
        aar=2024,
        embete=factories.embete("ostfold-buskerud-oslo-akershus"),
        kategori="fosterhjem",
        belop=Decimal("100000"),
        kilde=AwardSource.IMPORT,
        import_nokkel="test|2024|obo",
    )
    overview = get(client, bufdir, fra_aar=2024, til_aar=2024).context["overview"]
    names = {r["embete"]: r["embete_navn"] for r in overview.years[0].rows}
    assert names["ostfold-buskerud-oslo-akershus"] == "Statsforvalteren i Østfold, Buskerud, Oslo og Akershus"


def test_money_tables_include_frame(client, bufdir, published_awards):
    Frame.objects.create(
        ordning=scheme(), aar=2023, embete=factories.embete("vestland"), kategori="fosterhjem", belop=Decimal("2500000")
    )
    overview = get(client, bufdir, fra_aar=2023, til_aar=2023).context["overview"]
    vestland = next(r for r in overview.years[0].rows if r["embete"] == "vestland")
    assert vestland["ramme_kr"] == 2_500_000
    assert overview.years[0].total["ramme_kr"] == 2_500_000
    assert overview.trends[0].ramme == 2_500_000


def test_category_filter_limits_figures_and_columns(client, bufdir, published_awards):
    response = get(client, bufdir, fra_aar=2023, til_aar=2023, kategori="fosterhjem")
    table = response.context["overview"].years[0]
    assert table.total["prosjekter_totalt"] == 32
    assert table.total["egeninitierte_prosjekter"] is None
    html = response.content.decode()
    assert "Fosterhjemsprosjekter" in html
    assert "Egeninitierte prosjekter</th>" not in html


def test_embete_filter(client, bufdir, published_awards):
    overview = get(client, bufdir, fra_aar=2023, til_aar=2023, embete="vestland").context["overview"]
    table = overview.years[0]
    assert [r["embete"] for r in table.rows] == ["vestland"]
    assert (table.total["prosjekter_totalt"], table.total["tildelt_kr"]) == (15, 4_350_000)


def test_suppression_hides_small_counts_not_money_or_zero(client, bufdir, published_awards):
    response = get(client, bufdir, fra_aar=2023, til_aar=2023, skjul_sma_tall="on", terskel=5)
    table = response.context["overview"].years[0]
    rows = {r["embete"]: r for r in table.rows}
    assert rows["agder"]["egeninitierte_prosjekter"] == tables.HIDDEN  # 2
    assert rows["agder"]["fosterhjemsprosjekter"] == tables.HIDDEN  # 3
    assert rows["agder"]["prosjekter_totalt"] == 5
    assert rows["agder"]["tildelt_kr"] == 1_650_000
    assert rows["nordland"]["prosjekter_totalt"] == 0  # zero is not suppressed
    assert rows["more-og-romsdal"]["prosjekter_totalt"] == tables.HIDDEN
    assert table.total["prosjekter_totalt"] == 69
    html = response.content.decode()
    assert '<td class="num">:</td>' in html
    assert "Små tall er skjult" in html
    # Off by default.
    plain = get(client, bufdir, fra_aar=2023, til_aar=2023).context["overview"].years[0]
    assert {r["embete"]: r for r in plain.rows}["agder"]["egeninitierte_prosjekter"] == 2


def test_suppression_threshold_can_be_changed(client, bufdir, published_awards):
    table = get(client, bufdir, fra_aar=2023, til_aar=2023, skjul_sma_tall="on", terskel=3).context["overview"].years[0]
    rows = {r["embete"]: r for r in table.rows}
    assert rows["agder"]["egeninitierte_prosjekter"] == tables.HIDDEN  # 2
    assert rows["agder"]["fosterhjemsprosjekter"] == tables.HIDDEN  # 3, hidden so that the 2 cannot be computed


@pytest.mark.parametrize(
    "params, message",
    [
        ({"fra_aar": 2023, "til_aar": 2021}, "«Til år» kan ikke være før «Fra år»."),
        ({"fra_aar": 2023, "til_aar": 2023, "terskel": 1}, "Verdien må være større enn eller lik 2."),
        ({"fra_aar": 1990, "til_aar": 2023}, "Velg et år fra 2015 til "),
        ({"fra_aar": 2023, "til_aar": 2023, "kategori": "annet"}, "Velg et gyldig valg."),
    ],
)
def test_bad_filter_shows_norwegian_errors_and_no_figures(client, bufdir, published_awards, params, message):
    response = get(client, bufdir, **params)
    assert response.context["valid"] is False
    html = response.content.decode()
    assert "ds-error-summary" in html
    assert message in html


def test_default_range_ends_with_the_latest_year_with_awards(client, bufdir, published_awards):
    overview = get(client, bufdir).context["overview"]
    assert (overview.year_from, overview.year_to) == (2019, 2023)


def test_coverage_and_partner_counts(client, bufdir, reference_data):
    today = datetime.date.today()
    vestland, agder = factories.embete("vestland"), factories.embete("agder")
    bergen = factories.ServiceFactory()
    factories.ServiceFactory()  # a Vestland service outside every network
    kristiansand = factories.ServiceFactory(vertskommune=Kommune.objects.get(nummer="4204"))
    start = datetime.date(today.year - 1, 1, 1)
    net_v = LearningNetwork.objects.create(
        embete=vestland, navn="Nettverk Vest", etablert_aar=start.year, status=NetworkStatus.AKTIV, status_fra=start
    )
    net_a = LearningNetwork.objects.create(
        embete=agder, navn="Nettverk Sør", etablert_aar=start.year, status=NetworkStatus.AKTIV, status_fra=start
    )
    for net, service in ((net_v, bergen), (net_a, kristiansand)):
        Membership.objects.create(network=net, tjeneste=service, status=MembershipStatus.AKTIV, fra_dato=start)
    uni = factories.PartnerFactory(type=PartnerType.UNIVERSITET)
    rkbu = factories.PartnerFactory(type=PartnerType.RKBU)
    NetworkPartner.objects.create(network=net_v, partner=uni, rolle="Veiledning", fra_dato=start)
    NetworkPartner.objects.create(network=net_v, partner=rkbu, rolle="Kurs", fra_dato=start)
    NetworkPartner.objects.create(network=net_a, partner=uni, rolle="Forskning", fra_dato=start)
    # The same link twice in the period (left and came back) counts once; a link that ended before does not count.
    NetworkPartner.objects.create(
        network=net_a, partner=rkbu, rolle="Kurs", fra_dato=start, til_dato=start + datetime.timedelta(days=30)
    )
    NetworkPartner.objects.create(network=net_a, partner=rkbu, rolle="Kurs", fra_dato=start + datetime.timedelta(60))
    old = factories.PartnerFactory(type=PartnerType.KS)
    NetworkPartner.objects.create(
        network=net_a,
        partner=old,
        rolle="Tidligere",
        fra_dato=datetime.date(2015, 1, 1),
        til_dato=datetime.date(2016, 1, 1),
    )

    overview = get(client, bufdir, fra_aar=today.year, til_aar=today.year).context["overview"]
    assert overview.coverage_on == today
    coverage = {c.embete.slug: c for c in overview.coverage}
    assert (coverage["vestland"].total, coverage["vestland"].covered) == (2, 1)
    assert coverage["vestland"].share == 50.0
    assert (coverage["agder"].total, coverage["agder"].covered) == (1, 1)
    assert (coverage["nordland"].total, coverage["nordland"].covered) == (0, 0)
    assert (overview.coverage_total.total, overview.coverage_total.covered) == (3, 2)
    assert overview.partner_types == [("rkbu", "RKBU"), ("universitet", "Universiteter og høyskoler")]
    partners = {p.embete.slug: p for p in overview.partners}
    assert partners["vestland"].counts == {"universitet": 1, "rkbu": 1}
    assert partners["agder"].counts == {"universitet": 1, "rkbu": 1}
    assert overview.partner_total.cells == [2, 2]
    assert overview.partner_total.total == 4

    # With suppression, the shares that would give a small count away are hidden too.
    overview = get(client, bufdir, fra_aar=today.year, til_aar=today.year, skjul_sma_tall="on").context["overview"]
    vest = next(c for c in overview.coverage if c.embete.slug == "vestland")
    assert (vest.total_shown, vest.covered_shown, vest.share_hidden) == (tables.HIDDEN, tables.HIDDEN, True)
    assert overview.partner_total.cells == [tables.HIDDEN, tables.HIDDEN]


def _awards(n: int):
    """n awards spread over embeter, years, categories, networks and projects, with services."""
    from projects.models import DevelopmentProject

    embeter = list(factories.embete(s) for s in ("vestland", "agder", "nordland"))
    services = [factories.ServiceFactory() for _ in range(3)]
    start = Award.objects.count()
    for i in range(n):
        embete = embeter[i % 3]
        network, _ = LearningNetwork.objects.get_or_create(
            embete=embete, navn=f"Nett {embete.slug} {i % 4}", defaults={"etablert_aar": 2020}
        )
        kategori = ("egeninitiert", "fosterhjem")[i % 2]
        project = DevelopmentProject.objects.create(network=network, navn=f"Prosjekt {start + i}", kategori=kategori)
        award = Award.objects.create(
            aar=2021 + i % 3,
            embete=embete,
            kategori=kategori,
            nettverk=network,
            prosjekt=project,
            belop=Decimal("100000"),
            kilde=AwardSource.IMPORT,
            import_nokkel=f"mengde|{start + i}",
        )
        award.tjenester.set(services[: 1 + i % 3])
        NetworkPartner.objects.get_or_create(
            network=network,
            partner=factories.PartnerFactory(),
            defaults={"rolle": "Veiledning", "fra_dato": datetime.date(2021, 1, 1)},
        )


def _count_queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        URL,
        reverse("reporting:national_export", args=["oversikt", "xlsx"]),
        reverse("reporting:national_export", args=["tildelinger", "csv"]),
        reverse("reporting:national_export", args=["tildelinger", "json"]),
    ],
)
def test_query_count_is_constant_as_the_data_grows(client, bufdir, url):
    client.force_login(bufdir)
    params = {"fra_aar": 2021, "til_aar": 2023, "skjul_sma_tall": "on"}
    _awards(10)
    client.get(url, params)  # warm up session and caches
    small = _count_queries(client, url, params)
    _awards(190)
    assert Award.objects.count() == 200
    large = _count_queries(client, url, params)
    assert large == small
    assert small <= 30  # the page: the summary and the evaluators' figures (tests/reporting/national/test_figures.py)


def test_summary_tables_are_a_fixed_number_of_queries(published_awards, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        overview = tables.national_overview(2021, 2023)
    assert overview.years[0].total["tildelt_kr"] == 32_500_000
