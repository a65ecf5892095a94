from django.db.models import Count, Prefetch, QuerySet

from accounts.models import SERVICE_ROLES, STATSFORVALTER_ROLES, Role
from accounts.permissions import get_active_role

from .models import ChildWelfareService, Embete, EmbeteNavn, Kommune, Partner, kommune_aktiv_q


def embeter_with_history() -> QuerySet[Embete]:
    return Embete.objects.prefetch_related(
        Prefetch("navnehistorikk", queryset=EmbeteNavn.objects.order_by("gyldig_fra"))
    )


def embeter_visible_to(user) -> QuerySet[Embete]:
    # Meta.ordering is not applied to aggregated (GROUP BY) queries, so order explicitly.
    qs = (
        embeter_with_history()
        .annotate(
            antall_kommuner=Count("kommuner", filter=kommune_aktiv_q(prefix="kommuner__"), distinct=True),
            antall_tjenester=Count("kommuner__vertskommune_for", distinct=True),
        )
        .order_by("navn")
    )
    if user.is_superuser:
        return qs
    role = get_active_role(user)
    if role is None:
        return qs.none()
    if role.rolle == Role.BUFDIR:
        return qs
    if role.rolle in STATSFORVALTER_ROLES:
        return qs.filter(pk=role.embete_id)
    return qs.none()


def embete_for_user(user) -> Embete | None:
    """The embete a statsforvalter user acts for (None for other roles)."""
    role = get_active_role(user)
    if role is not None and role.rolle in STATSFORVALTER_ROLES:
        return role.embete
    return None


def services_visible_to(user) -> QuerySet[ChildWelfareService]:
    """Barnevernstjenester the user may see: all (Bufdir), own embete (statsforvalter), own (service)."""
    qs = ChildWelfareService.objects.select_related("vertskommune__embete", "vertskommune__fylke").prefetch_related(
        Prefetch("kommuner", queryset=Kommune.objects.order_by("nummer"))
    )
    if user.is_superuser:
        return qs
    role = get_active_role(user)
    if role is None:
        return qs.none()
    if role.rolle == Role.BUFDIR:
        return qs
    if role.rolle in STATSFORVALTER_ROLES:
        return qs.filter(vertskommune__embete_id=role.embete_id)
    if role.rolle in SERVICE_ROLES:
        return qs.filter(pk=role.tjeneste_id)
    return qs.none()


def kommuner_for_list() -> QuerySet[Kommune]:
    # Meta.ordering is not applied to aggregated (GROUP BY) queries, so order explicitly.
    return (
        Kommune.objects.select_related("fylke", "embete")
        .annotate(antall_tjenester=Count("barnevernstjenester", distinct=True))
        .order_by("nummer")
    )


def partners_for_list() -> QuerySet[Partner]:
    return Partner.objects.all()


def service_people(service: ChildWelfareService):
    """Active role holders of a service, for its detail page."""
    from accounts.models import RoleAssignment

    return (
        RoleAssignment.objects.active()
        .filter(tjeneste=service, rolle__in=SERVICE_ROLES)
        .select_related("user")
        .order_by("rolle", "user__last_name")
    )
