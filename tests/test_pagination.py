"""ui.pagination.DeferredJoinPaginator gives exactly the pages Django's Paginator gives (rows, order, counts), with
the page's rows loaded by primary key after a narrow key query."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organisations.models import Kommune
from ui.pagination import DeferredJoinPaginator

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("per_page,orphans", [(25, 0), (50, 5), (400, 0)])
def test_same_pages_as_django_paginator(reference_data, per_page, orphans):
    qs = Kommune.objects.select_related("fylke", "embete").order_by("-fylke__navn", "navn", "pk")
    ours, django = DeferredJoinPaginator(qs, per_page, orphans=orphans), Paginator(qs, per_page, orphans=orphans)
    assert ours.num_pages == django.num_pages > 0
    for number in ours.page_range:
        mine, theirs = ours.page(number), django.page(number)
        assert [k.pk for k in mine] == [k.pk for k in theirs]
        assert (mine.start_index(), mine.end_index()) == (theirs.start_index(), theirs.end_index())


def test_page_rows_keep_their_joins_without_extra_queries(reference_data):
    with CaptureQueriesContext(connection) as ctx:
        page = DeferredJoinPaginator(Kommune.objects.select_related("fylke").order_by("navn"), 30).page(2)
        names = [(k.navn, k.fylke.navn) for k in page]
    assert len(names) == 30
    assert len(ctx) == 3  # count, the page's keys and the rows with their joins; no query per row for fylke


def test_empty_list_has_one_empty_page(db):
    page = DeferredJoinPaginator(Kommune.objects.order_by("navn"), 25).get_page(1)
    assert list(page) == [] and page.paginator.count == 0


def test_capped_paginator_stops_counting_at_the_cap(reference_data):
    from ui.pagination import CappedPaginator

    qs = Kommune.objects.order_by("navn")
    capped = CappedPaginator(qs, 25, cap=100)
    assert capped.count == 100 and capped.capped is True
    assert capped.num_pages == 4
    assert [k.pk for k in capped.page(4)] == [k.pk for k in qs[75:100]]
    exact = CappedPaginator(qs, 25, cap=1000)
    assert exact.count == qs.count() and exact.capped is False


def test_knowledge_bank_says_more_than_the_cap(client, reference_data, no_mfa, monkeypatch):
    from projects.views import projects as views
    from tests import factories

    monkeypatch.setattr(views, "KNOWLEDGE_BANK_COUNT_CAP", 1)
    from networks.models import LearningNetwork
    from projects.models import DevelopmentProject

    network = LearningNetwork.objects.create(embete=factories.embete("vestland"), navn="Nettverk", etablert_aar=2024)
    for name in ("Fosterhjem A", "Fosterhjem B"):
        DevelopmentProject.objects.create(network=network, navn=name, kategori="fosterhjem", i_kunnskapsbanken=True)
    client.force_login(factories.bufdir_user())
    response = client.get("/prosjekter/kunnskapsbank/", {"q": "Fosterhjem"})
    assert response.status_code == 200
    assert "Mer enn 1 prosjekter passer. Avgrens søket for å se alle." in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_cached_count_is_reused_per_query_and_follows_every_change():
    """cached_count=True: the count is read once per list and filter, and a committed change shows at once."""
    from organisations.models import Partner
    from tests.factories import PartnerFactory

    PartnerFactory.create_batch(3)

    def count(qs) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            n = DeferredJoinPaginator(qs, 25, cached_count=True).count
        return n, sum("COUNT(" in q["sql"] for q in ctx.captured_queries)

    everyone = Partner.objects.order_by("navn")
    assert count(everyone) == (3, 1)
    assert count(everyone) == (3, 0)  # from the cache
    some = everyone.filter(navn__endswith="1")
    assert count(some)[0] == Partner.objects.filter(navn__endswith="1").count()  # another filter, another count
    PartnerFactory()
    assert count(everyone) == (4, 1)  # the change bumped the figures version
    assert count(Partner.objects.none()) == (0, 0)
