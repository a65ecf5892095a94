"""Fixtures for the grant tests: a Vestland learning network with three member services, a published
2026 round, users per role, helpers that build drafts/submitted/assessed applications, a recorder for the
Celery tasks the services schedule on commit, and `refused`, which asserts that a refused call changed
nothing and scheduled nothing.

The grant test modules opt in with ``pytestmark = pytest.mark.usefixtures("tasks", "clock")`` so that
other modules in this folder (e.g. the letter tests) keep the real tasks and the real clock."""

import datetime
import functools
from contextlib import contextmanager
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase

from audit.models import AuditEvent
from grants import services
from grants import tasks as grant_tasks
from grants.models import (
    Appeal,
    Application,
    ApplicationPartner,
    ApplicationRound,
    ApplicationVersion,
    Assessment,
    BudgetLine,
    CarryOver,
    Criterion,
    Decision,
    Frame,
    FrameAdjustment,
    ImpartialityDeclaration,
    Payment,
    RepaymentClaim,
    Score,
)
from networks.models import GuidelineVersion, LearningNetwork, Membership, MembershipStatus, NetworkStatus
from organisations.models import Kommune
from projects.models import DevelopmentProject, ProjectService
from tests import factories

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime.datetime(2026, 2, 2, 10, 0, tzinfo=OSLO)
OPENS = datetime.date(2026, 2, 1)
DEADLINE = datetime.date(2026, 3, 15)
YEAR = 2026
NO_ACCESS = "Du har ikke tilgang til dette."

BUDGET = [
    {"type": "stilling", "beskrivelse": "Prosjektleder 50 %", "belop": "300000"},
    {"type": "kompetanse", "beskrivelse": "Veiledning fra RKBU Vest", "belop": Decimal("100000")},
]
BUDGET_TOTAL = Decimal("400000")
OTHER_FUNDING = Decimal("50000")
APPLIED = BUDGET_TOTAL - OTHER_FUNDING  # 350 000

# Everything a refused call must leave untouched (row counts), besides the rows passed to `refused`.
WATCHED = (
    Frame,
    FrameAdjustment,
    ApplicationRound,
    Criterion,
    Application,
    BudgetLine,
    ApplicationPartner,
    ApplicationVersion,
    ImpartialityDeclaration,
    Score,
    Assessment,
    Decision,
    Appeal,
    Payment,
    RepaymentClaim,
    CarryOver,
    DevelopmentProject,
    ProjectService,
    AuditEvent,
)


def messages(info) -> list[str]:
    return list(info.value.messages) if isinstance(info.value, ValidationError) else [str(info.value)]


def field_messages(info, field: str) -> list[str]:
    return info.value.message_dict[field]


# --- "nothing changed" ------------------------------------------------------------------------


def _row(obj) -> dict:
    fresh = type(obj).objects.get(pk=obj.pk)
    row = {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields}
    for m2m in fresh._meta.many_to_many:
        row[m2m.name] = sorted(getattr(fresh, m2m.name).values_list("pk", flat=True))
    return row


def state(*objs) -> tuple:
    return {m.__name__: m.objects.count() for m in WATCHED}, [_row(o) for o in objs]


@contextmanager
def refused(exc_type, *objs):
    """Expect exc_type; assert afterwards that no watched table and none of objs changed and that no
    on-commit task was scheduled. Yields pytest's ExceptionInfo."""
    before = state(*objs)
    with TestCase.captureOnCommitCallbacks() as callbacks:
        with pytest.raises(exc_type) as info:
            yield info
    assert callbacks == [], "a refused call scheduled a task"
    assert state(*objs) == before, "a refused call changed something"


@contextmanager
def denied(*objs):
    with refused(PermissionDenied, *objs) as info:
        yield info
    assert str(info.value) == NO_ACCESS


# --- time and tasks ---------------------------------------------------------------------------


@pytest.fixture
def clock():
    """Monday 2 February 2026, 10:00 in Oslo; the round is open from 1 February to 15 March."""
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


class TaskRecorder:
    """Stands in for Task.delay: records (task name, args) instead of queueing."""

    def __init__(self):
        self.calls: list[tuple[str, tuple]] = []

    def record(self, name, *args, **kwargs):
        self.calls.append((name, args))

    def __eq__(self, other):
        return self.calls == other

    def __repr__(self):
        return repr(self.calls)


@pytest.fixture
def tasks(monkeypatch) -> TaskRecorder:
    recorder = TaskRecorder()
    for name in ("send_round_published", "send_receipt", "deliver_decision"):
        monkeypatch.setattr(getattr(grant_tasks, name), "delay", functools.partial(recorder.record, name))
    return recorder


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


# --- organisations, people, network -----------------------------------------------------------


@pytest.fixture
def vestland(reference_data):
    return factories.embete("vestland")


@pytest.fixture
def agder(reference_data):
    return factories.embete("agder")


@pytest.fixture
def g2018(db):
    return GuidelineVersion.objects.get(gyldig_fra=datetime.date(2018, 1, 1))


@pytest.fixture
def g2021(db):
    return GuidelineVersion.objects.get(gyldig_fra=datetime.date(2021, 1, 1))


def _service(navn: str, kommunenummer: str):
    return factories.ServiceFactory(navn=navn, vertskommune=Kommune.objects.get(nummer=kommunenummer))


@pytest.fixture
def bergen(vestland_service):
    return vestland_service


@pytest.fixture
def voss(reference_data):
    return _service("Barnevernstenesta i Voss", "4621")


@pytest.fixture
def askoy(reference_data):
    return _service("Barnevernstenesta i Askøy", "4627")


@pytest.fixture
def sogndal(reference_data):
    """A Vestland service that is not in the network."""
    return _service("Barnevernstenesta i Sogndal", "4640")


