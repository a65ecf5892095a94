"""Writes for repayment claims (tilbakebetalingskrav): the claim and its letter to the kommune, the payments
recorded against it (innbetalinger, RepaymentReceipt) and the waiver of what is left (ettergivelse).

A claim is addressed to the lead applicant's vertskommune (grants.selectors.lead_applicant) in its målform; the
letter is made and e-mailed after commit by grants.tasks.deliver_repayment_claim. Its status follows the money:
krav sendt → delvis betalt → betalt, or ettergitt when what was left is waived. What is paid back (the ledger's
«tilbakebetalt», grants.ledger.repaid_total and totals) is the sum of the receipts.

Dates: the claim is dated on or after the decision and not in the future; it falls due after its date and
within five years; a receipt or a waiver is dated on or after the claim and not in the future; every date lies in
common.dates' range (9999-12-31 is refused with a message). `check_claim` runs every check of a claim without
writing: the confirmation page shows what it returns before the claim is made."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import require
from audit import services as audit
from common import dates
from common import money as money_bounds
from common.money import kr
from organisations.models import ChildWelfareService, Kommune, Maalform

from .ledger import claim_outstanding, claim_paid, claimed_total, paid_total
from .models import Decision, RepaymentClaim, RepaymentReceipt, RepaymentStatus
from .selectors import lead_applicant
from .selectors_repayments import embete_account
from .tasks_claims import deliver_repayment_claim

DUE_YEARS = 5  # a claim falls due at most five years after its date
OPEN = (RepaymentStatus.KRAV_SENDT, RepaymentStatus.DELVIS_BETALT)


@dataclass(frozen=True)
class ClaimCheck:
    """A claim as it will be made: what the confirmation shows and create_repayment_claim stores."""

    decision: Decision
    belop: Decimal
    begrunnelse: str
    dato: datetime.date
    forfall: datetime.date
    kontonummer: str  # the statsforvalter's account the kommune pays into ("" when none is known)
    lead: ChildWelfareService | None
    kommune: Kommune | None  # the addressee: the lead applicant's vertskommune
    maalform: str  # bokmal / nynorsk: the letter's language

    @property
    def language_label(self) -> str:
        return Maalform(self.maalform).label


def _amount(value, label: str) -> Decimal:
    try:
        amount = money_bounds.parse_kroner(value, label)
    except ValidationError as exc:
        raise ValidationError({"belop": exc.messages}) from None
    if amount is None or amount <= 0:
        raise ValidationError({"belop": _("Beløpet må være større enn 0.")})
    return amount


def _account(value) -> str:
    """A valid Norwegian account number (11 digits, MOD11), or "" for none."""
    from stdnum.exceptions import ValidationError as StdnumError
    from stdnum.no import kontonr

    digits = "".join(ch for ch in str(value or "") if ch.isdigit())
    if not digits:
        return ""
    try:
        return kontonr.validate(digits)
    except StdnumError:
        raise ValidationError(
            {"kontonummer": _("Kontonummeret er ikke gyldig (11 siffer med riktig kontrollsiffer).")}
        ) from None


def decision_day(decision: Decision) -> datetime.date:
    """The day the decision was made, in Oslo."""
    return timezone.localtime(decision.vedtatt).date()


def payment_day(decision: Decision, dato) -> datetime.date:
    """A payment's date (grants.services.register_payment): in common.dates' range and not before the decision."""
    return dates.bounded(
        dato,
        "dato",
        not_before=decision_day(decision),
        message=_("Utbetalingen kan ikke dateres før vedtaket (%(d)s)."),
    )


def check_claim(
    actor,
    decision: Decision,
    *,
    belop,
    begrunnelse: str,
    forfall,
    dato=None,
    kontonummer=None,
) -> ClaimCheck:
    """Every check of a new claim, without writing. All claims on a decision together (less what is waived)
    cannot exceed what is paid out. kontonummer None: the embete's last account (embete_account)."""
    require(actor, "grants.register_payment", decision)
    today = timezone.localdate()
    amount = _amount(belop, _("Beløpet"))
    paid = paid_total(decision)
    claimed = claimed_total(decision)
    if claimed + amount > paid:
        if claimed:
            message = _(
                "Kravene kan til sammen ikke være større enn det som er utbetalt (%(p)s). Allerede krevd: %(c)s."
            )
        else:
            message = _("Kravet kan ikke være større enn det som er utbetalt (%(p)s).")
        raise ValidationError({"belop": message % {"p": kr(paid), "c": kr(claimed)}})
    if not (begrunnelse or "").strip():
        raise ValidationError({"begrunnelse": _("Skriv begrunnelsen for kravet.")})
    decided = decision_day(decision)
    claim_day = dates.bounded(
        dato if dato is not None else today,
        "dato",
        not_before=decided,
        message=_("Kravet kan ikke dateres før vedtaket (%(d)s)."),
    )
    dates.bounded(claim_day, "dato", latest=today, message=_("Kravet kan ikke dateres fram i tid."))
    due = dates.bounded(
        forfall,
        "forfall",
        after=claim_day,
        message=_("Forfallsdatoen må være etter kravdatoen (%(d)s)."),
    )
    last_due = dates.years_after(claim_day, DUE_YEARS)
    if due > last_due:
        raise ValidationError(
            {
                "forfall": _("Forfallsdatoen kan være høyst fem år etter kravdatoen, senest %(d)s.")
                % {"d": f"{last_due:%d.%m.%Y}"}
            }
        )
    application = decision.soknad
    account = _account(kontonummer) if kontonummer is not None else embete_account(application.utlysning.embete_id)
    lead = lead_applicant(application)
    kommune = lead.vertskommune if lead else None
    return ClaimCheck(
        decision=decision,
        belop=amount,
        begrunnelse=begrunnelse.strip(),
        dato=claim_day,
        forfall=due,
        kontonummer=account,
        lead=lead,
        kommune=kommune,
        maalform=kommune.letter_language if kommune else Maalform.BOKMAAL,
    )


