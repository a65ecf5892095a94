"""Invariants the database holds itself (CHECK and UNIQUE constraints added for issue 8): a row that breaks one
is refused with IntegrityError whatever code writes it. Each test also writes a valid neighbour, so the
refusal is the constraint and not the fixture."""

import datetime
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from followup.models import ReportReminder, ReportReview, ReportVersion
from grants.models import (
    Appeal,
    ApplicationRound,
    ApplicationVersion,
    Assessment,
    Criterion,
    Decision,
    FrameAdjustment,
    RepaymentClaim,
)
from projects.models import DevelopmentProject, PhaseChange

pytestmark = pytest.mark.usefixtures("tasks", "clock")


@contextmanager
def violates(constraint: str | None):
    """IntegrityError naming the check constraint (SQLite and PostgreSQL both name it), rolled back."""
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        yield
    if constraint:
        assert constraint in str(info.value), info.value


# --- grants ----------------------------------------------------------------------------------------------------


def test_frame_adjustments_are_not_negative(bufdir, frame):
    common = {"ramme": frame, "begrunnelse": "Ny fordeling", "endret_av": bufdir}
    with violates("frameadjustment_non_negative"):
        FrameAdjustment.objects.create(fra_belop=Decimal("-1"), til_belop=Decimal("10"), **common)
    with violates("frameadjustment_non_negative"):
        FrameAdjustment.objects.create(fra_belop=Decimal("10"), til_belop=Decimal("-1"), **common)
    FrameAdjustment.objects.create(fra_belop=Decimal("0"), til_belop=Decimal("10"), **common)


def test_round_status_is_one_of_the_choices_and_published_has_a_time(rnd):
    with violates("round_status_valid"):
        ApplicationRound.objects.filter(pk=rnd.pk).update(status="arkivert")
    with violates("round_published_has_time"):
        ApplicationRound.objects.filter(pk=rnd.pk).update(publisert=None)
    ApplicationRound.objects.filter(pk=rnd.pk).update(status="avsluttet")


def test_criterion_weight_is_at_least_one(rnd):
    with violates("criterion_weight_positive"):
        Criterion.objects.create(utlysning=rnd, navn="Uten vekt", vekt=0)
    Criterion.objects.create(utlysning=rnd, navn="Med vekt", vekt=1)


def test_application_versions_are_numbered_from_one(submitted, leader):
    with violates("applicationversion_number_positive"):
        ApplicationVersion.objects.create(soknad=submitted, nummer=0, innhold={}, opprettet_av=leader)
    ApplicationVersion.objects.create(soknad=submitted, nummer=2, innhold={}, opprettet_av=leader)


def test_recommendation_is_empty_or_one_of_the_choices(submitted):
    with violates("assessment_recommendation_valid"):
        Assessment.objects.create(soknad=submitted, anbefaling="kanskje")
    Assessment.objects.create(soknad=submitted, anbefaling="")


def _decision(assessed, sf, **fields) -> Decision:
    return Decision.objects.create(
        soknad=assessed,
        begrunnelse="Begrunnelse",
        klagefrist=datetime.date(2026, 2, 23),
        vedtatt_av=sf,
        saksnummer=assessed.referanse,
        **fields,
    )


def test_decision_invariants(assessed, sf, frame):
    with violates("decision_award_positive"):
        _decision(assessed, sf, utfall="innvilget", belop=Decimal("0"), ramme=frame)
    with violates("decision_rejection_has_no_report_deadline"):
        _decision(assessed, sf, utfall="avslatt", belop=Decimal("0"), rapportfrist=datetime.date(2027, 3, 1))
    with violates("decision_language_valid"):
        _decision(assessed, sf, utfall="avslatt", belop=Decimal("0"), maalform="engelsk")
    _decision(assessed, sf, utfall="avslatt", belop=Decimal("0"), maalform="nynorsk")
    with violates(None):  # one decision per application (OneToOne: unique)
        _decision(assessed, sf, utfall="avslatt", belop=Decimal("0"))


def test_appeal_invariants(awarded, leader, sf):
    filed = {"vedtak": awarded, "begrunnelse": "Klage", "innsendt_av": leader}
    handled = {"behandlet": timezone.now(), "behandlet_av": sf, "utfall_begrunnelse": "Vurdert"}
    with violates("appeal_outcome_valid"):
        Appeal.objects.create(**filed, utfall="kanskje", **handled)
    with violates("appeal_outcome_recorded_completely"):
        Appeal.objects.create(**filed, utfall="medhold")  # an outcome without who and when
    with violates("appeal_outcome_recorded_completely"):
        Appeal.objects.create(**filed, behandlet=timezone.now(), behandlet_av=sf)  # handled without an outcome
    with violates("appeal_new_amount_only_when_upheld"):
        Appeal.objects.create(**filed, utfall="ikke_medhold", nytt_belop=Decimal("1"), **handled)
    Appeal.objects.create(**filed, utfall="ikke_medhold", **handled)
    Appeal.objects.create(**filed)
    with violates(None):  # one open appeal per decision
        Appeal.objects.create(**filed)


def test_repayment_status_is_one_of_the_choices(awarded, sf):
    common = {"vedtak": awarded, "belop": Decimal("100"), "begrunnelse": "Ubrukt", "opprettet_av": sf}
    with violates("repayment_status_valid"):
        RepaymentClaim.objects.create(forfall=datetime.date(2027, 5, 1), status="glemt", **common)
    RepaymentClaim.objects.create(forfall=datetime.date(2027, 5, 1), **common)


# --- projects --------------------------------------------------------------------------------------------------


def test_project_phase_and_orientation_are_choices(project, sf):
    with violates("project_phase_valid"):
        DevelopmentProject.objects.filter(pk=project.pk).update(fase="drift")
    with violates("project_orientation_valid"):
        DevelopmentProject.objects.filter(pk=project.pk).update(orientering="alt")
    with violates("phasechange_phase_valid"):
        PhaseChange.objects.create(prosjekt=project, fase="drift", fra_dato=datetime.date(2026, 3, 1), endret_av=sf)
    PhaseChange.objects.create(prosjekt=project, fase="pilot", fra_dato=datetime.date(2026, 3, 1), endret_av=sf)


def test_reminder_kind_is_a_choice(requirement):
    with violates("reminder_kind_valid"):
        ReportReminder.objects.create(krav=requirement, slag="14", frist=requirement.frist)
    ReportReminder.objects.create(krav=requirement, slag="7", frist=requirement.frist)


def test_report_versions_and_reviews(submitted_report, leader, sf):
    with violates("reportversion_number_positive"):
        ReportVersion.objects.create(
            rapport=submitted_report, versjon=0, innhold={}, sendt_inn=timezone.now(), sendt_inn_av=leader
        )
    with violates("review_outcome_valid"):
        ReportReview.objects.create(rapport=submitted_report, versjon=1, utfall="avvist", kommentar="x", vurdert_av=sf)
    ReportReview.objects.create(rapport=submitted_report, versjon=1, utfall="godkjent", vurdert_av=sf)
