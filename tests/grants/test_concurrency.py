"""Races that only a real database with row locks can show: two statsforvalter staff deciding at the same
moment must not together go over the frame, and simultaneous submissions must not share a reference or
create a second version.

PostgreSQL only: SQLite has no SELECT … FOR UPDATE and lets one writer at a time, so it cannot show the race.
Run locally with
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/laeringsnett .venv/bin/pytest tests/grants/test_concurrency.py

Each race widens its window on purpose (a short sleep inside the locked section), so that without the row
lock both threads would read the same state and the test would fail every time, not now and then."""

import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from accounts.models import User
from common.money import kr
from grants import ledger, services
from grants.models import Application, ApplicationStatus, ApplicationVersion, Decision

from .conftest import APPLIED, make_assessed, make_draft, make_submitted, set_frame

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL (row locks with SELECT … FOR UPDATE); set DATABASE_URL=postgres://… to run",
    ),
    pytest.mark.usefixtures("tasks", "clock", "migration_data"),
]

WINDOW = 0.3  # seconds a thread holds its lock before writing
DATA_MIGRATIONS = ["networks.migrations.0002_seed_guidelines_and_themes", "grants.migrations.0002_seed_scheme"]


@pytest.fixture
def migration_data(transactional_db):
    """A transactional test's database is flushed afterwards, rows from data migrations too (guideline
    versions, the grant scheme). The seed functions are idempotent: run them again before the test."""
    import importlib

    from django.apps import apps

    for module in DATA_MIGRATIONS:
        importlib.import_module(module).seed(apps, None)


def race(*calls) -> list:
    """Run each call in its own thread, released together by a barrier. Returns each call's result or the
    exception it raised, in order. Each thread closes its own database connection."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as exc:  # handed to the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a thread hung (deadlock?)"
    return results


def slowed(monkeypatch, name: str) -> None:
    """Make services.<name> sleep after it returns: the caller holds its locks for WINDOW seconds longer."""
    original = getattr(services, name)

    def slow(*args, **kwargs):
        result = original(*args, **kwargs)
        time.sleep(WINDOW)
        return result

    monkeypatch.setattr(services, name, slow)


def fresh_user(pk: int) -> User:
    """Each thread loads its own user, so the cached active role is not shared between threads."""
    return User.objects.get(pk=pk)


@pytest.mark.django_db(transaction=True)
def test_two_decisions_at_once_cannot_exceed_the_frame(
    monkeypatch, sf, leader, bufdir, vestland, rnd, network, bergen, voss, askoy, tasks
):
    frame = set_frame(bufdir, vestland, "500000")  # each application fits alone (350 000), both do not
    first = make_assessed(sf, make_submitted(leader, rnd, network, [bergen, voss], navn="Prosjekt A"))
    second = make_assessed(sf, make_submitted(leader, rnd, network, [bergen, askoy], navn="Prosjekt B"))
    slowed(monkeypatch, "awarded_total")  # read the frame's use, then wait before writing the decision

    def decide(application_id):
        return lambda: services.decide(
            fresh_user(sf.pk),
            Application.objects.get(pk=application_id),
            utfall=ApplicationStatus.INNVILGET,
            belop=APPLIED,
            begrunnelse="Godt prosjekt.",
        )

    results = race(decide(first.pk), decide(second.pk))

    decisions = [r for r in results if isinstance(r, Decision)]
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(decisions) == 1, results
    assert len(errors) == 1, results
    assert isinstance(errors[0], ValidationError), repr(errors[0])
    assert errors[0].message_dict["belop"] == [
        f"Vedtaket ville gått over rammen. Rammen for fosterhjem er {kr(500000)}, allerede tildelt {kr(350000)}, "
        f"igjen {kr(150000)}."
    ]
    assert Decision.objects.count() == 1
    assert ledger.awarded_total(frame) == APPLIED <= frame.belop
    winner = decisions[0].soknad_id
    loser = ({first.pk, second.pk} - {winner}).pop()
    assert Application.objects.get(pk=winner).status == ApplicationStatus.INNVILGET
    assert Application.objects.get(pk=loser).status == ApplicationStatus.UNDER_BEHANDLING
    assert [c for c in tasks.calls if c[0] == "deliver_decision"] == [("deliver_decision", (decisions[0].pk,))]


@pytest.mark.django_db(transaction=True)
def test_double_click_submits_once(monkeypatch, leader, colleague, rnd, network, bergen, voss, tasks):
    draft = make_draft(leader, rnd, network, tjenester=[bergen, voss])
    slowed(monkeypatch, "submission_problems")

    def submit(user_pk):
        return lambda: services.submit(fresh_user(user_pk), Application.objects.get(pk=draft.pk))

    results = race(submit(leader.pk), submit(colleague.pk))

    submitted = [r for r in results if isinstance(r, Application)]
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(submitted) == 1 and len(errors) == 1, results
    assert isinstance(errors[0], ValidationError)
    assert errors[0].messages == [
        "Søknaden er allerede sendt inn (referanse VL-2026-0001). Du trenger ikke sende den på nytt."
    ]
    assert ApplicationVersion.objects.filter(soknad=draft).count() == 1
    assert [c for c in tasks.calls if c[0] == "send_receipt"] == [("send_receipt", (draft.pk,))]


@pytest.mark.django_db(transaction=True)
def test_simultaneous_submissions_get_different_references(
    monkeypatch, leader, voss_leader, rnd, network, bergen, voss, askoy
):
    a = make_draft(leader, rnd, network, tjenester=[bergen, voss], navn="Prosjekt A")
    b = make_draft(voss_leader, rnd, network, tjenester=[voss, askoy], navn="Prosjekt B")
    slowed(monkeypatch, "_next_reference")

    def submit(user_pk, application_id):
        return lambda: services.submit(fresh_user(user_pk), Application.objects.get(pk=application_id))

    results = race(submit(leader.pk, a.pk), submit(voss_leader.pk, b.pk))

    assert all(isinstance(r, Application) for r in results), results
    assert sorted(r.referanse for r in results) == ["VL-2026-0001", "VL-2026-0002"]
    assert sorted(Application.objects.values_list("soknadsbelop", flat=True)) == [Decimal("350000")] * 2
