"""Repayment claims (grants.repayments, grants.letters_claims, grants.tasks_claims): the letter to the lead
applicant's vertskommune in its målform, receipts in part and in full, the waiver, the dates that are refused,
who may do it, the data migration's rule, and «tilbakebetalt» read from the receipts everywhere: the ledger, the
frames, the national summary, the annual report's figures and the API."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from django.utils import timezone
from pypdf import PdfReader

from audit.models import AuditEvent
from grants import ledger, repayments, services
from grants.models import Application, RepaymentClaim, RepaymentReceipt, RepaymentStatus
from grants.tasks_claims import deliver_repayment_claim
from organisations.models import Kommune
from reporting.selectors.annual import compile_figures
from reporting.selectors.national import summary
from tests.api.conftest import bearer, make_token

from .conftest import NO_ACCESS, YEAR

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks", "clock")]

ACCOUNT = "86011117947"  # the kommune's account (payment out)
SF_ACCOUNT = "76940512057"  # the statsforvalter's account (claims are paid into it)
DUE = datetime.date(YEAR + 1, 4, 1)
TODAY = datetime.date(2026, 2, 2)  # the grant tests' clock


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def paid(sf, assessed, frame):
    """Bergen's application (with Voss) decided 300 000 kr today, all paid out."""
    decision = services.decide(sf, assessed, utfall="delvis_innvilget", belop="300000", begrunnelse="Delvis.")
    services.register_payment(sf, decision, dato=TODAY, belop="300000", kontonummer=ACCOUNT)
    return decision


def claim_on(sf, decision, belop="50000", **kwargs):
    args = {"begrunnelse": "Ubrukte midler etter sluttrapporten.", "forfall": DUE, "kontonummer": SF_ACCOUNT}
    return repayments.create_repayment_claim(sf, decision, belop=belop, **{**args, **kwargs})


def nothing_changes():
    return (
        RepaymentClaim.objects.count(),
        RepaymentReceipt.objects.count(),
        list(RepaymentClaim.objects.values_list("status", "ettergitt_belop")),
    )


# --- the claim and its letter --------------------------------------------------------------------------


def test_claim_letter_goes_to_the_lead_applicants_vertskommune_in_its_malform(sf, leader, voss, paid, settings):
    """Voss (nynorsk) is the lead applicant, not Bergen: the letter is nynorsk and addressed to Voss kommune."""
    Kommune.objects.filter(pk=voss.vertskommune_id).update(maalform="nynorsk")
    Application.objects.filter(pk=paid.soknad_id).update(ansvarlig_soker=voss)
    paid.refresh_from_db()
    with TestCase.captureOnCommitCallbacks(execute=True):
        claim = claim_on(sf, paid, belop="60000")
    claim.refresh_from_db()
    assert claim.maalform == "nynorsk" and claim.status == RepaymentStatus.KRAV_SENDT and claim.dato == TODAY
    assert claim.brev.name.endswith(".pdf")
    text = pdf_text(claim.brev.read())
    assert "Krav om tilbakebetaling av tilskot" in text  # nynorsk
    assert "Voss kommune" in text and "Bergen kommune" not in text  # the addressee: the lead's vertskommune
    assert "60 000 kr" in text.replace("\u00a0", " ")
    assert "7694.05.12057" in text  # the account to pay into
    assert paid.soknad.referanse in text  # KID/referanse
    assert "1. april 2027" in text  # the due date
    assert "tilskotsbrevet" in text and "6.3" in text  # the legal basis
    # The applicants are e-mailed once, with a link to the letter.
    assert len(mail.outbox) == 1
    assert f"/midler/tilbakebetalinger/{claim.pk}/brev.pdf" in mail.outbox[0].body
    assert leader.email in mail.outbox[0].to
    assert deliver_repayment_claim(claim.pk) is False  # idempotent: not made or sent twice
    assert len(mail.outbox) == 1


def test_bokmal_letter_for_a_bokmal_kommune(sf, paid):
    Kommune.objects.filter(pk=paid.soknad.ansvarlig_soker.vertskommune_id).update(maalform="bokmal")
    with TestCase.captureOnCommitCallbacks(execute=True):
        claim = claim_on(sf, paid)
    claim.refresh_from_db()
    text = pdf_text(claim.brev.read())
    assert claim.maalform == "bokmal"
    assert "Krav om tilbakebetaling av tilskudd" in text and "Bergen kommune" in text
    assert "tilskuddsbrevet" in text


