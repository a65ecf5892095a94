"""Reads that compose the start pages. reporting may read from every app."""

from django.db.models import Count, Q

from accounts.models import STATSFORVALTER_ROLES, Invitation, Role, RoleAssignment
from accounts.selectors import invitations_visible_to
from followup.selectors import duty as duty_selectors
from grants import selectors_appeals, selectors_information, selectors_repayments
from networks import selectors as network_selectors
from networks.models import LearningNetwork, NetworkStatus
from organisations.models import ChildWelfareService, Embete, Fylke, Kommune, Partner
from organisations.selectors import embeter_visible_to, service_people, services_visible_to


def start_page(user, role) -> dict:
    if role is None and user.is_superuser:
        return superuser_start_page()
    if role is None:
        return {"template": "reporting/start_none.html"}
    if role.rolle == Role.BUFDIR:
        embeter = embeter_visible_to(user)
        coverage_rows, national = network_selectors.coverage()
        return {
            "coverage": national,
            "template": "reporting/start_bufdir.html",
            "embeter": embeter,
            "appeals_at_bufdir": selectors_appeals.forwarded_count(),  # Bufdir is the klageinstans
            "totals": {
                "embeter": len(embeter),
                "kommuner": Kommune.objects.aktive().count(),
                "tjenester": ChildWelfareService.objects.filter(aktiv=True).count(),
                "interkommunale": ChildWelfareService.objects.annotate(n=Count("kommuner")).filter(n__gt=1).count(),
            },
        }
    if role.is_statsforvalter:
        services = ChildWelfareService.objects.filter(vertskommune__embete=role.embete)
        pending = invitations_visible_to(user).filter(akseptert__isnull=True, trukket_tilbake__isnull=True)
        return {
            "template": "reporting/start_statsforvalter.html",
            "embete": role.embete,
            "counts": services.aggregate(
                # distinct: the join to roller gives a service one row per role (a service with three users
                # counted three times).
                tjenester=Count("id", filter=Q(aktiv=True), distinct=True),
                uten_brukere=Count("id", filter=Q(aktiv=True, roller__isnull=True), distinct=True),
            ),
            "kommuner": Kommune.objects.aktive().filter(embete=role.embete).count(),
            "pending_invitations": pending.count(),
            "services_without_users": services.filter(aktiv=True, roller__isnull=True).order_by("navn")[:10],
            "networks": LearningNetwork.objects.filter(embete=role.embete).aggregate(
                aktive=Count("id", filter=Q(status=NetworkStatus.AKTIV)),
                under_etablering=Count("id", filter=Q(status=NetworkStatus.ETABLERING)),
            ),
            "join_requests": network_selectors.pending_requests_for(user),
            "duty": duty_selectors.embete_duty_counts(role.embete_id),
            "overdue_claims": selectors_repayments.overdue_count(user),  # repayment claims past their due date
            "overdue_answers": selectors_information.overdue_count(user),  # requests for information past due
        }
    if role.is_service:
        service = services_visible_to(user).get(pk=role.tjeneste_id)
        return {
            "template": "reporting/start_service.html",
            "service": service,
            "people": service_people(service),
            "memberships": network_selectors.memberships_for_user(user),
            "deadlines": duty_selectors.start_page_deadlines_for_service(role.tjeneste_id),
        }
    colleagues = RoleAssignment.objects.active().filter(partner=role.partner).select_related("user")
    return {"template": "reporting/start_partner.html", "partner": role.partner, "colleagues": colleagues}


def superuser_start_page() -> dict:
    """What the first superuser of a new installation does first (docs/deploy.md): check that the reference data is
    loaded, then invite the Bufdir and statsforvalter users, who run the system from there."""
    people = RoleAssignment.objects.active().aggregate(
        bufdir=Count("user", filter=Q(rolle=Role.BUFDIR), distinct=True),
        statsforvalter=Count("user", filter=Q(rolle__in=STATSFORVALTER_ROLES), distinct=True),
    )
    reference = {
        "embeter": Embete.objects.count(),
        "fylker": Fylke.objects.count(),
        "kommuner": Kommune.objects.count(),
        "partnere": Partner.objects.count(),
    }
    return {
        "template": "reporting/start_superuser.html",
        "reference": reference,
        "reference_loaded": bool(reference["embeter"] and reference["kommuner"]),
        "people": people,
        "pending_invitations": Invitation.objects.filter(akseptert__isnull=True, trukket_tilbake__isnull=True).count(),
    }
