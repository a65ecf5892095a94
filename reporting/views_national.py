"""The national summary (Bufdir; a statsforvalter reads the same page for its own embete only) and its exports.

Views; urlpatterns are collected in reporting/urls.py. The figures come from reporting.selectors.tables (which
builds on reporting.selectors.national.summary); this module only reads the filter, draws the charts (inline
SVG with an accessible data table beside each) and renders the downloads."""

import json
import re
import textwrap

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

from common import versioned_cache as figures_cache
from common.exports import EXCEL_CSV
from common.exports import filename as export_filename
from common.exports import render as render_dataset
from common.money import kr
from common.numbers import percent_text, round_half_up
from organisations.models import Embete
from projects.models import Category
from ui.forms import DSForm

from .selectors import figures as evaluation
from .selectors import tables

FIRST_YEAR = 2015
FORMATS = ("csv", EXCEL_CSV, "xlsx", "json")  # csv-excel: «CSV for Excel» (common.exports)
EXPORTS = ("oversikt", "tildelinger", *evaluation.EXPORT_TABLES)


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
        bad_year = _("Velg et år fra %(first)s til %(last)s.") % {"first": FIRST_YEAR, "last": this_year + 1}
        for name in ("fra_aar", "til_aar"):
            self.fields[name].error_messages = {**self.fields[name].error_messages, "invalid_choice": bad_year}
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
LABEL_CHARS = 24  # a bar label wraps after this many characters


def _short_kr(amount: int) -> str:
    """32500000 -> '32,5 mill. kr'; below a million the full amount."""
    if abs(amount) >= 1_000_000:
        return _("%(n)s mill. kr") % {"n": f"{amount / 1_000_000:.1f}".replace(".", ",")}
    return kr(amount)


def _label_lines(label: str) -> list[str]:
    """A chart label in lines of at most LABEL_CHARS characters (long embete names wrap, never cut off)."""
    return textwrap.wrap(label, LABEL_CHARS, break_long_words=False, break_on_hyphens=False) or [""]


def _text_width(text: str) -> int:
    """A generous estimate of the width of text in the chart font (about 8.5 px a character at 15 px)."""
    return round(len(text) * 8.5) + 16


def bar_chart(chart_id: str, title: str, description: str, items: list[tuple[str, int | None, str]]) -> dict:
    """Horizontal bars: items are (label, value or None when hidden, value text). Geometry for
    templates/reporting/national/_bar_chart.html. The label column is as wide as the longest label line (long
    names wrap over two or three lines), the bars get what is left beside room for the value text."""
    bar_h, line_h, top = 20, 15, 8
    wrapped = [_label_lines(label) for label, _v, _t in items]
    label_w = min(max([120, *(_text_width(line) for lines in wrapped for line in lines)]), 280)
    value_w = max([60, *(_text_width(text) for _l, _v, text in items)])
    bar_max = max(CHART_WIDTH - label_w - value_w - 8, 120)
    top_value = max((v for _l, v, _t in items if v), default=0) or 1
    bars = []
    y = top
    for (label, value, text), lines in zip(items, wrapped, strict=True):
        row_h = max(30, len(lines) * line_h + 12)
        width = round((value or 0) / top_value * bar_max, 1)
        bar_y = y + (row_h - 10 - bar_h) / 2
        first = y + (row_h - 10 - len(lines) * line_h) / 2 + line_h * 0.8
        bars.append(
            {
                "label": label,
                "lines": [{"text": line, "y": round(first + k * line_h, 1)} for k, line in enumerate(lines)],
                "text": text,
                "y": round(bar_y, 1),
                "text_y": round(bar_y + bar_h * 0.7, 1),
                "width": width,
                "value_x": label_w + width + 8,
                "label_x": label_w - 8,
            }
        )
        y += row_h
    return {
        "id": chart_id,
        "title": title,
        "description": description,
        "width": CHART_WIDTH,
        "height": y + 8,
        "x0": label_w,
        "bar_h": bar_h,
        "bars": bars,
    }


def line_chart(chart_id: str, title: str, description: str, points: list[tuple[str, int]]) -> dict:
    """A line over years with a zero-based y-axis (4 grid lines). points: (x label, value)."""
    right, top, bottom, height = 40, 28, 40, 260
    top_value = max((v for _x, v in points), default=0)
    step = _nice_step(top_value / 4) if top_value else 250_000  # nothing awarded: an axis up to 1 mill. kr
    y_max = step * 4
    ticks = [_short_kr(i * step) for i in range(5)]
    left = max([110, *(_text_width(t) for t in ticks)])  # the axis labels fit in every language
    plot_w, plot_h = CHART_WIDTH - left - right, height - top - bottom
    grid = [{"y": round(top + plot_h - (i * step) / y_max * plot_h, 1), "label": ticks[i]} for i in range(5)]
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
                None if c.share_hidden else float(round_half_up(c.share)),
                "–" if c.share_hidden else percent_text(c.share),  # as the table's |pct
            )
            for c in overview.coverage
        ],
    )
    return {"money": money, "projects": projects, "per_embete": per_embete, "coverage": coverage}