@pytest.fixture
def kristiansand(agder_service):
    return agder_service


@pytest.fixture
def sf(reference_data):
    return factories.statsforvalter("vestland")


@pytest.fixture
def sf_leader(reference_data):
    return factories.statsforvalter("vestland", leder=True)


@pytest.fixture
def sf_agder(reference_data):
    return factories.statsforvalter("agder")


@pytest.fixture
def bufdir(reference_data):
    return factories.bufdir_user()


@pytest.fixture
def leader(bergen):
    return factories.service_user(bergen)


@pytest.fixture
def colleague(bergen):
    """A medarbeider in the same service as `leader`."""
    return factories.service_user(bergen, leder=False)


@pytest.fixture
def voss_leader(voss):
    return factories.service_user(voss)


@pytest.fixture
def sogndal_leader(sogndal):
    return factories.service_user(sogndal)


@pytest.fixture
def agder_leader(kristiansand):
    return factories.service_user(kristiansand)


MEMBER_FROM = datetime.date(2024, 1, 15)


def member(network, service, status=MembershipStatus.AKTIV) -> Membership:
    return Membership.objects.create(
        network=network,
        tjeneste=service,
        status=status,
        fra_dato=MEMBER_FROM if status == MembershipStatus.AKTIV else None,
    )


@pytest.fixture
def network(vestland, bergen, voss, askoy) -> LearningNetwork:
    """Active Vestland network with Bergen, Voss and Askøy as members."""
    net = LearningNetwork.objects.create(
        embete=vestland, navn="Læringsnettverk Vest", etablert_aar=2022, status=NetworkStatus.AKTIV
    )
    for service in (bergen, voss, askoy):
        member(net, service)
    return net


@pytest.fixture
def knowledge_partner():
    from organisations.models import PartnerType

    return factories.PartnerFactory(navn="RKBU Vest", type=PartnerType.RKBU)


@pytest.fixture
def ks_partner():
    from organisations.models import PartnerType

    return factories.PartnerFactory(navn="KS Vestland", type=PartnerType.KS)


# --- rounds, frames, applications -------------------------------------------------------------


def round_data(guideline, **overrides) -> dict:
    data = {
        "tittel": "Stimuleringsmidler til læringsnettverk 2026",
        "apner": OPENS,
        "frist": DEADLINE,
        "retningslinjer": guideline,
        "kriterier": "Samarbeid mellom tjenestene, forankring i ledelsen og en realistisk plan.",
        "egeninitiert": True,
        "fosterhjem": True,
        "maks_belop": Decimal("800000"),
        "rapportfrist": datetime.date(2027, 3, 1),
        # Decided as they come in, so the tests may decide at NOW, before DEADLINE. Rounds that wait for the
        # deadline (the default) are tested in tests/grants/test_round_rules.py.
        "rullerende": True,
    }
    data.update(overrides)
    return data


def make_round(actor, guideline, *, publish=True, aar=YEAR, **overrides) -> ApplicationRound:
    rnd = services.create_round(
        actor,
        embete=actor.roller.get().embete,
        aar=aar,
        criteria=["Samarbeid", "Forankring", "Plan"],
        **round_data(guideline, **overrides),
    )
    return services.publish_round(actor, rnd) if publish else rnd


@pytest.fixture
def rnd(sf, g2021, tasks, clock) -> ApplicationRound:
    """Published 2026 round in Vestland under the 2021 guidelines, max 800 000 kr."""
    return make_round(sf, g2021)


def set_frame(bufdir, embete, belop, kategori="fosterhjem", aar=YEAR, begrunnelse=""):
    return services.set_frame(bufdir, embete=embete, aar=aar, kategori=kategori, belop=belop, begrunnelse=begrunnelse)


def make_draft(
    actor,
    rnd,
    network,
    *,
    kategori="fosterhjem",
    navn="Fosterhjem i fellesskap",
    tjenester=None,
    budsjett=BUDGET,
    annen_finansiering=OTHER_FUNDING,
    partnere=(),
    maal="Bedre oppfølging av fosterhjem i hele regionen.",
) -> Application:
    application = services.create_application(actor, rnd, kategori=kategori, network=network, prosjektnavn=navn)
    return services.save_draft(
        actor,
        application,
        maal=maal,
        aktiviteter="Felles veiledning og samlinger.",
        tidsplan="Mars–desember 2026.",
        budsjett=budsjett,
        annen_finansiering=annen_finansiering,
        tjenester=tjenester,
        partnere=partnere,
    )


def make_submitted(actor, rnd, network, tjenester, **kwargs) -> Application:
    draft = make_draft(actor, rnd, network, tjenester=tjenester, **kwargs)
    return services.submit(actor, draft)


def make_assessed(sf, application) -> Application:
    """Case officer assigned (-> under behandling) and sf declared impartial."""
    application = services.assign_case_officer(sf, application, sf)
    services.declare_impartiality(sf, application, ugild=False)
    return application


@pytest.fixture
def draft(leader, rnd, network, bergen, voss) -> Application:
    """Bergen's fosterhjem draft with Voss, 400 000 kr budget, 50 000 kr other funding: applies 350 000 kr."""
    return make_draft(leader, rnd, network, tjenester=[bergen, voss])


@pytest.fixture
def submitted(leader, draft) -> Application:
    return services.submit(leader, draft)


@pytest.fixture
def assessed(sf, submitted) -> Application:
    return make_assessed(sf, submitted)


@pytest.fixture
def frame(bufdir, vestland):
    """Vestland's 2026 fosterhjem frame: 1 000 000 kr."""
    return set_frame(bufdir, vestland, "1000000")