def test_check_claim_shows_what_will_happen_without_writing(sf, paid, voss):
    before = nothing_changes()
    check = repayments.check_claim(sf, paid, belop="1 000", begrunnelse="Ubrukt.", forfall=DUE, kontonummer=None)
    assert nothing_changes() == before
    assert check.belop == Decimal("1000") and check.kommune == paid.soknad.ansvarlig_soker.vertskommune
    assert check.kontonummer == ""  # no earlier claim in the embete
    claim_on(sf, paid, belop="1000")
    again = repayments.check_claim(sf, paid, belop="1000", begrunnelse="Ubrukt.", forfall=DUE, kontonummer=None)
    assert again.kontonummer == SF_ACCOUNT  # the embete's last account is offered


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"forfall": datetime.date(9999, 12, 31)}, "forfall", "Datoen må være mellom"),
        ({"forfall": TODAY}, "forfall", "Forfallsdatoen må være etter kravdatoen"),
        ({"forfall": datetime.date(2031, 3, 1)}, "forfall", "høyst fem år etter kravdatoen"),
        ({"dato": datetime.date(2026, 2, 1)}, "dato", "Kravet kan ikke dateres før vedtaket"),
        ({"dato": datetime.date(2026, 2, 3)}, "dato", "Kravet kan ikke dateres fram i tid"),
        ({"kontonummer": "12345678901"}, "kontonummer", "Kontonummeret er ikke gyldig"),
        ({"belop": "300001"}, "belop", "Kravet kan ikke være større enn det som er utbetalt"),
        ({"belop": "100000,50"}, "belop", "hele kroner"),
    ],
)
def test_claim_refusals(sf, paid, kwargs, field, message):
    before = nothing_changes()
    with TestCase.captureOnCommitCallbacks() as callbacks, pytest.raises(ValidationError) as info:
        claim_on(sf, paid, **kwargs)
    assert any(message in m for m in info.value.message_dict[field])
    assert nothing_changes() == before and callbacks == []


def test_other_embete_and_applicants_may_not_claim(sf_agder, leader, paid):
    before = nothing_changes()
    for user in (sf_agder, leader):
        with pytest.raises(PermissionDenied) as info:
            claim_on(user, paid)
        assert str(info.value) == NO_ACCESS
    assert nothing_changes() == before


# --- receipts and the waiver -------------------------------------------------------------------------


def test_partial_then_full_payment(sf, paid):
    claim = claim_on(sf, paid, belop="50000")
    repayments.register_receipt(sf, claim, dato=TODAY, belop="20 000")
    claim.refresh_from_db()
    assert claim.status == RepaymentStatus.DELVIS_BETALT and claim.betalt_dato is None
    assert ledger.repaid_total(paid) == Decimal("20000")
    assert ledger.claim_outstanding(claim) == Decimal("30000")
    with pytest.raises(ValidationError) as info:  # more than is left
        repayments.register_receipt(sf, claim, dato=TODAY, belop="30001")
    assert "gjenstår av kravet (30" in info.value.message_dict["belop"][0]
    repayments.register_receipt(sf, claim, dato=TODAY, belop="30000")
    claim.refresh_from_db()
    assert claim.status == RepaymentStatus.BETALT and claim.betalt_dato == TODAY
    assert ledger.repaid_total(paid) == Decimal("50000")
    assert list(AuditEvent.objects.filter(handling="tilbakebetaling.innbetaling").values_list("handling", flat=True))
    with pytest.raises(ValidationError) as info:  # closed
        repayments.register_receipt(sf, claim, dato=TODAY, belop="1")
    assert "avsluttet" in info.value.messages[0]


def test_waiver_of_the_rest_after_a_part_payment(sf, paid):
    claim = claim_on(sf, paid, belop="50000")
    repayments.register_receipt(sf, claim, dato=TODAY, belop="10000")
    with pytest.raises(ValidationError) as info:
        repayments.waive_claim(sf, claim, dato=TODAY, begrunnelse=" ")
    assert "begrunnelsen" in info.value.message_dict["begrunnelse"][0]
    repayments.waive_claim(sf, claim, dato=TODAY, begrunnelse="Kommunen har dokumentert utgiftene.")
    claim.refresh_from_db()
    assert claim.status == RepaymentStatus.ETTERGITT
    assert (claim.ettergitt_belop, claim.ettergitt_dato, claim.ettergitt_av) == (Decimal("40000"), TODAY, sf)
    assert ledger.repaid_total(paid) == Decimal("10000")  # what was paid in stays paid back
    assert ledger.claimed_total(paid) == Decimal("10000")  # the waived rest is no longer claimed
    assert ledger.claim_outstanding(claim) == 0
    with pytest.raises(ValidationError):
        repayments.waive_claim(sf, claim, dato=TODAY, begrunnelse="Igjen.")


def test_a_waived_claim_frees_room_for_a_new_claim(sf, paid):
    first = claim_on(sf, paid, belop="300000")
    with pytest.raises(ValidationError):
        claim_on(sf, paid, belop="1")
    repayments.waive_claim(sf, first, dato=TODAY, begrunnelse="Feil beløp.")
    assert claim_on(sf, paid, belop="100000").belop == Decimal("100000")


