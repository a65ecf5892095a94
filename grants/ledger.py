"""The award ledger: what is awarded, paid out, paid back and carried over. Each sum is defined here once; every
page, table, export, check and the API reads it from here.

- awarded (tildelt): the ledger grants.Award, one row per award. For a decision made in Læringsnett the row's
  amount is final_amount(decision), the decided amount or the new amount of the latest upheld appeal
  (grants.services.sync_award keeps the row in step; no row while the final amount is 0). Imported history
  (kilde "import") is in the ledger too, without a decision; decided_only=True leaves it out (the figures that
  are measured against a frame).
- paid (utbetalt): the payments (grants.Payment) on the decisions.
- repaid (tilbakebetalt): the receipts (grants.RepaymentReceipt, innbetalinger) recorded against repayment claims,
  in full or in part; claimed (krevd): what the claims ask for, less what is waived (ettergitt_belop).
- carried over (overfort): carry-overs (grants.CarryOver) of unspent money to the next year.
- net (netto): paid minus repaid, the money the grantee keeps.

Sums over many rows are one aggregate query per figure (grouped by year, embete, category, project, network
or decision), so the query count does not grow with the data. Money rows on a decision (payments, claims,
carry-overs) are grouped and scoped through the decision's application: its round's year and embete, its
category and project."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from .models import ZERO, Award, AwardSource, CarryOver, Decision, Frame, Payment, RepaymentReceipt

MONEY = DecimalField(max_digits=16, decimal_places=2)  # sums: room above a single money column
FIGURES = ("tildelt", "utbetalt", "tilbakebetalt", "overfort")

# The dimensions sums are grouped and scoped by, on the ledger and on a decision's money rows.
ON_AWARD = {
    "aar": "aar",
    "embete": "embete_id",
    "kategori": "kategori",
    "prosjekt": "prosjekt_id",
    "nettverk": "nettverk_id",
    "vedtak": "vedtak_id",
}
ON_DECISION = {
    "aar": "vedtak__soknad__utlysning__aar",
    "embete": "vedtak__soknad__utlysning__embete_id",
    "kategori": "vedtak__soknad__kategori",
    "prosjekt": "vedtak__soknad__prosjekt_id",
    "nettverk": "vedtak__soknad__prosjekt__network_id",
    "vedtak": "vedtak_id",
}
# The same on a receipt (innbetaling), through its claim's decision.
ON_RECEIPT = {key: ("krav__vedtak_id" if key == "vedtak" else f"krav__{path}") for key, path in ON_DECISION.items()}


# --- one decision, one frame (the services' checks) ----------------------------------------------------------


def final_amount(decision: Decision) -> Decimal:
    """What a decision awards: the latest amount set on appeal – by the statsforvalter (medhold, delvis medhold:
    `nytt_belop`) or by Bufdir as klageinstans («endret»: `bufdir_belop`) – else the decided amount. The ledger row
    of the decision holds this amount (grants.services.sync_award); grants.outcome describes it in words."""
    appeals = list(decision.klager.all())  # one query, or none when prefetched
    changes = [(a.behandlet, a.nytt_belop) for a in appeals if a.nytt_belop is not None and a.behandlet]
    changes += [
        (a.bufdir_behandlet, a.bufdir_belop) for a in appeals if a.bufdir_belop is not None and a.bufdir_behandlet
    ]
    return max(changes, key=lambda change: change[0])[1] if changes else decision.belop


def awarded_total(frame: Frame) -> Decimal:
    """What is awarded against the frame, with amounts changed by upheld appeals: one sum over the award ledger,
    which sync_award keeps equal to final_amount() of every decision on the frame. The frame's year, embete and
    category are those of its awards; naming them lets the database use the ledger's summary index instead of
    joining every award (docs/benchmarks.md)."""
    awards = Award.objects.filter(aar=frame.aar, embete_id=frame.embete_id, kategori=frame.kategori)
    return awards.filter(vedtak__ramme=frame).aggregate(s=Sum("belop"))["s"] or ZERO


def _sum(decision: Decision, related: str, only: Q | None = None, keep=lambda row: True) -> Decimal:
    """The sum of belop of a decision's related rows (only: those that match; keep: the same test in Python).
    Rows prefetched with the decision are summed without a query (a page that lists the rows shows their sum
    too); otherwise one aggregate query. Services load the decision afresh, under lock, before they check."""
    prefetched = getattr(decision, "_prefetched_objects_cache", {}).get(related)
    if prefetched is not None:
        return sum((row.belop for row in prefetched if keep(row)), ZERO)
    rows = getattr(decision, related).all()
    if only is not None:
        rows = rows.filter(only)
    return rows.aggregate(s=Sum("belop"))["s"] or ZERO


def paid_total(decision: Decision) -> Decimal:
    return _sum(decision, "utbetalinger")


def claim_outstanding(claim) -> Decimal:
    """What is still owed on one claim: its amount less what is paid in and what is waived (reads the claim's
    prefetched receipts, innbetalinger, when there)."""
    prefetched = getattr(claim, "_prefetched_objects_cache", {}).get("innbetalinger")
    if prefetched is not None:
        paid = sum((r.belop for r in prefetched), ZERO)
    else:
        paid = claim.innbetalinger.aggregate(s=Sum("belop"))["s"] or ZERO
    return max(claim.belop - paid - claim.ettergitt_belop, ZERO)


def claim_paid(claim) -> Decimal:
    """What is paid in on one claim (the sum of its receipts)."""
    return claim.belop - claim.ettergitt_belop - claim_outstanding(claim)


def claimed_total(decision: Decision) -> Decimal:
    """Claimed back on the decision: what the repayment claims ask for, less what is waived (paid back or not)."""
    prefetched = getattr(decision, "_prefetched_objects_cache", {}).get("tilbakebetalingskrav")
    if prefetched is not None:
        return sum((c.belop - c.ettergitt_belop for c in prefetched), ZERO)
    rows = decision.tilbakebetalingskrav.aggregate(s=Sum(F("belop") - F("ettergitt_belop"), output_field=MONEY))
    return rows["s"] or ZERO


def repaid_total(decision: Decision) -> Decimal:
    """Paid back on the decision: the receipts (innbetalinger) recorded against its repayment claims. Without a
    query when the claims are prefetched with their receipts."""
    claims = getattr(decision, "_prefetched_objects_cache", {}).get("tilbakebetalingskrav")
    if claims is not None and all("innbetalinger" in getattr(c, "_prefetched_objects_cache", {}) for c in claims):
        return sum((r.belop for c in claims for r in c.innbetalinger.all()), ZERO)
    return RepaymentReceipt.objects.filter(krav__vedtak=decision).aggregate(s=Sum("belop"))["s"] or ZERO


def carried_total(decision: Decision) -> Decimal:
    return _sum(decision, "overforinger")


# --- many awards: querysets, expressions, grouped totals -----------------------------------------------------


def _scoped(qs: QuerySet, fields: dict, *, year_from=None, year_to=None, embete_ids=None, kategorier=None):
    if year_from is not None:
        qs = qs.filter(**{f"{fields['aar']}__gte": year_from})
    if year_to is not None:
        qs = qs.filter(**{f"{fields['aar']}__lte": year_to})
    if embete_ids is not None:
        qs = qs.filter(**{f"{fields['embete']}__in": list(embete_ids)})
    if kategorier is not None:
        qs = qs.filter(**{f"{fields['kategori']}__in": list(kategorier)})
    return qs


def awards(*, decided_only: bool = False, **scope) -> QuerySet[Award]:
    """The ledger's rows in [year_from, year_to] (either end may be None: open), of some embeter (pks) and
    categories (None: all). decided_only leaves out imported history (rows without a decision)."""
    qs = _scoped(Award.objects.all(), ON_AWARD, **scope)
    return qs.filter(kilde=AwardSource.VEDTAK) if decided_only else qs


def awarded_sum() -> Coalesce:
    """The awarded amount of a group of ledger rows (0 when none): for .annotate() or .aggregate() on awards()."""
    return Coalesce(Sum("belop"), ZERO, output_field=MONEY)


def funded_projects() -> Count:
    """The number of projects in a group of ledger rows that were awarded money."""
    return Count("prosjekt", distinct=True, filter=Q(belop__gt=0))


def funded_networks() -> Count:
    """The number of networks in a group of ledger rows that were awarded money (to the network or one of its
    projects)."""
    return Count("nettverk", distinct=True, filter=Q(belop__gt=0))


def awarded_per(field: str) -> Coalesce:
    """The awarded amount of each row of an outer queryset, in one correlated subquery: field names what the row
    is in the ledger ("prosjekt", "nettverk", "embete"), e.g. projects.annotate(tildelt=awarded_per("prosjekt"))."""
    total = Award.objects.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(s=Sum("belop"))
    return Coalesce(Subquery(total.values("s")), Value(ZERO), output_field=MONEY)


def with_awarded(qs: QuerySet, field: str, name: str = "tildelt") -> QuerySet:
    """qs annotated with its rows' awarded amount (awarded_per)."""
    return qs.annotate(**{name: awarded_per(field)})


