"""generate_load_data: realistic, deterministic, all-or-nothing per year, refuses to run twice or in production."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Sum

from demo.load import YEARS
from followup.models import ProgressReport, ReportingRequirement
from grants.models import Application, Award, Decision

pytestmark = pytest.mark.django_db


def _fingerprint() -> tuple:
    per_year = Award.objects.values("aar").annotate(n=Count("id"), s=Sum("belop")).order_by("aar")
    return tuple((r["aar"], r["n"], r["s"]) for r in per_year), Application.objects.count()


def test_scale_one_is_one_country_over_eight_years(reference_data):
    out = io.StringIO()
    call_command("generate_load_data", "--scale", "1", "--seed", "7", stdout=out)
    assert "Lastdata for skala 1 laget" in out.getvalue()
    assert Application.objects.count() == 150 * len(YEARS)
    per_year = Award.objects.values("aar").annotate(n=Count("id"))
    assert all(50 <= row["n"] <= 90 for row in per_year), "about 70 awards a year"
    # Every award has its decision and its reporting requirement; all years are past, so every report is approved
    # except a few of the last year's, which are overdue (open, levert=False).
    assert Award.objects.filter(vedtak__isnull=True).count() == 0
    assert ReportingRequirement.objects.count() == Award.objects.count()
    overdue = ReportingRequirement.objects.filter(rapport__isnull=True)
    assert 0 < overdue.count() < 20 and set(overdue.values_list("aar", flat=True)) == {YEARS[-1]}
    assert ProgressReport.objects.count() == Award.objects.count() - overdue.count()
    assert set(ReportingRequirement.objects.filter(levert=False).values_list("pk", flat=True)) == set(
        overdue.values_list("pk", flat=True)
    )
    assert Decision.objects.filter(utfall="avslatt", belop__gt=0).count() == 0
    with pytest.raises(CommandError, match="allerede lastdata"):
        call_command("generate_load_data", "--scale", "1", stdout=io.StringIO())


def _built_and_rolled_back(seed: int) -> tuple:
    """The fingerprint of the data one run builds, in a savepoint that is rolled back, so the next run starts from
    the same empty database."""
    with transaction.atomic():
        call_command("generate_load_data", "--scale", "1", "--seed", str(seed), stdout=io.StringIO())
        fingerprint = _fingerprint()
        transaction.set_rollback(True)
    return fingerprint


def test_same_seed_gives_the_same_data(reference_data):
    """Two runs with the same seed, each from the same empty database, build the same data. One test, so it needs
    no other test to have run before it (the two runs used to be two tests sharing a module-level list)."""
    first = _built_and_rolled_back(11)
    assert first[1] == 150 * len(YEARS)
    assert Application.objects.count() == 0
    assert _built_and_rolled_back(11) == first


def test_refuses_bad_scale_and_production(reference_data, settings):
    with pytest.raises(CommandError, match="--scale må være 1 eller mer"):
        call_command("generate_load_data", "--scale", "0", stdout=io.StringIO())
    settings.LAERINGSNETT_ENV = "production"
    with pytest.raises(CommandError, match="aldri kjøres i produksjon"):
        call_command("generate_load_data", "--scale", "1", stdout=io.StringIO())
    assert Application.objects.count() == 0
