"""Permission predicates for grants, registered in the one permission layer."""

from accounts.permissions import rule
from accounts.scoping import (
    is_bufdir,
    is_service_leader,
    is_service_user,
    is_statsforvalter_of,
    service_embete_id_of,
    service_id_of,
    standing_of,
)

from . import scoping
from .models import UNDECIDED, ApplicationStatus, RoundStatus


def _applicant(role, application) -> bool:
    """A user of one of the applying services (grants.scoping.applicant)."""
    return scoping.applicant(service_id_of(role)).test(application)


@rule("grants.manage_frames")
def _manage_frames(user, role, _obj) -> bool:
    return is_bufdir(role)


@rule("grants.view_frames")
def _view_frames(user, role, embete) -> bool:
    return is_bufdir(role) or (embete is not None and is_statsforvalter_of(role, embete.pk))


@rule("grants.manage_round")
def _manage_round(user, role, round_or_embete) -> bool:
    embete_id = getattr(round_or_embete, "embete_id", None) or getattr(round_or_embete, "pk", None)
    return is_statsforvalter_of(role, embete_id)


@rule("grants.view_round")
def _view_round(user, role, rnd) -> bool:
    return scoping.rounds(standing_of(user, role)).test(rnd)


@rule("grants.apply")
def _apply(user, role, rnd) -> bool:
    return is_service_user(role) and rnd.status == RoundStatus.PUBLISERT and service_embete_id_of(role) == rnd.embete_id


@rule("grants.view_application")
def _view_application(user, role, application) -> bool:
    return scoping.applications(standing_of(user, role)).test(application)


# The applicants may change the application while it is a draft, and again while it waits for the information the
# statsforvalter asked for (grants.information); they then answer and resubmit it as a new version.
EDITABLE = (ApplicationStatus.UTKAST, ApplicationStatus.VENTER_OPPLYSNINGER)


@rule("grants.edit_application")
def _edit_application(user, role, application) -> bool:
    return application.status in EDITABLE and _applicant(role, application)


@rule("grants.delete_draft")
def _delete_draft(user, role, application) -> bool:
    """The applicants delete their own draft (grants.drafts_lifecycle.delete_draft)."""
    return application.status == ApplicationStatus.UTKAST and _applicant(role, application)


@rule("grants.submit")
def _submit(user, role, application) -> bool:
    return _applicant(role, application)


@rule("grants.withdraw")
def _withdraw(user, role, application) -> bool:
    return _applicant(role, application) and is_service_leader(role)


@rule("grants.assess")
def _assess(user, role, application) -> bool:
    return is_statsforvalter_of(role, application.utlysning.embete_id)


@rule("grants.request_information")
def _request_information(user, role, application) -> bool:
    """Send the application back to the applicants with questions and a deadline (the workflow table decides in
    which statuses)."""
    return is_statsforvalter_of(role, application.utlysning.embete_id)


@rule("grants.write_case_message")
def _write_case_message(user, role, application) -> bool:
    """A message in the case: the applicants and the embete's statsforvalter, while the case is open."""
    if application.status not in UNDECIDED:
        return False
    return _applicant(role, application) or is_statsforvalter_of(role, application.utlysning.embete_id)


@rule("grants.decide")
def _decide(user, role, application) -> bool:
    return is_statsforvalter_of(role, application.utlysning.embete_id)


@rule("grants.appeal")
def _appeal(user, role, application) -> bool:
    return _applicant(role, application) and is_service_leader(role)


@rule("grants.register_payment")
def _register_payment(user, role, decision) -> bool:
    return is_statsforvalter_of(role, decision.soknad.utlysning.embete_id)


@rule("grants.decide_appeal")
def _decide_appeal(user, role, _appeal) -> bool:
    """Bufdir is the klageinstans: it sees the queue of forwarded appeals and decides them (grants.appeals)."""
    return is_bufdir(role)
