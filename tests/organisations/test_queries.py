"""Lists use a constant number of queries however many rows they show (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from organisations.models import Kommune
from organisations.services import update_service
from tests import factories


def queries(client, address, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(address, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def add_services(n: int, nummer: str = "4601") -> None:
    vert = Kommune.objects.get(nummer=nummer)
    deltakere = list(Kommune.objects.filter(embete=vert.embete).exclude(pk=vert.pk)[:3])
    for _ in range(n):
        factories.ServiceFactory(vertskommune=vert, kommuner=deltakere)


@pytest.fixture
def staff(request, reference_data):
    return {"sf": lambda: factories.statsforvalter("vestland"), "bufdir": factories.bufdir_user}[request.param]()


@pytest.mark.parametrize("staff", ["sf", "bufdir"], indirect=True)
def test_service_list(login, staff, django_assert_max_num_queries):
    client = login(staff)
    add_services(5)
    client.get(reverse("organisations:service_list"))  # warm up (session, content types)
    few = queries(client, reverse("organisations:service_list"))
    add_services(35)
    with django_assert_max_num_queries(few):
        response = client.get(reverse("organisations:service_list"))
    assert response.context["page"].paginator.count == 40
    assert len(response.context["page"]) == 40
    assert few <= 12


def test_service_list_with_filters(login, reference_data):
    client = login(factories.bufdir_user())
    params = {"q": "Barneverntjenesten", "interkommunal": "ja", "aktiv": "ja"}
    add_services(5)
    client.get(reverse("organisations:service_list"), params)
    few = queries(client, reverse("organisations:service_list"), params)
    add_services(35, nummer="4204")
    assert queries(client, reverse("organisations:service_list"), params) == few


def test_service_list_for_service_user(login, vestland_service):
    client = login(factories.service_user(vestland_service))
    add_services(5)
    client.get(reverse("organisations:service_list"))
    few = queries(client, reverse("organisations:service_list"))
    add_services(35)
    assert queries(client, reverse("organisations:service_list")) == few


@pytest.mark.parametrize("staff", ["sf", "bufdir"], indirect=True)
def test_kommune_list(login, staff):
    client = login(staff)
    client.get(reverse("organisations:kommune_list"))
    few = queries(client, reverse("organisations:kommune_list"))
    add_services(40)
    many = queries(client, reverse("organisations:kommune_list"))
    assert many == few
    assert few <= 10


def test_partner_list(login, reference_data):
    client = login(factories.statsforvalter("vestland"))
    client.get(reverse("organisations:partner_list"))
    few = queries(client, reverse("organisations:partner_list"), {"q": "RVTS"})
    for n in range(40):
        factories.PartnerFactory(navn=f"RVTS-samarbeid {n}")
    many = queries(client, reverse("organisations:partner_list"), {"q": "RVTS"})
    assert many == few
    assert few <= 8


@pytest.mark.parametrize("staff", ["sf", "bufdir"], indirect=True)
def test_embete_list(login, staff, django_assert_max_num_queries):
    client = login(staff)
    client.get(reverse("organisations:embete_list"))
    few = queries(client, reverse("organisations:embete_list"))
    add_services(20)
    add_services(20, nummer="4204")
    with django_assert_max_num_queries(few):
        client.get(reverse("organisations:embete_list"))
    assert few <= 10  # not one query per embete for fylker or name history


def test_embete_detail(login, reference_data):
    client = login(factories.statsforvalter("vestland"))
    address = reverse("organisations:embete_detail", args=["vestland"])
    add_services(2)
    client.get(address)
    few = queries(client, address)
    add_services(30)
    assert queries(client, address) == few


def test_service_detail(login, vestland_service):
    sf = factories.statsforvalter("vestland")
    client = login(sf)
    address = reverse("organisations:service_detail", args=[vestland_service.pk])
    client.get(address)
    few = queries(client, address)
    for kommune in Kommune.objects.filter(embete__slug="vestland")[:10]:
        vestland_service.kommuner.add(kommune)
    for _ in range(10):
        factories.user_with_role(Role.TJENESTE_MEDARBEIDER, tjeneste=vestland_service)
    for n in range(5):
        update_service(sf, vestland_service, navn=f"Bergen {n}")
    assert queries(client, address) == few
