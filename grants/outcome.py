"""An application's effective outcome: the decision as it stands after its appeals.

The decision (grants.Decision) never changes. An appeal changes what is in force: the statsforvalter upholds it
(medhold, delvis medhold: a new amount) or forwards it to Bufdir (ikke medhold), and Bufdir as klageinstans
confirms (stadfestet), changes (endret: a new amount) or quashes it (opphevet: back to the statsforvalter for a new
handling). `grants.ledger.final_amount` is the amount in force; this module says what it means:

- `effective_outcome(decision)` → `EffectiveOutcome` for one decision (no query when its appeals are prefetched,
  `vedtak__klager`), with a label such as «Avslått, endret etter klage: innvilget 200 000 kr»; used by the
  application page, the staff panel, the board and the lists.
- `awarded_q(prefix)` / `rejected_q(prefix)`: the same rule as database filters for counts (the annual report):
  a decided application is effectively awarded when its decision has a row in the award ledger, which
  grants.services.sync_award keeps while the amount in force is above 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from common.money import kr

from .ledger import final_amount
from .models import DECIDED, ZERO, AppealOutcome, ApplicationStatus, Decision

PENDING_STATSFORVALTER = "statsforvalter"
PENDING_BUFDIR = "bufdir"


@dataclass(frozen=True)
class EffectiveOutcome:
    decided_utfall: str  # the decision's own outcome (ApplicationStatus value)
    decided_belop: Decimal
    utfall: str  # the outcome in force (ApplicationStatus value: innvilget, delvis_innvilget, avslatt)
    belop: Decimal  # the amount in force (grants.ledger.final_amount)
    changed: bool  # an appeal changed the decision
    pending: str  # "" | "statsforvalter" (an appeal awaits its outcome) | "bufdir" (forwarded, not decided)

    @property
    def awarded(self) -> bool:
        return self.belop > 0

    @property
    def utfall_label(self) -> str:
        return str(ApplicationStatus(self.utfall).label)

    @property
    def label(self) -> str:
        """«Innvilget 300 000 kr», «Avslått», «Avslått, endret etter klage: innvilget 200 000 kr», with a note when
        an appeal is pending."""
        decided = _outcome_text(self.decided_utfall, self.decided_belop)
        if self.changed:
            now = _outcome_text(self.utfall, self.belop)
            text = _("%(vedtak)s, endret etter klage: %(utfall)s") % {
                "vedtak": decided,
                "utfall": now[:1].lower() + now[1:],
            }
        else:
            text = decided
        if self.pending == PENDING_BUFDIR:
            text = _("%(utfall)s – klagen er sendt til Bufdir") % {"utfall": text}
        elif self.pending == PENDING_STATSFORVALTER:
            text = _("%(utfall)s – klagen er til behandling") % {"utfall": text}
        return text


def _outcome_text(utfall: str, belop: Decimal) -> str:
    label = str(ApplicationStatus(utfall).label)
    return label if utfall == ApplicationStatus.AVSLATT else f"{label} {kr(belop)}"


def outcome_for_amount(amount: Decimal, applied: Decimal) -> str:
    """The outcome an amount in force means: nothing is a rejection, the applied amount (or more) a full award."""
    if amount <= 0:
        return ApplicationStatus.AVSLATT
    if amount >= applied:
        return ApplicationStatus.INNVILGET
    return ApplicationStatus.DELVIS_INNVILGET


def effective_outcome(decision: Decision | None) -> EffectiveOutcome | None:
    """The decision as it stands after its appeals (None without a decision). Reads decision.soknad and
    decision.klager.all() (prefetch them on lists)."""
    if decision is None:
        return None
    appeals = list(decision.klager.all())
    amount = final_amount(decision)
    changed = amount != decision.belop
    utfall = outcome_for_amount(amount, decision.soknad.soknadsbelop) if changed else decision.utfall
    pending = ""
    if any(not a.utfall for a in appeals):
        pending = PENDING_STATSFORVALTER
    elif any(a.utfall == AppealOutcome.IKKE_MEDHOLD and not a.bufdir_utfall for a in appeals):
        pending = PENDING_BUFDIR
    return EffectiveOutcome(
        decided_utfall=decision.utfall,
        decided_belop=decision.belop,
        utfall=utfall,
        belop=amount,
        changed=changed,
        pending=pending,
    )


def awarded_q(prefix: str = "") -> Q:
    """Applications (prefix "") or rows pointing at one (prefix "soknad__") that are effectively awarded."""
    return Q(**{f"{prefix}status__in": DECIDED, f"{prefix}vedtak__tildeling__belop__gt": ZERO})


def rejected_q(prefix: str = "") -> Q:
    """Decided applications with nothing in force: rejected, or awarded and then set to 0 on appeal."""
    return Q(**{f"{prefix}status__in": DECIDED}) & ~Q(**{f"{prefix}vedtak__tildeling__belop__gt": ZERO})
