"""Views for the barnevern services' applications: create, edit, autosave, attachments, submit with receipt,
withdraw, versions (Bufdir's frames are in views_frames, the statsforvalter's rounds in views_rounds). Thin: each
view scopes the object to the user (404 outside the scope), asks the permission layer and calls a service for the
write. Service errors go back onto the form."""

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

from . import drafts, rounds, selectors, selectors_content, services
from .forms_applicant import (
    ApplicationCreateForm,
    ApplicationForm,
    AttachmentForm,
    BudgetFormSet,
    PartnerFormSet,
    field_errors,
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
    if rnd.deadline_passed():  # no new drafts (and projects) after the deadline: grants.rounds.check_new_draft
        messages.error(
            request,
            _("Søknadsfristen gikk ut %(d)s. Det kan ikke startes nye søknader i denne utlysningen.")
            % {"d": rnd.frist.strftime("%d.%m.%Y")},
        )
        return redirect("grants:round_detail", pk=rnd.pk)
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
    # The saved lines are the formsets' initial only on a GET: bound to a POST, a line equal to a saved line would
    # count as an unchanged extra form and be dropped as empty (a posted INITIAL_FORMS below the saved lines).
    if data is not None:
        budget_initial = partner_initial = None
    budget = BudgetFormSet(data, initial=budget_initial, prefix="budsjett")
    budget.line_label = _("Budsjettlinje")
    partners = PartnerFormSet(data, initial=partner_initial, prefix="partnere")
    partners.line_label = _("Partner")
    return form, budget, partners


def _editable(request, pk) -> Application:
    application = _application(request, pk)
    require(request.user, "grants.edit_application", application)
    return application


def _save_fields(request, application, form, budget, partners, *, autosave: bool = False):
    """Save the valid fields the user changed, merged with others' saves (grants.drafts): a DraftSave."""
    for obj in (form, budget, partners):
        obj.is_valid()
    invalid = {name for name in form.errors if name in drafts.FIELDS}
    if not budget.is_valid():
        invalid.add("budsjett")
    if not partners.is_valid():
        invalid.add("partnere")
    values = drafts.sent(form, budget, partners)
    for name in request.POST.getlist("bruk_lagret"):  # the user chose the saved version of a field in conflict
        values.pop(name, None)
    return drafts.save_fields(
        request.user,
        application,
        values,
        revision=drafts.parse_revision(request.POST.get("utkast_revisjon")),
        base=drafts.parse_base(request.POST.get("utkast_base")),
        invalid=invalid,
        keep_mine=set(request.POST.getlist("behold_min")),
        autosave=autosave,
    )


def _draft_state(application, result=None) -> dict:
    """The hidden revision and base values the form carries (grants.drafts)."""
    if result is None:
        return {"revisjon": application.utkast_revisjon, "base": json.dumps(drafts.current(application))}
    return {"revisjon": result.revision, "base": json.dumps(result.base)}


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request, pk):
    application = _editable(request, pk)
    form, budget, partners = _draft_forms(application, request.POST or None)
    result = None
    if request.method == "POST":
        try:
            result = _save_fields(request, application, form, budget, partners)
        except ValidationError as exc:  # a rule for the whole draft: nothing saved, the input comes back
            form.add_error(None, exc.messages)
            result = drafts.unsaved(application, request.POST)
        if result.complete and form.is_valid() and budget.is_valid() and partners.is_valid():
            messages.success(request, _("Utkastet er lagret."))
            return redirect("grants:application_edit", pk=application.pk)
        for name, errors in result.errors.items():
            for message in errors:
                form.add_error(name if name in form.fields else None, message)
        application = result.application
    return render(
        request,
        "grants/applicant/application_form.html",
        {
            "application": application,
            "form": form,
            "budget": budget,
            "partners": partners,
            "summary": _error_summary(form, budget, partners),
            "draft_state": _draft_state(application, result),
            "result": result,
            "conflicts": result.conflicts if result else [],
        },
    )


@login_required
@require_POST
def application_autosave(request, pk):
    application = _application(request, pk)
    if not has_permission(request.user, "grants.edit_application", application):
        return JsonResponse({"errors": {"__all__": [_("Søknaden er ikke et utkast som du kan endre.")]}}, status=403)
    form, budget, partners = _draft_forms(application, request.POST)
    try:
        result = _save_fields(request, application, form, budget, partners, autosave=True)
    except ValidationError as exc:  # a rule for the whole draft: nothing saved
        return JsonResponse({"saved": False, "errors": {"__all__": exc.messages}}, status=400)
    errors = {**field_errors(form), **field_errors(budget), **field_errors(partners)}
    for name, messages_ in result.errors.items():
        key = form.add_prefix(name) if name in form.fields else name
        errors.setdefault(key, []).extend(m for m in messages_ if m not in errors.get(key, []))
    saved = result.application
    status = 400 if errors else 409 if result.conflicts else 200
    return JsonResponse(
        {
            "saved": not errors and not result.conflicts,
            "lagrede_felt": result.saved,
            "errors": errors,
            "konflikter": result.conflicts,
            "oppdatert": {k: v for k, v in result.changed_by_others.items() if k in drafts.SIMPLE},
            "endret_av_andre": [str(drafts.LABELS[k]) for k in result.changed_by_others if k not in drafts.SIMPLE],
            "revisjon": result.revision,
            "base": result.base,
            "soknadsbelop": str(saved.soknadsbelop),
            "soknadsbelop_tekst": kr(saved.soknadsbelop),
            "lagret": timezone.localtime().strftime("%H:%M"),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_attachment(request, pk):
    application = _editable(request, pk)
    form = AttachmentForm(request.POST or None, request.FILES or None, rnd=application.utlysning)
    if request.method == "POST" and form.is_valid():
        try:
            attachment = services.add_attachment(
                request.user,
                application,
                tittel=form.cleaned_data["tittel"],
                fil=form.cleaned_data["fil"],
                krav=form.cleaned_data.get("krav"),
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
        {
            "application": application,
            "form": form,
            "attachments": application.vedlegg.select_related("krav"),
            "missing_documents": rounds.missing_documents(application),
        },
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
            "content": selectors_content.application_content(application),
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
            withdrawn = services.withdraw(request.user, application)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            if withdrawn.pk is None:  # a draft that registered its project is deleted with it
                messages.success(request, _("Utkastet er trukket og slettet, sammen med prosjektet det registrerte."))
                return redirect("grants:round_detail", pk=application.utlysning_id)
            messages.success(request, _("Søknaden er trukket."))
        return redirect("grants:application_detail", pk=application.pk)
    return render(request, "grants/applicant/withdraw.html", {"application": application})


@login_required
def application_versions(request, pk):
    application = _application(request, pk)
    versions = list(application.versjoner.all())
    items = []
    previous = None
    for version in versions:
        changes = selectors_content.compare(previous.innhold, version.innhold) if previous else None
        items.append({"version": version, "previous": previous, "diff": changes})
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
