"""The user's standing: the one definition of what a user's role reaches, and the building block of every
scoping rule ("what may this user see of model X").

- `standing(user)` (or `standing_of(user, role)` inside a permission predicate) says who the user is for access:
  a superuser, Bufdir, the statsforvalter of an embete, a user (leader or colleague) of a child welfare service,
  or a partner's user. Every selector and predicate asks it instead of reading `role.rolle` itself.
- The role helpers below (`is_bufdir`, `is_statsforvalter_of`, …) answer the small questions the predicates
  repeat ("is this the statsforvalter of that embete").
- `Condition` pairs a database filter (a Q) with the same rule in Python (a test on one object). Each app writes
  its scoping rule once, in its `scoping` module, as a function of the standing that returns a Condition; the
  list selector (`*_visible_to`) applies its `.q`, the permission predicate asks its `.test(obj)`. So a row is in
  the list exactly when the predicate lets the user open it (tests/<app>/test_scoping.py proves it per role).

Superusers see everything: `has_permission` lets them pass before any predicate, and `Condition` rules give them
EVERYTHING.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from .models import SERVICE_ROLES, STATSFORVALTER_ROLES, Role, RoleAssignment

# --- the active role -------------------------------------------------------------------------------------


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


# --- role helpers (for predicates, which get the active role) --------------------------------------------


def is_bufdir(role: RoleAssignment | None) -> bool:
    return role is not None and role.rolle == Role.BUFDIR


def is_statsforvalter(role: RoleAssignment | None) -> bool:
    return role is not None and role.rolle in STATSFORVALTER_ROLES


def is_staff(role: RoleAssignment | None) -> bool:
    """Bufdir or a statsforvalter: the roles that work across services (and must use two-factor login)."""
    return is_bufdir(role) or is_statsforvalter(role)


def is_service_user(role: RoleAssignment | None) -> bool:
    return role is not None and role.rolle in SERVICE_ROLES


def is_service_leader(role: RoleAssignment | None) -> bool:
    return role is not None and role.rolle == Role.TJENESTE_LEDER


def is_partner(role: RoleAssignment | None) -> bool:
    return role is not None and role.rolle == Role.PARTNER


def embete_id_of(role: RoleAssignment | None) -> int | None:
    """The embete a statsforvalter acts for (None for every other role)."""
    return role.embete_id if is_statsforvalter(role) else None


def service_id_of(role: RoleAssignment | None) -> int | None:
    """The service a service leader or colleague works in (None for every other role)."""
    return role.tjeneste_id if is_service_user(role) else None


def service_embete_id_of(role: RoleAssignment | None) -> int | None:
    """The embete of the service user's service (its host municipality's embete); None for other roles.
    active_roles() selects the service with its host municipality, so this costs no query."""
    return role.tjeneste.vertskommune.embete_id if is_service_user(role) else None


def partner_id_of(role: RoleAssignment | None) -> int | None:
    return role.partner_id if is_partner(role) else None


def is_statsforvalter_of(role: RoleAssignment | None, embete_id) -> bool:
    return embete_id is not None and embete_id_of(role) == embete_id


def is_service_user_of(role: RoleAssignment | None, service_id) -> bool:
    return service_id is not None and service_id_of(role) == service_id


def is_service_leader_of(role: RoleAssignment | None, service_id) -> bool:
    return is_service_leader(role) and role.tjeneste_id == service_id


# --- the standing -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """Who a user is for access. `role` is the active role (None: no role)."""

    user: object
    role: RoleAssignment | None
    superuser: bool = False

    @property
    def bufdir(self) -> bool:
        return is_bufdir(self.role)

    @property
    def sees_all(self) -> bool:
        """Superusers and Bufdir read every embete's data."""
        return self.superuser or self.bufdir

    @property
    def statsforvalter(self) -> bool:
        return is_statsforvalter(self.role)

    @property
    def staff(self) -> bool:
        return is_staff(self.role)

    @property
    def embete_id(self) -> int | None:
        """The statsforvalter's embete (None for other roles)."""
        return embete_id_of(self.role)

    @property
    def embete(self):
        """The statsforvalter's Embete (None for other roles)."""
        return self.role.embete if self.statsforvalter else None

    @property
    def embete_ids(self) -> list[int] | None:
        """The embeter whose data the user reads: None for all (superuser, Bufdir), [own] for a statsforvalter,
        [] for everyone else."""
        if self.sees_all:
            return None
        return [self.embete_id] if self.statsforvalter else []

    @property
    def service_id(self) -> int | None:
        """The service the user leads or works in (None for other roles)."""
        return service_id_of(self.role)

    @property
    def service_leader(self) -> bool:
        return is_service_leader(self.role)

    @property
    def service_embete_id(self) -> int | None:
        return service_embete_id_of(self.role)

    @property
    def partner_id(self) -> int | None:
        return partner_id_of(self.role)


