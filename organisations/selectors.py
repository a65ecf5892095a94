from django.db.models import Count, Prefetch, QuerySet

from accounts.models import SERVICE_ROLES, RoleAssignment
from accounts.scoping import standing

from . import scoping
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
    return scoping.embeter(standing(user)).apply(qs)


def embete_for_user(user) -> Embete | None:
    """The embete a statsforvalter user acts for (None for other roles): accounts.scoping's standing."""
    return standing(user).embete


def services_visible_to(user) -> QuerySet[ChildWelfareService]:
    """Barnevernstjenester the user may see (organisations.scoping.services)."""
    qs = ChildWelfareService.objects.select_related("vertskommune__embete", "vertskommune__fylke").prefetch_related(
        Prefetch("kommuner", queryset=Kommune.objects.order_by("nummer"))
    )
    return scoping.services(standing(user)).apply(qs)


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
    return (
        RoleAssignment.objects.active()
        .filter(tjeneste=service, rolle__in=SERVICE_ROLES)
        .select_related("user")
        .order_by("rolle", "user__last_name")
    )
