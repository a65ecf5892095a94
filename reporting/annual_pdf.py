"""The annual report (årsrapport) as PDF (reportlab) and XLSX (openpyxl).

Both render the report's content (reporting.selectors.annual.content_for): the frozen version of a submitted
report, or the live figures of a draft. The PDF has the embete's name valid that year in the title, the tables,
a bar chart of money per category, the narrative sections and page numbers ("Side 1 av 3"). The XLSX has one
sheet per table plus one for the narratives."""

from __future__ import annotations

import datetime
import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from common import money
from common.exports import safe_cell
from grants.letters import _e, _fonts, _styles, _user_text, long_date
from reporting.selectors.annual import MONEY_COL, PERCENT, TEXT, chart_data, narrative_sections, tables
from reporting.selectors.annual import Table as Table_

MARGIN = 18 * mm
TEXT_WIDTH = A4[0] - 2 * MARGIN - 12
NBSP = "\u00a0"
# Designsystemet-like colours, distinguishable in greyscale print as well.
SERIES_COLOURS = ("#1e2b3c", "#0062ba", "#4fa5e8", "#c98a00", "#8a1b4b")
INVALID_SHEET_CHARS = str.maketrans({c: "-" for c in "[]:*?/\\"})


def _title(content: dict) -> str:
    return _("Årsrapport %(aar)s – %(embete)s") % {"aar": content["aar"], "embete": content["embete"]["navn"]}


def filename(content: dict, ext: str) -> str:
    """aarsrapport-2025-vestland.pdf: ASCII only, safe in Content-Disposition."""
    return f"aarsrapport-{int(content['aar'])}-{content['embete']['slug']}.{ext}"


def _status_line(content: dict) -> str:
    if content.get("versjon"):
        sent = timezone.localtime(datetime.datetime.fromisoformat(content["sendt_inn"])).date()
        return _("Sendt inn til Bufdir %(dato)s av %(navn)s (versjon %(v)s).") % {
            "dato": long_date(sent),
            "navn": content.get("sendt_inn_av", ""),
            "v": content["versjon"],
        }
    return _("Utkast – tallene er hentet %(dato)s og kan endre seg før rapporten sendes inn.") % {
        "dato": long_date(datetime.date.fromisoformat(content["idag"]))
    }


class _NumberedCanvas(pdfcanvas.Canvas):
    """Draws "Side n av N" on every page once the page count is known."""

    footer_text = ""
    font = "Helvetica"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self):  # noqa: N802 (reportlab API)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.saveState()
            self.setFont(self.font, 8)
            self.setFillColor(colors.HexColor("#555555"))
            self.drawString(MARGIN + 6, 10 * mm, self.footer_text)
            self.drawRightString(
                A4[0] - MARGIN - 6, 10 * mm, _("Side %(n)s av %(total)s") % {"n": self._pageNumber, "total": total}
            )
            self.restoreState()
            super().showPage()
        super().save()


def _transposed(table: Table_) -> Table_:
    """A wide table with few rows turned on its side (figures as rows, categories as columns), so amounts fit
    on a portrait page."""
    rows = [*table.rows, table.total] if table.total else list(table.rows)
    columns = [(table.columns[0][0], TEXT)] + [(str(row[0]), "mixed") for row in rows]
    body = [[label, *(row[i] for row in rows)] for i, (label, _kind) in enumerate(table.columns) if i > 0]
    kinds = [kind for _label, kind in table.columns[1:]]
    return Table_(table.key, table.title, columns, body, note=table.note, row_kinds=kinds)