@transaction.atomic
def create_repayment_claim(
    actor,
    decision: Decision,
    *,
    belop,
    begrunnelse: str,
    forfall,
    dato=None,
    kontonummer=None,
) -> RepaymentClaim:
    """Claim back money: the claim, its audit event, and after commit its letter to the lead applicant's
    vertskommune, e-mailed to the applicants (grants.tasks.deliver_repayment_claim)."""
    decision = (
        Decision.objects.select_for_update(of=("self",))
        .select_related("soknad__utlysning", "soknad__ansvarlig_soker__vertskommune")
        .get(pk=decision.pk)
    )
    check = check_claim(
        actor, decision, belop=belop, begrunnelse=begrunnelse, forfall=forfall, dato=dato, kontonummer=kontonummer
    )
    claim = RepaymentClaim.objects.create(
        vedtak=decision,
        belop=check.belop,
        begrunnelse=check.begrunnelse,
        dato=check.dato,
        forfall=check.forfall,
        kontonummer=check.kontonummer,
        maalform=check.maalform,
        opprettet_av=actor,
    )
    audit.record(
        actor,
        "soknad.tilbakebetalingskrav",
        decision.soknad,
        {
            "belop": check.belop,
            "forfall": check.forfall,
            "krav": claim.pk,
            "mottaker": getattr(check.kommune, "navn", ""),
        },
    )
    deliver_repayment_claim.enqueue(claim.pk)
    return claim


def _locked_claim(claim: RepaymentClaim) -> RepaymentClaim:
    return (
        RepaymentClaim.objects.select_for_update(of=("self",))
        .select_related("vedtak__soknad__utlysning")
        .get(pk=claim.pk)
    )


def _status(claim: RepaymentClaim, paid: Decimal) -> str:
    """The status the money gives: nothing left → betalt (or ettergitt when some was waived); else delvis betalt
    when something is paid in, krav sendt when nothing is."""
    if claim.belop - paid - claim.ettergitt_belop <= 0:
        return RepaymentStatus.ETTERGITT if claim.ettergitt_belop > 0 else RepaymentStatus.BETALT
    return RepaymentStatus.DELVIS_BETALT if paid > 0 else RepaymentStatus.KRAV_SENDT


