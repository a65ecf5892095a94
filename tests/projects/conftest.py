"""Fixtures for the project tests. They reuse the grant fixtures (a Vestland network with Bergen, Voss and
Askøy, a published 2026 round, users per role, `refused`/`denied`, `clock`, `tasks`) and add an award made
through the real services: `awarded` is Bergen's and Voss' fosterhjem project with 350 000 kr granted in full,
paid out, and its reporting requirement (frist 1 March 2027)."""

import datetime
from decimal import Decimal

import pytest

from accounts.models import Role
from grants import services as grant_services
from tests import factories
from tests.grants.conftest import *  # noqa: F403  (shared fixtures: network, rnd, sf, leader, refused …)
from tests.grants.conftest import make_assessed, set_frame

AWARDED = Decimal("350000")
ACCOUNT = "15030100007"  # valid MOD11 kontonummer


def award(sf, application, *, utfall="innvilget", belop=AWARDED, pay=True):
    """Decide (and by default pay out) an assessed application; returns the Decision."""
    decision = grant_services.decide(
        sf,
        application,
        utfall=utfall,
        belop=belop,
        begrunnelse="Godt forankret prosjekt med realistisk plan.",
        vilkaar="Midlene skal brukes i 2026.",
    )
    if pay:
        grant_services.register_payment(sf, decision, dato=datetime.date(2026, 6, 1), belop=belop, kontonummer=ACCOUNT)
    return decision


@pytest.fixture
def awarded(sf, bufdir, vestland, submitted):
    """Decision granting 350 000 kr in full to Bergen+Voss' project, paid; returns the Decision."""
    set_frame(bufdir, vestland, "1000000")
    return award(sf, make_assessed(sf, submitted))


@pytest.fixture
def requirement(awarded):
    return awarded.rapportkrav.get()


@pytest.fixture
def project(awarded):
    return awarded.soknad.prosjekt


@pytest.fixture
def partner_user(knowledge_partner):
    """A user of the knowledge partner (`knowledge_partner`)."""
    return factories.user_with_role(Role.PARTNER, partner=knowledge_partner)
