"""Who may see what of grants: the one scoping rule per model (accounts.scoping). The list selectors
(grants.selectors.rounds_visible_to, applications_visible_to) apply the rule's filter; the permission predicates
(grants.permissions: grants.view_round, grants.view_application) ask its test on one object.

- ApplicationRound (utlysning): superusers and Bufdir all; a statsforvalter its embete's; a service's users the
  published and closed rounds of their service's embete; others none.
- Application (søknad): superusers all; Bufdir all but drafts; a statsforvalter its embete's, but drafts; a
  service's users those their service applies in (drafts too); others none.
"""

from django.db.models import Exists, OuterRef, Q

from accounts.scoping import EVERYTHING, NOTHING, Condition, Standing, field_is

from .models import Application, ApplicationStatus, RoundStatus

_APPLICANTS = Application.tjenester.through

ROUND_PUBLISHED = Condition(~Q(status=RoundStatus.UTKAST), lambda rnd: rnd.status != RoundStatus.UTKAST)
APPLICATION_SUBMITTED = Condition(
    ~Q(status=ApplicationStatus.UTKAST), lambda application: application.status != ApplicationStatus.UTKAST
)


def applicant(service_id: int | None) -> Condition:
    """The service is one of the applying services (colleagues read and edit drafts together). The test reads
    application.tjenester.all(), which the detail pages prefetch."""
    if service_id is None:
        return NOTHING
    return Condition(
        Q(Exists(_APPLICANTS.objects.filter(application_id=OuterRef("pk"), childwelfareservice_id=service_id))),
        lambda application: any(s.pk == service_id for s in application.tjenester.all()),
    )


def rounds(standing: Standing) -> Condition:
    if standing.sees_all:
        return EVERYTHING
    if standing.statsforvalter:
        return field_is("embete_id", standing.embete_id, lambda rnd: rnd.embete_id)
    if standing.service_id is not None:
        return field_is("embete_id", standing.service_embete_id, lambda rnd: rnd.embete_id) & ROUND_PUBLISHED
    return NOTHING


def applications(standing: Standing) -> Condition:
    if standing.superuser:
        return EVERYTHING
    if standing.bufdir:
        return APPLICATION_SUBMITTED
    if standing.statsforvalter:
        embete = field_is("utlysning__embete_id", standing.embete_id, lambda a: a.utlysning.embete_id)
        return embete & APPLICATION_SUBMITTED
    return applicant(standing.service_id)
