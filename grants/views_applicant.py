"""Views for Bufdir's frames, the statsforvalter's rounds and the barnevern services' applications.
Thin: each view scopes the object to the user (404 outside the scope), asks the permission layer and calls
a service for the write. Service errors go back onto the form."""

import difflib
import json
from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import get_active_role, has_permission, require
from organisations.models import Embete
from ui.actions import apply_errors

from . import selectors, services
from .forms_applicant import (
    ApplicationCreateForm,
    ApplicationForm,
    AttachmentForm,
    BudgetFormSet,
    FrameForm,
    PartnerFormSet,
    RoundForm,
    field_errors,
    kept,
)
from .models import Application, ApplicationStatus, Frame, FrameAdjustment, RoundStatus

# --- helpers ------------------------------------------------------------------------------------


def _round(request, pk):
    """A round the user may see, or 404."""
    rnd = selectors.rounds_visible_to(request.user).filter(pk=pk).first()
    if rnd is None:
        raise Http404
    return rnd


def _application(request, pk) -> Application:
    """An application the user may see, or 404 (drafts of other services are not visible at all)."""
    application = selectors.application_detail(request.user, pk)
    if application is None:
        raise Http404
    require(request.user, "grants.view_application", application)
    return application


def _year(value) -> int:
    text = str(value or "").strip()
    if text.isdecimal() and 2000 <= int(text) <= 2100:
        return int(text)
    return timezone.localdate().year


def _error_summary(*forms_and_formsets):
    """One error summary (for includes/error_summary.html) over a form and its formsets."""
    items = []
    for obj in forms_and_formsets:
        if hasattr(obj, "forms"):
            for message in obj.non_form_errors():
                items.append(("", "", message))
            for number, form in enumerate(obj.forms, start=1):
                for anchor, label, message in form.error_summary():
                    items.append((anchor, f"{obj.line_label} {number}, {str(label).lower()}", message))
        else:
            items.extend(obj.error_summary())
    return SimpleNamespace(errors=bool(items), error_summary=items)


# --- frames (Bufdir; the statsforvalter reads its own) ---------------------------------------


