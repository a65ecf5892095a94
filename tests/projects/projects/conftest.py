"""Fixtures for the project, output and knowledge-bank tests.

`proj` is the awarded project of tests/projects/conftest.py (Bergen's fosterhjem project, 350 000 kr in 2026,
applied for with Voss) with Voss added as a participating service through the service, a description and a
theme. The Vestland network also has Askøy, which is not in the project; Sogndal is not in the network.
`unchanged` asserts that a refused call changed no project table, audit row or the given objects."""

from contextlib import contextmanager

import pytest
from django.core.exceptions import PermissionDenied
from django.test import TestCase

from accounts.models import Role
from audit.models import AuditEvent
from networks.models import LearningNetwork, NetworkStatus, Theme
from organisations.models import PartnerType
from projects.models import DevelopmentProject, Output, PhaseChange, ProjectContact, ProjectPartner, ProjectService
from projects.services import projects as services
from tests import factories
from tests.grants.conftest import NO_ACCESS, member
from tests.networks.conftest import PDF_BYTES, docx_bytes, upload  # noqa: F401  (re-exported for the tests)

WATCHED = (DevelopmentProject, ProjectService, PhaseChange, ProjectContact, ProjectPartner, Output, Theme, AuditEvent)


def _rows(model) -> list[tuple]:
    fields = [f.attname for f in model._meta.concrete_fields]
    rows = sorted(model.objects.values_list(*fields))
    if model is DevelopmentProject:
        themes = sorted(DevelopmentProject.temaer.through.objects.values_list("developmentproject_id", "theme_id"))
        return [rows, themes]
    return rows


def state() -> dict:
    return {m.__name__: _rows(m) for m in WATCHED}


@contextmanager
def unchanged(exc_type):
    """Expect exc_type, and that no project table (nor the audit trail) changed and nothing was scheduled."""
    before = state()
    with TestCase.captureOnCommitCallbacks() as callbacks:
        with pytest.raises(exc_type) as info:
            yield info
    assert callbacks == [], "a refused call scheduled work"
    assert state() == before, "a refused call changed something"


@contextmanager
def denied():
    with unchanged(PermissionDenied) as info:
        yield info
    assert str(info.value) == NO_ACCESS


def errors(info, field: str | None = None) -> list[str]:
    if field is None:
        return list(info.value.messages)
    return info.value.message_dict[field]


@pytest.fixture
def theme(db):
    return Theme.objects.get_or_create(navn="Oppfølging av fosterhjem", defaults={"kontrollert": True})[0]


@pytest.fixture
def proj(project, sf, voss, theme):
    """Bergen and Voss take part; described, with one theme. Not listed in the knowledge bank."""
    # The application's services joined the project when it was sent in (grants.services.carry_into_project);
    # Voss joins here unless it applied too.
    if not project.deltakelse.filter(tjeneste=voss).exists():
        services.add_service(sf, project, voss, project.deltakelse.earliest("fra_dato").fra_dato)
    services.update_project(
        sf,
        project,
        beskrivelse="Felles veiledning av fosterhjem på tvers av kommunene.",
        themes=[theme],
    )
    project.refresh_from_db()
    return project


@pytest.fixture
def askoy_leader(askoy):
    """Leader of a service in the network but not in the project."""
    return factories.service_user(askoy)


@pytest.fixture
def voss_colleague(voss):
    return factories.service_user(voss, leder=False)


@pytest.fixture
def other_partner_user(ks_partner):
    return factories.user_with_role(Role.PARTNER, partner=ks_partner)


@pytest.fixture
def no_role_user(db):
    return factories.UserFactory()


@pytest.fixture
def agder_network(agder, kristiansand):
    net = LearningNetwork.objects.create(
        embete=agder, navn="Læringsnettverk Sør", etablert_aar=2021, status=NetworkStatus.AKTIV
    )
    member(net, kristiansand)
    return net


def listed_project(
    network,
    navn,
    author,
    *,
    kategori="egeninitiert",
    fase="pilot",
    orientering="begge",
    themes=(),
    outputs=(),
    partners=(),
    beskrivelse="Et prosjekt om samarbeid.",
) -> DevelopmentProject:
    """A project listed in the knowledge bank, built with the ORM (test data, not behaviour under test)."""
    project = DevelopmentProject.objects.create(
        network=network,
        navn=navn,
        kategori=kategori,
        fase=fase,
        orientering=orientering,
        beskrivelse=beskrivelse,
        i_kunnskapsbanken=True,
    )
    project.temaer.set(themes)
    for title in outputs:
        Output.objects.create(
            prosjekt=project, type="rutine", tittel=title, beskrivelse=f"Beskrivelse av {title}.", opprettet_av=author
        )
    for partner in partners:
        ProjectPartner.objects.create(prosjekt=project, partner=partner, rolle="Veileder.")
    return project


@pytest.fixture
def make_listed():
    return listed_project


@pytest.fixture
def bufetat(db):
    return factories.PartnerFactory(navn="Bufetat testregion", type=PartnerType.BUFETAT)
