"""One permission layer: named predicates behind has_permission(user, action, obj).

Every view, template ({% if perms_for ... %}) and service asks here. A predicate gets the
user, the user's *active* role (a RoleAssignment or None) and the object, and returns a bool.
Superusers may do everything; Bufdir reads everything and edits nothing local.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .models import SERVICE_ROLES, STATSFORVALTER_ROLES, Role, RoleAssignment

Predicate = Callable[[object, RoleAssignment | None, object], bool]
_REGISTRY: dict[str, Predicate] = {}


def rule(action: str):
    def register(fn: Predicate) -> Predicate:
        if action in _REGISTRY:
            raise ValueError(f"Permission {action} is registered twice")
        _REGISTRY[action] = fn
        return fn

    return register


def get_active_role(user) -> RoleAssignment | None:
    """The role the user acts in now: chosen in the session (middleware), else their first active one."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if hasattr(user, "active_role"):
        return user.active_role
    roles = active_roles(user)
    user.active_role = roles[0] if roles else None
    return user.active_role


def active_roles(user) -> list[RoleAssignment]:
    cached = getattr(user, "_active_roles_cache", None)
    if cached is None:
        cached = list(
            RoleAssignment.objects.active()
            .filter(user=user)
            .select_related("embete", "tjeneste__vertskommune__embete", "partner")
            .order_by("rolle", "id")
        )
        user._active_roles_cache = cached
    return cached


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


# --- helpers ----------------------------------------------------------------------------------


def _is_sf_of(role: RoleAssignment | None, embete_id) -> bool:
    return role is not None and role.rolle in STATSFORVALTER_ROLES and role.embete_id == embete_id


def _is_service_user_of(role: RoleAssignment | None, service_id) -> bool:
    return role is not None and role.rolle in SERVICE_ROLES and role.tjeneste_id == service_id


def _is_bufdir(role) -> bool:
    return role is not None and role.rolle == Role.BUFDIR


def _is_staff_role(role) -> bool:
    return role is not None and (role.rolle == Role.BUFDIR or role.rolle in STATSFORVALTER_ROLES)


# --- organisations ----------------------------------------------------------------------------


@rule("organisations.view_embete")
def _view_embete(user, role, embete) -> bool:
    return _is_bufdir(role) or _is_sf_of(role, embete.pk)


@rule("organisations.view_kommune")
def _view_kommune(user, role, kommune) -> bool:
    return role is not None  # public reference data, for anyone with a role


@rule("organisations.change_kommune")
def _change_kommune(user, role, kommune) -> bool:
    return _is_sf_of(role, kommune.embete_id)


@rule("organisations.list_services")
def _list_services(user, role, _obj) -> bool:
    return role is not None and not role.is_partner


@rule("organisations.view_service")
def _view_service(user, role, service) -> bool:
    return _is_bufdir(role) or _is_sf_of(role, service.vertskommune.embete_id) or _is_service_user_of(role, service.pk)


@rule("organisations.add_service")
def _add_service(user, role, embete) -> bool:
    return _is_sf_of(role, embete.pk if embete is not None else None)


@rule("organisations.change_service")
def _change_service(user, role, service) -> bool:
    return _is_sf_of(role, service.vertskommune.embete_id)


@rule("organisations.import_services")
def _import_services(user, role, embete) -> bool:
    return _is_sf_of(role, embete.pk if embete is not None else None)


@rule("organisations.export_services")
def _export_services(user, role, _obj) -> bool:
    return _is_staff_role(role)


@rule("organisations.view_partner")
def _view_partner(user, role, partner) -> bool:
    return role is not None


@rule("organisations.manage_partners")
def _manage_partners(user, role, partner) -> bool:
    return _is_staff_role(role)


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
        if _is_sf_of(role, service.vertskommune.embete_id):
            return True
        # A service leader may invite colleagues to their own service.
        return role.rolle == Role.TJENESTE_LEDER and role.tjeneste_id == service.pk
    if target.rolle in STATSFORVALTER_ROLES:
        # Bufdir onboards statsforvalter staff; a statsforvalter leader may add colleagues.
        return _is_bufdir(role) or (role.rolle == Role.SF_LEDER and role.embete_id == target.embete_id)
    if target.rolle == Role.BUFDIR:
        return _is_bufdir(role)
    if target.rolle == Role.PARTNER:
        return _is_staff_role(role)
    return False


@rule("accounts.list_invitations")
def _list_invitations(user, role, _obj) -> bool:
    return _is_staff_role(role) or (role is not None and role.rolle == Role.TJENESTE_LEDER)


@rule("accounts.revoke_invitation")
def _revoke_invitation(user, role, invitation) -> bool:
    return _invite(user, role, invitation)


@rule("accounts.view_audit")
def _view_audit(user, role, _obj) -> bool:
    return _is_staff_role(role)


# --- privacy ----------------------------------------------------------------------------------


@rule("accounts.export_personal_data")
def _export_personal_data(user, role, subject) -> bool:
    """A person may export their own data, whatever their role (or none). Superusers (the data controller's
    operators) may export anyone's; everyone else no one else's."""
    return subject is not None and subject.pk == user.pk


@rule("accounts.anonymise_user")
def _anonymise_user(user, role, subject) -> bool:
    """Only superusers (via has_permission) and the command line anonymise accounts."""
    return False
