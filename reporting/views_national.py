"""The national summary (Bufdir; a statsforvalter reads the same page for its own embete only) and its exports.

Views; urlpatterns are collected in reporting/urls.py. The figures come from reporting.selectors.tables (which
builds on reporting.selectors.national.summary); this module only reads the filter, draws the charts (inline
SVG with an accessible data table beside each) and renders the downloads."""

import json
import re

import tablib
from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from common.exports import render as render_dataset
from grants.services import kr
from organisations.models import Embete
from projects.models import Category
from ui.forms import DSForm

from . import cache as figures_cache
from .selectors import tables

FIRST_YEAR = 2015
FORMATS = ("csv", "xlsx", "json")
EXPORTS = ("oversikt", "tildelinger")


# --- the filter -------------------------------------------------------------------------------------------


class NationalFilterForm(DSForm):
    fra_aar = forms.TypedChoiceField(label=gettext_lazy("Fra år"), coerce=int)
    til_aar = forms.TypedChoiceField(label=gettext_lazy("Til år"), coerce=int)
    kategori = forms.ChoiceField(label=gettext_lazy("Kategori"), required=False)
    embete = forms.ModelChoiceField(
        label=gettext_lazy("Embete"),
        queryset=Embete.objects.none(),
        required=False,
        to_field_name="slug",
        empty_label=gettext_lazy("Alle embeter"),
    )
    skjul_sma_tall = forms.BooleanField(label=gettext_lazy("Skjul små tall"), required=False)
    terskel = forms.IntegerField(
        label=gettext_lazy("Terskel for små tall"),
        min_value=2,
        max_value=100,
        help_text=gettext_lazy("Gjelder når små tall skjules. Beløp skjules aldri."),
    )

    def __init__(self, *args, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        years = [(y, str(y)) for y in range(this_year + 1, FIRST_YEAR - 1, -1)]
        self.fields["fra_aar"].choices = years
        self.fields["til_aar"].choices = years
        self.fields["kategori"].choices = [("", _("Alle kategorier")), *Category.choices]
        self.fields["embete"].queryset = tables.embeter_in_scope(scope)
        self.scope = scope
        if scope is not None:
            # A statsforvalter sees its own embete only: the one choice, no «all».
            self.fields["embete"].empty_label = None
            self.fields["embete"].required = False

    def clean(self):
        data = super().clean()
        if data.get("fra_aar") and data.get("til_aar") and data["fra_aar"] > data["til_aar"]:
            self.add_error("til_aar", _("«Til år» kan ikke være før «Fra år»."))
        return data

    def selection(self) -> dict:
        """The arguments for tables.national_overview (the embeter always within the user's scope)."""
        data = self.cleaned_data
        embete = data.get("embete")
        return {
            "year_from": data["fra_aar"],
            "year_to": data["til_aar"],
            "kategori": data.get("kategori") or None,
            "embete_ids": [embete.pk] if embete is not None else self.scope,
            "threshold": data["terskel"] if data.get("skjul_sma_tall") else None,
        }


def _filter_form(request, scope) -> NationalFilterForm:
    data = request.GET.copy()
    if not data.get("til_aar"):
        latest = tables.latest_award_year() or timezone.localdate().year
        data["til_aar"] = str(min(latest, timezone.localdate().year + 1))
    if not data.get("fra_aar"):
        til = data["til_aar"]
        data["fra_aar"] = str(int(til) - 4) if til.isdecimal() and int(til) - 4 >= FIRST_YEAR else til
    if not data.get("terskel"):
        data["terskel"] = str(tables.DEFAULT_THRESHOLD)
    return NationalFilterForm(data, scope=scope)


# --- charts: inline SVG geometry --------------------------------------------------------------------------

CHART_WIDTH = 720


def _short_kr(amount: int) -> str:
    """32500000 -> '32,5 mill. kr'; below a million the full amount."""
    if abs(amount) >= 1_000_000:
        return _("%(n)s mill. kr") % {"n": f"{amount / 1_000_000:.1f}".replace(".", ",")}
    return kr(amount)


def bar_chart(chart_id: str, title: str, description: str, items: list[tuple[str, int | None, str]]) -> dict:
    """Horizontal bars: items are (label, value or None when hidden, value text). Geometry for
    templates/reporting/national/_bar_chart.html."""
    label_w, bar_max, row_h, bar_h, top = 200, 360, 30, 20, 8
    top_value = max((v for _l, v, _t in items if v), default=0) or 1
    bars = []
    for i, (label, value, text) in enumerate(items):
        y = top + i * row_h
        width = round((value or 0) / top_value * bar_max, 1)
        bars.append(
            {
                "label": label,
                "text": text,
                "y": y,
                "text_y": y + bar_h * 0.7,
                "width": width,
                "value_x": label_w + width + 8,
                "label_x": label_w - 8,
            }
        )
    return {
        "id": chart_id,
        "title": title,
        "description": description,
        "width": CHART_WIDTH,
        "height": top + len(items) * row_h + 8,
        "x0": label_w,
        "bar_h": bar_h,
        "bars": bars,
    }


def line_chart(chart_id: str, title: str, description: str, points: list[tuple[str, int]]) -> dict:
    """A line over years with a zero-based y-axis (4 grid lines). points: (x label, value)."""
    left, right, top, bottom, height = 110, 40, 28, 40, 260
    plot_w, plot_h = CHART_WIDTH - left - right, height - top - bottom
    top_value = max((v for _x, v in points), default=0)
    step = _nice_step(top_value / 4) if top_value else 250_000  # nothing awarded: an axis up to 1 mill. kr
    y_max = step * 4
    grid = [{"y": round(top + plot_h - (i * step) / y_max * plot_h, 1), "label": _short_kr(i * step)} for i in range(5)]
    n = len(points)
    coords = []
    for i, (label, value) in enumerate(points):
        x = left + (plot_w / 2 if n == 1 else i * plot_w / (n - 1))
        y = top + plot_h - value / y_max * plot_h
        coords.append({"x": round(x, 1), "y": round(y, 1), "label": label, "text": _short_kr(value)})
    return {
        "id": chart_id,
        "title": title,
        "description": description,
        "width": CHART_WIDTH,
        "height": height,
        "left": left,
        "right": CHART_WIDTH - right,
        "baseline": top + plot_h,
        "label_y": top + plot_h + 24,
        "grid": grid,
        "points": coords,
        "polyline": " ".join(f"{c['x']},{c['y']}" for c in coords),
    }


def _nice_step(raw: float) -> int:
    """The smallest 1, 2, 2.5 or 5 × 10^k at least raw (a round grid step)."""
    magnitude = 10 ** max(len(str(int(raw))) - 1, 0)
    for factor in (1, 2, 2.5, 5, 10):
        if factor * magnitude >= raw:
            return int(factor * magnitude)
    return int(10 * magnitude)


def _charts(overview: tables.NationalOverview) -> dict:
    first, last = overview.year_from, overview.year_to
    period = str(first) if first == last else f"{first}–{last}"
    trends = overview.trends
    money = line_chart(
        "graf-tildelt-per-aar",
        _("Tildelt per år, %(periode)s") % {"periode": period},
        _("Linjediagram over tildelte midler per år. Tallene står i tabellen ved siden av."),
        [(str(t.aar), t.tildelt) for t in trends],
    )
    projects = bar_chart(
        "graf-prosjekter-per-aar",
        _("Prosjekter per år, %(periode)s") % {"periode": period},
        _("Stolpediagram over antall prosjekter per år. Tallene står i tabellen ved siden av."),
        [(str(t.aar), None if tables.is_suppressed(t.prosjekter) else t.prosjekter, str(t.prosjekter)) for t in trends],
    )
    latest = overview.years[0]
    per_embete = bar_chart(
        "graf-tildelt-per-embete",
        _("Tildelt per embete i %(aar)s") % {"aar": latest.aar},
        _("Stolpediagram over tildelte midler per embete. Tallene står i tabellen ved siden av."),
        [(tables.short_name(r["embete_navn"]), r["tildelt_kr"], kr(r["tildelt_kr"])) for r in latest.rows],
    )
    coverage = bar_chart(
        "graf-dekning",
        _("Dekning per embete %(dato)s") % {"dato": overview.coverage_on.strftime("%d.%m.%Y")},
        _("Stolpediagram over andelen barnevernstjenester i minst ett aktivt læringsnettverk per embete."),
        [
            (
                tables.short_name(c.navn),
                None if c.share_hidden else round(c.share, 1),
                "–" if c.share_hidden else f"{c.share:.1f} %".replace(".", ","),
            )
            for c in overview.coverage
        ],
    )
    return {"money": money, "projects": projects, "per_embete": per_embete, "coverage": coverage}


# --- the page ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def national_summary(request):
    scope = tables.national_scope(request.user)
    form = _filter_form(request, scope)
    overview_html = ""
    if form.is_valid():
        selection = form.selection()
        query = form.data.urlencode()

        def overview_section() -> str:
            overview = tables.national_overview(**selection)
            context = {
                "overview": overview,
                "charts": _charts(overview),
                "query": query,
                "kategori_label": Category(overview.kategori).label if overview.kategori else "",
            }
            return render_to_string("reporting/national/_overview.html", context, request=request)

        # The figures, charts and tables are the same for everybody with the same selection and scope: cached until
        # the data changes (reporting.cache), per language and day (coverage is measured today).
        parts = ["national-page", scope, selection, query, get_language(), timezone.localdate()]
        overview = figures_cache.cached(parts, overview_section)  # HTML rendered by us from an autoescaped template
        overview_html = mark_safe(overview)  # noqa: S308  # nosec B308 B703
    scoped_embete = None
    if scope is not None:
        scoped_embete = form.fields["embete"].queryset.first()
    return render(
        request,
        "reporting/national/summary.html",
        {"form": form, "overview_html": overview_html, "scoped_embete": scoped_embete, "valid": form.is_valid()},
    )


# --- exports ----------------------------------------------------------------------------------------------


def _filename(base: str, selection: dict, embete_slug: str | None, fmt: str) -> str:
    parts = [base, str(selection["year_from"])]
    if selection["year_to"] != selection["year_from"]:
        parts.append(str(selection["year_to"]))
    if selection["kategori"]:
        parts.append(selection["kategori"])
    if embete_slug:
        parts.append(embete_slug)
    name = re.sub(r"[^a-z0-9-]+", "-", "-".join(parts).lower()).strip("-")
    return f"{name}.{fmt}"


def _dataset(rows: list[dict], columns, title: str) -> tablib.Dataset:
    data = tablib.Dataset(headers=list(columns), title=title)
    for row in rows:
        data.append(["" if row[c] is None else row[c] for c in columns])
    return data


@login_required
@require_GET
def national_export(request, what: str, fmt: str):
    scope = tables.national_scope(request.user)
    if what not in EXPORTS or fmt not in FORMATS:
        return HttpResponseBadRequest(_("Ukjent eksport."), content_type="text/plain; charset=utf-8")
    form = _filter_form(request, scope)
    if not form.is_valid():
        messages = [str(m) for errors in form.errors.values() for m in errors]
        return HttpResponseBadRequest(" ".join(messages), content_type="text/plain; charset=utf-8")
    selection = form.selection()
    embete = form.cleaned_data.get("embete")
    if embete is None and scope is not None:
        embete = form.fields["embete"].queryset.first()
    slug = embete.slug if embete is not None else None
    if what == "oversikt":
        rows = tables.national_overview(**selection).records
        columns, title = tables.SUMMARY_COLUMNS, _("Nasjonal oversikt")
    else:
        rows = tables.award_export_rows(
            selection["year_from"],
            selection["year_to"],
            kategori=selection["kategori"],
            embete_ids=selection["embete_ids"],
        )
        columns, title = tables.AWARD_EXPORT_COLUMNS, _("Tildelinger")
    if fmt == "json":
        body = json.dumps(rows, ensure_ascii=False, indent=2, default=str) + "\n"
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    else:
        flat = [
            {**r, "tjenester": "; ".join(f"{s['navn']} ({s['orgnr']})" for s in r["tjenester"])}
            if what == "tildelinger"
            else r
            for r in rows
        ]
        content_type, body = render_dataset(_dataset(flat, columns, title), fmt)
        response = HttpResponse(body, content_type=content_type)
    base = "nasjonal-oversikt" if what == "oversikt" else "tildelinger"
    response["Content-Disposition"] = f'attachment; filename="{_filename(base, selection, slug, fmt)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("nasjonalt/", national_summary, name="national_summary"),
    path("nasjonalt/eksport/<str:what>.<str:fmt>", national_export, name="national_export"),
]
