"""The historical import refuses what the forms refuse (issue 20): amounts a money column cannot hold (they
crashed PostgreSQL or were stored as 1e20 kr on SQLite) and identity numbers in the free-text names."""

import pytest

from grants.models import Award
from networks.models import LearningNetwork
from projects.models import DevelopmentProject
from reporting.services.allocations import import_allocations
from tests.common.test_sensitive import FNR, MESSAGE

from .conftest import HEADER, csv_bytes, xlsx_bytes

pytestmark = pytest.mark.usefixtures("reference_data")

TOO_LARGE = (
    "tildelt_kr: beløpet er for stort. Det største beløpet Læringsnett kan lagre, er "
    "999\u00a0999\u00a0999\u00a0999\u00a0kr."
)


def nothing_stored() -> bool:
    return not (Award.objects.exists() or LearningNetwork.objects.exists() or DevelopmentProject.objects.exists())


@pytest.mark.parametrize("amount", ['"99 999 999 999 999 999 999 kr"', "99999999999999999999", "1000000000000", "1e20"])
@pytest.mark.parametrize("dry_run", [True, False])
def test_a_huge_amount_is_an_error_line_in_the_preview_and_nothing_is_stored(amount, dry_run):
    good = "2021,agder,Nettverk,Prosjekt,fosterhjem,1000"
    report = import_allocations(
        None, csv_bytes(good, f"2021,agder,Nettverk,Annet,fosterhjem,{amount}"), "a.csv", dry_run=dry_run
    )
    assert report.errors == [(3, TOO_LARGE)]
    assert nothing_stored()


def test_a_huge_number_in_a_workbook_is_refused():
    raw = xlsx_bytes([HEADER.split(","), [2021, "agder", "N", "P", "fosterhjem", 10**20]])
    report = import_allocations(None, raw, "a.xlsx", dry_run=True)
    assert report.errors == [(2, TOO_LARGE)]
    assert nothing_stored()


def test_the_largest_amount_a_column_holds_is_accepted():
    report = import_allocations(None, csv_bytes("2021,agder,N,P,fosterhjem,999999999999"), "a.csv")
    assert report.ok, report.errors
    assert str(Award.objects.get().belop) == "999999999999.00"


@pytest.mark.parametrize("column", ["nettverk", "prosjekt"])
def test_an_identity_number_in_a_name_is_refused(column):
    names = {"nettverk": "Nettverk", "prosjekt": "Prosjekt"}
    names[column] = f"Oppfølging av {FNR[:6]} {FNR[6:]}"
    line = f"2021,agder,{names['nettverk']},{names['prosjekt']},fosterhjem,1000"
    report = import_allocations(None, csv_bytes(line), "a.csv", dry_run=True)
    assert report.errors == [(2, f"{column}: {MESSAGE}")]
    assert nothing_stored()
