"""Who takes part in a funded project for a reporting requirement: the one definition, used by the permission
predicates (followup.permissions.common), the reporting duty pages (selectors.duty), the report pages
(selectors.reports) and the report services (prefilled participants, reminders).

A service takes part when
- it took part in the project at any time during the grant year (a ProjectService period that overlaps the year
  the requirement covers: ProjectService.objects.active_in_year), or
- it is one of the services that applied for the grant.
A service that joined after the grant year, or left before it began, does not."""

from django.db.models import Exists, OuterRef, Q

from followup.models import ReportingRequirement
from grants.models import Application, Decision
from projects.models import ProjectService

_APPLICANTS = Application.tjenester.through


def taking_part(service_id: int) -> Q:
    """For a ReportingRequirement queryset: the requirements the service takes part in (one EXISTS each, so
    the rows are not repeated and the query count does not grow)."""
    in_project = ProjectService.objects.filter(prosjekt_id=OuterRef("prosjekt_id"), tjeneste_id=service_id)
    applied = _APPLICANTS.objects.filter(
        application_id=OuterRef("vedtak__soknad_id"), childwelfareservice_id=service_id
    )
    return Q(Exists(in_project.active_in_year(OuterRef("aar")))) | Q(Exists(applied))


def participant_service_ids(krav: ReportingRequirement) -> set[int]:
    """The services taking part in the requirement's project (as taking_part), in two queries. Cached on the
    requirement object, so a page asking many questions about one requirement pays once."""
    cached = getattr(krav, "_participant_ids", None)
    if cached is not None:
        return cached
    ids = set(
        ProjectService.objects.filter(prosjekt_id=krav.prosjekt_id)
        .active_in_year(krav.aar)
        .values_list("tjeneste_id", flat=True)
    )
    application_id = Decision.objects.filter(pk=krav.vedtak_id).values("soknad_id")
    ids |= set(
        _APPLICANTS.objects.filter(application_id__in=application_id).values_list("childwelfareservice_id", flat=True)
    )
    krav._participant_ids = ids
    return ids
