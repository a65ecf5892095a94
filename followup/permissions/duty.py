"""Permission predicates for the reporting duty (rapporteringskrav and utsettelser), registered in the one
permission layer (accounts.permissions).

The object is a ReportingRequirement (or a Postponement, whose requirement counts). Who sees a requirement is
followup.scoping.requirements: users of the services taking part in the funded project (leaders and
colleagues), who may also ask for a postponement; the statsforvalter of the embete that made the grant, who
decides postponements; Bufdir, who reads."""

from accounts.permissions import rule
from accounts.scoping import embete_id_of, service_id_of, standing_of
from followup import scoping


@rule("projects.view_requirement")
def _view_requirement(user, role, obj) -> bool:
    return obj is not None and scoping.requirements(standing_of(user, role)).test(obj)


@rule("projects.request_postponement")
def _request_postponement(user, role, obj) -> bool:
    return obj is not None and scoping.participating(service_id_of(role)).test(obj)


@rule("projects.decide_postponement")
def _decide_postponement(user, role, obj) -> bool:
    return obj is not None and scoping.grant_embete(embete_id_of(role)).test(obj)
