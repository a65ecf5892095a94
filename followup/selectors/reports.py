"""Reads for progress reports, scoped to the user. Query counts stay constant as data grows."""

import difflib

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.scoping import standing
from common.money import kr
from followup import scoping
from followup.models import (
    SELF_ASSESSMENT_STATEMENTS,
    ProgressReport,
    ReportingRequirement,
    ReportParticipant,
    ReportReview,
    ReportSpending,
    ReportStatus,
    ReportVersion,
    SelfAssessment,
)
from followup.selectors.duty import requirements_visible_to
from grants.models import CarryOver, RepaymentClaim

PARTICIPANTS = ReportParticipant.objects.select_related("tjeneste").order_by("tjeneste__navn")
REPORT_RELATED = ("krav__vedtak__soknad__utlysning__embete", "krav__prosjekt__network", "opprettet_av")


def reports_visible_to(user) -> QuerySet[ProgressReport]:
    """Reports the user may read (followup.scoping.progress_reports): participants see their drafts;
    statsforvalter (own embete) and Bufdir see reports that have been submitted at least once."""
    qs = ProgressReport.objects.select_related(*REPORT_RELATED)
    return scoping.progress_reports(standing(user)).apply(qs)


def requirement_for(user, pk: int) -> ReportingRequirement | None:
    return requirements_visible_to(user).select_related("rapport").filter(pk=pk).first()


def report_for_edit(report_pk: int) -> ProgressReport:
    """The report with what the form needs, in a fixed number of queries."""
    return (
        ProgressReport.objects.select_related(*REPORT_RELATED)
        .prefetch_related(
            Prefetch("forbruk", queryset=ReportSpending.objects.order_by("id")),
            Prefetch("deltakere", queryset=PARTICIPANTS),
            Prefetch("egenvurdering", queryset=SelfAssessment.objects.order_by("id")),
            Prefetch("vurderinger", queryset=ReportReview.objects.select_related("vurdert_av").order_by("-tidspunkt")),
        )
        .get(pk=report_pk)
    )


def report_detail(user, pk: int) -> ProgressReport | None:
    return (
        reports_visible_to(user)
        .prefetch_related(
            Prefetch("forbruk", queryset=ReportSpending.objects.order_by("id")),
            Prefetch("deltakere", queryset=PARTICIPANTS),
            Prefetch("egenvurdering", queryset=SelfAssessment.objects.order_by("id")),
            Prefetch("versjoner", queryset=ReportVersion.objects.select_related("sendt_inn_av").order_by("versjon")),
            Prefetch("vurderinger", queryset=ReportReview.objects.select_related("vurdert_av").order_by("tidspunkt")),
        )
        .filter(pk=pk)
        .first()
    )


def money_after(report: ProgressReport) -> dict:
    """Repayment claims and carry-overs on the report's grant (created on approval, or by staff)."""
    decision_id = report.krav.vedtak_id
    return {
        "claims": list(RepaymentClaim.objects.filter(vedtak_id=decision_id).order_by("opprettet")),
        "carries": list(CarryOver.objects.filter(vedtak_id=decision_id).order_by("vedtatt")),
    }


def self_assessment_rows(content: dict) -> list[dict]:
    """The statements with answers from a snapshot (a version's innhold), in the current order."""
    rows = {r["utsagn"]: r for r in content.get("egenvurdering", [])}
    return [
        rows.get(key, {"utsagn": key, "tekst": str(text), "svar": "", "svar_tekst": ""})
        for key, text in SELF_ASSESSMENT_STATEMENTS.items()
    ]


# --- versions and diffs -------------------------------------------------------------------------------

DIFF_LABELS = {
    "aktiviteter": _("Gjennomførte aktiviteter"),
    "avvik": _("Avvik fra plan"),
    "resultater": _("Resultater"),
    "partnerinvolvering": _("Partnernes bidrag"),
    "neste_aar": _("Planer for neste år"),
    "fritekst": _("Annet"),
    "forklaring_overforbruk": _("Forklaring på forbruk ut over tildelingen"),
    "forbruk": _("Forbruk"),
    "deltakere": _("Deltakende tjenester"),
    "egenvurdering": _("Egenvurdering"),
    "brukt_total": _("Brukt"),
    "ubrukt": _("Ubrukt"),
}


def _lines(key: str, value) -> list[str]:
    if key == "forbruk":
        return [
            _("%(post)s: brukt %(brukt)s av %(budsjett)s. %(kommentar)s")
            % {"post": r["navn"], "brukt": kr(r["brukt"]), "budsjett": kr(r["budsjett"]), "kommentar": r["kommentar"]}
            for r in value
        ]
    if key == "deltakere":
        return [f"{r['tjeneste']}: {r['antall_ansatte']}" for r in value]
    if key == "egenvurdering":
        return [f"{r['tekst']}: {r.get('svar_tekst') or '–'}" for r in value]
    return str(value or "").splitlines()


def version_diff(old: dict, new: dict) -> list[dict]:
    """[{felt, label, removed: [...], added: [...]}] for each part that changed between two snapshots."""
    changes = []
    for key, label in DIFF_LABELS.items():
        before, after = _lines(key, old.get(key, "")), _lines(key, new.get(key, ""))
        if before == after:
            continue
        removed, added = [], []
        for line in difflib.ndiff(before, after):
            if line.startswith("- "):
                removed.append(line[2:])
            elif line.startswith("+ "):
                added.append(line[2:])
        changes.append({"felt": key, "label": str(label), "removed": removed, "added": added})
    return changes


def awaiting_review(user) -> QuerySet[ProgressReport]:
    return reports_visible_to(user).filter(status=ReportStatus.SENDT_INN).order_by("sendt_inn")
