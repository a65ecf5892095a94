"""Views for progress reports: the project's form (draft, autosave, submit), the read view with versions and
review history, the statsforvalter's review and a list of reports. Thin: each view scopes the object to the
user (404 outside the scope), asks the permission layer and calls followup.services.reports for every write."""

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import has_permission, require
from accounts.scoping import standing
from common import limits
from common.money import kr
from followup.models import SELF_ASSESSMENT_STATEMENTS, ProgressReport, ReportKind, ReportStatus, ReviewOutcome, Scale
from followup.selectors import reports as selectors
from followup.services import reports as services
from grants.models import BudgetKind
from ui.actions import apply_errors
from ui.forms import AmountField, DSForm

NO_ACCESS = gettext_lazy("Du har ikke tilgang til dette.")
PRIVACY = gettext_lazy("Ikke skriv personopplysninger om barn eller familier.")
FIELD_TEMPLATE = "followup/reports/_field.html"
# The list shows reports awaiting review first, then returned ones, drafts and approved ones.
STATUS_ORDER = (ReportStatus.SENDT_INN, ReportStatus.RETURNERT, ReportStatus.UTKAST, ReportStatus.GODKJENT)


# --- forms ------------------------------------------------------------------------------------------


def _text(label, help_text, *, rows=5, submit_required=False) -> forms.CharField:
    field = forms.CharField(
        label=label,
        required=False,
        help_text=f"{help_text} {PRIVACY}" if help_text else PRIVACY,
        widget=forms.Textarea(attrs={"rows": rows}),
        max_length=limits.LONG_TEXT,
        template_name=FIELD_TEMPLATE,
    )
    field.submit_required = submit_required
    return field


class ReportForm(DSForm):
    """The whole report in one form. Amounts and staff numbers are parsed by the service (Norwegian messages);
    the spending, participant and self-assessment fields are added per report line."""

    aktiviteter = _text(
        gettext_lazy("Gjennomførte aktiviteter"),
        gettext_lazy("Hva har dere gjort i tilskuddsåret, sett opp mot planen i søknaden?"),
        submit_required=True,
    )
    avvik = _text(gettext_lazy("Avvik fra plan"), gettext_lazy("Hva ble annerledes enn planlagt, og hvorfor?"), rows=3)
    resultater = _text(
        gettext_lazy("Resultater"),
        gettext_lazy("Hva har prosjektet oppnådd? Nevn modeller, rutiner, maler, opplæring eller andre resultater."),
        submit_required=True,
    )
    partnerinvolvering = _text(
        gettext_lazy("Partnernes bidrag"),
        gettext_lazy("Hvordan har kompetansemiljøer og andre partnere vært med i arbeidet?"),
        rows=3,
    )
    forklaring_overforbruk = _text(
        gettext_lazy("Forklaring på forbruk ut over tildelingen"),
        gettext_lazy("Må fylles ut hvis dere har brukt mer enn det tildelte beløpet: hvordan er det dekket?"),
        rows=3,
    )
    neste_aar = _text(
        gettext_lazy("Planer for neste år"), gettext_lazy("Hva skal dere gjøre videre i prosjektet?"), rows=4
    )
    fritekst = _text(gettext_lazy("Annet"), gettext_lazy("Annet dere vil fortelle statsforvalteren."), rows=3)

    TEXT_FIELDS = services.EDITABLE_FIELDS

    def __init__(self, *args, report: ProgressReport, **kwargs):
        super().__init__(*args, **kwargs)
        self.report = report
        self.spending = list(report.forbruk.all())
        self.participants = list(report.deltakere.all())
        for line in self.spending:
            label = services.kind_label(line.type)
            self.fields[f"brukt_{line.type}"] = AmountField(label=_("Brukt, %(p)s (kr)") % {"p": label}, required=False)
            self.fields[f"kommentar_{line.type}"] = forms.CharField(
                label=_("Kommentar, %(p)s") % {"p": label}, required=False, max_length=300
            )
            self.initial.setdefault(f"brukt_{line.type}", f"{line.brukt.normalize():f}")
            self.initial.setdefault(f"kommentar_{line.type}", line.kommentar)
        for p in self.participants:
            self.fields[f"antall_ansatte_{p.tjeneste_id}"] = forms.CharField(
                label=_("Antall ansatte involvert, %(s)s") % {"s": p.tjeneste.navn},
                required=False,
                max_length=10,
                widget=forms.TextInput(attrs={"inputmode": "numeric"}),
            )
            self.initial.setdefault(f"antall_ansatte_{p.tjeneste_id}", str(p.antall_ansatte))
        answers = {a.utsagn: a.svar for a in report.egenvurdering.all()}
        for key, text in SELF_ASSESSMENT_STATEMENTS.items():
            field = forms.ChoiceField(
                label=text,
                required=False,
                choices=Scale.choices,
                widget=forms.RadioSelect,
                template_name=FIELD_TEMPLATE,
            )
            field.submit_required = True
            self.fields[f"egenvurdering_{key}"] = field
            self.initial.setdefault(f"egenvurdering_{key}", answers.get(key, ""))
        for name in self.TEXT_FIELDS:
            self.initial.setdefault(name, getattr(report, name))

    # Groups for the template: bound fields per part of the form.
    def spending_rows(self):
        return [
            {
                "line": line,
                "label": services.kind_label(line.type),
                "brukt": self[f"brukt_{line.type}"],
                "kommentar": self[f"kommentar_{line.type}"],
            }
            for line in self.spending
        ]

    def participant_rows(self):
        return [{"p": p, "field": self[f"antall_ansatte_{p.tjeneste_id}"]} for p in self.participants]

    def self_assessment_fields(self):
        return [self[f"egenvurdering_{key}"] for key in SELF_ASSESSMENT_STATEMENTS]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            **{name: data.get(name, "") for name in self.TEXT_FIELDS},
            "forbruk": [
                {"type": s.type, "brukt": data.get(f"brukt_{s.type}", ""), "kommentar": data.get(f"kommentar_{s.type}")}
                for s in self.spending
            ],
            "deltakere": [
                {"tjeneste": p.tjeneste_id, "antall_ansatte": data.get(f"antall_ansatte_{p.tjeneste_id}", "")}
                for p in self.participants
            ],
            "egenvurdering": {key: data.get(f"egenvurdering_{key}", "") for key in SELF_ASSESSMENT_STATEMENTS},
        }


