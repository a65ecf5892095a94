"""Permission predicates for grants, registered in the one permission layer."""

from accounts.models import SERVICE_ROLES, STATSFORVALTER_ROLES, Role
from accounts.permissions import rule


def _sf_of(role, embete_id) -> bool:
    return role is not None and role.rolle in STATSFORVALTER_ROLES and role.embete_id == embete_id


def _bufdir(role) -> bool:
    return role is not None and role.rolle == Role.BUFDIR


def _applicant(role, application) -> bool:
    """A user of one of the applying services (colleagues read and edit drafts together)."""
    if role is None or role.rolle not in SERVICE_ROLES:
        return False
    return any(s.pk == role.tjeneste_id for s in application.tjenester.all())


@rule("grants.manage_frames")
def _manage_frames(user, role, _obj) -> bool:
    return _bufdir(role)


@rule("grants.view_frames")
def _view_frames(user, role, embete) -> bool:
    return _bufdir(role) or (embete is not None and _sf_of(role, embete.pk))


@rule("grants.manage_round")
def _manage_round(user, role, round_or_embete) -> bool:
    embete_id = getattr(round_or_embete, "embete_id", None) or getattr(round_or_embete, "pk", None)
    return _sf_of(role, embete_id)


@rule("grants.view_round")
def _view_round(user, role, rnd) -> bool:
    if _bufdir(role) or _sf_of(role, rnd.embete_id):
        return True
    if role is not None and role.rolle in SERVICE_ROLES:
        return rnd.status != "utkast" and role.tjeneste.vertskommune.embete_id == rnd.embete_id
    return False


@rule("grants.apply")
def _apply(user, role, rnd) -> bool:
    return (
        role is not None
        and role.rolle in SERVICE_ROLES
        and rnd.status == "publisert"
        and role.tjeneste.vertskommune.embete_id == rnd.embete_id
    )


@rule("grants.view_application")
def _view_application(user, role, application) -> bool:
    embete_id = application.utlysning.embete_id
    if _bufdir(role):
        return application.status != "utkast"
    return _sf_of(role, embete_id) and application.status != "utkast" or _applicant(role, application)


@rule("grants.edit_application")
def _edit_application(user, role, application) -> bool:
    return application.status == "utkast" and _applicant(role, application)


@rule("grants.submit")
def _submit(user, role, application) -> bool:
    return _applicant(role, application)


@rule("grants.withdraw")
def _withdraw(user, role, application) -> bool:
    return _applicant(role, application) and role.rolle == Role.TJENESTE_LEDER


@rule("grants.assess")
def _assess(user, role, application) -> bool:
    return _sf_of(role, application.utlysning.embete_id)


@rule("grants.decide")
def _decide(user, role, application) -> bool:
    return _sf_of(role, application.utlysning.embete_id)


@rule("grants.appeal")
def _appeal(user, role, application) -> bool:
    return _applicant(role, application) and role.rolle == Role.TJENESTE_LEDER


@rule("grants.register_payment")
def _register_payment(user, role, decision) -> bool:
    return _sf_of(role, decision.soknad.utlysning.embete_id)
