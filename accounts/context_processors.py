from django.conf import settings

from .permissions import active_roles, get_active_role


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"mfa_required": settings.LAERINGSNETT_REQUIRE_MFA}
    return {
        "active_role": get_active_role(user),
        "available_roles": active_roles(user),
        "mfa_required": settings.LAERINGSNETT_REQUIRE_MFA,
    }
