"""Fixtures for the integrity tests. They reuse the grant and project fixtures (Vestland network, a published
2026 round, users per role, `awarded`: a decision granting 350 000 kr made through the services) and the report
fixtures (`draft_report`, `submitted_report`), and add helpers that try to change a stored row behind the
services' back: through the model (save/delete), through a plain QuerySet that skips the model guard (so only
the database trigger stands in the way) and through raw SQL."""

import datetime
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, models, transaction

from grants import services as grant_services
from grants import tasks as grant_tasks
from tests.followup.reports.conftest import draft_report, fill, submitted_report  # noqa: F401
from tests.projects.conftest import *  # noqa: F403  (network, rnd, sf, leader, awarded, requirement …)

IMMUTABLE = "immutable"  # every refusal by a guard or a trigger says so


@contextmanager
def refused_by_database():
    """The statement fails with IntegrityError raised by an immutability trigger, and is rolled back."""
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        yield info
    assert IMMUTABLE in str(info.value), info.value


def raw(sql: str, params=()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def bypass(model) -> models.QuerySet:
    """A plain QuerySet for the model: no model guard, so only the database can refuse."""
    return models.QuerySet(model)


def changed(field, old):
    """A different value of the field's type (within its constraints as far as possible)."""
    if isinstance(field, (models.AutoField, models.BigAutoField)) or field.is_relation:
        return (old or 0) + 100_000
    if isinstance(field, models.BooleanField):
        return not old
    if isinstance(field, models.DecimalField):
        return (old or Decimal("0")) + 1
    if isinstance(field, models.IntegerField):
        return (old or 0) + 1
    if isinstance(field, models.DateTimeField):
        return (old or datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)) + datetime.timedelta(days=1)
    if isinstance(field, models.DateField):
        return (old or datetime.date(2026, 1, 1)) + datetime.timedelta(days=1)
    if isinstance(field, models.JSONField):
        return {"endret": True}
    if isinstance(field, (models.CharField, models.TextField, models.FileField)):
        old = str(old or "")
        new = (old + "x")[: field.max_length or None]
        return new if new != old else old[:-1] + ("y" if old.endswith("x") else "x")
    raise AssertionError(f"no changed value for {field!r}")


def stored(obj, attname: str):
    return type(obj)._base_manager.filter(pk=obj.pk).values_list(attname, flat=True).get()


@pytest.fixture
def decision_with_letter(awarded):
    """The award decision with its letter attached by the real task (grants.tasks.deliver_decision)."""
    grant_tasks.deliver_decision(awarded.pk)
    awarded.refresh_from_db()
    assert awarded.brev.name.startswith("vedtak/")
    return awarded


@pytest.fixture
def rejected_and_upheld(sf, leader, assessed, frame):
    """A rejection (no frame) whose appeal is upheld with an amount: resolve_appeal sets the frame once."""
    decision = grant_services.decide(sf, assessed, utfall="avslatt", begrunnelse="Svak plan.")
    appeal = grant_services.file_appeal(leader, decision, "Planen er god.")
    grant_services.resolve_appeal(sf, appeal, utfall="medhold", begrunnelse="Riktig", nytt_belop=Decimal("100000"))
    decision.refresh_from_db()
    appeal.refresh_from_db()
    return decision, appeal
