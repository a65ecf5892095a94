import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.permissions import has_permission, require
from audit.selectors import events_for
from common.exports import CONTENT_TYPES
from common.exports import filename as export_filename
from common.exports import render as render_dataset
from ui.actions import apply_errors

from . import selectors, services
from .filters import KommuneFilter, PartnerFilter, ServiceFilter
from .forms import MaalformForm, PartnerForm, ServiceForm, ServiceImportForm
from .models import ChildWelfareService, Kommune, Partner
from .resources import ChildWelfareServiceResource

PAGE_SIZE = 50


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("side"))


# --- embeter ----------------------------------------------------------------------------------


@login_required
def embete_list(request):
    embeter = selectors.embeter_visible_to(request.user).prefetch_related("fylker")
    if not embeter.exists():
        raise PermissionDenied
    year = datetime.date.today().year
    return render(request, "organisations/embete_list.html", {"embeter": embeter, "year": year})


@login_required
def embete_detail(request, slug):
    embete = get_object_or_404(selectors.embeter_visible_to(request.user), slug=slug)
    require(request.user, "organisations.view_embete", embete)
    tjenester = selectors.services_visible_to(request.user).filter(vertskommune__embete=embete)
    return render(
        request,
        "organisations/embete_detail.html",
        {"embete": embete, "services": tjenester, "history": embete.navnehistorikk.all()},
    )


# --- kommuner ---------------------------------------------------------------------------------


