"""Permission predicates for the reporting duty (rapporteringskrav and utsettelser), registered in the one
permission layer (accounts.permissions).

The object is a ReportingRequirement (or a Postponement, whose requirement counts). Users of the services
taking part in the funded project (leaders and colleagues) see the requirement and may ask for a postponement;
the statsforvalter of the embete that made the grant sees it and decides postponements; Bufdir reads."""

from accounts.permissions import rule
from followup.models import Postponement

from .common import bufdir, participant, sf_of


def _requirement(obj):
    return obj.krav if isinstance(obj, Postponement) else obj


@rule("projects.view_requirement")
def _view_requirement(user, role, obj) -> bool:
    if obj is None:
        return False
    krav = _requirement(obj)
    return bufdir(role) or sf_of(role, krav) or participant(role, krav)


@rule("projects.request_postponement")
def _request_postponement(user, role, obj) -> bool:
    return obj is not None and participant(role, _requirement(obj))


@rule("projects.decide_postponement")
def _decide_postponement(user, role, obj) -> bool:
    return obj is not None and sf_of(role, _requirement(obj))
