"""The national summary: projects and money per embete × category × year, from the award ledger
(grants.ledger: awarded, paid, repaid, carried over), the frames and the approved progress reports. Every figure
is one aggregate query in the database, so the query count does not grow with the data (tested). Callers scope by
embete: Bufdir sees every row, a statsforvalter only its own (pass embete_ids)."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from followup.models import ProgressReport, ReportStatus
from grants import ledger
from grants.models import Frame
from organisations.models import Embete
from projects.models import Category

ZERO = Decimal("0")
MONEY = DecimalField(max_digits=16, decimal_places=2)
CATEGORIES = tuple(Category.values)  # ("egeninitiert", "fosterhjem")
FIGURES = ("prosjekter", "tildelt", "ramme", "utbetalt", "rapportert_brukt", "ubrukt", "tilbakebetalt", "overfort")


@dataclass
class Cell:
    """One embete × year × category."""

    prosjekter: int = 0
    tildelt: Decimal = ZERO
    ramme: Decimal = ZERO
    utbetalt: Decimal = ZERO
    rapportert_brukt: Decimal = ZERO
    ubrukt: Decimal = ZERO
    tilbakebetalt: Decimal = ZERO
    overfort: Decimal = ZERO

    def add(self, other: "Cell") -> None:
        for name in FIGURES:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class SummaryRow:
    """One embete in one year, with a Cell per category and their sum."""

    aar: int
    embete: Embete | None  # None for the total row
    embete_navn: str
    per_kategori: dict[str, Cell] = field(default_factory=lambda: {c: Cell() for c in CATEGORIES})

    @property
    def slug(self) -> str:
        return self.embete.slug if self.embete is not None else "totalt"

    @property
    def total(self) -> Cell:
        cell = Cell()
        for c in self.per_kategori.values():
            cell.add(c)
        return cell

    def as_published(self) -> dict:
        """The columns of the published tables (and export_national_summary)."""
        return {
            "aar": self.aar,
            "embete": self.slug,
            "egeninitierte_prosjekter": self.per_kategori["egeninitiert"].prosjekter,
            "fosterhjemsprosjekter": self.per_kategori["fosterhjem"].prosjekter,
            "prosjekter_totalt": self.total.prosjekter,
            "tildelt_kr": int(self.total.tildelt.quantize(Decimal("1"))),
        }


def _grouped(qs, year_field: str, embete_field: str, kategori_field: str, **annotations) -> dict:
    rows = qs.values(year_field, embete_field, kategori_field).annotate(**annotations).order_by()
    return {(r[year_field], r[embete_field], r[kategori_field]): r for r in rows}


def summary(
    year_from: int, year_to: int, *, kategori: str | None = None, embete_ids=None
) -> dict[int, list[SummaryRow]]:
    """{year: [row per embete (name valid that year) ..., total row]} for the years in [year_from, year_to].
    kategori limits the figures to one category; embete_ids (an iterable of pks) limits the embeter."""
    years = range(year_from, year_to + 1)
    embeter = list(Embete.objects.prefetch_related("navnehistorikk").order_by("navn"))
    if embete_ids is not None:
        wanted = set(embete_ids)
        embeter = [e for e in embeter if e.pk in wanted]
    ids = [e.pk for e in embeter]
    categories = [kategori] if kategori else list(CATEGORIES)

    # prosjekter, tildelt, utbetalt, tilbakebetalt, overfort: the award ledger's totals (grants.ledger)
    money = ledger.totals(
        ("aar", "embete", "kategori"), year_from=year_from, year_to=year_to, embete_ids=ids, kategorier=categories
    )
    frames = _grouped(
        Frame.objects.filter(aar__gte=year_from, aar__lte=year_to, embete_id__in=ids, kategori__in=categories),
        "aar",
        "embete_id",
        "kategori",
        ramme=Coalesce(Sum("belop"), ZERO, output_field=MONEY),
    )
    report_via = "krav__vedtak__soknad__"
    reports = _grouped(
        ProgressReport.objects.filter(
            status=ReportStatus.GODKJENT,
            **{
                f"{report_via}utlysning__aar__gte": year_from,
                f"{report_via}utlysning__aar__lte": year_to,
                f"{report_via}utlysning__embete_id__in": ids,
                f"{report_via}kategori__in": categories,
            },
        ),
        f"{report_via}utlysning__aar",
        f"{report_via}utlysning__embete_id",
        f"{report_via}kategori",
        rapportert_brukt=Coalesce(Sum("brukt_total"), ZERO, output_field=MONEY),
        ubrukt=Coalesce(Sum("ubrukt"), ZERO, output_field=MONEY),
    )
    tables = (frames, reports)
    result: dict[int, list[SummaryRow]] = defaultdict(list)
    for year in years:
        total = SummaryRow(aar=year, embete=None, embete_navn=gettext("Totalt"))
        for e in embeter:
            row = SummaryRow(aar=year, embete=e, embete_navn=e.name_in_year(year))
            for c in categories:
                cell = row.per_kategori[c]
                totals = money.get((year, e.pk, c))
                if totals is not None:
                    cell.prosjekter = totals.prosjekter
                    for name in ledger.FIGURES:
                        setattr(cell, name, getattr(totals, name))
                for table in tables:
                    found = table.get((year, e.pk, c))
                    if found:
                        for name in FIGURES:
                            if name in found:
                                setattr(cell, name, found[name])
                total.per_kategori[c].add(cell)
            result[year].append(row)
        result[year].append(total)
    return dict(result)


def published_rows(year: int, embete_ids=None) -> list[dict]:
    """The rows of export_national_summary for a year: one per embete, ordered by slug as in the published
    tables, and the total row (embete "totalt") last."""
    *rows, total = summary(year, year, embete_ids=embete_ids)[year]
    return [row.as_published() for row in sorted(rows, key=lambda r: r.slug)] + [total.as_published()]