def decision_award(path: str = "vedtak") -> F:
    """The ledger amount of the decision at path, for .annotate(): None when the decision awards nothing."""
    return F(f"{path}__tildeling__belop")


@dataclass
class Totals:
    """The ledger's figures for one group (one year, embete, category, project, decision …)."""

    prosjekter: int = 0
    tildelt: Decimal = ZERO
    utbetalt: Decimal = ZERO
    tilbakebetalt: Decimal = ZERO
    overfort: Decimal = ZERO

    @property
    def netto(self) -> Decimal:
        """Paid out and not paid back."""
        return self.utbetalt - self.tilbakebetalt


def _grouped(qs: QuerySet, fields: dict, by: tuple[str, ...], **annotations) -> dict[tuple, dict]:
    names = [fields[b] for b in by]
    if not names:
        return {(): qs.aggregate(**annotations)}
    rows = qs.values(*names).annotate(**annotations).order_by()
    return {tuple(r[n] for n in names): r for r in rows}


def totals(by: tuple[str, ...] = (), *, figures=FIGURES, decided_only: bool = False, **scope) -> dict[tuple, Totals]:
    """{key: Totals} for the ledger in scope (see awards()), grouped by some of aar, embete, kategori, prosjekt,
    nettverk, vedtak: by=("aar", "embete") gives keys (2024, <embete pk>); by=() one key () for the whole scope.
    A group with no rows is missing (read it with .get(key, Totals())). One query per figure asked for; the
    number of funded projects comes with tildelt."""
    tables = []
    if "tildelt" in figures:
        tables.append(
            _grouped(
                awards(decided_only=decided_only, **scope),
                ON_AWARD,
                by,
                prosjekter=funded_projects(),
                tildelt=awarded_sum(),
            )
        )
    on_decisions = {  # figure: (rows, how they reach the decision's dimensions)
        "utbetalt": (Payment.objects.all(), ON_DECISION),
        "tilbakebetalt": (RepaymentReceipt.objects.all(), ON_RECEIPT),  # receipts against the claims
        "overfort": (CarryOver.objects.all(), ON_DECISION),
    }
    for figure, (qs, fields) in on_decisions.items():
        if figure in figures:
            rows = _scoped(qs, fields, **scope)
            tables.append(_grouped(rows, fields, by, **{figure: Coalesce(Sum("belop"), ZERO, output_field=MONEY)}))
    result: dict[tuple, Totals] = {}
    for table in tables:
        for key, row in table.items():
            found = result.setdefault(key, Totals())
            for name in ("prosjekter", *FIGURES):
                if name in row:
                    setattr(found, name, row[name])
    return result
