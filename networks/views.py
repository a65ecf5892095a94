import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import RoleAssignment, User
from accounts.permissions import get_active_role, has_permission, require
from accounts.scoping import standing
from audit.selectors import events_for
from organisations.models import ChildWelfareService
from organisations.selectors import embete_for_user
from ui.actions import apply_errors, run_action, submit_form

from . import exports, selectors, services
from .filters import NetworkFilter
from .forms import (
    DateForm,
    DocumentForm,
    GatheringForm,
    InviteServiceForm,
    JoinRequestForm,
    LeaveForm,
    NetworkForm,
    OppvekstForm,
    PartnerLinkForm,
    PersonForm,
    StatusForm,
)
from .models import (
    OPEN_MEMBERSHIP,
    LearningNetwork,
    Membership,
    MembershipStatus,
    NetworkDocument,
    NetworkPartner,
    NetworkPerson,
)


def _network(pk) -> LearningNetwork:
    network = LearningNetwork.objects.select_related("embete").filter(pk=pk).first()
    if network is None:
        raise Http404
    return network


def _managed_network(request, pk) -> LearningNetwork:
    """404 for unknown networks, 403 for networks the user may not manage (another embete, Bufdir, services)."""
    network = _network(pk)
    if not has_permission(request.user, "networks.manage_network", network):
        raise PermissionDenied
    return network


# --- directory, register, coverage ------------------------------------------------------------


@login_required
def network_list(request):
    require(request.user, "networks.view_directory", None)
    filterset = NetworkFilter(request.GET, queryset=selectors.directory())
    page = Paginator(filterset.qs, 25).get_page(request.GET.get("side"))
    embete = embete_for_user(request.user)
    context = {
        "filter": filterset,
        "page": page,
        "may_add": embete is not None and has_permission(request.user, "networks.add_network", embete),
        "my_memberships": selectors.memberships_for_user(request.user),
        "pending_requests": selectors.pending_requests_for(request.user),
        "joinable": selectors.joinable_networks_for(request.user),
    }
    return render(request, "networks/network_list.html", context)


@login_required
def coverage(request):
    require(request.user, "networks.view_directory", None)
    rows, national = selectors.coverage()
    return render(request, "networks/coverage.html", {"rows": rows, "national": national})


@login_required
def register(request):
    """Who takes part where: per service, its networks and the roles its people hold."""
    require(request.user, "networks.view_directory", None)
    embete_id = request.GET.get("embete") or None
    if embete_id and not str(embete_id).isdigit():
        embete_id = None
    services_page = Paginator(selectors.register_services(embete_id), 50).get_page(request.GET.get("side"))
    return render(
        request,
        "networks/register.html",
        {"page": services_page, "embeter": selectors.embeter_for_filter(), "embete_id": int(embete_id or 0)},
    )


@login_required
def export(request, what, fmt):
    require(request.user, "networks.export", None)
    if fmt not in exports.FORMATS or what not in ("nettverk", "medlemskap"):
        raise Http404
    if what == "nettverk":
        dataset = exports.directory_dataset(
            NetworkFilter(request.GET, queryset=selectors.directory(with_members=True)).qs
        )
    else:
        dataset = exports.membership_dataset(request.user)
    content_type, data = exports.render(dataset, fmt)
    response = HttpResponse(data, content_type=content_type)
    name = exports.filename(f"{what}-{datetime.date.today():%Y-%m-%d}", fmt)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- one network -------------------------------------------------------------------------------


