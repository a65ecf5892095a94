"""Reads: the warnings staff see on a network, and coverage per embete and nationally."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from networks import selectors, services
from networks.models import Membership, MembershipStatus, NetworkStatus, PersonRole
from tests import factories

from .conftest import DAY, add_member, make_network


def codes(network, on=None) -> list[str]:
    fresh = selectors.network_detail(network.pk)
    return [w.code for w in selectors.warnings_for(fresh, on)]


# --- warnings ---------------------------------------------------------------------------------


def test_network_without_leader_or_coordinator_is_warned_about(sf_vestland, active_network):
    fresh = selectors.network_detail(active_network.pk)
    warnings = selectors.warnings_for(fresh)
    assert [(w.code, w.message) for w in warnings] == [
        ("no_leader", "Nettverket har ingen nettverksleder eller koordinator.")
    ]

    services.add_person(
        sf_vestland, active_network, rolle=PersonRole.KOORDINATOR, navn="Kari Koordinator", fra_dato=DAY
    )
    assert codes(active_network) == []


def test_a_leader_whose_role_has_ended_does_not_count(sf_vestland, active_network):
    services.add_person(
        sf_vestland,
        active_network,
        rolle=PersonRole.LEDER,
        navn="Tidligere leder",
        fra_dato=DAY,
        til_dato=datetime.date(2024, 6, 30),
    )
    assert codes(active_network, on=datetime.date(2024, 3, 1)) == []
    assert codes(active_network, on=datetime.date(2024, 7, 1)) == ["no_leader"]


def test_too_few_services_is_warned_about(network, vestland_service):
    add_member(network, vestland_service)
    fresh = selectors.network_detail(network.pk)
    messages = {w.code: w.message for w in selectors.warnings_for(fresh)}
    assert messages["too_few_services"] == (
        "Nettverket har 1 deltakende tjeneste(r). Et læringsnettverk må ha minst to for å være aktivt."
    )


def test_ended_network_has_no_warnings(sf_vestland, active_network):
    services.change_status(sf_vestland, active_network, NetworkStatus.AVSLUTTET, DAY + datetime.timedelta(days=1))
    assert codes(active_network) == []


@pytest.fixture
def network_with_steering_group(sf_vestland, active_network, vestland_service):
    """A network led since 2019 whose steering group has no one from kommuneledelse."""
    services.add_person(
        sf_vestland, active_network, rolle=PersonRole.LEDER, navn="Gunn Leder", fra_dato=datetime.date(2019, 1, 1)
    )
    services.add_person(
        sf_vestland,
        active_network,
        rolle=PersonRole.STYRINGSGRUPPE,
        navn="Barnevernleiar Bergen",
        tjeneste=vestland_service,
        fra_dato=datetime.date(2019, 1, 1),
    )
    return active_network


def test_steering_group_without_kommuneledelse_is_warned_about_under_2018_guidelines(network_with_steering_group):
    with time_machine.travel(datetime.datetime(2020, 6, 1, 12, tzinfo=datetime.UTC), tick=False):
        fresh = selectors.network_detail(network_with_steering_group.pk)
        warnings = selectors.warnings_for(fresh)
    assert [(w.code, w.message) for w in warnings] == [
        (
            "no_kommuneledelse",
            "Retningslinjer 2018 krever at kommuneledelsen er med i styringsgruppen, "
            "men ingen fra kommuneledelsen er registrert.",
        )
    ]


def test_kommuneledelse_in_steering_group_satisfies_the_2018_guidelines(sf_vestland, network_with_steering_group):
    services.add_person(
        sf_vestland,
        network_with_steering_group,
        rolle=PersonRole.STYRINGSGRUPPE,
        navn="Kommunalsjef oppvekst",
        kommuneledelse=True,
        fra_dato=datetime.date(2019, 1, 1),
    )
    with time_machine.travel(datetime.datetime(2020, 6, 1, 12, tzinfo=datetime.UTC), tick=False):
        assert codes(network_with_steering_group) == []


@pytest.mark.parametrize("day", [datetime.datetime(2021, 1, 1, 12), datetime.datetime(2024, 6, 1, 12)])
def test_kommuneledelse_warning_is_gone_after_2021(network_with_steering_group, day):
    with time_machine.travel(day.replace(tzinfo=datetime.UTC), tick=False):
        assert codes(network_with_steering_group) == []


# --- coverage ---------------------------------------------------------------------------------


def _rows(result):
    rows, national = result
    return {r.embete.slug: (r.total, r.covered) for r in rows}, (national.total, national.covered)


def test_coverage_counts_active_services_in_active_networks(
    sf_vestland, active_network, vestland_service, second_service, third_service, agder_service
):
    # Askøy takes part only in a paused network: not covered.
    paused = make_network(sf_vestland, navn="Pausenettverket")
    add_member(paused, third_service)
    add_member(paused, vestland_service)
    services.change_status(sf_vestland, paused, "aktiv", DAY)
    services.change_status(sf_vestland, paused, "pause", DAY + datetime.timedelta(days=10))
    # An inactive service counts neither in the total nor as covered.
    closed = factories.ServiceFactory(navn="Nedlagt teneste", aktiv=False)
    add_member(active_network, closed)

    per_embete, national = _rows(selectors.coverage())

    assert per_embete["vestland"] == (3, 2)
    assert per_embete["agder"] == (1, 0)
    assert national == (4, 2)
    rows, national_row = selectors.coverage()
    assert national_row.share == 50.0
    assert next(r for r in rows if r.embete.slug == "vestland").share == pytest.approx(66.67, abs=0.01)
    assert [r.embete.navn for r in rows] == sorted(r.embete.navn for r in rows)


def test_coverage_respects_membership_dates(active_network, vestland_service, second_service):
    bergen = Membership.objects.get(network=active_network, tjeneste=vestland_service)
    bergen.status, bergen.til_dato = MembershipStatus.UTMELDT, datetime.date(2024, 6, 30)
    bergen.save()

    assert _rows(selectors.coverage(on=datetime.date(2024, 3, 1)))[1] == (2, 2)
    assert _rows(selectors.coverage(on=datetime.date(2024, 7, 1)))[1] == (2, 1)
    # Before anyone joined, nobody was covered.
    assert _rows(selectors.coverage(on=datetime.date(2023, 12, 31)))[1] == (2, 0)


def test_coverage_with_no_services_is_zero_not_an_error(reference_data):
    rows, national = selectors.coverage()
    assert rows == []
    assert (national.total, national.covered, national.share) == (0, 0, 0.0)


def _coverage_queries() -> int:
    with CaptureQueriesContext(connection) as ctx:
        rows, national = selectors.coverage()
        [r.embete.navn for r in rows]
    return len(ctx.captured_queries)


def test_coverage_query_count_is_constant(sf_vestland, sf_agder, vestland_service, second_service, agder_service):
    network = make_network(sf_vestland, navn="Første")
    add_member(network, vestland_service)
    add_member(network, second_service)
    services.change_status(sf_vestland, network, NetworkStatus.AKTIV, DAY)
    small = _coverage_queries()

    for i in range(12):
        service = factories.ServiceFactory(navn=f"Teneste {i}")
        extra = make_network(sf_vestland, navn=f"Nettverk {i}")
        add_member(extra, service)
        add_member(extra, vestland_service)
        services.change_status(sf_vestland, extra, NetworkStatus.AKTIV, DAY)
    factories.ServiceFactory.create_batch(5, vertskommune=agder_service.vertskommune)

    assert _coverage_queries() == small <= 2
    assert _rows(selectors.coverage())[0]["vestland"] == (14, 14)


def test_coverage_on_a_past_day_uses_the_status_history(sf_vestland, active_network):
    services.change_status(sf_vestland, active_network, NetworkStatus.PAUSE, datetime.date(2024, 9, 1))

    assert _rows(selectors.coverage(on=datetime.date(2024, 1, 10)))[1] == (2, 0)  # still being established
    assert _rows(selectors.coverage(on=datetime.date(2024, 5, 1)))[1] == (2, 2)  # active then
    assert _rows(selectors.coverage(on=datetime.date(2024, 9, 1)))[1] == (2, 0)  # paused
    assert _rows(selectors.coverage())[1] == (2, 0)


def test_service_that_has_given_notice_is_covered_until_its_last_day(sf_vestland, active_network, vestland_service):
    today = datetime.date.today()
    membership = Membership.objects.get(network=active_network, tjeneste=vestland_service)
    services.leave_network(sf_vestland, membership, today + datetime.timedelta(days=30))

    assert _rows(selectors.coverage())[1] == (2, 2)
    assert _rows(selectors.coverage(on=today + datetime.timedelta(days=31)))[1] == (2, 1)
