"""Reads for grants, scoped to the user. Query counts stay constant as data grows."""

from django.db.models import Prefetch, QuerySet

from accounts.models import SERVICE_ROLES, STATSFORVALTER_ROLES, Role
from accounts.permissions import get_active_role

from .models import Application, ApplicationRound, BudgetLine, RoundStatus


def rounds_visible_to(user) -> QuerySet[ApplicationRound]:
    qs = ApplicationRound.objects.select_related("embete", "retningslinjer").order_by("-aar", "embete__navn")
    if user.is_superuser:
        return qs
    role = get_active_role(user)
    if role is None:
        return qs.none()
    if role.rolle == Role.BUFDIR:
        return qs
    if role.rolle in STATSFORVALTER_ROLES:
        return qs.filter(embete_id=role.embete_id)
    if role.rolle in SERVICE_ROLES:
        return qs.filter(embete_id=role.tjeneste.vertskommune.embete_id).exclude(status=RoundStatus.UTKAST)
    return qs.none()


def applications_visible_to(user) -> QuerySet[Application]:
    qs = Application.objects.select_related("utlysning__embete", "prosjekt__network", "saksbehandler").prefetch_related(
        "tjenester"
    )
    if user.is_superuser:
        return qs
    role = get_active_role(user)
    if role is None:
        return qs.none()
    if role.rolle == Role.BUFDIR:
        return qs.exclude(status="utkast")
    if role.rolle in STATSFORVALTER_ROLES:
        return qs.filter(utlysning__embete_id=role.embete_id).exclude(status="utkast")
    if role.rolle in SERVICE_ROLES:
        return qs.filter(tjenester=role.tjeneste_id).distinct()
    return qs.none()


def application_detail(user, pk: int) -> Application | None:
    return (
        applications_visible_to(user)
        .select_related("utlysning__retningslinjer", "vedtak")
        .prefetch_related(
            Prefetch("budsjett", queryset=BudgetLine.objects.order_by("id")),
            "partnere__partner",
            "vedlegg",
            "versjoner",
            "vedtak__utbetalinger",
            "vedtak__klager",
        )
        .filter(pk=pk)
        .first()
    )
