"""Permission predicates for progress reports, registered in the one permission layer (accounts.permissions).

The object is a ProgressReport or, before the report exists, its ReportingRequirement. Users of the services
taking part in the funded project (leaders and colleagues) write and submit; the statsforvalter of the
embete that made the grant reviews; Bufdir reads. Statsforvalter and Bufdir do not see drafts that were never
submitted."""

from accounts.permissions import rule
from followup.models import ProgressReport, ReportStatus

from .common import bufdir, participant, sf_of


def _requirement(obj):
    return obj.krav if isinstance(obj, ProgressReport) else obj


def _never_submitted(obj) -> bool:
    return not isinstance(obj, ProgressReport) or (obj.status == ReportStatus.UTKAST and obj.versjon == 0)


@rule("projects.edit_report")
def _edit_report(user, role, obj) -> bool:
    return obj is not None and participant(role, _requirement(obj))


@rule("projects.view_report")
def _view_report(user, role, obj) -> bool:
    if obj is None:
        return False
    krav = _requirement(obj)
    if participant(role, krav):
        return True
    return (bufdir(role) or sf_of(role, krav)) and not _never_submitted(obj)


@rule("projects.review_report")
def _review_report(user, role, obj) -> bool:
    return obj is not None and sf_of(role, _requirement(obj))
