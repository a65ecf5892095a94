"""The approved budget of a grant, per budget line (grants.BudgetKind): the one definition, used by the progress
report (followup.services.reports.start_report) and by the change notices (followup.services.changes).

- `split_award`: the award spread over the application's budget lines in whole kroner;
- `approved_budget`: that split, plus the budget moves (omdisponering) of the application's approved change
  notices, in the order they were approved. The total is always the award."""

from decimal import ROUND_FLOOR, Decimal

from followup.models import BudgetMove, ChangeStatus
from grants import ledger
from grants.models import ZERO, BudgetKind


def split_award(budget: dict[str, Decimal], award: Decimal) -> dict[str, Decimal]:
    """The award spread over the budget kinds in proportion to the application's budget, in whole kroner,
    summing exactly to the award (largest remainder; any øre go to the largest line). A budget that already
    sums to the award is kept as it is."""
    kinds = list(BudgetKind.values)
    total = sum(budget.values(), ZERO)
    if total <= 0:
        return dict.fromkeys(kinds, ZERO)
    if total == award:
        return {k: budget.get(k, ZERO) for k in kinds}
    raw = {k: budget.get(k, ZERO) * award / total for k in kinds}
    whole = {k: v.quantize(Decimal("1"), rounding=ROUND_FLOOR) for k, v in raw.items()}
    left = award.quantize(Decimal("1"), rounding=ROUND_FLOOR) - sum(whole.values(), ZERO)
    by_remainder = sorted(kinds, key=lambda k: (-(raw[k] - whole[k]), kinds.index(k)))
    for k in by_remainder[: int(left)]:
        whole[k] += 1
    cents = award - sum(whole.values(), ZERO)
    if cents:
        largest = max(kinds, key=lambda k: (whole[k], -kinds.index(k)))
        whole[largest] += cents
    return whole


def application_budget(application) -> dict[str, Decimal]:
    """{kind: amount} of the application's budget lines (several lines of a kind are added up)."""
    budget: dict[str, Decimal] = {}
    for line in application.budsjett.all():
        budget[line.type] = budget.get(line.type, ZERO) + line.belop
    return budget


def apply_moves(lines: dict[str, Decimal], moves) -> dict[str, Decimal]:
    """The lines after the moves (objects or dicts with fra_post, til_post, belop). A line may end below 0 here;
    the caller decides (a notice is refused; see approved_budget for the approved ones)."""
    result = dict(lines)
    for move in moves:
        fra, til, belop = (
            (move["fra_post"], move["til_post"], move["belop"])
            if isinstance(move, dict)
            else (move.fra_post, move.til_post, move.belop)
        )
        result[fra] = result.get(fra, ZERO) - belop
        result[til] = result.get(til, ZERO) + belop
    return result


def approved_moves(application_id: int):
    return BudgetMove.objects.filter(melding__soknad_id=application_id, melding__status=ChangeStatus.GODKJENT).order_by(
        "melding__behandlet", "melding_id", "id"
    )


def approved_budget(decision, award: Decimal | None = None) -> dict[str, Decimal]:
    """The approved budget per line: the final award split over the application's budget, then the approved
    reallocations. Should a later appeal lower the award below what a reallocation moved, a line that would fall
    below 0 is set to 0 and the difference taken from the largest line, so the total stays the award."""
    award = ledger.final_amount(decision) if award is None else award
    lines = apply_moves(split_award(application_budget(decision.soknad), award), approved_moves(decision.soknad_id))
    kinds = list(BudgetKind.values)
    for kind in kinds:
        if lines.get(kind, ZERO) < 0:
            deficit = -lines[kind]
            lines[kind] = ZERO
            largest = max(kinds, key=lambda k: (lines.get(k, ZERO), -kinds.index(k)))
            lines[largest] -= deficit
    return {k: lines.get(k, ZERO) for k in kinds}
