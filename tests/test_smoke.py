import pytest
from django.urls import reverse

from tests import factories


@pytest.mark.django_db
def test_login_page_renders_in_norwegian(client):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    assert "Logg inn" in response.content.decode()


def test_home_requires_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_statsforvalter_start_page(client, no_mfa, vestland_service):
    user = factories.statsforvalter("vestland")
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "Statsforvalteren i Vestland" in response.content.decode()