@login_required
def kommune_list(request):
    require(request.user, "organisations.view_kommune", None)
    filterset = KommuneFilter(request.GET, queryset=selectors.kommuner_for_list())
    return render(
        request,
        "organisations/kommune_list.html",
        {"filter": filterset, "page": _page(request, filterset.qs)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def kommune_maalform(request, nummer):
    kommune = get_object_or_404(Kommune.objects.select_related("embete"), nummer=nummer)
    require(request.user, "organisations.change_kommune", kommune)
    form = MaalformForm(request.POST or None, initial={"maalform": kommune.maalform})
    if request.method == "POST" and form.is_valid():
        services.set_kommune_maalform(request.user, kommune, form.cleaned_data["maalform"])
        messages.success(request, _("Målformen for %(k)s er lagret.") % {"k": kommune.navn})
        return redirect("organisations:kommune_list")
    return render(request, "organisations/kommune_maalform.html", {"kommune": kommune, "form": form})


# --- barnevernstjenester ----------------------------------------------------------------------


def _visible_service(request, pk) -> ChildWelfareService:
    """404 for services the user may not see, so existence is not leaked across embeter."""
    service = selectors.services_visible_to(request.user).filter(pk=pk).first()
    if service is None:
        raise Http404
    return service


@login_required
def service_list(request):
    require(request.user, "organisations.list_services", None)
    base = selectors.services_visible_to(request.user)
    embeter = selectors.embeter_visible_to(request.user)
    filterset = ServiceFilter(request.GET, queryset=base, embeter=embeter)
    embete = selectors.embete_for_user(request.user)
    return render(
        request,
        "organisations/service_list.html",
        {
            "filter": filterset,
            "page": _page(request, filterset.qs),
            "embete": embete,
            "may_add": embete is not None and has_permission(request.user, "organisations.add_service", embete),
            "may_export": has_permission(request.user, "organisations.export_services"),
        },
    )


@login_required
def service_detail(request, pk):
    service = _visible_service(request, pk)
    require(request.user, "organisations.view_service", service)
    return render(
        request,
        "organisations/service_detail.html",
        {
            "service": service,
            "people": selectors.service_people(service),
            "events": events_for(service)[:20] if has_permission(request.user, "accounts.view_audit") else [],
            "may_edit": has_permission(request.user, "organisations.change_service", service),
        },
    )


def _kommuner_for(request, service: ChildWelfareService | None = None):
    """The kommuner to offer: those that exist today (not ended by a new kommuneinndeling), in the user's
    embete; when editing, also the ones the service already has, so that it keeps them."""
    embete = selectors.embete_for_user(request.user)
    qs = Kommune.objects.aktive()
    if embete is not None:
        qs = qs.filter(embete=embete)
    if service is not None:
        current = {service.vertskommune_id, *(k.pk for k in service.kommuner.all())}
        qs = Kommune.objects.filter(Q(pk__in=qs.values("pk")) | Q(pk__in=current))
    return qs.order_by("nummer")


@login_required
@require_http_methods(["GET", "POST"])
def service_create(request):
    embete = selectors.embete_for_user(request.user)
    if embete is None and not request.user.is_superuser:
        raise PermissionDenied
    if embete is not None:
        require(request.user, "organisations.add_service", embete)
    form = ServiceForm(request.POST or None, kommuner_qs=_kommuner_for(request))
    if request.method == "POST" and form.is_valid():
        try:
            service = services.create_service(request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(navn)s er registrert.") % {"navn": service.navn})
            return redirect("organisations:service_detail", pk=service.pk)
    return render(request, "organisations/service_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def service_update(request, pk):
    service = _visible_service(request, pk)
    require(request.user, "organisations.change_service", service)
    initial = {
        "navn": service.navn,
        "orgnr": service.orgnr,
        "vertskommune": service.vertskommune,
        "kommuner": list(service.kommuner.all()),
        "epost": service.epost,
        "aktiv": service.aktiv,
    }
    form = ServiceForm(request.POST or None, initial=initial, kommuner_qs=_kommuner_for(request, service))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_service(request.user, service, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Endringene er lagret."))
            return redirect("organisations:service_detail", pk=service.pk)
    return render(request, "organisations/service_form.html", {"form": form, "service": service, "creating": False})


@login_required
@require_http_methods(["GET", "POST"])
def service_import(request):
    embete = selectors.embete_for_user(request.user)
    if embete is None and not request.user.is_superuser:
        raise PermissionDenied
    if embete is not None:
        require(request.user, "organisations.import_services", embete)
    posted = request.method == "POST"  # a POST without a file is still a submitted form
    form = ServiceImportForm(request.POST if posted else None, request.FILES if posted else None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["fil"]
        try:
            dataset = services.read_dataset(upload, upload.name)
        except ValidationError as exc:
            form.add_error("fil", exc.messages)
        else:
            report = services.import_services(
                request.user, dataset, embete=embete, dry_run=form.cleaned_data["bare_kontroller"]
            )
            if report.ok and not report.dry_run:
                messages.success(
                    request,
                    _("Importen er fullført: %(new)s nye, %(upd)s oppdaterte og %(same)s uendrede tjenester.")
                    % {"new": report.created, "upd": report.updated, "same": report.unchanged},
                )
                return redirect("organisations:service_list")
    return render(request, "organisations/service_import.html", {"form": form, "report": report, "embete": embete})


@login_required
def service_export(request, fmt):
    require(request.user, "organisations.export_services", None)
    if fmt not in CONTENT_TYPES:
        raise Http404
    qs = ServiceFilter(
        request.GET,
        queryset=selectors.services_visible_to(request.user),
        embeter=selectors.embeter_visible_to(request.user),
    ).qs
    dataset = ChildWelfareServiceResource().export(queryset=qs)
    content_type, data = render_dataset(dataset, fmt)
    name = export_filename(f"barnevernstjenester-{datetime.date.today():%Y-%m-%d}", fmt)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- partnere ---------------------------------------------------------------------------------


@login_required
def partner_list(request):
    require(request.user, "organisations.view_partner", None)
    filterset = PartnerFilter(request.GET, queryset=selectors.partners_for_list())
    return render(
        request,
        "organisations/partner_list.html",
        {
            "filter": filterset,
            "page": _page(request, filterset.qs),
            "may_manage": has_permission(request.user, "organisations.manage_partners"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def partner_form(request, pk=None):
    partner = get_object_or_404(Partner, pk=pk) if pk else Partner()
    require(request.user, "organisations.manage_partners", partner)
    form = PartnerForm(request.POST or None, instance=partner)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_partner(request.user, form.instance)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Partneren er lagret."))
            return redirect("organisations:partner_list")
    return render(request, "organisations/partner_form.html", {"form": form, "partner": partner})
