"""What followup adds to the pages of the layers below it, registered in FollowupConfig.ready():
- the project page (projects.extensions): the reporting requirements, and the grant table's rows (each award with
  its application and requirements);
- the frames overview (grants.extensions): spending and unspent funds reported in approved progress reports."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from grants import extensions as grant_extensions
from grants.models import Award
from projects.extensions import pages as project_pages

from .models import ProgressReport, ReportingRequirement, ReportStatus


@dataclass
class RequirementRow:
    krav: ReportingRequirement
    status: str
    overdue: bool


@dataclass
class GrantRow:
    award: Award
    application: object | None  # grants.Application, when the award came from a decision in Læringsnett
    requirements: list[RequirementRow] = field(default_factory=list)


def requirement_status(krav: ReportingRequirement, today: datetime.date | None = None) -> RequirementRow:
    """The report's status in words. A draft is «ikke sendt inn» for everyone (drafts are the project's own)."""
    today = today or timezone.localdate()
    report = getattr(krav, "rapport", None)
    submitted = report is not None and report.status != ReportStatus.UTKAST
    if submitted:
        status = report.get_status_display()
    elif report is not None and report.versjon > 0:
        status = _("Under endring")
    else:
        status = _("Ikke sendt inn")
    return RequirementRow(krav=krav, status=status, overdue=not submitted and krav.frist < today)


def detail_requirements() -> Prefetch:
    return Prefetch(
        "rapportkrav",
        queryset=ReportingRequirement.objects.select_related("rapport").order_by("aar", "frist", "id"),
    )


def grant_rows(project) -> list[GrantRow]:
    """The grants the project received, year by year, from the award ledger (grants.Award), each with its
    decision's application and the reporting requirements it created. Uses project_detail's prefetches (the
    awards from grants, the requirements from here)."""
    today = timezone.localdate()
    by_decision: dict[int, list[RequirementRow]] = {}
    for krav in project.rapportkrav.all():
        by_decision.setdefault(krav.vedtak_id, []).append(requirement_status(krav, today))
    rows = []
    for award in project.tildelinger.all():
        application = award.vedtak.soknad if award.vedtak_id else None
        rows.append(GrantRow(award, application, by_decision.get(award.vedtak_id, []) if award.vedtak_id else []))
    return rows


def frame_figures(grouped) -> dict[str, dict]:
    """rapportert_brukt and ubrukt per (embete, kategori) from the approved progress reports (grants.selectors
    frame_overview's `grouped` scopes them to the year and embete)."""
    approved_reports = ProgressReport.objects.filter(status=ReportStatus.GODKJENT)
    return {
        "rapportert_brukt": grouped(approved_reports, "krav__vedtak__soknad__", "brukt_total"),
        "ubrukt": grouped(approved_reports, "krav__vedtak__soknad__", "ubrukt"),
    }


def register() -> None:
    if frame_figures not in grant_extensions.frame_figures:
        grant_extensions.frame_figures.append(frame_figures)

    if detail_requirements not in project_pages.detail_prefetches:
        project_pages.detail_prefetches.append(detail_requirements)
    project_pages.grant_rows = grant_rows
