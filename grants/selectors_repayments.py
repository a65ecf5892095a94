"""Reads for repayment claims (tilbakebetalingskrav): who sees which, the list of claims with their figures
(paid in, outstanding, overdue), one claim with its receipts, and the rows the application page shows.

Who sees a claim: whoever may see its application (grants.scoping.applications, through the decision): the
applicants, the statsforvalter of the embete, Bufdir. The list of claims (/midler/tilbakebetalinger/) is for the
statsforvalter (its embete's claims) and Bufdir (all); claims_listable_by says who may open it."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.scoping import standing

from . import scoping
from .ledger import claim_outstanding, claim_paid
from .models import ZERO, Application, RepaymentClaim, RepaymentReceipt, RepaymentStatus

OPEN = (RepaymentStatus.KRAV_SENDT, RepaymentStatus.DELVIS_BETALT)
# The list's filter: value in the URL (?vis=) → which claims.
FILTERS = ("apne", "forfalte", "betalte", "ettergitte", "alle")


@dataclass(frozen=True)
class ClaimRow:
    """One claim with its figures, as pages show it."""

    claim: RepaymentClaim
    paid: Decimal  # paid in (the receipts)
    outstanding: Decimal  # still owed
    overdue: bool  # open and past its due date

    @property
    def is_open(self) -> bool:
        return self.claim.status in OPEN


def _row(claim: RepaymentClaim, today: datetime.date) -> ClaimRow:
    outstanding = claim_outstanding(claim)
    return ClaimRow(
        claim=claim,
        paid=claim_paid(claim),
        outstanding=outstanding,
        overdue=claim.status in OPEN and claim.forfall < today,
    )


def claims_listable_by(user) -> bool:
    """The statsforvalter and Bufdir (and superusers) may open the list of claims."""
    who = standing(user)
    return who.superuser or who.staff


def claims_visible_to(user) -> QuerySet[RepaymentClaim]:
    """The claims on applications the user may see (grants.scoping.applications, through the decision)."""
    rule = scoping.applications(standing(user)).via("vedtak__soknad", Application, lambda c: c.vedtak.soknad)
    return rule.apply(RepaymentClaim.objects.all())


def _with_figures(qs: QuerySet) -> QuerySet:
    return qs.select_related(
        "vedtak__soknad__utlysning__embete",
        "vedtak__soknad__prosjekt",
        "vedtak__soknad__ansvarlig_soker__vertskommune",
    ).prefetch_related(Prefetch("innbetalinger", queryset=RepaymentReceipt.objects.order_by("dato", "id")))


def claim_list(user, vis: str = "apne", today: datetime.date | None = None) -> tuple[list[ClaimRow], dict]:
    """The claims the user may list, filtered (FILTERS; unknown → "apne"), most overdue first, and the number in
    each filter ({"apne": n, …}). A fixed number of queries whatever the number of claims."""
    today = today or timezone.localdate()
    if not claims_listable_by(user):
        return [], {}
    base = claims_visible_to(user)
    filters = {
        "apne": Q(status__in=OPEN),
        "forfalte": Q(status__in=OPEN, forfall__lt=today),
        "betalte": Q(status=RepaymentStatus.BETALT),
        "ettergitte": Q(status=RepaymentStatus.ETTERGITT),
        "alle": Q(),
    }
    counts = base.aggregate(**{name: _count(q) for name, q in filters.items()})
    chosen = filters.get(vis, filters["apne"])
    claims = _with_figures(base.filter(chosen)).order_by("forfall", "pk")
    return [_row(c, today) for c in claims], counts


def _count(q: Q) -> Count:
    return Count("pk", filter=q) if q else Count("pk")


def overdue_count(user, today: datetime.date | None = None) -> int:
    """Open claims past their due date that the user may list (0 for who may not)."""
    if not claims_listable_by(user):
        return 0
    today = today or timezone.localdate()
    return claims_visible_to(user).filter(status__in=OPEN, forfall__lt=today).count()


def claim_detail(user, pk: int) -> ClaimRow | None:
    """One claim the user may see, with its receipts and figures; None when not visible."""
    claim = (
        _with_figures(claims_visible_to(user).filter(pk=pk))
        .select_related("opprettet_av", "ettergitt_av")
        .prefetch_related("vedtak__soknad__tjenester")  # the permission test reads the applying services
        .first()
    )
    return None if claim is None else _row(claim, timezone.localdate())


def claim_rows(decision, today: datetime.date | None = None) -> tuple[ClaimRow, ...]:
    """A decision's claims with their figures, for the application page: always two queries (the claims, their
    receipts), whether there are claims or not."""
    if decision is None:
        return ()
    today = today or timezone.localdate()
    claims = list(decision.tilbakebetalingskrav.order_by("dato", "pk"))
    paid: dict[int, Decimal] = {}
    for krav_id, belop in RepaymentReceipt.objects.filter(krav__vedtak=decision).values_list("krav_id", "belop"):
        paid[krav_id] = paid.get(krav_id, ZERO) + belop
    rows = []
    for claim in claims:
        paid_in = paid.get(claim.pk, ZERO)
        rows.append(
            ClaimRow(
                claim=claim,
                paid=paid_in,
                outstanding=max(claim.belop - paid_in - claim.ettergitt_belop, ZERO),
                overdue=claim.status in OPEN and claim.forfall < today,
            )
        )
    return tuple(rows)


def embete_account(embete_id: int) -> str:
    """The account the embete last asked a kommune to pay a claim into: offered for its next claim."""
    last = (
        RepaymentClaim.objects.filter(vedtak__soknad__utlysning__embete_id=embete_id)
        .exclude(kontonummer="")
        .order_by("-opprettet", "-pk")
        .values_list("kontonummer", flat=True)
        .first()
    )
    return last or ""


def outstanding_total(rows) -> Decimal:
    return sum((r.outstanding for r in rows), ZERO)
