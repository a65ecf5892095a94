"""Reads for change notices (endringsmeldinger), scoped to the user (followup.scoping.change_notices), and
`planned_changes`: what approving a notice would change now (the decide page shows it; the approval applies the
same plan, followup.services.changes.decide). Query counts stay constant as the lists grow."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import standing
from common.money import kr
from followup import scoping
from followup.budget import apply_moves, approved_budget
from followup.models import (
    BudgetMove,
    ChangeKind,
    ChangeNotice,
    ChangeStatus,
    ProgressReport,
    ReportingRequirement,
    ReportKind,
    ReportStatus,
)
from grants.models import ZERO, Application, BudgetKind
from grants.selectors import applications_visible_to
from projects.models import Phase

NOTICE_RELATED = (
    "soknad__utlysning__embete",
    "soknad__prosjekt__network",
    "sendt_av",
    "behandlet_av",
)
# After ending early the final report falls due two months after the new end date, at the earliest 30 days on.
FINAL_REPORT_AFTER = datetime.timedelta(days=61)
FINAL_REPORT_EARLIEST = datetime.timedelta(days=30)


def _notices() -> QuerySet[ChangeNotice]:
    return ChangeNotice.objects.select_related(*NOTICE_RELATED).prefetch_related(
        "soknad__tjenester", Prefetch("flyttinger", queryset=BudgetMove.objects.order_by("id"))
    )


def notices_visible_to(user) -> QuerySet[ChangeNotice]:
    return scoping.change_notices(standing(user)).apply(_notices())


def notice_for(user, pk: int) -> ChangeNotice | None:
    return notices_visible_to(user).filter(pk=pk).first()


def notice_list(user, status: str | None = None) -> QuerySet[ChangeNotice]:
    """The notices the user may see, waiting ones first (oldest first), then the decided ones, newest first."""
    qs = notices_visible_to(user)
    if status in ChangeStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-status", "innsendt", "id") if status == ChangeStatus.SENDT else qs.order_by("-innsendt", "-id")


def application_for(user, pk: int) -> Application | None:
    """The application (if the user may see it) with what the change pages need."""
    return (
        applications_visible_to(user)
        .select_related("utlysning__embete", "prosjekt__network", "vedtak")
        .prefetch_related("tjenester", "budsjett")
        .filter(pk=pk)
        .first()
    )


def notices_for_application(application: Application) -> list[ChangeNotice]:
    return list(
        ChangeNotice.objects.filter(soknad=application)
        .select_related("sendt_av", "behandlet_av")
        .prefetch_related(Prefetch("flyttinger", queryset=BudgetMove.objects.order_by("id")))
        .order_by("-innsendt", "-id")
    )


def kind_label(kind: str) -> str:
    return str(BudgetKind(kind).label) if kind in BudgetKind.values else kind


def _d(value) -> str:
    return f"{value:%d.%m.%Y}" if value else "–"


# --- what an approval changes ------------------------------------------------------------------------------


@dataclass
class RequirementChange:
    krav: ReportingRequirement | None  # None: a new requirement is created
    type: tuple[str, str] | None = None  # (old, new)
    frist: datetime.date | None = None  # the deadline of a new requirement


@dataclass
class Plan:
    """What approving the notice changes now. `problems`: why it cannot be approved now (empty: it can)."""

    notice: ChangeNotice
    planlagt_slutt: tuple | None = None  # (old, new)
    fase: tuple | None = None  # (old, new), with the date from
    fase_fra: datetime.date | None = None
    budget_before: dict[str, Decimal] = field(default_factory=dict)
    budget_after: dict[str, Decimal] = field(default_factory=dict)
    reports_updated: list[ProgressReport] = field(default_factory=list)
    reports_locked: list[ProgressReport] = field(default_factory=list)
    requirements: list[RequirementChange] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The plan in sentences, for the confirmation on the decide page and for the audit trail."""
        out = []
        if self.planlagt_slutt:
            out.append(
                _("Prosjektets planlagte sluttdato endres fra %(a)s til %(b)s.")
                % {"a": _d(self.planlagt_slutt[0]), "b": _d(self.planlagt_slutt[1])}
            )
        if self.fase:
            out.append(
                _("Prosjektet settes i fasen «%(f)s» fra %(d)s.")
                % {"f": Phase(self.fase[1]).label, "d": _d(self.fase_fra)}
            )
        for kind in BudgetKind.values:
            before, after = self.budget_before.get(kind, ZERO), self.budget_after.get(kind, ZERO)
            if before != after:
                out.append(
                    _("Godkjent budsjett for «%(p)s» endres fra %(a)s til %(b)s.")
                    % {"p": kind_label(kind), "a": kr(before), "b": kr(after)}
                )
        for report in self.reports_updated:
            out.append(_("Budsjettet i rapporten «%(r)s» (ikke sendt inn) oppdateres.") % {"r": report})
        for report in self.reports_locked:
            out.append(
                _("Rapporten «%(r)s» er sendt inn og endres ikke; det nye budsjettet gjelder senere rapporter.")
                % {"r": report}
            )
        for change in self.requirements:
            if change.krav is None:
                out.append(
                    _("Prosjektet må levere sluttrapport. Et nytt rapporteringskrav opprettes med frist %(d)s.")
                    % {"d": _d(change.frist)}
                )
            elif change.type:
                out.append(
                    _("Rapporteringskravet for %(y)s endres fra %(a)s til %(b)s (frist %(d)s).")
                    % {
                        "y": change.krav.aar,
                        "a": ReportKind(change.type[0]).label.lower(),
                        "b": ReportKind(change.type[1]).label.lower(),
                        "d": _d(change.krav.frist),
                    }
                )
        if not out and not self.problems:
            out.append(_("Endringen registreres som godkjent. Ingen data endres."))
        return out


