"""Permission predicates for change notices (endringsmeldinger), registered in the one permission layer
(accounts.permissions).

- followup.send_change_notice (an Application): users (leaders and staff) of an applying service of an awarded
  application whose decision exists and whose project is not ended;
- followup.view_change_notice (a ChangeNotice): followup.scoping.change_notices (whoever sees the application);
- followup.decide_change_notice (a ChangeNotice): the statsforvalter of the embete that made the grant (the same
  people who may decide the application, grants.decide)."""

from accounts.permissions import rule
from accounts.scoping import is_statsforvalter_of, service_id_of, standing_of
from followup import scoping
from grants import scoping as grant_scoping
from grants.models import AWARDED, Decision
from projects.models import Phase


def _has_decision(application) -> bool:
    try:
        return application.vedtak is not None
    except Decision.DoesNotExist:
        return False


@rule("followup.send_change_notice")
def _send_change_notice(user, role, application) -> bool:
    return (
        application is not None
        and application.status in AWARDED
        and application.prosjekt.fase != Phase.AVSLUTTET
        and grant_scoping.applicant(service_id_of(role)).test(application)
        and _has_decision(application)
    )


@rule("followup.view_change_notice")
def _view_change_notice(user, role, notice) -> bool:
    return notice is not None and scoping.change_notices(standing_of(user, role)).test(notice)


@rule("followup.decide_change_notice")
def _decide_change_notice(user, role, notice) -> bool:
    return notice is not None and is_statsforvalter_of(role, notice.soknad.utlysning.embete_id)
