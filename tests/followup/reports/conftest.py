"""Helpers for the report tests: a report filled in completely, and the tables a refused call must not touch."""

from decimal import Decimal

import pytest

from audit.models import AuditEvent
from followup.models import (
    SELF_ASSESSMENT_STATEMENTS,
    ProgressReport,
    ReportParticipant,
    ReportReview,
    ReportSpending,
    ReportVersion,
    SelfAssessment,
)
from followup.services import reports as services
from grants.models import CarryOver, RepaymentClaim
from tests.followup.conftest import guards

WATCHED = (
    ProgressReport,
    ReportSpending,
    ReportParticipant,
    SelfAssessment,
    ReportVersion,
    ReportReview,
    RepaymentClaim,
    CarryOver,
    AuditEvent,
)
ANSWERS = dict.fromkeys(SELF_ASSESSMENT_STATEMENTS, "noen")


unchanged, denied = guards(WATCHED)


def fill(actor, report, *, stilling="200000", kompetanse="80000", **overrides):
    """A complete report: texts, spending on the two budgeted lines, staff numbers, every statement answered."""
    data = {
        "aktiviteter": "Fire samlinger og månedlig veiledning i begge tjenestene.",
        "resultater": "En felles rutine for oppfølging av fosterhjem er tatt i bruk.",
        "partnerinvolvering": "RKBU Vest har veiledet.",
        "neste_aar": "Spre rutinen til Askøy.",
        "forbruk": [
            {"type": "stilling", "brukt": stilling, "kommentar": ""},
            {"type": "kompetanse", "brukt": kompetanse, "kommentar": "Færre veiledningstimer enn planlagt"},
        ],
        "deltakere": [{"tjeneste": p.tjeneste_id, "antall_ansatte": 4} for p in report.deltakere.all()],
        "egenvurdering": ANSWERS,
    }
    data.update(overrides)
    return services.save_draft(actor, report, **data)


@pytest.fixture
def draft_report(leader, requirement):
    return services.start_report(leader, requirement)


@pytest.fixture
def submitted_report(leader, draft_report):
    """280 000 kr of 350 000 kr spent: 70 000 kr unspent (above the 5 000 kr threshold)."""
    return services.submit(leader, fill(leader, draft_report))


USED = Decimal("280000")