@login_required
def network_detail(request, pk):
    network = selectors.network_detail(pk)
    if network is None:
        raise Http404
    require(request.user, "networks.view_network", network)
    may_manage = has_permission(request.user, "networks.manage_network", network)
    internal = has_permission(request.user, "networks.view_internal", network)
    user_standing = standing(request.user)
    my_membership = None
    if user_standing.service_id is not None:
        my_membership = next(
            (
                m
                for m in network.medlemskap.all()
                if m.tjeneste_id == user_standing.service_id and m.status in OPEN_MEMBERSHIP
            ),
            None,
        )
    return render(
        request,
        "networks/network_detail.html",
        {
            "network": network,
            "may_manage": may_manage,
            "internal": internal,
            "warnings": selectors.warnings_for(network) if may_manage else [],
            "my_membership": my_membership,
            "may_request": my_membership is None and has_permission(request.user, "networks.request_join", network),
            "may_name": my_membership is not None
            and my_membership.status == MembershipStatus.AKTIV
            and has_permission(request.user, "networks.name_participant", my_membership),
            "events": events_for(network)[:30] if may_manage or user_standing.bufdir else [],
            "status_form": StatusForm() if may_manage else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def network_create(request):
    embete = embete_for_user(request.user)
    if embete is None:
        raise PermissionDenied
    require(request.user, "networks.add_network", embete)
    form = NetworkForm(request.POST or None, embete=embete)
    if request.method == "POST" and form.is_valid():
        try:
            network = services.create_network(request.user, embete=embete, **form.service_kwargs())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("Nettverket %(n)s er opprettet. Inviter tjenestene som skal delta.") % {"n": network.navn}
            )
            return redirect("networks:detail", pk=network.pk)
    return render(request, "networks/network_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def network_update(request, pk):
    network = _managed_network(request, pk)
    initial = {
        "navn": network.navn,
        "beskrivelse": network.beskrivelse,
        "maal": network.maal,
        "etablert_aar": network.etablert_aar,
        "orientering": network.orientering,
        "temaer": list(network.temaer.all()),
        "overordnet": network.overordnet,
    }
    form = NetworkForm(request.POST or None, initial=initial, embete=network.embete, exclude_pk=network.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_network(request.user, network, **form.service_kwargs())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Endringene er lagret."))
            return redirect("networks:detail", pk=network.pk)
    return render(request, "networks/network_form.html", {"form": form, "network": network, "creating": False})


@login_required
@require_POST
def network_status(request, pk):
    network = _managed_network(request, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.change_status(request.user, network, form.cleaned_data["status"], form.cleaned_data["fra_dato"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Statusen er endret."))
    else:
        messages.error(request, _("Velg status og en gyldig dato."))
    return redirect("networks:detail", pk=network.pk)


# --- memberships -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def invite_service(request, pk):
    network = _managed_network(request, pk)
    taken = network.medlemskap.filter(status__in=(MembershipStatus.INVITERT, MembershipStatus.AKTIV)).values("tjeneste")
    candidates = (
        ChildWelfareService.objects.filter(vertskommune__embete=network.embete, aktiv=True)
        .exclude(pk__in=taken)
        .order_by("navn")
    )
    form = InviteServiceForm(request.POST or None, services=candidates)
    if request.method == "POST" and form.is_valid():
        service = form.cleaned_data["tjeneste"]
        try:
            if form.cleaned_data["allerede_med"]:
                services.add_member_directly(request.user, network, service, form.cleaned_data["fra_dato"])
                messages.success(request, _("%(s)s er registrert som deltaker.") % {"s": service})
            else:
                services.invite_service(request.user, network, service)
                messages.success(
                    request, _("%(s)s er invitert. Lederen i tjenesten svarer på invitasjonen.") % {"s": service}
                )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("networks:detail", pk=network.pk)
    return render(request, "networks/invite_service.html", {"form": form, "network": network})


def _membership(pk) -> Membership:
    membership = Membership.objects.select_related("network__embete", "tjeneste__vertskommune").filter(pk=pk).first()
    if membership is None:
        raise Http404
    return membership


@login_required
@require_POST
def membership_respond(request, pk):
    membership = _membership(pk)
    if not has_permission(request.user, "networks.respond_invitation", membership):
        raise PermissionDenied
    accept = request.POST.get("svar") == "ja"
    try:
        services.respond_to_invitation(request.user, membership, accept=accept)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Dere er nå med i %(n)s.") % {"n": membership.network} if accept else _("Invitasjonen er avslått."),
        )
    return redirect("networks:detail", pk=membership.network_id)


@login_required
@require_http_methods(["GET", "POST"])
def request_join(request, pk):
    network = _network(pk)
    require(request.user, "networks.request_join", network)
    role = get_active_role(request.user)
    form = JoinRequestForm(request.POST or None)
    sent = _("Forespørselen er sendt til statsforvalteren.")
    if submit_form(
        request, form, lambda d: services.request_to_join(request.user, network, role.tjeneste, d["begrunnelse"]), sent
    ):
        return redirect("networks:detail", pk=network.pk)
    return render(request, "networks/request_join.html", {"form": form, "network": network})


@login_required
@require_POST
def membership_decide(request, pk):
    membership = _membership(pk)
    if not has_permission(request.user, "networks.manage_network", membership.network):
        raise PermissionDenied
    try:
        if request.POST.get("beslutning") == "godkjenn":
            services.approve_request(request.user, membership, parse_date(request.POST))
            messages.success(request, _("%(s)s er tatt inn i nettverket.") % {"s": membership.tjeneste})
        else:
            services.decline_request(request.user, membership)
            messages.success(request, _("Forespørselen fra %(s)s er avslått.") % {"s": membership.tjeneste})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("networks:detail", pk=membership.network_id)


def parse_date(data) -> datetime.date:
    """The 'dato' field of a small POST form, or a Norwegian ValidationError."""
    form = DateForm(data)
    if form.is_valid() and form.cleaned_data.get("dato"):
        return form.cleaned_data["dato"]
    raise ValidationError(_("Oppgi en gyldig dato (dd.mm.åååå)."))


@login_required
@require_http_methods(["GET", "POST"])
def membership_leave(request, pk):
    membership = _membership(pk)
    if not has_permission(request.user, "networks.leave", membership):
        raise PermissionDenied
    form = LeaveForm(request.POST or None)
    left = _("%(s)s er meldt ut av nettverket.") % {"s": membership.tjeneste}
    if submit_form(
        request,
        form,
        lambda d: services.leave_network(request.user, membership, d["til_dato"], d["begrunnelse"]),
        left,
    ):
        return redirect("networks:detail", pk=membership.network_id)
    return render(request, "networks/leave.html", {"form": form, "membership": membership})


# --- people, partners, oppvekst -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def person_add(request, pk):
    network = _network(pk)
    may_manage = has_permission(request.user, "networks.manage_network", network)
    own_membership = None
    if not may_manage:
        service_id = standing(request.user).service_id
        if service_id is None:
            raise PermissionDenied
        own_membership = network.medlemskap.filter(tjeneste_id=service_id, status=MembershipStatus.AKTIV).first()
        if own_membership is None or not has_permission(request.user, "networks.name_participant", own_membership):
            raise PermissionDenied
    members = ChildWelfareService.objects.filter(
        nettverksmedlemskap__network=network, nettverksmedlemskap__status=MembershipStatus.AKTIV
    ).order_by("navn")
    if own_membership is not None:
        members = members.filter(pk=own_membership.tjeneste_id)
        users = User.objects.filter(
            roller__in=RoleAssignment.objects.active().filter(tjeneste_id=own_membership.tjeneste_id)
        )
        roles = services.SERVICE_LEADER_MAY_NAME
    else:
        users = User.objects.filter(
            roller__in=RoleAssignment.objects.active().filter(tjeneste__in=members)
        ) | User.objects.filter(roller__in=RoleAssignment.objects.active().filter(embete=network.embete))
        roles = None
    form = PersonForm(
        request.POST or None,
        users=users.distinct().order_by("last_name", "first_name"),
        services=members,
        roles=roles,
        initial={"tjeneste": own_membership.tjeneste if own_membership else None},
    )
    registered = _("Personen er registrert i nettverket.")
    if submit_form(request, form, lambda d: services.add_person(request.user, network, **d), registered):
        return redirect("networks:detail", pk=network.pk)
    return render(request, "networks/person_form.html", {"form": form, "network": network})


@login_required
@require_POST
def person_end(request, pk):
    person = get_object_or_404(NetworkPerson.objects.select_related("network", "tjeneste"), pk=pk)
    if not has_permission(request.user, "networks.end_person", person):
        raise PermissionDenied  # before the date is read: an outsider learns nothing from the form's errors
    run_action(
        request,
        lambda: services.end_person(request.user, person, parse_date(request.POST)),
        _("Rollen til %(p)s er avsluttet.") % {"p": person.display_name},
    )
    return redirect("networks:detail", pk=person.network_id)


@login_required
@require_http_methods(["GET", "POST"])
def partner_add(request, pk):
    network = _managed_network(request, pk)
    form = PartnerLinkForm(request.POST or None)
    if submit_form(
        request, form, lambda d: services.add_partner(request.user, network, **d), _("Partneren er lagt til.")
    ):
        return redirect("networks:detail", pk=network.pk)
    return render(
        request, "networks/simple_form.html", {"form": form, "network": network, "title": _("Legg til partner")}
    )


@login_required
@require_POST
def partner_end(request, pk):
    link = get_object_or_404(NetworkPartner.objects.select_related("network", "partner"), pk=pk)
    if not has_permission(request.user, "networks.manage_network", link.network):
        raise PermissionDenied  # before the date is read: an outsider learns nothing from the form's errors
    run_action(
        request,
        lambda: services.end_partner(request.user, link, parse_date(request.POST)),
        _("%(p)s er ikke lenger partner.") % {"p": link.partner},
    )
    return redirect("networks:detail", pk=link.network_id)


@login_required
@require_http_methods(["GET", "POST"])
def oppvekst_add(request, pk):
    network = _managed_network(request, pk)
    form = OppvekstForm(request.POST or None, embete=network.embete)
    added = _("Oppveksttjenesten er lagt til.")
    if submit_form(request, form, lambda d: services.add_oppvekst(request.user, network, **d), added):
        return redirect("networks:detail", pk=network.pk)
    return render(
        request,
        "networks/simple_form.html",
        {"form": form, "network": network, "title": _("Inviter annen oppveksttjeneste")},
    )


# --- documents and gatherings ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def document_upload(request, pk):
    network = _managed_network(request, pk)
    form = DocumentForm(request.POST or None, request.FILES or None)
    uploaded = _("Dokumentet er lastet opp.")
    if submit_form(request, form, lambda d: services.upload_document(request.user, network, **d), uploaded):
        return redirect("networks:detail", pk=network.pk)
    return render(
        request,
        "networks/simple_form.html",
        {"form": form, "network": network, "title": _("Last opp dokument"), "multipart": True},
    )


@login_required
def document_download(request, pk):
    document = NetworkDocument.objects.select_related("network").filter(pk=pk).first()
    if document is None or not has_permission(request.user, "networks.view_internal", document.network):
        raise Http404
    try:
        handle = document.fil.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=document.filnavn, content_type=document.innholdstype)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def gathering_create(request, pk):
    network = _managed_network(request, pk)
    members = (
        ChildWelfareService.objects.filter(
            nettverksmedlemskap__network=network, nettverksmedlemskap__status=MembershipStatus.AKTIV
        )
        .order_by("navn")
        .distinct()
    )
    form = GatheringForm(request.POST or None, request.FILES or None, services=list(members))
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("tittel", "dato", "format", "sted", "agenda", "referat")}
        try:
            services.create_gathering(request.user, network, oppmote=form.attendance(), **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Samlingen er registrert."))
            return redirect("networks:detail", pk=network.pk)
    return render(
        request,
        "networks/simple_form.html",
        {"form": form, "network": network, "title": _("Registrer samling"), "multipart": True},
    )