class ReviewForm(DSForm):
    utfall = forms.ChoiceField(
        label=gettext_lazy("Vurdering"),
        choices=[
            (ReviewOutcome.GODKJENT, gettext_lazy("Godkjenn rapporten")),
            (ReviewOutcome.RETURNERT, gettext_lazy("Returner rapporten til prosjektet for endring")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Velg om rapporten skal godkjennes eller returneres.")},
    )
    kommentar = forms.CharField(
        label=gettext_lazy("Kommentar til prosjektet"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=limits.LONG_TEXT,
        help_text=gettext_lazy("Må fylles ut når rapporten returneres: skriv hva prosjektet må rette.") + " " + PRIVACY,
    )
    unspent_action = forms.ChoiceField(
        label=gettext_lazy("Ubrukte midler ved godkjenning"),
        required=False,
        choices=[
            (services.KRAV, gettext_lazy("Krev tilbake ubrukte midler over terskelen")),
            (services.OVERFOR, gettext_lazy("Overfør ubrukte midler til neste år")),
        ],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, carry_over_allowed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not carry_over_allowed:
            del self.fields["unspent_action"]
        else:
            self.initial.setdefault("unspent_action", services.KRAV)


class ReportFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=ReportStatus.choices, label=gettext_lazy("Status"), empty_label=gettext_lazy("Alle")
    )
    aar = django_filters.NumberFilter(field_name="krav__aar", label=gettext_lazy("Tilskuddsår"))
    type = django_filters.ChoiceFilter(
        field_name="krav__type",
        choices=ReportKind.choices,
        label=gettext_lazy("Type"),
        empty_label=gettext_lazy("Alle"),
    )
    q = django_filters.CharFilter(method="search", label=gettext_lazy("Prosjekt"))

    class Meta:
        model = ProgressReport
        fields = ["status", "aar", "type", "q"]

    def search(self, queryset, name, value):
        return queryset.filter(krav__prosjekt__navn__icontains=value.strip()) if value.strip() else queryset


# --- helpers ----------------------------------------------------------------------------------------


def _report(request, pk) -> ProgressReport:
    """A report the user may read, or 404."""
    report = selectors.report_detail(request.user, pk)
    if report is None:
        raise Http404
    require(request.user, "projects.view_report", report)
    return report


def _save(request, report, form, *, autosave: bool = False) -> ProgressReport:
    return services.save_draft(request.user, report, autosave=autosave, **form.service_arguments())


def _json_errors(form, exc: ValidationError | None = None) -> dict:
    if exc is None:
        return {name: list(errors) for name, errors in form.errors.items()}
    if hasattr(exc, "error_dict"):
        return {name: list(errors) for name, errors in exc.message_dict.items()}
    return {"__all__": exc.messages}


# --- the project's form ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request, pk):
    """The report for a reporting requirement. The first visit by a user of a participating service creates
    the prefilled draft. "Lagre utkast" saves; "Send inn" saves and then submits (the draft stays saved when
    the submission is refused, with the reasons shown)."""
    krav = selectors.requirement_for(request.user, pk)
    if krav is None:
        raise Http404
    report = getattr(krav, "rapport", None)
    if not has_permission(request.user, "projects.edit_report", report or krav):
        if report is not None and has_permission(request.user, "projects.view_report", report):
            return redirect("projects:report_detail", pk=report.pk)
        raise PermissionDenied(NO_ACCESS)
    if report is None:
        report = services.start_report(request.user, krav)
    if report.status not in services.EDITABLE:
        messages.info(request, services._not_editable_message(report))
        return redirect("projects:report_detail", pk=report.pk)
    report = selectors.report_for_edit(report.pk)
    form = ReportForm(request.POST or None, report=report)
    if request.method == "POST" and form.is_valid():
        sending = request.POST.get("handling") == "send"
        try:
            _save(request, report, form)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if not sending:
                messages.success(request, _("Utkastet er lagret."))
                return redirect("projects:report_edit", pk=krav.pk)
            try:
                services.submit(request.user, report)
            except ValidationError as exc:
                apply_errors(form, exc)
                form.add_error(None, _("Utkastet er lagret, men rapporten er ikke sendt inn ennå."))
            else:
                messages.success(request, _("Rapporten er sendt inn til statsforvalteren. Takk!"))
                return redirect("projects:report_detail", pk=report.pk)
        report = selectors.report_for_edit(report.pk)  # show what is saved next to the errors
        form.report = report
    spending = list(report.forbruk.all())
    budget = sum((s.budsjett for s in spending), services.ZERO)
    used = sum((s.brukt for s in spending), services.ZERO)
    returned = next((r for r in report.vurderinger.all() if r.utfall == ReviewOutcome.RETURNERT), None)
    return render(
        request,
        "followup/reports/report_form.html",
        {
            "krav": krav,
            "report": report,
            "form": form,
            "budget_total": budget,
            "used_total": used,
            "unspent": max(report.tildelt - used, services.ZERO),
            "over": used > report.tildelt,
            "returned": returned if report.status == ReportStatus.RETURNERT else None,
            "kinds": BudgetKind,
        },
    )


@login_required
@require_POST
def report_autosave(request, pk):
    """Autosave (static/js/autosave.js): saves the posted form, answers JSON."""
    report = selectors.reports_visible_to(request.user).filter(pk=pk).first()
    if report is None:
        raise Http404
    if not has_permission(request.user, "projects.edit_report", report) or report.status not in services.EDITABLE:
        return JsonResponse({"errors": {"__all__": [_("Rapporten kan ikke endres nå.")]}}, status=403)
    report = selectors.report_for_edit(report.pk)
    form = ReportForm(request.POST, report=report)
    if not form.is_valid():
        return JsonResponse({"errors": _json_errors(form)}, status=400)
    try:
        saved = _save(request, report, form, autosave=True)
    except ValidationError as exc:
        return JsonResponse({"errors": _json_errors(form, exc)}, status=400)
    used = sum((s.brukt for s in saved.forbruk.all()), services.ZERO)
    return JsonResponse(
        {
            "saved": True,
            "ubrukt": str(max(saved.tildelt - used, services.ZERO)),
            "ubrukt_tekst": kr(max(saved.tildelt - used, services.ZERO)),
            "lagret": timezone.localtime().strftime("%H:%M"),
        }
    )


# --- read view ------------------------------------------------------------------------------------------


@login_required
def report_detail(request, pk):
    report = _report(request, pk)
    versions = list(report.versjoner.all())
    by_number = {v.versjon: v for v in versions}
    chosen = None
    requested = request.GET.get("versjon", "")
    if requested.isdecimal():
        chosen = by_number.get(int(requested))
        if chosen is None:
            raise Http404
    may_edit = has_permission(request.user, "projects.edit_report", report)
    if chosen is None and versions and not (may_edit and report.status in services.EDITABLE):
        chosen = versions[-1]
    content = chosen.innhold if chosen is not None else services.snapshot(report)
    diff = None
    if chosen is not None and chosen.versjon - 1 in by_number:
        diff = selectors.version_diff(by_number[chosen.versjon - 1].innhold, chosen.innhold)
    may_review = report.status == ReportStatus.SENDT_INN and has_permission(
        request.user, "projects.review_report", report
    )
    return render(
        request,
        "followup/reports/report_detail.html",
        {
            "report": report,
            "krav": report.krav,
            "application": report.krav.vedtak.soknad,
            "content": content,
            "statements": selectors.self_assessment_rows(content),
            "chosen": chosen,
            "versions": versions,
            "diff": diff,
            "reviews": list(report.vurderinger.all()),
            "may_edit": may_edit and report.status in services.EDITABLE,
            "may_review": may_review,
            **selectors.money_after(report),
        },
    )


# --- review (statsforvalter) ---------------------------------------------------------------------------


def _confirmed(request, form) -> bool:
    """Approving cannot be undone (it may create a repayment claim or a carry-over): a valid approval is first shown
    on a confirmation page (followup/reports/review_confirm.html, no JavaScript needed) that posts it again with
    bekreftet=1. Returning a report needs no confirmation."""
    if "endre" in request.POST:  # «Endre» on the confirmation: back to the form as typed
        return False
    return form.cleaned_data.get("utfall") != ReviewOutcome.GODKJENT or request.POST.get("bekreftet") == "1"


@login_required
@require_http_methods(["GET", "POST"])
def report_review(request, pk):
    report = _report(request, pk)
    require(request.user, "projects.review_report", report)
    if report.status != ReportStatus.SENDT_INN:
        messages.info(
            request,
            _("Rapporten er allerede godkjent.")
            if report.status == ReportStatus.GODKJENT
            else _("Rapporten er ikke sendt inn til vurdering."),
        )
        return redirect("projects:report_detail", pk=report.pk)
    rnd = report.krav.vedtak.soknad.utlysning
    form = ReviewForm(request.POST or None, carry_over_allowed=rnd.overforing_tillatt)
    if request.method == "POST" and form.is_valid() and _confirmed(request, form):
        data = form.cleaned_data
        try:
            services.review(
                request.user,
                report,
                utfall=data["utfall"],
                kommentar=data["kommentar"],
                unspent_action=data.get("unspent_action") or None,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if data["utfall"] == ReviewOutcome.GODKJENT:
                messages.success(request, _("Rapporten er godkjent."))
            else:
                messages.success(request, _("Rapporten er returnert til prosjektet med kommentaren din."))
            return redirect("projects:report_detail", pk=report.pk)
    versions = list(report.versjoner.all())
    content = versions[-1].innhold if versions else services.snapshot(report)
    confirming = (
        request.method == "POST" and form.is_valid() and not _confirmed(request, form) and "endre" not in request.POST
    )
    return render(
        request,
        "followup/reports/review_confirm.html" if confirming else "followup/reports/report_review.html",
        {
            "report": report,
            "krav": report.krav,
            "round": rnd,
            "form": form,
            "content": content,
            "statements": selectors.self_assessment_rows(content),
            "claim": services.unspent_outcome(report, services.KRAV),
            "carry": services.unspent_outcome(report, services.OVERFOR) if rnd.overforing_tillatt else None,
            "impartial_needed": rnd.overforing_tillatt,
            "reviews": list(report.vurderinger.all()),
        },
        status=400 if form.errors else 200,
    )


# --- list -------------------------------------------------------------------------------------------------


@login_required
def report_list(request):
    """Reports the user may read: for the statsforvalter those of its embete (awaiting review first), for
    the services their own projects' reports, for Bufdir every submitted report."""
    qs = selectors.reports_visible_to(request.user)
    filterset = ReportFilter(request.GET or None, queryset=qs)
    order = Case(
        *(When(status=s, then=Value(i)) for i, s in enumerate(STATUS_ORDER)),
        default=Value(len(STATUS_ORDER)),
        output_field=IntegerField(),
    )
    rows = filterset.qs.annotate(rekkefolge=order).order_by("rekkefolge", "-krav__aar", "krav__prosjekt__navn", "pk")
    page = Paginator(rows, 25).get_page(request.GET.get("side"))
    return render(
        request,
        "followup/reports/report_list.html",
        {
            "filter": filterset,
            "page": page,
            "awaiting": selectors.awaiting_review(request.user).count()
            if standing(request.user).statsforvalter
            else None,
        },
    )


urlpatterns = [
    path("rapporter/", report_list, name="report_list"),
    path("rapportkrav/<int:pk>/rapport/", report_edit, name="report_edit"),
    path("rapport/<int:pk>/", report_detail, name="report_detail"),
    path("rapport/<int:pk>/autolagre/", report_autosave, name="report_autosave"),
    path("rapport/<int:pk>/vurdering/", report_review, name="report_review"),
]
