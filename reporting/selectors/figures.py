"""The evaluators' figures on the national summary (issue 19): coverage over a period, networks funded, projects per
network, projects by theme and by direction, each embete's share of the money, and projects with partners by type.

One function per figure, each returning plain rows (dicts) with the embete in every row, so a statsforvalter's
figures (embete_ids=[own]) are exactly its rows of Bufdir's (embete_ids=None). Money and funded projects come from
the award ledger (grants.ledger): a project or network is funded in a year when the ledger has money (> 0) for it
that year. Every function is a fixed number of aggregate queries, whatever the number of rows (tested).

Shares are percentages rounded half up to one decimal (`percent`), so the chart and the table show the same
figure."""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, Q
from django.utils import timezone

from common import periods
from grants import ledger
from networks.models import LearningNetwork, Orientation, theme_label
from networks.selectors import services_in_active_network, services_in_network_during
from organisations.models import ChildWelfareService, Embete, PartnerType

from .national import CATEGORIES
from .tables import coverage_day

NO_THEME = ""  # the theme key of a funded project without a theme
_NORWEGIAN_ORDER = str.maketrans({"æ": "{", "ø": "|", "å": "}"})  # æ, ø, å after z, in that order


def _by_label(pair) -> str:
    return pair[1].casefold().translate(_NORWEGIAN_ORDER)


