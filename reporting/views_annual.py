"""Views for the annual report (årsrapport) from a statsforvalter to Bufdir: the list (the statsforvalter's own
years; Bufdir's overview of every embete × year), starting a report for a year, the report page (compiled tables,
narratives, comments, submission, versions, downloads) and Bufdir's reopening.

Thin: each view finds the report among those the user may see (404 outside the scope), asks the permission layer
(403) and calls reporting.services.annual for every write. A submitted report's page and downloads are rendered
from its frozen version, never from live data."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import format_lazy
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import has_permission, require
from accounts.scoping import standing
from common import versioned_cache as figures_cache
from reporting import annual_pdf
from reporting.models import AnnualReport, AnnualReportVersion, AnnualStatus
from reporting.selectors import annual as selectors
from reporting.services import annual as services
from ui.actions import apply_errors
from ui.forms import DSForm

PRIVACY = gettext_lazy("Ikke skriv personopplysninger om barn eller familier.")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- forms ------------------------------------------------------------------------------------------


def _year_choices() -> list[tuple[int, int]]:
    this_year = timezone.localdate().year
    return [(y, y) for y in range(this_year, services.FIRST_YEAR - 1, -1)]


class CreateForm(DSForm):
    aar = forms.TypedChoiceField(label=gettext_lazy("År"), coerce=int, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["aar"].choices = _year_choices()
        self.fields["aar"].initial = timezone.localdate().year - 1


def _text(label, help_text, *, rows=6) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=services.MAX_TEXT,
        help_text=format_lazy("{} {}", help_text, PRIVACY),
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class NarrativeForm(DSForm):
    vurdering = _text(
        gettext_lazy("Vurdering av året"),
        gettext_lazy("Statsforvalterens vurdering: hvordan har nettverkene og prosjektene fungert, og hva er oppnådd?"),
    )
    utfordringer = _text(
        gettext_lazy("Utfordringer"),
        gettext_lazy("Hva har vært vanskelig, for eksempel få søkere, ubrukte midler eller forsinkede prosjekter?"),
    )
    planer = _text(gettext_lazy("Planer for neste år"), gettext_lazy("Hva vil statsforvalteren prioritere?"))
    kommentarer = _text(
        gettext_lazy("Andre kommentarer (valgfritt)"),
        gettext_lazy("Annet Bufdir bør vite, for eksempel om tallene."),
        rows=3,
    )


class CommentForm(DSForm):
    tekst = forms.CharField(
        label=gettext_lazy("Kommentar"),
        max_length=services.MAX_TEXT,
        help_text=format_lazy(
            "{} {}", gettext_lazy("Synlig for kolleger hos statsforvalteren og for Bufdir."), PRIVACY
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReopenForm(DSForm):
    begrunnelse = forms.CharField(
        label=gettext_lazy("Hvorfor åpnes rapporten igjen?"),
        max_length=services.MAX_TEXT,
        help_text=format_lazy("{} {}", gettext_lazy("Statsforvalteren ser begrunnelsen."), PRIVACY),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- helpers ----------------------------------------------------------------------------------------


def _report(request, pk) -> AnnualReport:
    report = selectors.report_for(request.user, pk)
    if report is None:
        raise Http404
    require(request.user, "reporting.view_annual", report)
    return report


def _tables_html(request, report: AnnualReport, content: dict, frozen: bool) -> str:
    """The figure tables as HTML. A report has hundreds of project rows, so the rendered tables are cached like the
    figures (common.versioned_cache: until the data changes, per language and day); a frozen version never changes."""

    def render_tables() -> str:
        return render_to_string("reporting/annual/_tables.html", {"tables": selectors.tables(content)}, request=request)

    parts = ["annual-tables", report.pk, report.versjon if frozen else "utkast", get_language(), timezone.localdate()]
    return mark_safe(figures_cache.cached(parts, render_tables))  # noqa: S308  # nosec B308 B703 (autoescaped template)


def _detail_context(request, report: AnnualReport, **forms_) -> dict:
    content, frozen = selectors.content_for(report)
    user = request.user
    may_edit = report.editable and has_permission(user, "reporting.edit_annual", report)
    ctx = {
        "report": report,
        "content": content,
        "frozen": frozen,
        "tables_html": _tables_html(request, report, content, frozen),
        "narratives": selectors.narrative_sections(content),
        "versions": list(report.versjoner.select_related("sendt_inn_av").order_by("-versjon")),
        "entries": list(report.logg.select_related("forfatter").order_by("tidspunkt", "id")),
        "may_edit": may_edit,
        "reopened": None,
        "may_comment": report.editable and has_permission(user, "reporting.comment_annual", report),
        "may_reopen": report.status == AnnualStatus.SENDT_INN
        and has_permission(user, "reporting.reopen_annual", report),
        "problems": services.submission_problems(report) if may_edit else {},
    }
    if report.status == AnnualStatus.GJENAPNET:
        ctx["reopened"] = next((e for e in reversed(ctx["entries"]) if e.type == "gjenapnet"), None)
    if may_edit:
        ctx["form"] = forms_.get("form") or NarrativeForm(
            initial={name: getattr(report, name) for name in ("vurdering", "utfordringer", "planer", "kommentarer")}
        )
    if ctx["may_comment"]:
        ctx["comment_form"] = forms_.get("comment_form") or CommentForm()
    if ctx["may_reopen"]:
        ctx["reopen_form"] = forms_.get("reopen_form") or ReopenForm()
    return ctx


def _render_detail(request, report, status=200, **forms_):
    return render(request, "reporting/annual/detail.html", _detail_context(request, report, **forms_), status=status)


# --- views ------------------------------------------------------------------------------------------


@login_required
def annual_list(request):
    """SF: its own embete's reports and a form to start one for a year. Bufdir: every embete × a year."""
    require(request.user, "reporting.list_annual")
    embete = standing(request.user).embete
    ctx: dict = {"reports": selectors.reports_visible_to(request.user).order_by("-aar", "embete__navn")}
    if embete is not None:
        ctx["embete"] = embete
        ctx["create_form"] = CreateForm()
    else:
        years = [y for y, _label in _year_choices()]
        try:
            year = int(request.GET.get("aar", ""))
        except ValueError:
            year = years[1] if len(years) > 1 else years[0]
        if year not in years:
            year = years[1] if len(years) > 1 else years[0]
        ctx.update({"years": years, "year": year, "overview": selectors.overview(request.user, [year])})
    return render(request, "reporting/annual/list.html", ctx)


