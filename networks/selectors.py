"""Reads for learning networks: the directory, the register of who takes part where, coverage,
and the warnings staff should see. Query counts stay constant as data grows."""

import datetime
from dataclasses import dataclass

from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import standing
from common import periods
from organisations.models import ChildWelfareService, Embete

from .models import (
    OPEN_MEMBERSHIP,
    LearningNetwork,
    Membership,
    MembershipStatus,
    NetworkPartner,
    NetworkPerson,
    NetworkStatus,
    NetworkStatusChange,
    PersonRole,
)
from .services import guideline_on


def _current_people(on: datetime.date):
    return NetworkPerson.objects.filter(Q(til_dato__isnull=True) | Q(til_dato__gte=on), fra_dato__lte=on)


def directory(with_members: bool = False) -> QuerySet[LearningNetwork]:
    """The networks with their themes, active partners, leaders/coordinators and number of active services; with
    `with_members` also the active memberships with their services (`aktive_medlemskap`, for the exports; the page
    shows only the number)."""
    today = timezone.localdate()
    members = Prefetch(
        "medlemskap",
        queryset=Membership.objects.filter(status=MembershipStatus.AKTIV).select_related("tjeneste"),
        to_attr="aktive_medlemskap",
    )
    return (
        LearningNetwork.objects.select_related("embete", "overordnet")
        .prefetch_related(
            "temaer",
            *([members] if with_members else []),
            Prefetch(
                "partnere",
                queryset=NetworkPartner.objects.filter(til_dato__isnull=True).select_related("partner"),
                to_attr="aktive_partnere",
            ),
            Prefetch(
                "personer",
                queryset=_current_people(today)
                .filter(rolle__in=[PersonRole.LEDER, PersonRole.KOORDINATOR])
                .select_related("user"),
                to_attr="ledere",
            ),
        )
        .annotate(
            antall_tjenester=Count("medlemskap", filter=Q(medlemskap__status=MembershipStatus.AKTIV), distinct=True)
        )
        .order_by("embete__navn", "navn")
    )


def networks_of_service(service_id: int) -> QuerySet[LearningNetwork]:
    return directory().filter(medlemskap__tjeneste_id=service_id, medlemskap__status__in=OPEN_MEMBERSHIP).distinct()


def embeter_for_filter() -> QuerySet[Embete]:
    return Embete.objects.order_by("navn")


def network_detail(pk: int) -> LearningNetwork | None:
    today = timezone.localdate()
    return (
        LearningNetwork.objects.select_related("embete", "overordnet")
        .prefetch_related(
            "temaer",
            "undergrupper",
            Prefetch(
                "medlemskap",
                queryset=Membership.objects.select_related("tjeneste__vertskommune").order_by(
                    "tjeneste__navn", "-opprettet"
                ),
            ),
            Prefetch(
                "partnere",
                queryset=NetworkPartner.objects.select_related("partner").order_by("til_dato", "partner__navn"),
            ),
            Prefetch(
                "personer",
                queryset=NetworkPerson.objects.select_related("user", "tjeneste").order_by("rolle", "fra_dato"),
            ),
            Prefetch(
                "personer",
                queryset=_current_people(today).select_related("user", "tjeneste"),
                to_attr="aktive_personer",
            ),
            "oppvekstdeltakere__kommune",
            "dokumenter",
            "samlinger__oppmote__tjeneste",
            "samlinger__referat",
            "statushistorikk__endret_av",
        )
        .filter(pk=pk)
        .first()
    )


@dataclass
class Warning:
    code: str
    message: str


def warnings_for(network: LearningNetwork, on: datetime.date | None = None) -> list[Warning]:
    """Things staff should fix. They warn; they do not block."""
    on = on or timezone.localdate()
    people = [p for p in network.personer.all() if p.fra_dato <= on and (p.til_dato is None or p.til_dato >= on)]
    members = [m for m in network.medlemskap.all() if m.status == MembershipStatus.AKTIV]
    result = []
    if network.status != NetworkStatus.AVSLUTTET:
        if not any(p.rolle in (PersonRole.LEDER, PersonRole.KOORDINATOR) for p in people):
            result.append(Warning("no_leader", _("Nettverket har ingen nettverksleder eller koordinator.")))
        guideline = guideline_on(on)
        steering = [p for p in people if p.rolle == PersonRole.STYRINGSGRUPPE]
        if guideline is not None and guideline.kommuneledelse_paakrevd and not any(p.kommuneledelse for p in steering):
            result.append(
                Warning(
                    "no_kommuneledelse",
                    _(
                        "%(g)s krever at kommuneledelsen er med i styringsgruppen, "
                        "men ingen fra kommuneledelsen er registrert."
                    )
                    % {"g": guideline.navn},
                )
            )
        if len(members) < 2:
            result.append(
                Warning(
                    "too_few_services",
                    _(
                        "Nettverket har %(n)s deltakende tjeneste(r). "
                        "Et læringsnettverk må ha minst to for å være aktivt."
                    )
                    % {"n": len(members)},
                )
            )
    return result