def check_receipt(actor, claim: RepaymentClaim, *, dato, belop) -> tuple[datetime.date, Decimal]:
    """Every check of a payment against the claim, without writing: (date, amount)."""
    require(actor, "grants.register_payment", claim.vedtak)
    if claim.status not in OPEN:
        raise ValidationError(
            _("Kravet er avsluttet (%(s)s). Det kan ikke registreres flere innbetalinger.")
            % {"s": claim.get_status_display().lower()}
        )
    amount = _amount(belop, _("Beløpet"))
    outstanding = claim_outstanding(claim)
    if amount > outstanding:
        raise ValidationError(
            {"belop": _("Innbetalingen er større enn det som gjenstår av kravet (%(r)s).") % {"r": kr(outstanding)}}
        )
    day = dates.bounded(
        dato,
        "dato",
        not_before=claim.dato,
        message=_("Innbetalingen kan ikke dateres før kravet (%(d)s)."),
    )
    dates.bounded(day, "dato", latest=timezone.localdate(), message=_("Innbetalingen kan ikke dateres fram i tid."))
    return day, amount


@transaction.atomic
def register_receipt(actor, claim: RepaymentClaim, *, dato, belop) -> RepaymentReceipt:
    """Record money paid back against the claim (all or part of what is left); the status follows."""
    claim = _locked_claim(claim)
    day, amount = check_receipt(actor, claim, dato=dato, belop=belop)
    receipt = RepaymentReceipt.objects.create(krav=claim, dato=day, belop=amount, registrert_av=actor)
    paid = claim_paid(claim)  # a fresh sum: the receipts are not prefetched on the locked claim
    claim.status = _status(claim, paid)
    claim.betalt_dato = day if claim.status == RepaymentStatus.BETALT else None
    claim.save(update_fields=["status", "betalt_dato"])
    audit.record(
        actor,
        "tilbakebetaling.innbetaling",
        claim.vedtak.soknad,
        {"krav": claim.pk, "belop": amount, "dato": day, "status": claim.status},
    )
    return receipt


def check_waiver(actor, claim: RepaymentClaim, *, dato, begrunnelse: str) -> tuple[datetime.date, Decimal]:
    """Every check of a waiver, without writing: (date, the amount waived = what is left of the claim)."""
    require(actor, "grants.register_payment", claim.vedtak)
    if claim.status not in OPEN:
        raise ValidationError(
            _("Kravet er avsluttet (%(s)s) og kan ikke ettergis.") % {"s": claim.get_status_display().lower()}
        )
    if not (begrunnelse or "").strip():
        raise ValidationError({"begrunnelse": _("Skriv begrunnelsen for ettergivelsen.")})
    day = dates.bounded(
        dato,
        "dato",
        not_before=claim.dato,
        message=_("Ettergivelsen kan ikke dateres før kravet (%(d)s)."),
    )
    dates.bounded(day, "dato", latest=timezone.localdate(), message=_("Ettergivelsen kan ikke dateres fram i tid."))
    return day, claim_outstanding(claim)


@transaction.atomic
def waive_claim(actor, claim: RepaymentClaim, *, dato, begrunnelse: str) -> RepaymentClaim:
    """Ettergivelse: waive what is left of the claim (all of it when nothing is paid in). The claim is closed
    with status ettergitt; what was paid in stays paid back."""
    claim = _locked_claim(claim)
    day, rest = check_waiver(actor, claim, dato=dato, begrunnelse=begrunnelse)
    claim.ettergitt_belop = rest
    claim.ettergitt_dato = day
    claim.ettergitt_begrunnelse = begrunnelse.strip()
    claim.ettergitt_av = actor
    claim.status = RepaymentStatus.ETTERGITT
    claim.save(update_fields=["ettergitt_belop", "ettergitt_dato", "ettergitt_begrunnelse", "ettergitt_av", "status"])
    audit.record(
        actor, "tilbakebetaling.ettergitt", claim.vedtak.soknad, {"krav": claim.pk, "belop": rest, "dato": day}
    )
    return claim