def standing_of(user, role: RoleAssignment | None) -> Standing:
    """The standing of a user acting in `role` (what a permission predicate gets)."""
    return Standing(user=user, role=role, superuser=bool(getattr(user, "is_superuser", False)))


def standing(user) -> Standing:
    """The standing of a user in their active role; nobody's for an anonymous or inactive user."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Standing(user=None, role=None)
    return standing_of(user, get_active_role(user))


# --- conditions: one rule, as a filter and as a test --------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """A rule on one model, written once: `q` filters a queryset of the model, `test(obj)` answers for one object
    with the same fields (from the object, its selected relations and prefetches, or a cached helper, so a page
    asking many questions adds no queries per row)."""

    q: Q
    test: Callable[[object], bool]
    empty: bool = False

    def __and__(self, other: "Condition") -> "Condition":
        if self.empty or other.empty:
            return NOTHING
        return Condition(self.q & other.q, lambda obj: self.test(obj) and other.test(obj))

    def __or__(self, other: "Condition") -> "Condition":
        if self.empty:
            return other
        if other.empty:
            return self
        return Condition(self.q | other.q, lambda obj: self.test(obj) or other.test(obj))

    def via(self, field: str, model, get: Callable[[object], object]) -> "Condition":
        """The rule on a related model, for a model that points at it: `field` is the foreign key, `model` the
        related model, `get(obj)` the related object."""
        if self.empty:
            return NOTHING
        return Condition(
            Q(**{f"{field}__in": model.objects.filter(self.q).values("pk")}), lambda obj: self.test(get(obj))
        )

    def apply(self, qs: QuerySet) -> QuerySet:
        """The rows of qs the rule lets through."""
        return qs.none() if self.empty else qs.filter(self.q)


EVERYTHING = Condition(Q(), lambda obj: True)
NOTHING = Condition(Q(pk__in=[]), lambda obj: False, empty=True)


def field_is(lookup: str, value, get: Callable[[object], object]) -> Condition:
    """The object's field (`lookup` in the database, `get(obj)` in Python) equals value."""
    if value is None:
        return NOTHING
    return Condition(Q(**{lookup: value}), lambda obj: get(obj) == value)


# --- accounts' own model ----------------------------------------------------------------------------------


def invitations(standing: Standing) -> Condition:
    """Who sees an invitation (accounts.selectors.invitations_visible_to): superusers and Bufdir all; a
    statsforvalter those to services hosted in its embete, to its embete, and the partner invitations it sent
    (they belong to no embete); a service leader those to its service; others none."""
    if standing.sees_all:
        return EVERYTHING
    if standing.statsforvalter:
        embete_id, user_id = standing.embete_id, standing.user.pk
        return (
            field_is(
                "tjeneste__vertskommune__embete_id",
                embete_id,
                lambda inv: inv.tjeneste.vertskommune.embete_id if inv.tjeneste_id else None,
            )
            | field_is("embete_id", embete_id, lambda inv: inv.embete_id)
            | Condition(
                Q(partner__isnull=False, invitert_av_id=user_id),
                lambda inv: inv.partner_id is not None and inv.invitert_av_id == user_id,
            )
        )
    if standing.service_leader:
        return field_is("tjeneste_id", standing.service_id, lambda inv: inv.tjeneste_id)
    return NOTHING
