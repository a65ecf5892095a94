"""Reads for development projects: the projects a user may see, one project with everything on its page, and
the national knowledge bank. List queries stay constant as data grows (prefetches, EXISTS filters, subquery
sums)."""

from decimal import Decimal

from django.db.models import DecimalField, Prefetch, QuerySet, Value
from django.utils import timezone

from accounts.scoping import standing
from projects import scoping
from projects.extensions import pages
from projects.filters import ProjectFilter
from projects.models import DevelopmentProject, Output, PhaseChange, ProjectContact, ProjectPartner, ProjectService

ZERO = Decimal("0")


# --- which projects -------------------------------------------------------------------------------------


def projects_visible_to(user) -> QuerySet[DevelopmentProject]:
    """Bufdir: all; statsforvalter: the embete's; services: the projects their service takes or took part in;
    partners: the projects their organisation is or was a partner in; anyone else: none (projects.scoping)."""
    return scoping.projects(standing(user)).apply(DevelopmentProject.objects.all())


def _list_annotations() -> dict:
    """The list page's figures from the layers above (projects.extensions): `tildelt_sum` from grants, 0 without."""
    annotations = {name: make() for name, make in pages.list_annotations.items()}
    annotations.setdefault("tildelt_sum", Value(ZERO, output_field=DecimalField(max_digits=14, decimal_places=2)))
    return annotations


def project_list(user) -> QuerySet[DevelopmentProject]:
    """The user's projects for the list page: network, embete, leader, themes, the services taking part today
    and the total awarded, in a fixed number of queries."""
    today = timezone.localdate()
    return (
        projects_visible_to(user)
        .select_related("network__embete", "prosjektleder")
        .prefetch_related(
            "temaer",
            Prefetch(
                "deltakelse",
                queryset=ProjectService.objects.active_on(today).select_related("tjeneste").order_by("tjeneste__navn"),
                to_attr="aktive_tjenester",
            ),
        )
        .annotate(**_list_annotations())
        .order_by("network__embete__navn", "network__navn", "navn", "pk")
    )


# --- one project ---------------------------------------------------------------------------------------------


def project_detail(pk: int) -> DevelopmentProject | None:
    """The project with everything its page shows prefetched. Permission is checked by the caller."""
    return (
        DevelopmentProject.objects.select_related("network__embete", "prosjektleder")
        .prefetch_related(
            "temaer",
            Prefetch(
                "fasehistorikk", queryset=PhaseChange.objects.select_related("endret_av").order_by("fra_dato", "id")
            ),
            Prefetch(
                "deltakelse",
                queryset=ProjectService.objects.select_related("tjeneste__vertskommune").order_by(
                    "til_dato", "fra_dato", "tjeneste__navn"
                ),
            ),
            Prefetch("kontakter", queryset=ProjectContact.objects.select_related("user").order_by("id")),
            Prefetch(
                "partnere",
                queryset=ProjectPartner.objects.select_related("partner").order_by("til_dato", "fra_dato", "id"),
            ),
            Prefetch("resultater", queryset=Output.objects.select_related("opprettet_av").order_by("tittel")),
            *(make() for make in pages.detail_prefetches),  # grants' awards, followup's requirements
        )
        .filter(pk=pk)
        .first()
    )


def grant_rows(project: DevelopmentProject) -> list:
    """The rows of the project page's grant table, from followup (projects.extensions); none without it. Uses
    project_detail's prefetches."""
    return pages.grant_rows(project) if pages.grant_rows is not None else []


def phase_history(project: DevelopmentProject) -> list[dict]:
    """[{fase, label, fra, til, endret_av}] oldest first; without recorded changes, the current phase since
    the planned start."""
    changes = list(project.fasehistorikk.all())
    if not changes:
        return [
            {
                "fase": project.fase,
                "label": project.get_fase_display(),
                "fra": project.planlagt_start,
                "til": None,
                "endret_av": None,
            }
        ]
    rows = []
    for i, change in enumerate(changes):
        nxt = changes[i + 1].fra_dato if i + 1 < len(changes) else None
        rows.append(
            {
                "fase": change.fase,
                "label": change.get_fase_display(),
                "fra": change.fra_dato,
                "til": nxt,
                "endret_av": change.endret_av,
            }
        )
    return rows


def awarded_by_year(project: DevelopmentProject) -> list[tuple[int, Decimal]]:
    """Per year, the total awarded, from knowledge_bank_detail's prefetch of the awards (grants registers it; the
    reverse accessor `tildelinger` is grants.Award's, read without importing grants)."""
    totals: dict[int, Decimal] = {}
    for award in project.tildelinger.all():
        totals[award.aar] = totals.get(award.aar, ZERO) + award.belop
    return sorted(totals.items())


# --- the knowledge bank --------------------------------------------------------------------------------------


def listed_projects() -> QuerySet[DevelopmentProject]:
    """Projects listed in the knowledge bank, with what a result card shows, in a fixed number of queries."""
    return (
        DevelopmentProject.objects.filter(i_kunnskapsbanken=True)
        .select_related("network__embete")
        .prefetch_related(
            "temaer",
            Prefetch("resultater", queryset=Output.objects.order_by("tittel")),
            Prefetch("partnere", queryset=ProjectPartner.objects.select_related("partner").order_by("partner__navn")),
        )
        .order_by("navn", "pk")
    )


def knowledge_bank(params=None) -> QuerySet[DevelopmentProject]:
    """Listed projects matching the search (theme, category, orientation, phase, embete, partner, text)."""
    return ProjectFilter(params or None, queryset=listed_projects()).qs


def knowledge_bank_detail(pk: int) -> DevelopmentProject | None:
    """A listed project for every logged-in user; None when it does not exist or is not listed."""
    return (
        DevelopmentProject.objects.filter(pk=pk, i_kunnskapsbanken=True)
        .select_related("network__embete", "prosjektleder")
        .prefetch_related(
            "temaer",
            Prefetch("fasehistorikk", queryset=PhaseChange.objects.order_by("fra_dato", "id")),
            Prefetch(
                "deltakelse",
                queryset=ProjectService.objects.select_related("tjeneste").order_by("til_dato", "fra_dato"),
            ),
            Prefetch("kontakter", queryset=ProjectContact.objects.select_related("user").order_by("id")),
            Prefetch(
                "partnere",
                queryset=ProjectPartner.objects.select_related("partner").order_by("til_dato", "fra_dato", "id"),
            ),
            Prefetch("resultater", queryset=Output.objects.order_by("tittel")),
            *(make() for make in pages.knowledge_bank_prefetches),  # grants' awards (awarded_by_year)
        )
        .first()
    )