# --- the evaluators' figures (reporting.selectors.figures) ------------------------------------------------


def _percent_text(share) -> str:
    """A share as the tables show it (floatformat:1 in the current language), for the chart's value labels."""
    return percent_text(share)  # common.numbers: half up, as the tables' |pct


def _export_labels() -> list[tuple[str, str]]:
    return [
        ("dekning-periode", _("Dekning over perioden")),
        ("uten-nettverk", _("Tjenester uten nettverk")),
        ("nettverk-per-aar", _("Nettverk per år")),
        ("prosjekter-per-nettverk", _("Prosjekter per nettverk")),
        ("tema", _("Tema")),
        ("retning", _("Retning")),
        ("andel-midler", _("Andel av midlene")),
        ("partnertyper", _("Partnertyper")),
    ]


def _distribution(section_id, heading, text, caption, key_label, table, total_label, chart_title, chart_text):
    last = len(table.years) - 1
    chart = bar_chart(
        f"graf-{section_id}",
        chart_title,
        chart_text,
        [(label, counts[last], str(counts[last])) for label, counts in table.rows],
    )
    return {
        "id": section_id,
        "heading": heading,
        "text": text,
        "caption": caption,
        "key_label": key_label,
        "table": table,
        "total_label": total_label,
        "chart": chart,
    }


def figures_context(figures: evaluation.EvaluationFigures, period: str) -> dict:
    """The charts and tables of the evaluators' figures (templates/reporting/national/_figures.html). Each chart
    shows figures of the table beside it, formatted the same way."""
    last = figures.year_to
    coverage_period = bar_chart(
        "graf-dekning-periode",
        _("Dekning i %(periode)s per embete") % {"periode": period},
        _(
            "Stolpediagram over andelen barnevernstjenester som deltok i minst ett læringsnettverk i perioden, per "
            "embete. Tallene står i tabellen ved siden av."
        ),
        [
            (
                tables.short_name(r["embete_navn"]),
                float(r["andel_i_perioden"] or 0),
                _percent_text(r["andel_i_perioden"]),
            )
            for r in figures.coverage
        ],
    )
    per_year = figures.networks_per_year()
    networks = bar_chart(
        "graf-nettverk-per-aar",
        _("Nettverk med tildeling per år, %(periode)s") % {"periode": period},
        _("Stolpediagram over antall nettverk med tildeling per år. Tallene står i tabellen ved siden av."),
        [(str(y), n, str(n)) for y, n, _p in per_year],
    )
    project_counts = evaluation.networks_by_project_count(figures.network_projects)
    counts_chart = bar_chart(
        "graf-prosjekter-per-nettverk",
        _("Nettverk etter antall prosjekter, %(periode)s") % {"periode": period},
        _(
            "Stolpediagram over hvor mange nettverk som hadde 0, 1, 2 og flere prosjekter med tildeling i perioden. "
            "Tallene står i tabellen ved siden av."
        ),
        [(label, n, str(n)) for label, n in project_counts],
    )
    categories = [(c, label) for c, label in Category.choices if figures.kategori in (None, c)]
    money_rows = [
        {
            "navn": r["embete_navn"],
            "cells": [(r[f"{c}_kr"], r[f"andel_{c}"]) for c, _label in categories],
            "tildelt": r["tildelt_kr"],
            "andel": r["andel"],
        }
        for r in figures.money
    ]
    money_share = bar_chart(
        "graf-andel-midler",
        _("Andel av midlene per embete, %(periode)s") % {"periode": period},
        _(
            "Stolpediagram over hvert embetes andel av alt som ble tildelt i hele landet i perioden. Tallene står i "
            "tabellen ved siden av."
        ),
        [
            (tables.short_name(r["embete_navn"]), float(r["andel"] or 0), _percent_text(r["andel"]))
            for r in figures.money
        ],
    )
    distributions = [
        _distribution(
            "tema",
            _("Prosjekter etter tema"),
            _(
                "Prosjekter med tildeling per tema og år. Et prosjekt med flere temaer telles under hvert av dem. "
                "Velg kategori i filteret for én kategori; nedlastingen har tallene per kategori og embete."
            ),
            _("Prosjekter med tildeling per tema og år"),
            _("Tema"),
            figures.theme_table(_("Uten tema")),
            "",
            _("Prosjekter per tema i %(aar)s") % {"aar": last},
            _("Stolpediagram over prosjekter med tildeling per tema i siste år. Tallene står i tabellen ved siden av."),
        ),
        _distribution(
            "retning",
            _("Prosjekter etter retning"),
            _(
                "Prosjekter med tildeling per retning (tiltaksutvikling, kompetanseutvikling eller begge) og år. Velg "
                "kategori i filteret for én kategori; nedlastingen har tallene per kategori og embete."
            ),
            _("Prosjekter med tildeling per retning og år"),
            _("Retning"),
            figures.direction_table(),
            "",
            _("Prosjekter per retning i %(aar)s") % {"aar": last},
            _(
                "Stolpediagram over prosjekter med tildeling per retning i siste år. Tallene står i tabellen ved siden "
                "av."
            ),
        ),
        _distribution(
            "partnertyper",
            _("Prosjekter med partnere etter type"),
            _(
                "Hvor mange prosjekter med tildeling et år som hadde minst én partner av hver type en gang det året. "
                "Et prosjekt med partnere av flere typer telles under hver type."
            ),
            _("Prosjekter med partner av hver type per år"),
            _("Partnertype"),
            figures.partner_table(),
            _("Prosjekter med tildeling"),
            _("Prosjekter med partner per type i %(aar)s") % {"aar": last},
            _(
                "Stolpediagram over prosjekter med partner av hver type i siste år. Tallene står i tabellen ved siden "
                "av."
            ),
        ),
    ]
    return {
        "figures": figures,
        "period": period,
        "charts": {
            "coverage_period": coverage_period,
            "networks": networks,
            "project_counts": counts_chart,
            "money_share": money_share,
        },
        "networks_per_year": per_year,
        "networks_per_embete": figures.networks_per_embete(),
        "project_counts": project_counts,
        "categories": categories,
        "money_rows": money_rows,
        "distributions": distributions,
        "exports": _export_labels(),
    }


