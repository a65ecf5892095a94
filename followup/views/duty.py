"""Views for the reporting duty: the list of reporting requirements (deadlines, overdue ones highlighted, for
the statsforvalter also postponement requests awaiting an answer), one requirement with its postponements and
reminders, the project's request for a postponement and the statsforvalter's decision. Thin: each view scopes
the object to the user (404 outside the scope), asks the permission layer and calls followup.services.duty."""

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import has_permission, require
from accounts.scoping import standing
from common import dates
from followup.models import PostponementStatus, ReportKind, ReportStatus
from followup.selectors import duty as selectors
from followup.selectors.duty import DutyStatus
from followup.services import duty as services
from grants.ledger import final_amount
from organisations.models import Embete
from ui.actions import apply_errors
from ui.forms import DSForm

PRIVACY = gettext_lazy("Ikke skriv personopplysninger om barn eller familier.")
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"]
FIRST_YEAR = 2019  # the first grant year in the ledger
PAGE_SIZE = 25


# --- forms ------------------------------------------------------------------------------------------


class PostponementRequestForm(DSForm):
    ny_frist = forms.DateField(
        label=gettext_lazy("Ønsket ny frist"),
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": gettext_lazy("Oppgi ønsket ny frist."),
            "invalid": gettext_lazy("Oppgi ønsket ny frist som en dato, for eksempel 01.05.2027."),
        },
    )
    begrunnelse = forms.CharField(
        label=gettext_lazy("Begrunnelse"),
        help_text=gettext_lazy("Hvorfor trenger prosjektet lengre tid? Statsforvalteren ser begrunnelsen.")
        + " "
        + PRIVACY,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=services.MAX_TEXT,
        error_messages={"required": gettext_lazy("Skriv hvorfor dere trenger lengre frist.")},
    )


class PostponementDecisionForm(DSForm):
    utfall = forms.TypedChoiceField(
        label=gettext_lazy("Svar"),
        choices=[
            ("innvilget", gettext_lazy("Innvilg utsettelsen")),
            ("avslatt", gettext_lazy("Avslå utsettelsen")),
        ],
        coerce=lambda v: v == "innvilget",
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Velg om utsettelsen skal innvilges eller avslås.")},
    )
    svar = forms.CharField(
        label=gettext_lazy("Begrunnelse til prosjektet"),
        required=False,
        help_text=gettext_lazy("Må fylles ut når utsettelsen avslås.") + " " + PRIVACY,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=services.MAX_TEXT,
    )


