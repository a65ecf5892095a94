"""Who may see a development project: the one scoping rule (accounts.scoping). The list selector
(projects.selectors.projects.projects_visible_to) applies the rule's filter; the permission predicate
(projects.permissions: projects.view_project, and through it an output's file) asks its test on one project.

- DevelopmentProject (utviklingsprosjekt): superusers and Bufdir all; a statsforvalter those of its embete's
  networks; users of a service that takes or took part (any period) those; users of a partner that is or was a
  partner in it those; others none.
"""

from django.db.models import Exists, OuterRef, Q

from accounts.scoping import EVERYTHING, NOTHING, Condition, Standing, field_is
from projects.models import ProjectPartner, ProjectService


def service_periods(project) -> list[ProjectService]:
    """The project's service periods, from the prefetch when there is one (project_detail), else one query,
    cached on the object so a page asking many questions about one project pays once."""
    cache = getattr(project, "_prefetched_objects_cache", {})
    if "deltakelse" in cache:
        return list(project.deltakelse.all())
    periods = getattr(project, "_service_periods", None)
    if periods is None:
        periods = list(ProjectService.objects.filter(prosjekt_id=project.pk))
        project._service_periods = periods
    return periods


def _is_partner(project, partner_id: int) -> bool:
    cache = getattr(project, "_prefetched_objects_cache", {})
    if "partnere" in cache:
        return any(p.partner_id == partner_id for p in project.partnere.all())
    return ProjectPartner.objects.filter(prosjekt_id=project.pk, partner_id=partner_id).exists()


def service_ever(service_id: int | None) -> Condition:
    """The service takes or took part in the project (any period)."""
    if service_id is None:
        return NOTHING
    return Condition(
        Q(Exists(ProjectService.objects.filter(prosjekt=OuterRef("pk"), tjeneste_id=service_id))),
        lambda project: any(p.tjeneste_id == service_id for p in service_periods(project)),
    )


def partner_ever(partner_id: int | None) -> Condition:
    """The partner is or was a partner in the project."""
    if partner_id is None:
        return NOTHING
    return Condition(
        Q(Exists(ProjectPartner.objects.filter(prosjekt=OuterRef("pk"), partner_id=partner_id))),
        lambda project: _is_partner(project, partner_id),
    )


def projects(standing: Standing) -> Condition:
    if standing.sees_all:
        return EVERYTHING
    if standing.statsforvalter:
        return field_is("network__embete_id", standing.embete_id, lambda project: project.network.embete_id)
    if standing.service_id is not None:
        return service_ever(standing.service_id)
    return partner_ever(standing.partner_id)