def percent(part, whole) -> Decimal | None:
    """part / whole in per cent, rounded half up to one decimal; None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def whole_kroner(amount) -> int:
    return int(Decimal(amount or 0).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def load_embeter(embete_ids=None) -> list[Embete]:
    """The embeter in scope (None: all) with their name history, by name: pass them as `embeter` to several figure
    functions to load them once."""
    qs = Embete.objects.prefetch_related("navnehistorikk").order_by("navn")
    return list(qs if embete_ids is None else qs.filter(pk__in=list(embete_ids)))


def _embeter(embete_ids, embeter) -> list[Embete]:
    return embeter if embeter is not None else load_embeter(embete_ids)


def _categories(kategori: str | None) -> list[str]:
    return [kategori] if kategori else list(CATEGORIES)


def _funded(year_from: int, year_to: int, kategori: str | None, embete_ids):
    """The ledger rows with money in the selection."""
    return ledger.awards(
        year_from=year_from, year_to=year_to, embete_ids=embete_ids, kategorier=_categories(kategori)
    ).filter(belop__gt=0)


# --- coverage ---------------------------------------------------------------------------------------------------


def coverage_over_period(
    year_from: int, year_to: int, *, embete_ids=None, on: datetime.date | None = None, embeter=None
) -> list[dict]:
    """Per embete (name valid at the end of the period): the active barnevernstjenester, how many took part in at
    least one learning network at some time from 1 January year_from to 31 December year_to
    (networks.selectors.services_in_network_during), and how many were in an active network on the day `on`
    (coverage at a date: networks.selectors.services_in_active_network; default today). One aggregate query."""
    on = on or timezone.localdate()
    start, end = periods.year_start(year_from), periods.year_end(year_to)
    embeter = _embeter(embete_ids, embeter)
    counts = {
        r["vertskommune__embete"]: r
        for r in ChildWelfareService.objects.filter(aktiv=True, vertskommune__embete__in=[e.pk for e in embeter])
        .annotate(
            in_period=Exists(services_in_network_during(start, end)),
            on_day=Exists(services_in_active_network(on)),
        )
        .values("vertskommune__embete")
        .annotate(
            total=Count("id"),
            period=Count("id", filter=Q(in_period=True)),
            day=Count("id", filter=Q(on_day=True)),
        )
        .order_by()
    }
    rows = []
    for e in embeter:
        found = counts.get(e.pk, {})
        total, period, day = found.get("total", 0), found.get("period", 0), found.get("day", 0)
        rows.append(
            {
                "embete": e.slug,
                "embete_navn": e.name_in_year(year_to),
                "tjenester": total,
                "deltok_i_perioden": period,
                "andel_i_perioden": percent(period, total),
                "dato": on,
                "i_nettverk_paa_dato": day,
                "andel_paa_dato": percent(day, total),
            }
        )
    return rows


def coverage_total(rows: list[dict]) -> dict:
    """The sum of coverage rows (shares recomputed from the sums)."""
    total = sum(r["tjenester"] for r in rows)
    period = sum(r["deltok_i_perioden"] for r in rows)
    day = sum(r["i_nettverk_paa_dato"] for r in rows)
    return {
        "tjenester": total,
        "deltok_i_perioden": period,
        "andel_i_perioden": percent(period, total),
        "i_nettverk_paa_dato": day,
        "andel_paa_dato": percent(day, total),
    }


def services_without_network(year_from: int, year_to: int, *, embete_ids=None, embeter=None) -> list[dict]:
    """The active barnevernstjenester that took part in no learning network at any time in the period (the
    complement of coverage_over_period's deltok_i_perioden), by embete and name. Two queries."""
    start, end = periods.year_start(year_from), periods.year_end(year_to)
    embeter = {e.pk: e for e in _embeter(embete_ids, embeter)}
    services = (
        ChildWelfareService.objects.filter(aktiv=True, vertskommune__embete__in=list(embeter))
        .exclude(Exists(services_in_network_during(start, end)))
        .select_related("vertskommune")
        .order_by("navn", "id")
    )
    rows = [
        {
            "embete": embeter[s.vertskommune.embete_id].slug,
            "embete_navn": embeter[s.vertskommune.embete_id].name_in_year(year_to),
            "tjeneste": s.navn,
            "orgnr": s.orgnr,
            "vertskommune": s.vertskommune.navn,
        }
        for s in services
    ]
    rows.sort(key=lambda r: (r["embete_navn"], r["tjeneste"]))
    return rows


# --- networks and projects --------------------------------------------------------------------------------------


def networks_funded(
    year_from: int, year_to: int, *, kategori: str | None = None, embete_ids=None, embeter=None
) -> list[dict]:
    """Per year and embete: the networks that had money in the ledger that year (to the network or one of its
    projects), and the funded projects. Every year × embete in the selection has a row (0 when none). One
    aggregate query."""
    embeter = _embeter(embete_ids, embeter)
    found = {
        (r["aar"], r["embete_id"]): r
        for r in _funded(year_from, year_to, kategori, [e.pk for e in embeter])
        .values("aar", "embete_id")
        .annotate(nettverk=ledger.funded_networks(), prosjekter=ledger.funded_projects())
        .order_by()
    }
    rows = []
    for year in range(year_from, year_to + 1):
        for e in embeter:
            r = found.get((year, e.pk), {})
            rows.append(
                {
                    "aar": year,
                    "embete": e.slug,
                    "embete_navn": e.name_in_year(year),
                    "nettverk": r.get("nettverk", 0),
                    "prosjekter": r.get("prosjekter", 0),
                }
            )
    return rows


def projects_per_network(
    year_from: int, year_to: int, *, kategori: str | None = None, embete_ids=None, embeter=None
) -> list[dict]:
    """Per network funded in the period: its funded projects (distinct, over the whole period) and the money
    awarded (whole kroner), by embete and network name. Two queries."""
    embeter = {e.pk: e for e in _embeter(embete_ids, embeter)}
    totals = ledger.totals(
        ("nettverk", "embete"),
        figures=("tildelt",),
        year_from=year_from,
        year_to=year_to,
        embete_ids=list(embeter),
        kategorier=_categories(kategori),
    )
    names = dict(
        LearningNetwork.objects.filter(pk__in={k[0] for k in totals if k[0] is not None}).values_list("pk", "navn")
    )
    rows = []
    for (network_id, embete_id), t in totals.items():
        if network_id is None or not t.tildelt:
            continue
        e = embeter[embete_id]
        rows.append(
            {
                "embete": e.slug,
                "embete_navn": e.name_in_year(year_to),
                "nettverk_id": network_id,
                "nettverk": names[network_id],
                "prosjekter": t.prosjekter,
                "tildelt_kr": whole_kroner(t.tildelt),
            }
        )
    rows.sort(key=lambda r: (r["embete_navn"], r["nettverk"], r["nettverk_id"]))
    return rows


def networks_by_project_count(rows: list[dict], top: int = 5) -> list[tuple[str, int]]:
    """From projects_per_network's rows: how many networks had 0, 1, … and `top` or more funded projects."""
    buckets = {n: 0 for n in range(top + 1)}
    for r in rows:
        buckets[min(r["prosjekter"], top)] += 1
    return [(f"{n}+" if n == top else str(n), count) for n, count in buckets.items()]


def _funded_projects_by(field: str, key: str, year_from, year_to, kategori, embete_ids, embeter, empty=None) -> list:
    """Funded projects per year, category, embete and one of the project's own fields (`field`, shown as `key`).
    Only groups with projects. One aggregate query."""
    embeter = {e.pk: e for e in _embeter(embete_ids, embeter)}
    qs = (
        _funded(year_from, year_to, kategori, list(embeter))
        .filter(prosjekt__isnull=False)
        .values("aar", "kategori", "embete_id", field)
        .annotate(n=Count("prosjekt", distinct=True))
        .order_by()
    )
    rows = [
        {
            "aar": r["aar"],
            "kategori": r["kategori"],
            "embete": embeter[r["embete_id"]].slug,
            key: r[field] or empty if empty is not None else r[field],
            "prosjekter": r["n"],
        }
        for r in qs
    ]
    rows.sort(key=lambda r: (r["aar"], r["kategori"], r["embete"], r[key]))
    return rows


def projects_by_theme(
    year_from: int, year_to: int, *, kategori: str | None = None, embete_ids=None, embeter=None
) -> list[dict]:
    """Funded projects per year, category, embete and theme (a project with several themes counts once under each;
    tema "" is a project without a theme)."""
    return _funded_projects_by(
        "prosjekt__temaer__navn", "tema", year_from, year_to, kategori, embete_ids, embeter, empty=NO_THEME
    )


def projects_by_direction(
    year_from: int, year_to: int, *, kategori: str | None = None, embete_ids=None, embeter=None
) -> list[dict]:
    """Funded projects per year, category, embete and direction (the project's orientering: tiltaksutvikling,
    kompetanseutvikling or begge)."""
    return _funded_projects_by("prosjekt__orientering", "retning", year_from, year_to, kategori, embete_ids, embeter)


# --- money --------------------------------------------------------------------------------------------------------


def money_share(
    year_from: int, year_to: int, *, kategori: str | None = None, embete_ids=None, embeter=None
) -> list[dict]:
    """Per embete: the money awarded in the period per category and in all (whole kroner), and its share of what
    was awarded in the whole country in the period (per category and in all). A statsforvalter's row is the same
    as in Bufdir's table. One aggregate query (over every embete: the national total is the denominator)."""
    categories = _categories(kategori)
    totals = ledger.totals(
        ("embete", "kategori"), figures=("tildelt",), year_from=year_from, year_to=year_to, kategorier=categories
    )
    national = {c: sum((t.tildelt for (_e, k), t in totals.items() if k == c), Decimal(0)) for c in categories}
    national_all = sum(national.values(), Decimal(0))
    rows = []
    for e in _embeter(embete_ids, embeter):
        row = {"embete": e.slug, "embete_navn": e.name_in_year(year_to)}
        own_all = Decimal(0)
        for c in CATEGORIES:
            if c not in categories:
                row[f"{c}_kr"] = None
                row[f"andel_{c}"] = None
                continue
            own = totals.get((e.pk, c), ledger.Totals()).tildelt
            own_all += own
            row[f"{c}_kr"] = whole_kroner(own)
            row[f"andel_{c}"] = percent(own, national[c])
        row["tildelt_kr"] = whole_kroner(own_all)
        row["andel"] = percent(own_all, national_all)
        rows.append(row)
    return rows


# --- partners -----------------------------------------------------------------------------------------------------


def partners_by_type(
    year_from: int, year_to: int, *, kategori: str | None = None, embete_ids=None, embeter=None
) -> list[dict]:
    """Per year, embete and partner type: the funded projects that year that had a partner of that type at some
    time that year (a ProjectPartner period overlapping the year: common.periods.overlaps). A project with two
    partners of a type counts once for it. Only groups with projects. One aggregate query."""
    embeter = {e.pk: e for e in _embeter(embete_ids, embeter)}
    qs = (
        _funded(year_from, year_to, kategori, list(embeter))
        .filter(
            periods.overlaps(
                "prosjekt__partnere__fra_dato",
                "prosjekt__partnere__til_dato",
                periods.year_start(F("aar")),
                periods.year_end(F("aar")),
            )
        )
        .values("aar", "embete_id", "prosjekt__partnere__partner__type")
        .annotate(n=Count("prosjekt", distinct=True))
        .order_by()
    )
    rows = [
        {
            "aar": r["aar"],
            "embete": embeter[r["embete_id"]].slug,
            "partnertype": r["prosjekt__partnere__partner__type"],
            "prosjekter": r["n"],
        }
        for r in qs
    ]
    rows.sort(key=lambda r: (r["aar"], r["embete"], r["partnertype"]))
    return rows


# --- everything, and the page's cross tables -------------------------------------------------------------------------


@dataclass
class CrossTable:
    """A table for the page: one row per key, one column per year, cells summed from the selectors' rows."""

    years: list[int]
    rows: list[tuple[str, list[int]]]  # (label, [count per year])
    total: list[int] | None = None


def cross_table(rows: list[dict], key: str, years: list[int], labels: list[tuple[str, str]], total=None) -> CrossTable:
    """Sum rows[…]["prosjekter"] by (rows[…][key], year) into label × year; labels: [(key value, label)] in
    order, a key with no projects in the selection left out."""
    cells: dict[tuple[str, int], int] = {}
    for r in rows:
        cells[(r[key], r["aar"])] = cells.get((r[key], r["aar"]), 0) + r["prosjekter"]
    table = []
    for value, label in labels:
        counts = [cells.get((value, y), 0) for y in years]
        if any(counts):
            table.append((label, counts))
    return CrossTable(years=years, rows=table, total=total)


@dataclass
class EvaluationFigures:
    year_from: int
    year_to: int
    kategori: str | None
    coverage_on: datetime.date
    coverage: list[dict]
    coverage_total: dict
    without_network: list[dict]
    networks: list[dict]
    network_projects: list[dict]
    themes: list[dict]
    directions: list[dict]
    money: list[dict]
    partners: list[dict]

    @property
    def years(self) -> list[int]:
        return list(range(self.year_from, self.year_to + 1))

    def networks_per_year(self) -> list[tuple[int, int, int]]:
        """(year, networks, projects) summed over the embeter."""
        return [
            (
                y,
                sum(r["nettverk"] for r in self.networks if r["aar"] == y),
                sum(r["prosjekter"] for r in self.networks if r["aar"] == y),
            )
            for y in self.years
        ]

    def networks_per_embete(self) -> list[tuple[str, list[int], int]]:
        """(embete name, [networks per year], total over the years) per embete."""
        names: dict[str, str] = {}
        for r in self.networks:
            names.setdefault(r["embete"], r["embete_navn"])  # kept from the last year below
            if r["aar"] == self.year_to:
                names[r["embete"]] = r["embete_navn"]
        by = {(r["embete"], r["aar"]): r["nettverk"] for r in self.networks}
        result = []
        for slug, navn in sorted(names.items(), key=lambda x: x[1]):
            counts = [by.get((slug, y), 0) for y in self.years]
            result.append((navn, counts, sum(counts)))
        return result

    def theme_table(self, none_label: str) -> CrossTable:
        """Themes by their name in the active language (fixed themes translated, own themes as typed), projects
        without a theme (none_label) last."""
        labels = sorted(((n, theme_label(n)) for n in {r["tema"] for r in self.themes} - {NO_THEME}), key=_by_label)
        labels.append((NO_THEME, none_label))
        return cross_table(self.themes, "tema", self.years, labels)

    def direction_table(self) -> CrossTable:
        return cross_table(self.directions, "retning", self.years, [(o.value, o.label) for o in Orientation])

    def partner_table(self) -> CrossTable:
        funded = [sum(r["prosjekter"] for r in self.networks if r["aar"] == y) for y in self.years]
        return cross_table(
            self.partners, "partnertype", self.years, [(t.value, t.label) for t in PartnerType], total=funded
        )

    def money_total(self) -> dict:
        total = {"tildelt_kr": sum(r["tildelt_kr"] for r in self.money)}
        for c in CATEGORIES:
            shown = [r[f"{c}_kr"] for r in self.money if r[f"{c}_kr"] is not None]
            total[f"{c}_kr"] = sum(shown) if shown else None
        return total


def evaluation_figures(
    year_from: int, year_to: int, *, kategori: str | None = None, embete_ids=None, on: datetime.date | None = None
) -> EvaluationFigures:
    """Every figure for the selection (what the page, the exports and the API show). Coverage at a date is measured
    on `on`, by default as on the rest of the page (tables.coverage_day: 31 December of year_to, or today)."""
    on = on or coverage_day(year_to)
    embeter = load_embeter(embete_ids)
    coverage = coverage_over_period(year_from, year_to, embete_ids=embete_ids, on=on, embeter=embeter)
    scope = {"kategori": kategori, "embete_ids": embete_ids, "embeter": embeter}
    return EvaluationFigures(
        year_from=year_from,
        year_to=year_to,
        kategori=kategori,
        coverage_on=on,
        coverage=coverage,
        coverage_total=coverage_total(coverage),
        without_network=services_without_network(year_from, year_to, embete_ids=embete_ids, embeter=embeter),
        networks=networks_funded(year_from, year_to, **scope),
        network_projects=projects_per_network(year_from, year_to, **scope),
        themes=projects_by_theme(year_from, year_to, **scope),
        directions=projects_by_direction(year_from, year_to, **scope),
        money=money_share(year_from, year_to, **scope),
        partners=partners_by_type(year_from, year_to, **scope),
    )


# --- export and API tables ------------------------------------------------------------------------------------------

EXPORT_TABLES = {
    # export name: (attribute of EvaluationFigures, columns)
    "dekning-periode": (
        "coverage",
        (
            "embete",
            "embete_navn",
            "tjenester",
            "deltok_i_perioden",
            "andel_i_perioden",
            "dato",
            "i_nettverk_paa_dato",
            "andel_paa_dato",
        ),
    ),
    "uten-nettverk": ("without_network", ("embete", "embete_navn", "tjeneste", "orgnr", "vertskommune")),
    "nettverk-per-aar": ("networks", ("aar", "embete", "embete_navn", "nettverk", "prosjekter")),
    "prosjekter-per-nettverk": (
        "network_projects",
        ("embete", "embete_navn", "nettverk_id", "nettverk", "prosjekter", "tildelt_kr"),
    ),
    "tema": ("themes", ("aar", "kategori", "embete", "tema", "prosjekter")),
    "retning": ("directions", ("aar", "kategori", "embete", "retning", "prosjekter")),
    "andel-midler": (
        "money",
        (
            "embete",
            "embete_navn",
            *(f"{c}_kr" for c in CATEGORIES),
            *(f"andel_{c}" for c in CATEGORIES),
            "tildelt_kr",
            "andel",
        ),
    ),
    "partnertyper": ("partners", ("aar", "embete", "partnertype", "prosjekter")),
}


def export_rows(figures: EvaluationFigures, name: str) -> tuple[list[dict], tuple[str, ...]]:
    """(rows, columns) of one figure for the exports: plain values (shares as Decimal, dates as dates)."""
    attribute, columns = EXPORT_TABLES[name]
    return [{c: r.get(c) for c in columns} for r in getattr(figures, attribute)], columns
