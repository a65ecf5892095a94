"""Fixtures for the API tests: users per role, ledger rows (grants.Award) in Vestland and Agder, and keys made
through the real service."""

import datetime
import itertools
from decimal import Decimal

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from accounts.permissions import get_active_role
from api import services
from grants.models import Award, AwardSource
from networks.models import LearningNetwork, NetworkStatus
from projects.models import DevelopmentProject
from tests import factories

_keys = itertools.count(1)


@pytest.fixture
def bufdir(reference_data):
    return factories.bufdir_user()


@pytest.fixture
def sf(reference_data):
    return factories.statsforvalter("vestland")


@pytest.fixture
def sf_agder(reference_data):
    return factories.statsforvalter("agder")


@pytest.fixture
def leader(vestland_service):
    return factories.service_user(vestland_service)


@pytest.fixture
def partner_user(reference_data):
    from accounts.models import Role

    return factories.user_with_role(Role.PARTNER, partner=factories.PartnerFactory())


def add_award(embete_slug: str, aar: int, kategori: str, belop, *, prosjekt: str | None = "Prosjekt", services=()):
    """An imported ledger row (as import_allocations makes them), with its network, project and services."""
    embete = factories.embete(embete_slug)
    network, _ = LearningNetwork.objects.get_or_create(
        embete=embete,
        navn=f"Læringsnettverk {embete_slug}",
        defaults={"etablert_aar": 2020, "status": NetworkStatus.AKTIV},
    )
    project = None
    if prosjekt:
        project, _ = DevelopmentProject.objects.get_or_create(
            network=network, navn=f"{prosjekt} {next(_keys)}", defaults={"kategori": kategori}
        )
    award = Award.objects.create(
        aar=aar,
        embete=embete,
        kategori=kategori,
        nettverk=network,
        prosjekt=project,
        belop=Decimal(str(belop)),
        dato=datetime.date(aar, 3, 1),
        kilde=AwardSource.IMPORT,
        import_nokkel=f"test-{next(_keys)}",
    )
    award.tjenester.set(services)
    return award


@pytest.fixture
def awards(reference_data, vestland_service, agder_service):
    """Vestland 2023: two fosterhjem projects (500 000 + 250 000) and one egeninitiert (300 000) with Bergen;
    Agder 2023: one egeninitiert project (400 000) with Kristiansand; Vestland 2022: 100 000 fosterhjem."""
    return [
        add_award("vestland", 2023, "fosterhjem", 500000, services=[vestland_service]),
        add_award("vestland", 2023, "fosterhjem", 250000),
        add_award("vestland", 2023, "egeninitiert", 300000, services=[vestland_service]),
        add_award("agder", 2023, "egeninitiert", 400000, services=[agder_service]),
        add_award("vestland", 2022, "fosterhjem", 100000),
    ]


def make_token(user, navn="Statistikkuttrekk", expires=None):
    """A key made as on the key page, which Bufdir and statsforvalter users only reach with TOTP switched on (and
    without which the key is refused while LAERINGSNETT_REQUIRE_MFA is on)."""
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    get_active_role(user)
    return services.create_token(user, navn, expires=expires)


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
