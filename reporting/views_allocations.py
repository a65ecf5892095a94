"""Import of historical allocations in the web UI (Bufdir): upload → preview → confirm → progress.

The check (dry run) runs while the user waits; the import itself runs as a Celery task (reporting.tasks) that
reports progress through the cache. urlpatterns are collected in reporting/urls.py."""

import re
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import get_active_role, require
from common.uploads import safe_filename
from ui.forms import DSForm

from .services import allocations
from .services.allocations import AllocationReport
from .tasks import import_allocations_task

MAX_BYTES = 20 * 1024 * 1024
RUNNING = ("i_ko", "kjorer")


class AllocationUploadForm(DSForm):
    fil = forms.FileField(
        label=gettext_lazy("Fil med tildelinger (CSV eller XLSX)"),
        help_text=gettext_lazy(
            "Kolonner: aar, embete, nettverk, prosjekt, kategori, tildelt_kr og eventuelt tjenester. "
            "Én rad per tildeling. Maks 20 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_fil(self):
        upload = self.cleaned_data["fil"]
        if upload.size == 0:
            raise forms.ValidationError(_("Filen er tom."))
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("Filen er for stor (%(size)s). Største tillatte størrelse er %(max)s.")
                % {"size": filesizeformat(upload.size), "max": filesizeformat(MAX_BYTES)}
            )
        name = upload.name.lower()
        if not name.endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Filtypen støttes ikke. Last opp en CSV- eller XLSX-fil."))
        raw = upload.read()
        # is_xlsx and check_file raise a Norwegian ValidationError for zip and XML bombs and too many rows or
        # columns (common.spreadsheets): the form shows it, and nothing is kept.
        looks_xlsx = allocations.is_xlsx(raw)
        if name.endswith(".xlsx") != looks_xlsx or (not looks_xlsx and b"\x00" in raw[:4096]):
            raise forms.ValidationError(
                _("Innholdet i filen stemmer ikke med filtypen. Last opp en ekte CSV- eller XLSX-fil.")
            )
        allocations.check_file(raw)
        upload.raw_bytes = raw
        return upload


def _own_state(request, import_id: str) -> dict:
    """The pending import, only for the user who uploaded it (others, and expired imports, get 404)."""
    require(request.user, "reporting.import_allocations")
    state = allocations.get_state(import_id) if re.fullmatch(r"[0-9a-f]{32}", import_id) else None
    if state is None or state.get("user_id") != request.user.pk:
        raise Http404(_("Fant ikke importen. Den kan være utløpt; last opp filen på nytt."))
    return state


@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    require(request.user, "reporting.import_allocations")
    posted = request.method == "POST"
    form = AllocationUploadForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        upload_file = form.cleaned_data["fil"]
        role = get_active_role(request.user)
        import_id, _state = allocations.check_upload(
            request.user, upload_file.raw_bytes, safe_filename(upload_file.name), role.pk if role else None
        )
        return redirect("reporting:allocations_preview", import_id=import_id)
    return render(request, "reporting/allocations/upload.html", {"form": form, "max_bytes": MAX_BYTES})


@login_required
@require_GET
def preview(request, import_id):
    state = _own_state(request, import_id)
    if state["status"] not in ("kontrollert", "feil"):
        return redirect("reporting:allocations_status", import_id=import_id)
    report = AllocationReport.from_dict(state["report"])
    years = sorted({t["aar"] for t in report.totals})
    year_totals = []
    for year in years:
        cells = [t for t in report.totals if t["aar"] == year]
        year_totals.append(
            {
                "aar": year,
                "egeninitiert": sum(t["egeninitiert"] for t in cells),
                "fosterhjem": sum(t["fosterhjem"] for t in cells),
                "prosjekter": sum(t["prosjekter"] for t in cells),
                "tildelt": sum((Decimal(t["tildelt"]) for t in cells), Decimal("0")),
            }
        )
    return render(
        request,
        "reporting/allocations/preview.html",
        {
            "import_id": import_id,
            "state": state,
            "report": report,
            "year_totals": year_totals,
            "more_rows": max(0, report.rows - len(report.preview)),
        },
    )


@login_required
@require_POST
def confirm(request, import_id):
    state = _own_state(request, import_id)
    if state["status"] != "kontrollert":
        return redirect("reporting:allocations_status", import_id=import_id)
    if not cache.add(f"{allocations.STATE_KEY.format(import_id)}:startet", 1, allocations.PENDING_TTL):
        return redirect("reporting:allocations_status", import_id=import_id)  # a double click
    allocations.update_state(import_id, status="i_ko")
    import_allocations_task.enqueue_now(import_id)
    return redirect("reporting:allocations_status", import_id=import_id)


@login_required
@require_POST
def cancel(request, import_id):
    state = _own_state(request, import_id)
    if state["status"] in RUNNING:
        messages.error(request, _("Importen er allerede i gang og kan ikke avbrytes."))
        return redirect("reporting:allocations_status", import_id=import_id)
    if state["status"] == "kontrollert":
        allocations.discard_file(state)
        allocations.update_state(import_id, status="avbrutt", path="")
        messages.success(request, _("Importen er avbrutt. Ingenting er importert, og filen er slettet."))
    return redirect("reporting:allocations_upload")


def _progress(state: dict) -> dict:
    report = AllocationReport.from_dict(state["report"])
    total = state.get("total") or 0
    done = min(state.get("done") or 0, total)
    finished = state["status"] in ("ferdig", "feilet")
    percent = 100 if state["status"] == "ferdig" else (int(done * 100 / total) if total else 0)
    return {
        "status": state["status"],
        "done": done,
        "total": total,
        "percent": percent,
        "finished": finished,
        "report": report,
    }


@login_required
@require_GET
def status(request, import_id):
    state = _own_state(request, import_id)
    if state["status"] in ("kontrollert", "feil"):
        return redirect("reporting:allocations_preview", import_id=import_id)
    if state["status"] == "avbrutt":
        raise Http404(_("Importen er avbrutt."))
    return render(request, "reporting/allocations/status.html", {"import_id": import_id, **_progress(state)})


@login_required
@require_GET
def status_json(request, import_id):
    state = _own_state(request, import_id)
    info = _progress(state)
    report = info.pop("report")
    info.update(
        {
            "opprettet": report.created if info["finished"] else None,
            "endret": report.changed if info["finished"] else None,
            "uendret": report.unchanged if info["finished"] else None,
            "feil": [{"linje": line, "melding": message} for line, message in report.errors],
        }
    )
    return JsonResponse(info)


urlpatterns = [
    path("tildelinger/import/", upload, name="allocations_upload"),
    path("tildelinger/import/<slug:import_id>/", preview, name="allocations_preview"),
    path("tildelinger/import/<slug:import_id>/importer/", confirm, name="allocations_confirm"),
    path("tildelinger/import/<slug:import_id>/avbryt/", cancel, name="allocations_cancel"),
    path("tildelinger/import/<slug:import_id>/status/", status, name="allocations_status"),
    path("tildelinger/import/<slug:import_id>/status.json", status_json, name="allocations_status_json"),
]
