import pytest

from followup.models import ReportKind
from grants.models import Award

pytestmark = pytest.mark.usefixtures("tasks", "clock")


def test_an_award_creates_its_ledger_row_and_reporting_requirement(awarded, requirement, project):
    award = Award.objects.get(vedtak=awarded)
    assert (award.aar, award.kategori, award.belop, award.prosjekt) == (2026, "fosterhjem", 350000, project)
    assert sorted(award.tjenester.values_list("navn", flat=True)) == sorted(
        awarded.soknad.tjenester.values_list("navn", flat=True)
    )
    assert requirement.type == ReportKind.AARLIG
    assert requirement.frist == requirement.opprinnelig_frist == awarded.rapportfrist
