"""The tables of the national summary page beyond the summary itself (reporting.selectors.national.summary):
trends over years, network coverage and partner counts, the scope a user may see, small-number suppression and
the rows of the exports.

Every table is one aggregate query in the database (or none: the trends are read from the summary's total rows),
so the page and the exports keep a constant query count as the data grows (tested). Callers scope by embete:
Bufdir sees every embete, a statsforvalter only its own (national_scope)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import require
from accounts.scoping import standing
from grants.models import Award
from networks.models import NetworkPartner
from networks.selectors import services_in_active_network
from organisations.models import ChildWelfareService, Embete, PartnerType

from ..suppression import HIDDEN, apply, complementary_suppression
from .awards import award_row_dict, award_rows
from .national import CATEGORIES, SummaryRow, summary

DEFAULT_THRESHOLD = 5
SUMMARY_COLUMNS = (
    "aar",
    "embete",
    "embete_navn",
    "egeninitierte_prosjekter",
    "fosterhjemsprosjekter",
    "prosjekter_totalt",
    "tildelt_kr",
    "ramme_kr",
    "utbetalt_kr",
    "rapportert_brukt_kr",
    "ubrukt_kr",
    "tilbakebetalt_kr",
    "overfort_kr",
    "skjult",
)
AWARD_EXPORT_COLUMNS = (
    "id",
    "aar",
    "embete",
    "embete_navn",
    "nettverk",
    "prosjekt",
    "kategori",
    "tildelt_kr",
    "tildelingsdato",
    "tjenester",
    "tjenester_orgnr",
    "skjult",
)
NAME_PREFIXES = ("Statsforvalteren i ", "Statsforvaltaren i ", "Fylkesmannen i ")


# --- access -----------------------------------------------------------------------------------------------


def national_scope(user) -> list[int] | None:
    """The embeter a user may see in the national summary: None for all (Bufdir, superusers), [own embete] for a
    statsforvalter. Everybody else is refused (PermissionDenied)."""
    require(user, "reporting.view_national")
    return standing(user).embete_ids


def embeter_in_scope(scope: list[int] | None):
    qs = Embete.objects.order_by("navn")
    return qs if scope is None else qs.filter(pk__in=scope)


def latest_award_year() -> int | None:
    return Award.objects.order_by("-aar").values_list("aar", flat=True).first()


# --- small-number suppression -----------------------------------------------------------------------------


# The rule is reporting.suppression (complementary suppression over each whole table, totals included); the
# tables below build their matrix of counts, take its mask and show HIDDEN («:») for every hidden cell.


def suppress(count: int, threshold: int | None) -> int | str:
    """A single count on its own (no row or column it could be computed from): HIDDEN when below the threshold
    (but above 0). Tables use suppress_table instead; money is never passed here."""
    if threshold and 0 < count < threshold:
        return HIDDEN
    return count


def is_suppressed(value) -> bool:
    return isinstance(value, str)


def suppress_table(table: list[list[int]], threshold: int | None, *, total_row=True, total_col=True) -> list[list]:
    """The counts as published: complementary suppression (reporting.suppression) over the whole table."""
    return apply(table, complementary_suppression(table, threshold, total_row=total_row, total_col=total_col))


def suppression_note(threshold: int | None, hidden: bool) -> str:
    """The export's «skjult» column: whether the row has hidden counts, and why."""
    if not threshold:
        return _("nei: små tall er ikke skjult i dette uttrekket")
    if not hidden:
        return _("nei: ingen tall i raden er skjult")
    return _(
        "ja: antall under %(t)s (men over 0) og tall som ellers kunne regnes ut fra summene, vises som «%(mark)s»"
    ) % {"t": threshold, "mark": HIDDEN}


def whole_kroner(amount) -> int:
    return int(Decimal(amount or 0).quantize(Decimal("1")))


def short_name(name: str) -> str:
    """'Statsforvalteren i Agder' -> 'Agder' (chart labels; tables keep the full name)."""
    for prefix in NAME_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


# --- the summary table (page and exports) -----------------------------------------------------------------


def summary_record(row: SummaryRow, kategori: str | None, threshold: int | None) -> dict:
    """One row of the summary table, in the export columns: counts (suppressed when asked), money in whole
    kroner. With a category filter, the other category's project count is None (not part of the selection)."""
    cells = row.per_kategori
    total = row.total
    shown = [kategori] if kategori else list(CATEGORIES)
    return {
        "aar": row.aar,
        "embete": row.slug,
        "embete_navn": row.embete_navn,
        "egeninitierte_prosjekter": suppress(cells["egeninitiert"].prosjekter, threshold)
        if "egeninitiert" in shown
        else None,
        "fosterhjemsprosjekter": suppress(cells["fosterhjem"].prosjekter, threshold) if "fosterhjem" in shown else None,
        "prosjekter_totalt": suppress(total.prosjekter, threshold),
        "skjult": suppression_note(threshold, False),
        "tildelt_kr": whole_kroner(total.tildelt),
        "ramme_kr": whole_kroner(total.ramme),
        "utbetalt_kr": whole_kroner(total.utbetalt),
        "rapportert_brukt_kr": whole_kroner(total.rapportert_brukt),
        "ubrukt_kr": whole_kroner(total.ubrukt),
        "tilbakebetalt_kr": whole_kroner(total.tilbakebetalt),
        "overfort_kr": whole_kroner(total.overfort),
    }


