"""generate_load_data: realistic, deterministic, all-or-nothing per year, refuses to run twice or in production."""

import io

import pytest
from django.core.management import CommandError, call_command
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


_FINGERPRINTS: list = []


@pytest.mark.parametrize("run", [1, 2])
def test_same_seed_gives_the_same_data(reference_data, run):
    """Each run builds in its own rolled-back transaction; the second must equal the first."""
    call_command("generate_load_data", "--scale", "1", "--seed", "11", stdout=io.StringIO())
    _FINGERPRINTS.append(_fingerprint())
    if run == 2:
        assert _FINGERPRINTS[0] == _FINGERPRINTS[1]


def test_refuses_bad_scale_and_production(reference_data, settings):
    with pytest.raises(CommandError, match="--scale må være 1 eller mer"):
        call_command("generate_load_data", "--scale", "0", stdout=io.StringIO())
    settings.LAERINGSNETT_ENV = "production"
    with pytest.raises(CommandError, match="aldri kjøres i produksjon"):
        call_command("generate_load_data", "--scale", "1", stdout=io.StringIO())
    assert Application.objects.count() == 0