def memberships_for_user(user) -> QuerySet[Membership]:
    """Open memberships of the user's service (invitations to answer, requests pending, networks)."""
    service_id = standing(user).service_id
    if service_id is None:
        return Membership.objects.none()
    return (
        Membership.objects.filter(tjeneste_id=service_id, status__in=OPEN_MEMBERSHIP)
        .select_related("network__embete", "tjeneste")
        .order_by("network__navn")
    )


def pending_requests_for(user) -> QuerySet[Membership]:
    embete_id = standing(user).embete_id
    if embete_id is None:
        return Membership.objects.none()
    return (
        Membership.objects.filter(network__embete_id=embete_id, status=MembershipStatus.SOKT)
        .select_related("network", "tjeneste")
        .order_by("opprettet")
    )


def joinable_networks_for(user) -> QuerySet[LearningNetwork]:
    user_standing = standing(user)
    if not user_standing.service_leader:
        return LearningNetwork.objects.none()
    taken = Membership.objects.filter(
        network=OuterRef("pk"), tjeneste_id=user_standing.service_id, status__in=OPEN_MEMBERSHIP
    )
    return (
        LearningNetwork.objects.filter(embete_id=user_standing.service_embete_id)
        .exclude(status=NetworkStatus.AVSLUTTET)
        .exclude(Exists(taken))
        .order_by("navn")
    )


def network_status_on(on: datetime.date):
    """The status a membership's network had on the day: the latest status change up to then
    (status history), else the current status if it already applied then."""
    from_history = (
        NetworkStatusChange.objects.filter(network=OuterRef("network"), fra_dato__lte=on)
        .order_by("-fra_dato", "-id")
        .values("status")[:1]
    )
    return Coalesce(
        Subquery(from_history),
        Case(When(network__status_fra__lte=on, then=F("network__status")), default=Value(None)),
        output_field=CharField(),
    )


def services_in_active_network(on: datetime.date | None = None):
    """Memberships of the outer service whose period covers the day, in a network that was active that day.
    A service that has given notice (utmeldt with a later end date) still takes part until then."""
    on = on or timezone.localdate()
    return (
        Membership.objects.filter(
            tjeneste=OuterRef("pk"),
            status__in=(MembershipStatus.AKTIV, MembershipStatus.UTMELDT),
            fra_dato__lte=on,
        )
        .exclude(til_dato__lt=on)
        .annotate(network_status_then=network_status_on(on))
        .filter(network_status_then=NetworkStatus.AKTIV)
    )


def services_in_network_during(start: datetime.date, end: datetime.date):
    """Memberships of the outer service that took part at some time from start to end (both days included): a
    membership that was active (or has since ended) whose period overlaps the period (common.periods.overlaps).
    The network's status is not asked: a service that was a member took part."""
    return Membership.objects.filter(
        periods.overlaps("fra_dato", "til_dato", start, end),
        tjeneste=OuterRef("pk"),
        status__in=(MembershipStatus.AKTIV, MembershipStatus.UTMELDT),
        fra_dato__isnull=False,
    )


@dataclass
class CoverageRow:
    embete: Embete | None
    total: int
    covered: int

    @property
    def share(self) -> float:
        return (self.covered / self.total * 100) if self.total else 0.0


def coverage(on: datetime.date | None = None) -> tuple[list[CoverageRow], CoverageRow]:
    """Share of active barnevernstjenester in at least one active network, per embete and nationally.
    One aggregate query."""
    rows = (
        ChildWelfareService.objects.filter(aktiv=True)
        .annotate(in_network=Exists(services_in_active_network(on)))
        .values("vertskommune__embete")
        .annotate(total=Count("id"), covered=Count("id", filter=Q(in_network=True)))
        .order_by()
    )
    embeter = {e.pk: e for e in Embete.objects.all()}
    result = [CoverageRow(embeter[r["vertskommune__embete"]], r["total"], r["covered"]) for r in rows]
    result.sort(key=lambda r: r.embete.navn)
    national = CoverageRow(None, sum(r.total for r in result), sum(r.covered for r in result))
    return result, national


def register_services(embete_id: int | None = None) -> QuerySet[ChildWelfareService]:
    """Per service: its networks and the roles its people hold (the 'who takes part where' register)."""
    today = timezone.localdate()
    qs = ChildWelfareService.objects.filter(aktiv=True).select_related("vertskommune__embete")
    if embete_id:
        qs = qs.filter(vertskommune__embete_id=embete_id)
    return qs.prefetch_related(
        Prefetch(
            "nettverksmedlemskap",
            queryset=Membership.objects.filter(status=MembershipStatus.AKTIV).select_related("network"),
            to_attr="aktive_medlemskap",
        ),
        Prefetch(
            "nettverkspersoner",
            queryset=_current_people(today).select_related("user", "network"),
            to_attr="aktive_personer",
        ),
    ).order_by("vertskommune__embete__navn", "navn")