COUNT_COLUMNS = {"egeninitiert": "egeninitierte_prosjekter", "fosterhjem": "fosterhjemsprosjekter"}


def suppress_summary(rows: list[dict], total: dict, kategori: str | None, threshold: int | None) -> None:
    """Complementary suppression over one year's summary table (in place): the embeter's rows and the total row,
    the category columns and the total column; the «skjult» note per row."""
    if not threshold:
        return
    columns = [COUNT_COLUMNS[c] for c in ([kategori] if kategori else CATEGORIES)] + ["prosjekter_totalt"]
    records = [*rows, total]
    table = suppress_table([[r[c] for c in columns] for r in records], threshold)
    for record, cells in zip(records, table, strict=True):
        record.update(zip(columns, cells, strict=True))
        record["skjult"] = suppression_note(threshold, any(is_suppressed(c) for c in cells))


@dataclass
class YearTable:
    aar: int
    rows: list[dict]
    total: dict


@dataclass
class TrendPoint:
    aar: int
    prosjekter: int | str  # suppressed when asked
    tildelt: int
    ramme: int
    utbetalt: int


@dataclass
class CoverageLine:
    embete: Embete | None
    navn: str
    total: int
    covered: int
    threshold: int | None = None
    hidden: tuple[bool, bool] = (False, False)  # (total, covered), set by coverage_table's suppression

    @property
    def share(self) -> float:
        return (self.covered / self.total * 100) if self.total else 0.0

    @property
    def total_shown(self):
        return HIDDEN if self.hidden[0] else self.total

    @property
    def covered_shown(self):
        return HIDDEN if self.hidden[1] else self.covered

    @property
    def share_hidden(self) -> bool:
        """The share would give a suppressed count away."""
        return is_suppressed(self.total_shown) or is_suppressed(self.covered_shown)


@dataclass
class PartnerLine:
    embete: Embete | None
    navn: str
    counts: dict[str, int] = field(default_factory=dict)
    threshold: int | None = None
    cells: list = field(default_factory=list)  # the counts per shown type (suppressed when asked)
    total_cell: int | str | None = None  # the row's total as published (set by partner_table)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def shown(self, types) -> list:
        return [suppress(self.counts.get(t, 0), self.threshold) for t in types]

    @property
    def total_shown(self):
        return suppress(self.total, self.threshold) if self.total_cell is None else self.total_cell


@dataclass
class NationalOverview:
    year_from: int
    year_to: int
    kategori: str | None
    threshold: int | None
    scoped: bool
    years: list[YearTable]  # newest first
    trends: list[TrendPoint]  # oldest first
    coverage_on: datetime.date
    coverage: list[CoverageLine]
    coverage_total: CoverageLine
    partner_types: list[tuple[str, str]]
    partners: list[PartnerLine]
    partner_total: PartnerLine
    records: list[dict]  # the summary table in export columns, year by year (rows then the total row)

    @property
    def period(self) -> str:
        return str(self.year_from) if self.year_from == self.year_to else f"{self.year_from}–{self.year_to}"


def coverage_day(year_to: int) -> datetime.date:
    """Coverage is measured on 31 December of the last year shown, or today for the current (or a future) year."""
    today = timezone.localdate()
    return today if year_to >= today.year else datetime.date(year_to, 12, 31)


def coverage_table(on: datetime.date, embeter: list[Embete], threshold: int | None = None):
    """Share of active barnevernstjenester in at least one active network on a day, per embete (name valid that
    day) and in total for the embeter given. One aggregate query."""
    counts = {
        r["vertskommune__embete"]: r
        for r in ChildWelfareService.objects.filter(aktiv=True, vertskommune__embete__in=[e.pk for e in embeter])
        .annotate(in_network=Exists(services_in_active_network(on)))
        .values("vertskommune__embete")
        .annotate(total=Count("id"), covered=Count("id", filter=Q(in_network=True)))
        .order_by()
    }
    lines = []
    for e in embeter:
        found = counts.get(e.pk, {})
        lines.append(CoverageLine(e, e.name_on(on), found.get("total", 0), found.get("covered", 0), threshold))
    lines.sort(key=lambda x: x.navn)
    total = CoverageLine(
        None, _("Totalt"), sum(x.total for x in lines), sum(x.covered for x in lines), threshold=threshold
    )
    # Each column sums to the total row; a row (services, of which in a network) is no sum.
    mask = complementary_suppression([[x.total, x.covered] for x in [*lines, total]], threshold, total_col=False)
    for line, (hide_total, hide_covered) in zip([*lines, total], mask, strict=True):
        line.hidden = (bool(hide_total), bool(hide_covered))
    return lines, total