@login_required
@require_POST
def annual_create(request):
    embete = standing(request.user).embete
    if embete is None:
        raise PermissionDenied(_("Du har ikke tilgang til dette."))
    form = CreateForm(request.POST)
    if form.is_valid():
        try:
            report = services.create_report(request.user, embete, form.cleaned_data["aar"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Årsrapporten for %(aar)s er opprettet.") % {"aar": report.aar})
            return redirect("reporting:annual_detail", pk=report.pk)
    reports = selectors.reports_visible_to(request.user).order_by("-aar")
    ctx = {"reports": reports, "embete": embete, "create_form": form}
    return render(request, "reporting/annual/list.html", ctx, status=400)


@login_required
def annual_detail(request, pk):
    report = _report(request, pk)
    if request.method != "POST":
        return _render_detail(request, report)
    require(request.user, "reporting.edit_annual", report)
    form = NarrativeForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, report, status=400, form=form)
    submitting = request.POST.get("handling") == "send"
    try:
        report = services.save_narratives(request.user, report, **form.cleaned_data)
        if submitting:
            report = services.submit(request.user, report)
    except ValidationError as exc:
        report.refresh_from_db()
        if not report.editable:  # submitted meanwhile: no form to show the message on
            messages.error(request, " ".join(exc.messages))
            return redirect("reporting:annual_detail", pk=report.pk)
        apply_errors(form, exc)
        return _render_detail(request, report, status=400, form=form)
    if submitting:
        messages.success(request, _("Årsrapporten er sendt inn til Bufdir (versjon %(v)s).") % {"v": report.versjon})
    else:
        messages.success(request, _("Utkastet er lagret."))
    return redirect("reporting:annual_detail", pk=report.pk)


@login_required
@require_POST
def annual_comment(request, pk):
    report = _report(request, pk)
    require(request.user, "reporting.comment_annual", report)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment(request.user, report, form.cleaned_data["tekst"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Kommentaren er lagret."))
            return redirect(reverse("reporting:annual_detail", args=[report.pk]) + "#kommentarer")
    return _render_detail(request, report, status=400, comment_form=form)


@login_required
@require_POST
def annual_reopen(request, pk):
    report = _report(request, pk)
    require(request.user, "reporting.reopen_annual", report)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.reopen(request.user, report, form.cleaned_data["begrunnelse"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("Årsrapporten er åpnet igjen. Statsforvalteren kan rette og sende inn på nytt.")
            )
            return redirect("reporting:annual_detail", pk=report.pk)
    return _render_detail(request, report, status=400, reopen_form=form)


def _download_content(request, pk) -> dict:
    """The content to download: ?versjon=N for a submitted version, else what the page shows."""
    report = _report(request, pk)
    wanted = request.GET.get("versjon", "")
    if wanted:
        if not wanted.isdecimal():
            raise Http404
        version = AnnualReportVersion.objects.filter(rapport=report, versjon=int(wanted)).first()
        if version is None:
            raise Http404
        return version.innhold
    return selectors.content_for(report)[0]


def _attachment(body: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def annual_pdf_view(request, pk):
    content = _download_content(request, pk)
    return _attachment(annual_pdf.render_pdf(content), "application/pdf", annual_pdf.filename(content, "pdf"))


@login_required
def annual_xlsx_view(request, pk):
    content = _download_content(request, pk)
    return _attachment(annual_pdf.render_xlsx(content), XLSX, annual_pdf.filename(content, "xlsx"))


urlpatterns = [
    path("aarsrapporter/", annual_list, name="annual_list"),
    path("aarsrapporter/ny/", annual_create, name="annual_create"),
    path("aarsrapporter/<int:pk>/", annual_detail, name="annual_detail"),
    path("aarsrapporter/<int:pk>/kommentar/", annual_comment, name="annual_comment"),
    path("aarsrapporter/<int:pk>/gjenapne/", annual_reopen, name="annual_reopen"),
    path("aarsrapporter/<int:pk>/aarsrapport.pdf", annual_pdf_view, name="annual_pdf"),
    path("aarsrapporter/<int:pk>/aarsrapport.xlsx", annual_xlsx_view, name="annual_xlsx"),
]