def _pdf_table(table, styles) -> list:
    if len(table.columns) > 6 and len(table.rows) <= 3:
        table = _transposed(table)
    cell, cellb = styles["tcell"], styles["tcellb"]
    right, rightb = styles["tnum"], styles["tnumb"]
    header = [Paragraph(_e(label), cellb if kind == TEXT else rightb) for label, kind in table.columns]
    body = [
        [
            Paragraph(_e(text).replace(" ", NBSP) if numeric else _e(text), right if numeric else cell)
            for text, numeric in row
        ]
        for row in table.display_rows
    ]
    if table.display_total:
        body.append([Paragraph(_e(text), rightb if numeric else cellb) for text, numeric in table.display_total])
    if not body:
        body = [[Paragraph(_e(_("Ingen.")), cell)] + [Paragraph("", cell)] * (len(table.columns) - 1)]
    n = len(table.columns)
    first = min(0.34, 1.6 / n) if table.columns[0][1] == TEXT else 1 / n
    widths = [TEXT_WIDTH * first] + [TEXT_WIDTH * (1 - first) / (n - 1)] * (n - 1) if n > 1 else [TEXT_WIDTH]
    t = Table([header, *body], colWidths=widths, repeatRows=1)
    style = [
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor("#1e2b3c")),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#c4c9d1")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if table.display_total:
        style.append(("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.HexColor("#1e2b3c")))
    t.setStyle(TableStyle(style))
    flowables = [Paragraph(_e(table.title), styles["h2"]), t]
    if table.note:
        flowables.append(Paragraph(_e(table.note), styles["small"]))
    return [KeepTogether(flowables), Spacer(1, 3 * mm)]


def _chart(content: dict) -> Drawing:
    """Grouped bar chart: money per category (thousand kr), one bar per figure."""
    regular, bold = _fonts()
    categories, series = chart_data(content)
    width, height = TEXT_WIDTH, 70 * mm
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 50, 25
    chart.width, chart.height = width - 190, height - 45
    chart.data = [[v / 1000 for v in values] for _label, values in series]
    chart.categoryAxis.categoryNames = categories
    chart.categoryAxis.labels.fontName = regular
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.labels.fontName = regular
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labelTextFormat = lambda v: f"{v:,.0f}".replace(",", " ")
    chart.groupSpacing = 12
    chart.barSpacing = 1
    for i, colour in enumerate(SERIES_COLOURS[: len(series)]):
        chart.bars[i].fillColor = colors.HexColor(colour)
        chart.bars[i].strokeColor = None
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = width - 125, height - 20
    legend.fontName, legend.fontSize = regular, 8
    legend.alignment = "right"
    legend.colorNamePairs = [
        (colors.HexColor(c), label) for c, (label, _v) in zip(SERIES_COLOURS, series, strict=False)
    ]
    drawing.add(legend)
    drawing.add(String(0, height - 10, _("Tusen kroner"), fontName=regular, fontSize=7))
    return drawing


def render_pdf(content: dict) -> bytes:
    """The report as PDF bytes."""
    base = _styles()
    regular, bold = _fonts()
    styles = {
        **base,
        "tcell": base["cell"].clone("tcell", fontSize=8, leading=10),
        "tcellb": base["cellb"].clone("tcellb", fontSize=8, leading=10),
        "tnum": base["cell"].clone("tnum", fontSize=8, leading=10, alignment=2),
        "tnumb": base["cellb"].clone("tnumb", fontSize=8, leading=10, alignment=2),
    }
    title = _title(content)
    intro = _(
        "Årsrapport til Barne-, ungdoms- og familiedirektoratet (Bufdir) om kommunale læringsnettverk og "
        "stimuleringsmidler."
    )
    story: list = [
        Paragraph(_e(content["embete"]["navn"]), styles["embete"]),
        Spacer(1, 2 * mm),
        Paragraph(_e(title), styles["title"]),
        Paragraph(_e(intro), styles["body"]),
        Paragraph(_e(_status_line(content)), styles["small"]),
        Spacer(1, 4 * mm),
    ]
    all_tables = tables(content)
    money_index = next(i for i, t in enumerate(all_tables) if t.key == "Midler")
    for i, table in enumerate(all_tables):
        story += _pdf_table(table, styles)
        if i == money_index:
            story.append(Paragraph(_e(_("Midler per kategori (diagram)")), styles["h2"]))
            story.append(_chart(content))
            story.append(Spacer(1, 3 * mm))
    story.append(Paragraph(_e(_("Statsforvalterens vurdering")), styles["title"]))
    for label, text in narrative_sections(content):
        story.append(Paragraph(_e(label), styles["h2"]))
        story += _user_text(text, styles["body"]) if text.strip() else [Paragraph("–", styles["body"])]

    footer = f"{content['embete']['navn']} · " + _("Årsrapport %(aar)s") % {"aar": content["aar"]}
    if content.get("versjon"):
        footer += " · " + _("versjon %(v)s") % {"v": content["versjon"]}

    class Canvas(_NumberedCanvas):
        footer_text = footer
        font = regular

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=16 * mm,
        bottomMargin=20 * mm,
        title=title,
        author=content["embete"]["navn"],
        subject=_("Årsrapport til Bufdir"),
        creator="Læringsnett",
        lang="nb-NO",
    )
    doc.build(story, canvasmaker=Canvas)
    return buffer.getvalue()


def _sheet_name(name: str) -> str:
    return name.translate(INVALID_SHEET_CHARS)[:31]


def _safe(value):
    """Text that a spreadsheet would run as a formula gets an apostrophe (CSV/XLSX injection), and characters an
    XLSX file cannot hold are left out (a control character in a narrative was a 500; common.exports)."""
    return safe_cell(value, xlsx=True)


def render_xlsx(content: dict) -> bytes:
    """The report as an XLSX workbook: an overview sheet, one sheet per table and one with the narratives."""
    wb = Workbook()
    info = wb.active
    info.title = "Oversikt"
    info.append([_title(content)])
    info["A1"].font = Font(bold=True, size=13)
    info.append([_("Embete"), _safe(content["embete"]["navn"])])
    info.append([_("År"), content["aar"]])
    info.append([_("Status"), _safe(_status_line(content))])
    info.column_dimensions["A"].width = 14
    info.column_dimensions["B"].width = 80
    for table in tables(content):
        ws = wb.create_sheet(_sheet_name(table.key))
        ws.append([table.title])
        ws["A1"].font = Font(bold=True)
        ws.append([label for label, _kind in table.columns])
        for cell in ws[2]:
            cell.font = Font(bold=True)
        rows = [*table.rows, table.total] if table.total else table.rows
        for row in rows:
            ws.append([_safe(table.raw(v, kind)) for v, (_label, kind) in zip(row, table.columns, strict=True)])
        for idx, (_label, kind) in enumerate(table.columns, start=1):
            letter = get_column_letter(idx)
            ws.column_dimensions[letter].width = 34 if kind == TEXT and idx == 1 else 16
            fmt = money.XLSX_FORMAT if kind == MONEY_COL else ("0.0" if kind == PERCENT else None)
            if fmt:
                for cell in ws[letter][2:]:
                    cell.number_format = fmt
        if table.total:
            for cell in ws[ws.max_row]:
                cell.font = Font(bold=True)
        if table.note:
            ws.append([])
            ws.append([table.note])
    texts = wb.create_sheet("Vurdering")
    texts.append([_("Del"), _("Tekst")])
    for cell in texts[1]:
        cell.font = Font(bold=True)
    for label, text in narrative_sections(content):
        texts.append([label, _safe(text)])
    texts.column_dimensions["A"].width = 24
    texts.column_dimensions["B"].width = 100
    for row in texts.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
