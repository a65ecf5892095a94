"""Who may see what of the follow-up of grants: the one scoping rule per model (accounts.scoping). The list
selectors (followup.selectors.duty.requirements_visible_to, followup.selectors.reports.reports_visible_to) apply
the rule's filter; the permission predicates (followup.permissions: projects.view_requirement,
projects.view_report and the rules built on who takes part) ask its test on one object.

- ReportingRequirement (rapporteringskrav): superusers and Bufdir all; the statsforvalter of the embete that
  made the grant its embete's; users of a service taking part in the funded project in the grant year
  (followup.selectors.participation) those; others none.
- ProgressReport (framdriftsrapport): superusers all; Bufdir every report submitted at least once; the
  statsforvalter of the grant's embete its embete's reports submitted at least once; users of a service taking
  part their project's reports, drafts too; others none.
- ChangeNotice (endringsmelding): whoever sees its application (grants.scoping.applications).
"""

from django.db.models import Q

from accounts.scoping import EVERYTHING, NOTHING, Condition, Standing, field_is
from followup.models import Postponement, ProgressReport, ReportingRequirement, ReportStatus
from followup.selectors.participation import participant_service_ids, taking_part
from grants import scoping as grant_scoping
from grants.models import Application


def requirement_of(obj) -> ReportingRequirement:
    """The requirement a rule asks about: a requirement's own, or that of a progress report or a postponement."""
    return obj.krav if isinstance(obj, ProgressReport | Postponement) else obj


def grant_embete_id(krav: ReportingRequirement) -> int:
    """The embete that made the grant the requirement follows up."""
    return krav.vedtak.soknad.utlysning.embete_id


def grant_embete(embete_id: int | None, via: str = "") -> Condition:
    """Requirements (or, with via="krav__", reports) of grants the embete made."""
    return field_is(
        f"{via}vedtak__soknad__utlysning__embete_id", embete_id, lambda obj: grant_embete_id(requirement_of(obj))
    )


def participating(service_id: int | None) -> Condition:
    """Requirements the service takes part in (followup.selectors.participation: the one definition)."""
    if service_id is None:
        return NOTHING
    return Condition(taking_part(service_id), lambda obj: service_id in participant_service_ids(requirement_of(obj)))


def _never_submitted(obj) -> bool:
    """A draft that was never submitted; a requirement without a report counts as one."""
    return not isinstance(obj, ProgressReport) or (obj.status == ReportStatus.UTKAST and obj.versjon == 0)


SUBMITTED_ONCE = Condition(~Q(status=ReportStatus.UTKAST, versjon=0), lambda obj: not _never_submitted(obj))


def requirements(standing: Standing) -> Condition:
    if standing.sees_all:
        return EVERYTHING
    if standing.statsforvalter:
        return grant_embete(standing.embete_id)
    return participating(standing.service_id)


def progress_reports(standing: Standing) -> Condition:
    """Who may see a progress report. The test also takes a requirement whose report does not exist yet: only
    those taking part see that (staff see no draft that was never submitted)."""
    if standing.superuser:
        return EVERYTHING
    if standing.bufdir:
        return SUBMITTED_ONCE
    if standing.statsforvalter:
        return grant_embete(standing.embete_id, via="krav__") & SUBMITTED_ONCE
    return participating(standing.service_id).via("krav", ReportingRequirement, requirement_of)


def change_notices(standing: Standing) -> Condition:
    """Who may see a change notice (endringsmelding): whoever may see its application (grants.scoping.applications:
    the applying services' users, the statsforvalter of the embete, Bufdir, superusers). The test reads
    notice.soknad.utlysning and notice.soknad.tjenester.all(), which the selectors load."""
    return grant_scoping.applications(standing).via("soknad", Application, lambda notice: notice.soknad)
