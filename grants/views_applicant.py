"""Views for the barnevern services' applications: create, edit, autosave, attachments, submit with receipt,
withdraw, versions (Bufdir's frames are in views_frames, the statsforvalter's rounds in views_rounds). Thin: each
view scopes the object to the user (404 outside the scope), asks the permission layer and calls a service for the
write. Service errors go back onto the form."""

import difflib
import json
from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import has_permission, require
from accounts.scoping import standing
from common.money import kr
from ui.actions import apply_errors

from . import selectors, services
from .forms_applicant import (
    ApplicationCreateForm,
    ApplicationForm,
    AttachmentForm,
    BudgetFormSet,
    PartnerFormSet,
    field_errors,
    kept,
)
from .models import Application, ApplicationStatus
from .views_rounds import round_or_404

# --- helpers ------------------------------------------------------------------------------------


def _application(request, pk) -> Application:
    """An application the user may see, or 404 (drafts of other services are not visible at all)."""
    application = selectors.application_detail(request.user, pk)
    if application is None:
        raise Http404
    require(request.user, "grants.view_application", application)
    return application


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


# --- applications (barnevern services) ---------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def application_create(request, pk):
    rnd = round_or_404(request, pk)
    require(request.user, "grants.apply", rnd)
    service_id = standing(request.user).service_id
    if service_id is None:  # a superuser without a service role has no service to apply for
        raise PermissionDenied(_("Du har ikke tilgang til dette."))
    form = ApplicationCreateForm(request.POST or None, rnd=rnd, service_id=service_id)
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
            "ansvarlig_soker": getattr(selectors.lead_applicant(application), "pk", None),
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
        ansvarlig_soker=data.get("ansvarlig_soker"),
        partnere=[{"partner": line["partner"], "rolle": line["rolle"]} for line in kept(partners)],
        autosave=autosave,
    )


def _editable(request, pk) -> Application:
    application = _application(request, pk)
    require(request.user, "grants.edit_application", application)
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
            "soknadsbelop_tekst": kr(saved.soknadsbelop),
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
    lead, letter_language = selectors.lead_and_letter_language(application)
    return render(
        request,
        "grants/applicant/application_submit.html",
        {
            "application": application,
            "lead": lead,
            "letter_language": letter_language,
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
    path("utlysninger/<int:pk>/sok/", application_create, name="application_create"),
    path("soknader/<int:pk>/endre/", application_edit, name="application_edit"),
    path("soknader/<int:pk>/autolagre/", application_autosave, name="application_autosave"),
    path("soknader/<int:pk>/vedlegg/", application_attachment, name="application_attachment"),
    path("soknader/<int:pk>/send-inn/", application_submit, name="application_submit"),
    path("soknader/<int:pk>/kvittering/", application_receipt, name="application_receipt"),
    path("soknader/<int:pk>/trekk/", application_withdraw, name="application_withdraw"),
    path("soknader/<int:pk>/versjoner/", application_versions, name="application_versions"),
]
