"""The application workflow as data: state -> {next state: the permission action that makes the move}.

This table is the single source. Every service that changes an application's status asks `check` first
(submit, withdraw, assigning a case officer, decide), and the pages ask `available` for the buttons they show,
so the table decides both which moves exist and who may make them (through accounts.permissions)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.permissions import has_permission, require

from .models import ApplicationStatus as S

TRANSITIONS: dict[str, dict[str, str]] = {
    S.UTKAST: {S.SENDT_INN: "grants.submit", S.TRUKKET: "grants.withdraw"},
    S.SENDT_INN: {
        S.UNDER_BEHANDLING: "grants.assess",
        S.VENTER_OPPLYSNINGER: "grants.request_information",
        S.TRUKKET: "grants.withdraw",
    },
    S.UNDER_BEHANDLING: {
        S.INNVILGET: "grants.decide",
        S.DELVIS_INNVILGET: "grants.decide",
        S.AVSLATT: "grants.decide",
        S.VENTER_OPPLYSNINGER: "grants.request_information",
        S.TRUKKET: "grants.withdraw",
    },
    # Sent back for more information (grants.information): the applicants answer and resubmit.
    S.VENTER_OPPLYSNINGER: {S.UNDER_BEHANDLING: "grants.submit", S.TRUKKET: "grants.withdraw"},
    S.INNVILGET: {},
    S.DELVIS_INNVILGET: {},
    S.AVSLATT: {},
    S.TRUKKET: {},
}

# target -> the permission actions of the moves into it (one for most targets: trukket is always grants.withdraw,
# innvilget always grants.decide; «under behandling» has two, grants.assess from «sendt inn» and grants.submit when
# the applicants answer a request for information).
_INTO: dict[str, set[str]] = {}
for _targets in TRANSITIONS.values():
    for _target, _action in _targets.items():
        _INTO.setdefault(_target, set()).add(_action)


def allowed(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, {})


def next_states(current: str) -> list[str]:
    return list(TRANSITIONS.get(current, {}))


def actions_for(current: str, target: str) -> set[str]:
    """The permission actions that guard moving from `current` to `target`: the table's for a move in it; for a
    move not in it, those of the moves into `target`, so that only a user who could make such a move learns
    that this one is not possible now (everyone else is refused access, as before any state check)."""
    action = TRANSITIONS.get(current, {}).get(target)
    return {action} if action else set(_INTO.get(target, ()))


def may(user, application, target: str) -> bool:
    """The move is in the table and the user has the permission it names."""
    action = TRANSITIONS.get(application.status, {}).get(target)
    return action is not None and has_permission(user, action, application)


def available(user, application) -> list[str]:
    """The next states this user may move the application to now, in table order (for the pages' buttons)."""
    return [t for t in next_states(application.status) if may(user, application, t)]


def check(user, application, target: str, refusal: str | None = None) -> None:
    """Refuse the move unless the user may make it: PermissionDenied («Du har ikke tilgang til dette.») without
    the permission the table names, then ValidationError (`refusal`, or «En søknad med status «…» kan ikke få
    status «…».») when the table has no such move from the application's status."""
    actions = sorted(actions_for(application.status, target))
    if actions and not any(has_permission(user, action, application) for action in actions):
        require(user, actions[0], application)  # the user holds none of them: raises PermissionDenied
    if not actions or not allowed(application.status, target):
        if refusal is None:
            refusal = _("En søknad med status «%(s)s» kan ikke få status «%(t)s».") % {
                "s": S(application.status).label if application.status in S.values else application.status,
                "t": S(target).label if target in S.values else target,
            }
        raise ValidationError(refusal)
