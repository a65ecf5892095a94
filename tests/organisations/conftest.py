"""Fixtures for the organisation registry tests: one user per role, logged-in clients."""

import pytest

from accounts.models import Role
from organisations.models import Partner
from tests import factories


@pytest.fixture
def sf_vestland(reference_data):
    return factories.statsforvalter("vestland")


@pytest.fixture
def sf_agder(reference_data):
    return factories.statsforvalter("agder")


@pytest.fixture
def bufdir(reference_data):
    return factories.bufdir_user()


@pytest.fixture
def vestland_service_user(vestland_service):
    return factories.service_user(vestland_service)


@pytest.fixture
def partner_user(reference_data):
    return factories.user_with_role(Role.PARTNER, partner=Partner.objects.get(navn="RKBU Vest (NORCE)"))


@pytest.fixture
def login(client, no_mfa):
    """login(user) logs the test client in as user (MFA requirement off) and returns the client."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Factories hash a password for every user; the production hasher is deliberately slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