def _figures_selection(selection: dict) -> dict:
    """The evaluators' figures take the period, category and embeter of the filter (not the suppression)."""
    return {k: selection[k] for k in ("kategori", "embete_ids")}


# --- the page ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def national_summary(request):
    scope = tables.national_scope(request.user)
    form = _filter_form(request, scope)
    overview_html = figures_html = ""
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
        # the data changes (common.versioned_cache), per language and day (coverage is measured today).
        parts = ["national-page", scope, selection, query, get_language(), timezone.localdate()]
        overview = figures_cache.cached(parts, overview_section)  # HTML rendered by us from an autoescaped template
        overview_html = mark_safe(overview)  # noqa: S308  # nosec B308 B703

        def figures_section() -> str:
            found = evaluation.evaluation_figures(
                selection["year_from"], selection["year_to"], **_figures_selection(selection)
            )
            first, last = selection["year_from"], selection["year_to"]
            context = {
                **figures_context(found, str(first) if first == last else f"{first}–{last}"),
                "query": query,
                "scoped": scope is not None,
                "kategori_label": Category(selection["kategori"]).label if selection["kategori"] else "",
            }
            return render_to_string("reporting/national/_figures.html", context, request=request)

        parts = ["national-figures", scope, selection, query, get_language(), timezone.localdate()]
        figures_html = mark_safe(figures_cache.cached(parts, figures_section))  # noqa: S308  # nosec B308 B703
    scoped_embete = None
    if scope is not None:
        scoped_embete = form.fields["embete"].queryset.first()
    return render(
        request,
        "reporting/national/summary.html",
        {
            "form": form,
            "overview_html": overview_html,
            "figures_html": figures_html,
            "scoped_embete": scoped_embete,
            "valid": form.is_valid(),
        },
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
    return f"{name}.json" if fmt == "json" else export_filename(name, fmt)


def _dataset(rows: list[dict], columns, title: str) -> tablib.Dataset:
    data = tablib.Dataset(headers=list(columns), title=title)
    for row in rows:
        data.append(["" if row[c] is None else row[c] for c in columns])
    return data


def _error_text(form) -> str:
    """Each problem once, named by its field's label («Fra år: Velg et år fra 2015 til 2027.»)."""
    lines = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for message in dict.fromkeys(str(m) for m in errors):
            line = f"{label}: {message}" if label else message
            if line not in lines:
                lines.append(line)
    return "\n".join(lines)


@login_required
@require_GET
def national_export(request, what: str, fmt: str):
    scope = tables.national_scope(request.user)
    if what not in EXPORTS or fmt not in FORMATS:
        return HttpResponseBadRequest(_("Ukjent eksport."), content_type="text/plain; charset=utf-8")
    form = _filter_form(request, scope)
    if not form.is_valid():
        return HttpResponseBadRequest(_error_text(form), content_type="text/plain; charset=utf-8")
    selection = form.selection()
    embete = form.cleaned_data.get("embete")
    if embete is None and scope is not None:
        embete = form.fields["embete"].queryset.first()
    slug = embete.slug if embete is not None else None
    if what == "oversikt":
        rows = tables.national_overview(**selection).records
        columns, title = tables.SUMMARY_COLUMNS, _("Nasjonal oversikt")
    elif what in evaluation.EXPORT_TABLES:
        found = evaluation.evaluation_figures(
            selection["year_from"], selection["year_to"], **_figures_selection(selection)
        )
        rows, columns = evaluation.export_rows(found, what)
        title = dict(_export_labels())[what][:31]  # an XLSX sheet name holds at most 31 characters
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
    base = {"oversikt": "nasjonal-oversikt", "tildelinger": "tildelinger"}.get(what, what)
    response["Content-Disposition"] = f'attachment; filename="{_filename(base, selection, slug, fmt)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("nasjonalt/", national_summary, name="national_summary"),
    path("nasjonalt/eksport/<str:what>.<str:fmt>", national_export, name="national_export"),
]
