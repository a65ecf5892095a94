from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db.models import QuerySet

from .models import SERVICE_ROLES, STATSFORVALTER_ROLES, Invitation, Role, User
from .permissions import get_active_role
from .scoping import invitations, standing


def user_has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def address_of_another_account(email: str, user) -> bool:
    """Whether email (compared case-insensitively) is another account's login address or any address, verified or
    not, that another account has added. Such an address cannot be added by user."""
    email = (email or "").strip()
    if not email:
        return False
    others = User.objects.exclude(pk=user.pk)
    return (
        others.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email).exclude(user=user).exists()
    )


def invitations_visible_to(user) -> QuerySet[Invitation]:
    qs = Invitation.objects.select_related(
        "embete", "tjeneste__vertskommune__embete", "partner", "invitert_av"
    ).order_by("-opprettet")
    return invitations(standing(user)).apply(qs)


def roles_inviter_may_grant(user) -> list[tuple[str, str]]:
    role = get_active_role(user)
    if user.is_superuser:
        return list(Role.choices)
    if role is None:
        return []
    if role.rolle == Role.BUFDIR:
        return [(r.value, r.label) for r in (Role.BUFDIR, *STATSFORVALTER_ROLES, Role.PARTNER)]
    if role.rolle == Role.SF_LEDER:
        return [(r.value, r.label) for r in (*SERVICE_ROLES, *STATSFORVALTER_ROLES, Role.PARTNER)]
    if role.rolle == Role.SF_SAKSBEHANDLER:
        return [(r.value, r.label) for r in (*SERVICE_ROLES, Role.PARTNER)]
    if role.rolle == Role.TJENESTE_LEDER:
        return [(r.value, r.label) for r in SERVICE_ROLES]
    return []
