"""The cached national figures (common.versioned_cache): a repeated request is served from the cache, and every
committed change to the data behind them shows at once, through the ORM or by the bulk import. These tests commit
(transactional_db): inside a test transaction the cache is bypassed by design. The mechanism itself (one bump per
transaction, none on rollback, bypass inside a transaction, the declarations): tests/common/test_versioned_cache.py."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from common import versioned_cache as figures_cache
from grants.models import Award, AwardSource
from networks.models import LearningNetwork
from organisations.models import Embete
from reporting.services.allocations import import_allocations
from tests import factories

from .published import create_published_awards

pytestmark = pytest.mark.django_db(transaction=True)
PAGE = reverse("reporting:national_summary")
API = reverse("api:summary")


@pytest.fixture
def data(reference_data, no_mfa):
    create_published_awards(years=(2023,))
    return factories.bufdir_user()


def total_2023(client) -> str:
    """The figures section of the page for 2023 (the rest of the page holds per-request tokens)."""
    response = client.get(PAGE, {"fra_aar": 2023, "til_aar": 2023})
    assert response.status_code == 200
    return str(response.context["overview_html"])


def extra_award(amount: str) -> Award:
    vestland = Embete.objects.get(slug="vestland")
    network = LearningNetwork.objects.filter(embete=vestland).first()
    return Award.objects.create(
        aar=2023,
        embete=vestland,
        kategori="fosterhjem",
        nettverk=network,
        belop=Decimal(amount),
        kilde=AwardSource.IMPORT,
        import_nokkel=f"cache-test|{amount}",
    )


def test_second_request_comes_from_the_cache_and_a_change_shows_at_once(client, data):
    client.force_login(data)
    first = total_2023(client)
    with CaptureQueriesContext(connection) as cold:
        client.get(PAGE, {"fra_aar": 2022, "til_aar": 2023})
    with CaptureQueriesContext(connection) as warm:
        again = client.get(PAGE, {"fra_aar": 2022, "til_aar": 2023})
    assert again.status_code == 200
    assert len(warm) < len(cold) - 4  # the summary's aggregate queries are not run again
    assert total_2023(client) == first

    version = figures_cache.current_version()
    extra_award("123457")
    assert figures_cache.current_version() == version + 1
    changed = total_2023(client)
    assert changed != first
    assert "623\u00a0457" in changed and "623\u00a0457" not in first  # 32 500 000 + 123 457 in the total row


def test_api_summary_is_cached_and_invalidated(client, data):
    from api.services import create_token

    user = data
    user.active_role = user.roller.get()
    _token, key = create_token(user, "test")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    params = {"year_from": 2023, "year_to": 2023, "embete": "vestland"}
    before = client.get(API, params, **headers).json()["results"][0]["tildelt_kr"]
    with CaptureQueriesContext(connection) as warm:
        assert client.get(API, params, **headers).json()["results"][0]["tildelt_kr"] == before
    assert not any("grants_award" in q["sql"] for q in warm.captured_queries)
    extra_award("1000")
    assert client.get(API, params, **headers).json()["results"][0]["tildelt_kr"] == before + 1000


def test_bulk_import_bumps_the_version(data):
    version = figures_cache.current_version()
    raw = (
        b"aar,embete,nettverk,prosjekt,kategori,tildelt_kr\n"
        b"2019,vestland,Importnettverk,Importprosjekt,fosterhjem,250000\n"
    )
    report = import_allocations(None, raw, "t.csv")
    assert report.ok, report.errors
    assert figures_cache.current_version() > version


def test_annual_report_tables_are_cached_and_a_change_shows_at_once(client, data):
    """The rendered figure tables of a draft annual report come from the cache until the data changes."""
    from reporting.models import AnnualReport

    sf = factories.statsforvalter("vestland")
    report = AnnualReport.objects.create(embete=Embete.objects.get(slug="vestland"), aar=2023, opprettet_av=sf)
    client.force_login(sf)
    page = reverse("reporting:annual_detail", args=[report.pk])

    def tables() -> str:
        response = client.get(page)
        assert response.status_code == 200
        return str(response.context["tables_html"])

    first = tables()
    assert "<table" in first
    with CaptureQueriesContext(connection) as warm:
        assert tables() == first
    assert not any("grants_award" in q["sql"] for q in warm.captured_queries)  # neither compiled nor rendered again
    extra_award("123457")
    changed = tables()
    assert changed != first
    assert "457" in changed and "457" not in first  # the award is in the embete's total for the year