def partner_table(year_from: int, year_to: int, embeter: list[Embete], threshold: int | None = None):
    """Network–partner links per partner type and embete that were in force some time in [year_from, year_to]
    (a partner that left and joined the same network again counts once). One aggregate query."""
    start, end = datetime.date(year_from, 1, 1), datetime.date(year_to, 12, 31)
    in_period = Q(fra_dato__lte=end) & (Q(til_dato__isnull=True) | Q(til_dato__gte=start))
    earlier_same_link = NetworkPartner.objects.filter(
        in_period, network=OuterRef("network"), partner=OuterRef("partner"), pk__lt=OuterRef("pk")
    )
    rows = (
        NetworkPartner.objects.filter(in_period, network__embete__in=[e.pk for e in embeter])
        .exclude(Exists(earlier_same_link))
        .values("network__embete", "partner__type")
        .annotate(n=Count("id"))
        .order_by()
    )
    per_embete: dict[int, dict[str, int]] = {}
    for r in rows:
        per_embete.setdefault(r["network__embete"], {})[r["partner__type"]] = r["n"]
    lines = [PartnerLine(e, e.name_in_year(year_to), per_embete.get(e.pk, {}), threshold) for e in embeter]
    lines.sort(key=lambda x: x.navn)
    total = PartnerLine(None, _("Totalt"), threshold=threshold)
    for line in lines:
        for t, n in line.counts.items():
            total.counts[t] = total.counts.get(t, 0) + n
    # Columns: every type with a link in the selection (none: the page says so instead of a table of zeros).
    used = [(t.value, t.label) for t in PartnerType if total.counts.get(t.value)]
    types = [value for value, _label in used]
    everyone = [*lines, total]
    table = suppress_table([[*(x.counts.get(t, 0) for t in types), x.total] for x in everyone], threshold)
    for line, cells in zip(everyone, table, strict=True):
        line.cells, line.total_cell = cells[:-1], cells[-1]
    return used, lines, total


def national_overview(
    year_from: int, year_to: int, *, kategori: str | None = None, embete_ids=None, threshold: int | None = None
) -> NationalOverview:
    """Everything the national summary page shows, for the years, category and embeter selected. threshold: the
    small-number suppression threshold (None: off)."""
    data = summary(year_from, year_to, kategori=kategori, embete_ids=embete_ids)
    years, records, trends = [], [], []
    for year in range(year_from, year_to + 1):
        *rows, total_row = data[year]
        table = YearTable(
            aar=year,
            rows=sorted((summary_record(r, kategori, None) for r in rows), key=lambda r: r["embete_navn"]),
            total=summary_record(total_row, kategori, None),
        )
        suppress_summary(table.rows, table.total, kategori, threshold)
        years.append(table)
        records.extend([*table.rows, table.total])
        t = total_row.total
        trends.append(
            TrendPoint(
                aar=year,
                prosjekter=table.total["prosjekter_totalt"],  # the year's total as in its table
                tildelt=whole_kroner(t.tildelt),
                ramme=whole_kroner(t.ramme),
                utbetalt=whole_kroner(t.utbetalt),
            )
        )
    embeter = [r.embete for r in data[year_to][:-1]]  # loaded by summary(), with their name history
    on = coverage_day(year_to)
    coverage, coverage_total = coverage_table(on, embeter, threshold)
    types, partners, partner_total = partner_table(year_from, year_to, embeter, threshold)
    return NationalOverview(
        year_from=year_from,
        year_to=year_to,
        kategori=kategori,
        threshold=threshold,
        scoped=embete_ids is not None,
        years=list(reversed(years)),
        trends=trends,
        coverage_on=on,
        coverage=coverage,
        coverage_total=coverage_total,
        partner_types=types,
        partners=partners,
        partner_total=partner_total,
        records=records,
    )


# --- the per-grant open-data export -----------------------------------------------------------------------


def award_export_rows(year_from: int, year_to: int, *, kategori: str | None = None, embete_ids=None) -> list[dict]:
    """One dict per award (reporting.selectors.awards), for CSV/XLSX/JSON: tildelt_kr in kroner (int when whole),
    tildelingsdato a date, tjenester a list of {navn, orgnr} and tjenester_orgnr the orgnr joined with ';'."""
    # Grant decisions are public records: the open data is never suppressed, and says so.
    note = _("nei: tildelinger er offentlige, og åpne data skjules ikke")
    result = []
    for award in award_rows(year_from, year_to, kategori=kategori, embete_ids=embete_ids):
        row = award_row_dict(award)
        amount = Decimal(row["tildelt_kr"])
        row["tildelt_kr"] = int(amount) if amount == amount.to_integral_value() else float(amount)
        # a date: a real date in XLSX, dd.mm.yyyy in CSV for Excel, ISO in CSV and JSON
        row["tjenester_orgnr"] = ";".join(s["orgnr"] for s in row["tjenester"] if s["orgnr"])
        row["skjult"] = note
        result.append({c: row.get(c) for c in AWARD_EXPORT_COLUMNS})
    return result