@login_required
def frames(request):
    year = _year(request.GET.get("aar"))
    role = get_active_role(request.user)
    if request.user.is_superuser or (role is not None and role.is_bufdir):
        require(request.user, "grants.view_frames", None)
        embete = None
    elif role is not None and role.is_statsforvalter:
        embete = role.embete
        require(request.user, "grants.view_frames", embete)
    else:
        raise PermissionDenied(_("Du har ikke tilgang til dette."))
    overview = selectors.frame_overview(year, embete)
    adjustments = FrameAdjustment.objects.filter(ramme__aar=year).select_related("ramme__embete", "endret_av")
    if embete is not None:
        adjustments = adjustments.filter(ramme__embete=embete)
    this_year = timezone.localdate().year
    return render(
        request,
        "grants/applicant/frames.html",
        {
            "year": year,
            "years": range(this_year + 1, this_year - 6, -1),
            "embete": embete,
            "may_manage": has_permission(request.user, "grants.manage_frames"),
            "adjustments": adjustments,
            **overview,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def frame_set(request):
    require(request.user, "grants.manage_frames")
    initial = {"aar": _year(request.GET.get("aar"))}
    embete = Embete.objects.filter(slug=request.GET.get("embete", "")).first()
    if embete is not None:
        initial["embete"] = embete.pk
    if request.GET.get("kategori"):
        initial["kategori"] = request.GET["kategori"]
    if embete is not None and request.GET.get("kategori"):
        frame = Frame.objects.filter(embete=embete, aar=initial["aar"], kategori=request.GET["kategori"]).first()
        if frame is not None:
            initial["belop"] = f"{frame.belop.normalize():f}"
    form = FrameForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            frame = services.set_frame(
                request.user,
                embete=data["embete"],
                aar=data["aar"],
                kategori=data["kategori"],
                belop=data["belop"],
                begrunnelse=data["begrunnelse"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Rammen for %(e)s, %(k)s %(y)s er %(b)s.")
                % {
                    "e": frame.embete,
                    "k": frame.get_kategori_display().lower(),
                    "y": frame.aar,
                    "b": services.kr(frame.belop),
                },
            )
            return redirect(f"{reverse('grants:frames')}?aar={frame.aar}")
    return render(request, "grants/applicant/frame_form.html", {"form": form})


# --- rounds (statsforvalter) -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def round_create(request):
    role = get_active_role(request.user)
    embete = role.embete if role is not None and role.is_statsforvalter else None
    if embete is None:
        raise PermissionDenied(_("Du har ikke tilgang til dette."))
    require(request.user, "grants.manage_round", embete)
    today = timezone.localdate()
    form = RoundForm(request.POST or None, initial={"aar": today.year, "apner": today})
    if request.method == "POST" and form.is_valid():
        try:
            rnd = services.create_round(
                request.user,
                embete=embete,
                aar=form.cleaned_data["aar"],
                criteria=form.criteria(),
                **form.service_kwargs(),
            )
        except ValidationError as exc:
            _apply_round_errors(form, exc)
        else:
            messages.success(request, _("Utlysningen er lagret som utkast. Publiser den når den er klar."))
            return redirect("grants:round_detail", pk=rnd.pk)
    return render(request, "grants/applicant/round_form.html", {"form": form, "creating": True})


def _apply_round_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            name = RoundForm.ERROR_FIELDS.get(name, name)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _managed_round(request, pk):
    rnd = _round(request, pk)
    if not has_permission(request.user, "grants.manage_round", rnd):
        raise PermissionDenied(_("Du har ikke tilgang til dette."))
    return rnd


@login_required
@require_http_methods(["GET", "POST"])
def round_update(request, pk):
    rnd = _managed_round(request, pk)
    locked = rnd.status != RoundStatus.UTKAST
    form = RoundForm(request.POST or None, initial=RoundForm.initial_for(rnd), editing=True, criteria_locked=locked)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.update_round(request.user, rnd, **form.service_kwargs())
                if not locked:
                    services.set_round_criteria(request.user, rnd, form.criteria())
        except ValidationError as exc:
            _apply_round_errors(form, exc)
        else:
            messages.success(request, _("Endringene er lagret."))
            return redirect("grants:round_detail", pk=rnd.pk)
    return render(request, "grants/applicant/round_form.html", {"form": form, "round": rnd, "creating": False})


@login_required
@require_POST
def round_publish(request, pk):
    rnd = _managed_round(request, pk)
    try:
        services.publish_round(request.user, rnd)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Utlysningen er publisert. Barnevernstjenestene i embetet får e-post."))
    return redirect("grants:round_detail", pk=rnd.pk)


# --- applications (barnevern services) ---------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def application_create(request, pk):
    rnd = _round(request, pk)
    require(request.user, "grants.apply", rnd)
    role = get_active_role(request.user)
    if role is None or not role.is_service:  # a superuser without a service role has no service to apply for
        raise PermissionDenied(_("Du har ikke tilgang til dette."))
    form = ApplicationCreateForm(request.POST or None, rnd=rnd, service_id=role.tjeneste_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = services.create_application(
                request.user,
                rnd,
                kategori=data["kategori"],
                prosjekt=data["prosjekt"],
                network=data["network"],
                prosjektnavn=data["prosjektnavn"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Utkastet er opprettet. Fyll ut søknaden; endringene lagres fortløpende."))
            return redirect("grants:application_edit", pk=application.pk)
    return render(request, "grants/applicant/application_create.html", {"form": form, "round": rnd})


def _draft_forms(application, data=None):
    network = application.prosjekt.network
    budget_initial = [
        {"type": b.type, "beskrivelse": b.beskrivelse, "belop": f"{b.belop.normalize():f}"}
        for b in application.budsjett.all()
    ]
    partner_initial = [{"partner": p.partner_id, "rolle": p.rolle} for p in application.partnere.all()]
    form = ApplicationForm(
        data,
        network=network,
        initial={
            "maal": application.maal,
            "aktiviteter": application.aktiviteter,
            "tidsplan": application.tidsplan,
            "tjenester": [s.pk for s in application.tjenester.all()],
            "egeninnsats": f"{application.egeninnsats.normalize():f}",
            "annen_finansiering": f"{application.annen_finansiering.normalize():f}",
        },
    )
    budget = BudgetFormSet(data, initial=budget_initial, prefix="budsjett")
    budget.line_label = _("Budsjettlinje")
    partners = PartnerFormSet(data, initial=partner_initial, prefix="partnere")
    partners.line_label = _("Partner")
    return form, budget, partners


def _save_draft(request, application, form, budget, partners, *, autosave: bool = False) -> Application:
    """Call the service with the three forms' data (raises ValidationError)."""
    data = form.cleaned_data
    return services.save_draft(
        request.user,
        application,
        maal=data["maal"],
        aktiviteter=data["aktiviteter"],
        tidsplan=data["tidsplan"],
        egeninnsats=data["egeninnsats"],
        annen_finansiering=data["annen_finansiering"],
        budsjett=[
            {"type": line["type"], "beskrivelse": line["beskrivelse"], "belop": line["belop"]} for line in kept(budget)
        ],
        tjenester=list(data["tjenester"]),
        partnere=[{"partner": line["partner"], "rolle": line["rolle"]} for line in kept(partners)],
        autosave=autosave,
    )


def _editable(request, pk) -> Application:
    application = _application(request, pk)
    if not has_permission(request.user, "grants.edit_application", application):
        raise PermissionDenied(_("Du har ikke tilgang til dette."))
    return application


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request, pk):
    application = _editable(request, pk)
    form, budget, partners = _draft_forms(application, request.POST or None)
    if request.method == "POST" and all([form.is_valid(), budget.is_valid(), partners.is_valid()]):
        try:
            _save_draft(request, application, form, budget, partners)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Utkastet er lagret."))
            return redirect("grants:application_edit", pk=application.pk)
    return render(
        request,
        "grants/applicant/application_form.html",
        {
            "application": application,
            "form": form,
            "budget": budget,
            "partners": partners,
            "summary": _error_summary(form, budget, partners),
        },
    )


@login_required
@require_POST
def application_autosave(request, pk):
    application = _application(request, pk)
    if not has_permission(request.user, "grants.edit_application", application):
        return JsonResponse({"errors": {"__all__": [_("Søknaden er ikke et utkast som du kan endre.")]}}, status=403)
    form, budget, partners = _draft_forms(application, request.POST)
    if not all([form.is_valid(), budget.is_valid(), partners.is_valid()]):
        errors = {**field_errors(form), **field_errors(budget), **field_errors(partners)}
        return JsonResponse({"errors": errors}, status=400)
    try:
        saved = _save_draft(request, application, form, budget, partners, autosave=True)
    except ValidationError as exc:
        errors = (
            {form.add_prefix(k) if k in form.fields else k: v for k, v in exc.message_dict.items()}
            if hasattr(exc, "error_dict")
            else {"__all__": exc.messages}
        )
        return JsonResponse({"errors": errors}, status=400)
    return JsonResponse(
        {
            "saved": True,
            "soknadsbelop": str(saved.soknadsbelop),
            "soknadsbelop_tekst": services.kr(saved.soknadsbelop),
            "lagret": timezone.localtime().strftime("%H:%M"),
        }
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_attachment(request, pk):
    application = _editable(request, pk)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            attachment = services.add_attachment(
                request.user, application, tittel=form.cleaned_data["tittel"], fil=form.cleaned_data["fil"]
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                apply_errors(form, exc)
            else:
                form.add_error("fil", exc.messages)
        else:
            messages.success(request, _("Vedlegget «%(t)s» er lastet opp.") % {"t": attachment.tittel})
            return redirect("grants:application_attachment", pk=application.pk)
    return render(
        request,
        "grants/applicant/attachment_form.html",
        {"application": application, "form": form, "attachments": application.vedlegg.all()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_submit(request, pk):
    application = _application(request, pk)
    if application.status != ApplicationStatus.UTKAST and application.referanse:
        if request.method == "POST":
            require(request.user, "grants.submit", application)
            messages.warning(
                request,
                _("Søknaden er allerede sendt inn (referanse %(r)s). Du trenger ikke sende den på nytt.")
                % {"r": application.referanse},
            )
            return redirect("grants:application_receipt", pk=application.pk)
        return redirect("grants:application_detail", pk=application.pk)
    require(request.user, "grants.submit", application)
    errors = []
    if request.method == "POST":
        try:
            services.submit(request.user, application)
        except ValidationError as exc:
            errors = exc.messages
            if Application.objects.filter(pk=application.pk, referanse__isnull=False).exists():
                # Sent in by a parallel request (a double click): the service's "allerede sendt inn".
                messages.warning(request, errors[0])
                return redirect("grants:application_receipt", pk=application.pk)
        else:
            return redirect("grants:application_receipt", pk=application.pk)
    problems = services.submission_problems(application)
    return render(
        request,
        "grants/applicant/application_submit.html",
        {
            "application": application,
            "problems": problems,
            "submit_errors": [e for e in errors if e not in problems],
            "deadline_passed": timezone.localdate() > application.utlysning.frist,
        },
    )


@login_required
def application_receipt(request, pk):
    application = _application(request, pk)
    if not application.referanse:
        return redirect("grants:application_detail", pk=application.pk)
    return render(request, "grants/applicant/receipt.html", {"application": application})


@login_required
@require_http_methods(["GET", "POST"])
def application_withdraw(request, pk):
    application = _application(request, pk)
    require(request.user, "grants.withdraw", application)
    if request.method == "POST":
        try:
            services.withdraw(request.user, application)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Søknaden er trukket."))
        return redirect("grants:application_detail", pk=application.pk)
    return render(request, "grants/applicant/withdraw.html", {"application": application})


def _lines(content) -> list[str]:
    return json.dumps(content, ensure_ascii=False, indent=2, sort_keys=True).splitlines()


def version_diff(old: dict, new: dict) -> list[dict]:
    """Rows for a side-by-side table of what changed between two snapshots (changed lines only)."""
    a, b = _lines(old), _lines(new)
    rows = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        for k in range(max(i2 - i1, j2 - j1)):
            rows.append(
                {
                    "kind": tag,
                    "old_no": i1 + k + 1 if i1 + k < i2 else None,
                    "old": a[i1 + k] if i1 + k < i2 else "",
                    "new_no": j1 + k + 1 if j1 + k < j2 else None,
                    "new": b[j1 + k] if j1 + k < j2 else "",
                }
            )
    return rows


@login_required
def application_versions(request, pk):
    application = _application(request, pk)
    versions = list(application.versjoner.all())
    items = []
    previous = None
    for version in versions:
        items.append(
            {"version": version, "diff": version_diff(previous.innhold, version.innhold) if previous else None}
        )
        previous = version
    return render(
        request, "grants/applicant/versions.html", {"application": application, "items": list(reversed(items))}
    )


urlpatterns = [
    path("rammer/", frames, name="frames"),
    path("rammer/sett/", frame_set, name="frame_set"),
    path("utlysninger/ny/", round_create, name="round_create"),
    path("utlysninger/<int:pk>/endre/", round_update, name="round_update"),
    path("utlysninger/<int:pk>/publiser/", round_publish, name="round_publish"),
    path("utlysninger/<int:pk>/sok/", application_create, name="application_create"),
    path("soknader/<int:pk>/endre/", application_edit, name="application_edit"),
    path("soknader/<int:pk>/autolagre/", application_autosave, name="application_autosave"),
    path("soknader/<int:pk>/vedlegg/", application_attachment, name="application_attachment"),
    path("soknader/<int:pk>/send-inn/", application_submit, name="application_submit"),
    path("soknader/<int:pk>/kvittering/", application_receipt, name="application_receipt"),
    path("soknader/<int:pk>/trekk/", application_withdraw, name="application_withdraw"),
    path("soknader/<int:pk>/versjoner/", application_versions, name="application_versions"),
]