def _requirements(decision) -> list[ReportingRequirement]:
    return list(
        ReportingRequirement.objects.filter(vedtak=decision).select_related("rapport", "prosjekt").order_by("id")
    )


def _open(krav: ReportingRequirement) -> bool:
    report = getattr(krav, "rapport", None)
    return not krav.levert and (report is None or report.status in (ReportStatus.UTKAST, ReportStatus.RETURNERT))


def planned_changes(notice: ChangeNotice, today: datetime.date | None = None) -> Plan:
    """What approving the notice would change now: the project, the approved budget and the reports that use
    it, the reporting requirements. Computed again when it is approved (the state may have changed since the
    notice was sent), so the page shows what will really happen."""
    today = today or timezone.localdate()
    application = notice.soknad
    project = application.prosjekt
    decision = application.vedtak
    plan = Plan(notice=notice)
    kind = notice.type
    if kind in (ChangeKind.FORSINKELSE, ChangeKind.AVSLUTTES):
        new_end = notice.ny_sluttdato
        if project.planlagt_start and new_end < project.planlagt_start:
            plan.problems.append(
                _("Ny sluttdato (%(d)s) er før prosjektets start (%(s)s).")
                % {"d": _d(new_end), "s": _d(project.planlagt_start)}
            )
        if new_end != project.planlagt_slutt:
            plan.planlagt_slutt = (project.planlagt_slutt, new_end)
        if kind == ChangeKind.AVSLUTTES and new_end <= today and project.fase != Phase.AVSLUTTET:
            last = project.fasehistorikk.order_by("-fra_dato", "-id").values_list("fra_dato", flat=True).first()
            plan.fase = (project.fase, Phase.AVSLUTTET)
            plan.fase_fra = max(new_end, last) if last else new_end
        requirements = _requirements(decision)
        kinds = {k.type for k in requirements}
        if kind == ChangeKind.AVSLUTTES:
            if ReportKind.SLUTT not in kinds:
                open_yearly = [k for k in requirements if k.type == ReportKind.AARLIG and _open(k)]
                if open_yearly:
                    plan.requirements.append(
                        RequirementChange(open_yearly[0], type=(ReportKind.AARLIG, ReportKind.SLUTT))
                    )
                else:
                    frist = max(new_end + FINAL_REPORT_AFTER, today + FINAL_REPORT_EARLIEST)
                    plan.requirements.append(RequirementChange(None, frist=frist))
        else:
            # A delay past the grant year turns an open final report into a yearly one (as on award:
            # followup.services.duty.requirement_kind), unless the decision already has one of that kind.
            for krav in requirements:
                wanted = ReportKind.SLUTT if new_end <= datetime.date(krav.aar, 12, 31) else ReportKind.AARLIG
                if _open(krav) and krav.type != wanted and wanted not in kinds:
                    plan.requirements.append(RequirementChange(krav, type=(krav.type, wanted)))
                    kinds.add(wanted)
    elif kind == ChangeKind.OMDISPONERING:
        before = approved_budget(decision)
        after = apply_moves(before, list(notice.flyttinger.all()))
        for line, amount in after.items():
            if amount < 0:
                plan.problems.append(
                    _("Omdisponeringen tar «%(p)s» under 0 kr: godkjent budsjett er nå %(b)s.")
                    % {"p": kind_label(line), "b": kr(before.get(line, ZERO))}
                )
        plan.budget_before, plan.budget_after = before, after
        for krav in _requirements(decision):
            report = getattr(krav, "rapport", None)
            if report is None:
                continue
            if report.status in (ReportStatus.UTKAST, ReportStatus.RETURNERT):
                plan.reports_updated.append(report)
            else:
                plan.reports_locked.append(report)
    return plan


def waiting_count(user) -> int:
    return notices_visible_to(user).filter(status=ChangeStatus.SENDT).count()