@pytest.mark.parametrize(
    ("dato", "message"),
    [
        (datetime.date(9999, 12, 31), "Datoen må være mellom"),
        (datetime.date(2026, 2, 1), "kan ikke dateres før kravet"),
        (datetime.date(2026, 2, 3), "fram i tid"),
    ],
)
def test_receipt_and_waiver_dates(sf, paid, dato, message):
    claim = claim_on(sf, paid)
    before = nothing_changes()
    with pytest.raises(ValidationError) as info:
        repayments.register_receipt(sf, claim, dato=dato, belop="1000")
    assert message in info.value.message_dict["dato"][0]
    with pytest.raises(ValidationError) as info:
        repayments.waive_claim(sf, claim, dato=dato, begrunnelse="Ettergis.")
    assert message in info.value.message_dict["dato"][0]
    assert nothing_changes() == before


def test_other_embete_and_applicants_may_not_record_or_waive(sf, sf_agder, leader, bufdir, paid):
    claim = claim_on(sf, paid)
    before = nothing_changes()
    for user in (sf_agder, leader, bufdir):
        with pytest.raises(PermissionDenied):
            repayments.register_receipt(user, claim, dato=TODAY, belop="1000")
        with pytest.raises(PermissionDenied):
            repayments.waive_claim(user, claim, dato=TODAY, begrunnelse="Nei.")
    assert nothing_changes() == before


def test_payment_out_not_dated_before_the_decision(sf, assessed, frame):
    decision = services.decide(sf, assessed, utfall="innvilget", belop="350000", begrunnelse="Godt.")
    with pytest.raises(ValidationError) as info:
        services.register_payment(sf, decision, dato=datetime.date(2026, 1, 31), belop="1000", kontonummer=ACCOUNT)
    assert "før vedtaket" in info.value.message_dict["dato"][0]
    with pytest.raises(ValidationError) as info:
        services.register_payment(sf, decision, dato=datetime.date(9999, 12, 31), belop="1000", kontonummer=ACCOUNT)
    assert "Datoen må være mellom" in info.value.message_dict["dato"][0]


def test_services_create_repayment_claim_is_the_same_service(sf, paid):
    assert services.create_repayment_claim is repayments.create_repayment_claim


# --- «tilbakebetalt» everywhere reads the receipts ------------------------------------------------------


def test_repaid_in_ledger_national_summary_annual_figures_and_api(client, sf, bufdir, paid, vestland):
    claim = claim_on(sf, paid, belop="50000")
    key = (YEAR, vestland.pk, "fosterhjem")

    def national():
        row = next(r for r in summary(YEAR, YEAR, embete_ids=[vestland.pk])[YEAR] if r.embete == vestland)
        return row.per_kategori["fosterhjem"].tilbakebetalt

    _token, secret = make_token(bufdir)

    def api():
        data = client.get("/api/v1/summary", {"year_from": YEAR, "embete": "vestland"}, **bearer(secret)).json()
        return data["results"][0]["kategorier"]["fosterhjem"]["tilbakebetalt"]

    assert ledger.totals(("aar", "embete", "kategori"))[key].tilbakebetalt == 0  # a claim alone is not repaid
    assert national() == 0 and api() == 0.0
    repayments.register_receipt(sf, claim, dato=TODAY, belop="20000")
    assert ledger.totals(("aar", "embete", "kategori"))[key].tilbakebetalt == Decimal("20000")
    assert ledger.totals(("aar", "embete", "kategori"))[key].netto == Decimal("280000")
    assert national() == Decimal("20000")
    annual = compile_figures(vestland, YEAR, today=timezone.localdate())["penger"]["fosterhjem"]
    assert Decimal(annual["tilbakebetalt"]) == Decimal("20000")
    assert api() == 20000.0  # the cached API summary moved with the receipt (versioned cache)
    repayments.register_receipt(sf, claim, dato=TODAY, belop="30000")
    assert national() == Decimal("50000") and api() == 50000.0


def test_migration_forwards_makes_one_receipt_per_paid_claim(sf, paid):
    """Run the data migration's function on rows as they were before: a paid claim, a waived one, an open one."""
    import importlib

    from django.apps import apps

    module = importlib.import_module("grants.migrations.0012_repayments")
    old_paid = RepaymentClaim.objects.create(
        vedtak=paid,
        belop=Decimal("40000"),
        begrunnelse="x",
        forfall=DUE,
        status=RepaymentStatus.BETALT,
        betalt_dato=datetime.date(2026, 2, 1),
        opprettet_av=sf,
    )
    old_waived = RepaymentClaim.objects.create(
        vedtak=paid,
        belop=Decimal("10000"),
        begrunnelse="y",
        forfall=DUE,
        opprettet_av=sf,
        status=RepaymentStatus.ETTERGITT,
        ettergitt_dato=TODAY,
    )
    module.forwards(apps, None)
    receipt = RepaymentReceipt.objects.get()
    assert (receipt.krav, receipt.belop, receipt.dato) == (old_paid, Decimal("40000"), datetime.date(2026, 2, 1))
    old_waived.refresh_from_db()
    assert old_waived.ettergitt_belop == Decimal("10000")
    assert ledger.repaid_total(paid) == Decimal("40000") and ledger.claimed_total(paid) == Decimal("40000")
