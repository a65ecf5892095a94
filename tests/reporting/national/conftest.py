"""Fixtures for the national summary tests: users per role and the 2021–2023 awards of the published tables."""

import pytest

from accounts.models import Role
from tests import factories

from .published import create_published_awards


@pytest.fixture
def bufdir(reference_data, no_mfa):
    return factories.bufdir_user()


@pytest.fixture
def sf_vestland(reference_data, no_mfa):
    return factories.statsforvalter("vestland")


@pytest.fixture
def service_leader(vestland_service):
    return factories.service_user(vestland_service)


@pytest.fixture
def partner_user(reference_data):
    return factories.user_with_role(Role.PARTNER, partner=factories.PartnerFactory())


@pytest.fixture
def published_awards(reference_data):
    return create_published_awards(years=(2021, 2022, 2023))