class RequirementFilter(django_filters.FilterSet):
    aar = django_filters.ChoiceFilter(label=gettext_lazy("Tilskuddsår"), empty_label=gettext_lazy("Alle"))
    status = django_filters.ChoiceFilter(
        field_name="tilstand",
        choices=DutyStatus.choices,
        label=gettext_lazy("Status"),
        empty_label=gettext_lazy("Alle"),
    )
    type = django_filters.ChoiceFilter(
        choices=ReportKind.choices, label=gettext_lazy("Type"), empty_label=gettext_lazy("Alle")
    )
    embete = django_filters.ModelChoiceFilter(
        field_name="vedtak__soknad__utlysning__embete",
        queryset=Embete.objects.order_by("navn"),
        label=gettext_lazy("Embete"),
        empty_label=gettext_lazy("Alle"),
    )
    q = django_filters.CharFilter(method="search", label=gettext_lazy("Prosjekt"))

    def __init__(self, *args, all_embeter: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.filters["aar"].extra["choices"] = [(y, str(y)) for y in range(this_year + 1, FIRST_YEAR - 1, -1)]
        if not all_embeter:
            del self.filters["embete"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(prosjekt__navn__icontains=value) if value else queryset


# --- helpers ----------------------------------------------------------------------------------------


def _url(name: str, *args) -> str | None:
    """The URL if the name resolves (the report pages belong to another part of the app)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _requirement(request, pk):
    krav = selectors.requirement_detail(request.user, pk)
    if krav is None:
        raise Http404
    require(request.user, "projects.view_requirement", krav)
    return krav


def _report_link(user, krav) -> tuple[str | None, str]:
    """(url, label) of the report page for this user, or (None, "")."""
    report = getattr(krav, "rapport", None)
    if has_permission(user, "projects.edit_report", report or krav):
        if report is None:
            return _url("projects:report_edit", krav.pk), _("Skriv rapporten")
        if report.status == ReportStatus.UTKAST:
            return _url("projects:report_edit", krav.pk), _("Fortsett å skrive rapporten")
        if report.status == ReportStatus.RETURNERT:
            return _url("projects:report_edit", krav.pk), _("Rett opp og send inn rapporten på nytt")
        return _url("projects:report_detail", report.pk), _("Se rapporten")
    if report is not None and has_permission(user, "projects.view_report", report):
        return _url("projects:report_detail", report.pk), _("Se rapporten")
    return None, ""


def _may_request(user, krav) -> bool:
    return (
        krav.tilstand not in (DutyStatus.SENDT_INN, DutyStatus.GODKJENT)
        and not krav.venter_utsettelse
        and has_permission(user, "projects.request_postponement", krav)
    )


# --- list -------------------------------------------------------------------------------------------------


@login_required
@require_GET
def requirement_list(request):
    """Reporting requirements the user may see, overdue first. The statsforvalter also sees the postponement
    requests waiting for an answer."""
    user_standing = standing(request.user)
    embete_id = user_standing.embete_id  # a statsforvalter's: its postponement requests and overdue count
    filterset = RequirementFilter(
        request.GET or None, queryset=selectors.requirement_list(request.user), all_embeter=user_standing.sees_all
    )
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("side"))
    for row in page:
        row.tilstand_label = DutyStatus(row.tilstand).label
    is_sf = embete_id is not None
    return render(
        request,
        "followup/duty/requirement_list.html",
        {
            "filter": filterset,
            "page": page,
            "is_sf": is_sf,
            "pending": list(selectors.pending_postponements_for_embete(embete_id)) if is_sf else None,
            "overdue": selectors.overdue_for_embete(embete_id).count() if is_sf else None,
            "today": timezone.localdate(),
        },
    )


# --- one requirement --------------------------------------------------------------------------------------


@login_required
@require_GET
def requirement_detail(request, pk):
    krav = _requirement(request, pk)
    krav.tilstand_label = DutyStatus(krav.tilstand).label
    postponements = list(krav.utsettelser.all())
    pending = next((p for p in postponements if p.status == PostponementStatus.VENTER), None)
    report_url, report_label = _report_link(request.user, krav)
    application = krav.vedtak.soknad
    return render(
        request,
        "followup/duty/requirement_detail.html",
        {
            "krav": krav,
            "application": application,
            "decision": krav.vedtak,
            "award": final_amount(krav.vedtak),
            "may_see_application": has_permission(request.user, "grants.view_application", application),
            "postponements": postponements,
            "pending": pending,
            "may_decide": pending is not None and has_permission(request.user, "projects.decide_postponement", pending),
            "may_request": _may_request(request.user, krav),
            "reminders": krav.sendte_paminnelser,
            "report_url": report_url,
            "report_label": report_label,
            "days_left": (krav.frist - timezone.localdate()).days,
        },
    )


# --- postponements ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def postponement_request(request, pk):
    krav = _requirement(request, pk)
    require(request.user, "projects.request_postponement", krav)
    detail = redirect("projects:requirement_detail", pk=krav.pk)
    if krav.tilstand in (DutyStatus.SENDT_INN, DutyStatus.GODKJENT):
        messages.info(request, _("Rapporten er allerede sendt inn. Fristen kan ikke utsettes."))
        return detail
    if krav.venter_utsettelse:
        messages.info(
            request, _("Det finnes allerede en søknad om utsettelse som venter på svar fra statsforvalteren.")
        )
        return detail
    # A month after the deadline as a suggestion; guarded: a deadline stored as 9999-12-31 would overflow (a 500).
    suggestion = dates.add_days(max(krav.frist, timezone.localdate()), 30)
    form = PostponementRequestForm(
        request.POST or None, initial={"ny_frist": suggestion if dates.in_range(suggestion) else None}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.request_postponement(request.user, krav, data["ny_frist"], data["begrunnelse"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("Søknaden om utsettelse er sendt. Statsforvalteren svarer, og dere får svaret på e-post.")
            )
            return detail
    return render(
        request,
        "followup/duty/postponement_request.html",
        {"krav": krav, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def postponement_decide(request, pk):
    postponement = selectors.postponement_for(request.user, pk)
    if postponement is None:
        raise Http404
    require(request.user, "projects.decide_postponement", postponement)
    krav = _requirement(request, postponement.krav_id)
    krav.tilstand_label = DutyStatus(krav.tilstand).label
    if postponement.status != PostponementStatus.VENTER:
        messages.info(request, _("Søknaden om utsettelse er allerede behandlet."))
        return redirect("projects:requirement_detail", pk=krav.pk)
    form = PostponementDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decided = services.decide_postponement(request.user, postponement, data["utfall"], data["svar"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if decided.status == PostponementStatus.INNVILGET:
                messages.success(
                    request,
                    _("Utsettelsen er innvilget. Ny frist er %(frist)s.") % {"frist": f"{decided.ny_frist:%d.%m.%Y}"},
                )
            else:
                messages.success(request, _("Søknaden om utsettelse er avslått."))
            return redirect("projects:requirement_detail", pk=krav.pk)
    return render(
        request,
        "followup/duty/postponement_decide.html",
        {"postponement": postponement, "krav": krav, "form": form, "earlier": list(krav.utsettelser.all())},
        status=400 if form.errors else 200,
    )


urlpatterns = [
    path("rapportkrav/", requirement_list, name="requirement_list"),
    path("rapportkrav/<int:pk>/", requirement_detail, name="requirement_detail"),
    path("rapportkrav/<int:pk>/utsettelse/", postponement_request, name="postponement_request"),
    path("utsettelser/<int:pk>/", postponement_decide, name="postponement_decide"),
]
