"""The statsforvalter's start page counts each service once, however many users it has (the join to roles once
counted a service with three users three times: 30 active services on the card, 28 in the list behind it)."""

from django.urls import reverse

from tests import factories


def test_a_service_with_several_users_is_counted_once(client, reference_data, no_mfa):
    vestland = factories.embete("vestland")
    with_users = factories.ServiceFactory(navn="Barneverntjenesten i Testvik")
    assert with_users.vertskommune.embete == vestland
    for leder in (True, False, False):
        factories.service_user(with_users, leder=leder)
    factories.ServiceFactory(navn="Barneverntjenesten i Tomvik")
    sf = factories.statsforvalter("vestland")
    client.force_login(sf)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.context["counts"] == {"tjenester": 2, "uten_brukere": 1}
    listed = client.get(reverse("organisations:service_list"))
    assert listed.context["page"].paginator.count == 2
