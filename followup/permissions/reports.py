"""Permission predicates for progress reports, registered in the one permission layer (accounts.permissions).

The object is a ProgressReport or, before the report exists, its ReportingRequirement. Who sees a report is
followup.scoping.progress_reports: users of the services taking part in the funded project (leaders and
colleagues), who write and submit; the statsforvalter of the embete that made the grant, who reviews; Bufdir,
who reads. Statsforvalter and Bufdir do not see drafts that were never submitted."""

from accounts.permissions import rule
from accounts.scoping import embete_id_of, service_id_of, standing_of
from followup import scoping


@rule("projects.edit_report")
def _edit_report(user, role, obj) -> bool:
    return obj is not None and scoping.participating(service_id_of(role)).test(obj)


@rule("projects.view_report")
def _view_report(user, role, obj) -> bool:
    return obj is not None and scoping.progress_reports(standing_of(user, role)).test(obj)


@rule("projects.review_report")
def _review_report(user, role, obj) -> bool:
    return obj is not None and scoping.grant_embete(embete_id_of(role)).test(obj)
