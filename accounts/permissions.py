"""One permission layer: named predicates behind has_permission(user, action, obj).

Every view, template ({% if perms_for ... %}) and service asks here. A predicate gets the
user, the user's *active* role (a RoleAssignment or None) and the object, and returns a bool.
Superusers may do everything; Bufdir reads everything and edits nothing local.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .models import SERVICE_ROLES, STATSFORVALTER_ROLES, Role, RoleAssignment
from .scoping import active_roles as active_roles  # callers ask here for the active role, as before accounts.scoping
from .scoping import get_active_role, is_bufdir, is_service_leader, is_service_leader_of, is_staff, is_statsforvalter_of

Predicate = Callable[[object, RoleAssignment | None, object], bool]
_REGISTRY: dict[str, Predicate] = {}


def rule(action: str):
    def register(fn: Predicate) -> Predicate:
        if action in _REGISTRY:
            raise ValueError(f"Permission {action} is registered twice")
        _REGISTRY[action] = fn
        return fn

    return register


def has_permission(user, action: str, obj=None) -> bool:
    # Check the name first, so a misspelt action fails loudly for every visitor, not only logged-in ones.
    if action not in _REGISTRY:
        raise KeyError(f"Unknown permission action: {action}")
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return bool(_REGISTRY[action](user, get_active_role(user), obj))


def require(user, action: str, obj=None) -> None:
    """Raise PermissionDenied (Norwegian message) unless the user may do the action."""
    if not has_permission(user, action, obj):
        raise PermissionDenied(_("Du har ikke tilgang til dette."))


# --- accounts ---------------------------------------------------------------------------------


@rule("accounts.invite")
def _invite(user, role, target) -> bool:
    """target is an unsaved Invitation describing who is invited to what."""
    if role is None or target is None:
        return False
    if target.rolle in SERVICE_ROLES:
        service = target.tjeneste
        if service is None:
            return False
        if is_statsforvalter_of(role, service.vertskommune.embete_id):
            return True
        # A service leader may invite colleagues to their own service.
        return is_service_leader_of(role, service.pk)
    if target.rolle in STATSFORVALTER_ROLES:
        # Bufdir onboards statsforvalter staff; a statsforvalter leader may add colleagues.
        return is_bufdir(role) or (role.rolle == Role.SF_LEDER and is_statsforvalter_of(role, target.embete_id))
    if target.rolle == Role.BUFDIR:
        return is_bufdir(role)
    if target.rolle == Role.PARTNER:
        return is_staff(role)
    return False


@rule("accounts.list_invitations")
def _list_invitations(user, role, _obj) -> bool:
    return is_staff(role) or is_service_leader(role)


@rule("accounts.revoke_invitation")
def _revoke_invitation(user, role, invitation) -> bool:
    return _invite(user, role, invitation)


@rule("accounts.view_audit")
def _view_audit(user, role, _obj) -> bool:
    return is_staff(role)
