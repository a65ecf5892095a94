"""Reads for the annual report (årsrapport) from a statsforvalter to Bufdir.

compile_figures() compiles an embete's year from the data: networks, funded projects, money per category (from
the national summary), applications, progress reports and coverage. Every table is one aggregate query in the
database, so the number of queries stays the same as the data grows (tested). The result is plain JSON (money as
strings), the same shape that is frozen in AnnualReportVersion on submission; tables() turns that JSON into the
tables shown on the page, in the PDF and in the XLSX, so a submitted report is always rendered from its frozen
version and never from live data."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.scoping import standing
from common import versioned_cache as figures_cache
from common.money import kr
from followup.models import ReportingRequirement, ReportStatus
from grants import ledger, outcome
from grants.models import UNDECIDED, Application, ApplicationStatus
from networks.models import LearningNetwork, Membership, MembershipStatus, NetworkPartner, NetworkStatus
from networks.models import NetworkStatusChange as StatusChange
from networks.selectors import services_in_active_network
from organisations.models import ChildWelfareService, Embete
from projects.models import Category
from reporting import scoping
from reporting.models import AnnualReport, AnnualStatus

from .national import CATEGORIES, summary

FORMAT = 1  # version of the JSON shape below; bump when it changes (old snapshots keep rendering)
MONEY = DecimalField(max_digits=16, decimal_places=2)
ZERO = Decimal("0")
MONEY_FIGURES = ("ramme", "tildelt", "utbetalt", "rapportert_brukt", "ubrukt", "tilbakebetalt", "overfort")
APPLICATION_FIGURES = ("mottatt", "innvilget", "avslatt", "trukket", "under_behandling", "soknadsbelop")


# --- scope ------------------------------------------------------------------------------------------------


def reports_visible_to(user) -> QuerySet[AnnualReport]:
    """Bufdir (and superusers) see every annual report; a statsforvalter its own embete's; others none
    (reporting.scoping.annual_reports)."""
    qs = AnnualReport.objects.select_related("embete", "sendt_inn_av").prefetch_related("embete__navnehistorikk")
    return scoping.annual_reports(standing(user)).apply(qs)


def report_for(user, pk) -> AnnualReport | None:
    return reports_visible_to(user).filter(pk=pk).first()


@dataclass
class OverviewRow:
    embete: Embete
    aar: int
    embete_navn: str
    report: AnnualReport | None


def overview(user, years: list[int]) -> list[OverviewRow]:
    """Bufdir's overview: every embete × year with its report (None: not started). Two queries."""
    embeter = list(Embete.objects.prefetch_related("navnehistorikk").order_by("navn"))
    reports = {(r.embete_id, r.aar): r for r in reports_visible_to(user).filter(aar__in=years)}
    return [
        OverviewRow(e, year, e.name_in_year(year), reports.get((e.pk, year)))
        for year in sorted(years, reverse=True)
        for e in embeter
    ]


# --- compilation --------------------------------------------------------------------------------------------


def reference_date(aar: int, today: datetime.date | None = None) -> datetime.date:
    """The day the state of the year is read on: 31 December, or today while the year is still running."""
    today = today or timezone.localdate()
    return min(datetime.date(aar, 12, 31), today)


def _status_on(on: datetime.date):
    """A network's status on a day: the latest status change up to then, else its current status if it
    applied then."""
    history = StatusChange.objects.filter(network=OuterRef("pk"), fra_dato__lte=on).order_by("-fra_dato", "-id")
    return Coalesce(
        Subquery(history.values("status")[:1]),
        Case(When(status_fra__lte=on, then=F("status")), default=Value(None)),
        output_field=CharField(),
    )


def _count(qs, key: str, what: str):
    """A correlated subquery counting distinct `what` of the rows in qs, grouped by `key` (0 when none)."""
    counted = qs.order_by().values(key).annotate(n=Count(what, distinct=True)).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _networks(embete: Embete, aar: int, on: datetime.date) -> QuerySet[LearningNetwork]:
    """The embete's networks that existed in the year (established by then and not ended before it began),
    with their status on the reference day, whether they started or ended that year, and the number of
    services, partners and themes that took part during the year."""
    start, end = datetime.date(aar, 1, 1), datetime.date(aar, 12, 31)
    ended_in_year = StatusChange.objects.filter(
        network=OuterRef("pk"), status=NetworkStatus.AVSLUTTET, fra_dato__gte=start, fra_dato__lte=end
    )
    members = Membership.objects.filter(
        network=OuterRef("pk"),
        status__in=(MembershipStatus.AKTIV, MembershipStatus.UTMELDT),
        fra_dato__lte=end,
    ).filter(Q(til_dato__isnull=True) | Q(til_dato__gte=start))
    partners = NetworkPartner.objects.filter(network=OuterRef("pk"), fra_dato__lte=end).filter(
        Q(til_dato__isnull=True) | Q(til_dato__gte=start)
    )
    themes = LearningNetwork.temaer.through.objects.filter(learningnetwork_id=OuterRef("pk"))
    return (
        LearningNetwork.objects.filter(embete=embete, etablert_aar__lte=aar)
        .annotate(
            status_start=_status_on(start - datetime.timedelta(days=1)),
            status_da=_status_on(on),
            avsluttet_i_aar=ExpressionWrapper(
                Q(Exists(ended_in_year))
                | Q(status=NetworkStatus.AVSLUTTET, status_fra__gte=start, status_fra__lte=end),
                output_field=BooleanField(),
            ),
            antall_tjenester=_count(members, "network", "tjeneste"),
            antall_partnere=_count(partners, "network", "partner"),
            antall_temaer=_count(themes, "learningnetwork_id", "theme_id"),
        )
        .filter(Q(status_start__isnull=True) | ~Q(status_start=NetworkStatus.AVSLUTTET) | Q(avsluttet_i_aar=True))
    )


def _network_tables(embete: Embete, aar: int, on: datetime.date) -> dict:
    networks = _networks(embete, aar, on)
    rows = networks.order_by("navn").values(
        "navn", "etablert_aar", "status_da", "avsluttet_i_aar", "antall_tjenester", "antall_partnere", "antall_temaer"
    )
    totals = networks.aggregate(
        totalt=Count("id"),
        aktive=Count("id", filter=Q(status_da=NetworkStatus.AKTIV)),
        nye=Count("id", filter=Q(etablert_aar=aar)),
        avsluttet=Count("id", filter=Q(avsluttet_i_aar=True)),
    )
    return {
        **totals,
        "rader": [
            {
                "navn": r["navn"],
                "status": r["status_da"] or "",
                "etablert_aar": r["etablert_aar"],
                "ny": r["etablert_aar"] == aar,
                "avsluttet": bool(r["avsluttet_i_aar"]),
                "tjenester": r["antall_tjenester"],
                "partnere": r["antall_partnere"],
                "temaer": r["antall_temaer"],
            }
            for r in rows
        ],
    }


def _money(embete: Embete, aar: int) -> tuple[str, dict]:
    """(embete name valid that year, {category: figures, "totalt": figures}) from the national summary."""
    row = summary(aar, aar, embete_ids=[embete.pk])[aar][0]

    def cell(c) -> dict:
        return {"prosjekter": c.prosjekter, **{name: str(getattr(c, name)) for name in MONEY_FIGURES}}

    return row.embete_navn, {**{c: cell(row.per_kategori[c]) for c in CATEGORIES}, "totalt": cell(row.total)}


def _projects(embete: Embete, aar: int) -> list[dict]:
    """The funded projects of the year with their network, category and amount (one grouped query)."""
    rows = (
        ledger.awards(year_from=aar, year_to=aar, embete_ids=[embete.pk])
        .filter(prosjekt__isnull=False, belop__gt=0)
        .values("prosjekt_id", "prosjekt__navn", "prosjekt__network__navn", "kategori")
        .annotate(tildelt=ledger.awarded_sum())
        .order_by("kategori", "prosjekt__navn")
    )
    return [
        {
            "navn": r["prosjekt__navn"],
            "nettverk": r["prosjekt__network__navn"] or "",
            "kategori": r["kategori"],
            "tildelt": str(r["tildelt"]),
        }
        for r in rows
    ]


def _applications(embete: Embete, aar: int) -> dict:
    """Applications received (sent in) in the embete's round for the year, per category and in total."""
    received = Application.objects.filter(utlysning__embete=embete, utlysning__aar=aar, referanse__isnull=False)
    rows = {
        r["kategori"]: r
        for r in received.values("kategori")
        .annotate(
            mottatt=Count("id"),
            # The effective outcome after appeals (grants.outcome): an upheld appeal on a rejection is awarded.
            innvilget=Count("id", filter=outcome.awarded_q(), distinct=True),
            avslatt=Count("id", filter=outcome.rejected_q(), distinct=True),
            trukket=Count("id", filter=Q(status=ApplicationStatus.TRUKKET)),
            under_behandling=Count("id", filter=Q(status__in=UNDECIDED)),  # venter på opplysninger too
            soknadsbelop=Coalesce(
                Sum("soknadsbelop", filter=~Q(status=ApplicationStatus.TRUKKET)), ZERO, output_field=MONEY
            ),
        )
        .order_by()
    }
    result = {}
    total = dict.fromkeys(APPLICATION_FIGURES, 0)
    total["soknadsbelop"] = ZERO
    for c in CATEGORIES:  # two categories, not rows
        found = rows.get(c, {})
        result[c] = {name: found.get(name, 0) for name in APPLICATION_FIGURES}
        for name in APPLICATION_FIGURES:
            total[name] += result[c][name]
        result[c]["soknadsbelop"] = str(found.get("soknadsbelop", ZERO))
    total["soknadsbelop"] = str(total["soknadsbelop"])
    result["totalt"] = total
    return result


def _reports(embete: Embete, aar: int, today: datetime.date) -> dict:
    """Progress reports for the year's grants: required, received, approved and overdue (deadline passed and no
    report sent in or approved) as of today."""
    pending = Q(rapport__isnull=True) | Q(rapport__status__in=(ReportStatus.UTKAST, ReportStatus.RETURNERT))
    return ReportingRequirement.objects.filter(vedtak__soknad__utlysning__embete=embete, aar=aar).aggregate(
        krav=Count("id"),
        mottatt=Count("id", filter=Q(rapport__sendt_inn__isnull=False)),
        godkjent=Count("id", filter=Q(rapport__status=ReportStatus.GODKJENT)),
        forfalt=Count("id", filter=pending & Q(frist__lt=today)),
    )


def _coverage(embete: Embete, on: datetime.date) -> dict:
    """Share of the embete's active barnevernstjenester in at least one active network on the day."""
    figures = (
        ChildWelfareService.objects.filter(aktiv=True, vertskommune__embete=embete)
        .annotate(in_network=Exists(services_in_active_network(on)))
        .aggregate(tjenester=Count("id"), i_nettverk=Count("id", filter=Q(in_network=True)))
    )
    total, covered = figures["tjenester"], figures["i_nettverk"]
    return {**figures, "andel": round(covered / total * 100, 1) if total else 0.0}


def compile_figures(embete: Embete, aar: int, *, today: datetime.date | None = None) -> dict:
    """The compiled figures of an embete's year, as JSON. A constant number of queries."""
    today = today or timezone.localdate()
    on = reference_date(aar, today)
    navn, money = _money(embete, aar)
    return {
        "format": FORMAT,
        "aar": aar,
        "embete": {"id": embete.pk, "slug": embete.slug, "navn": navn},
        "kompilert": timezone.now().isoformat(),
        "dato": on.isoformat(),
        "idag": today.isoformat(),
        "nettverk": _network_tables(embete, aar, on),
        "prosjekter": _projects(embete, aar),
        "penger": money,
        "soknader": _applications(embete, aar),
        "rapporter": _reports(embete, aar, today),
        "dekning": _coverage(embete, on),
    }


def snapshot_of(report: AnnualReport) -> dict | None:
    """The frozen content of the last submitted version, or None."""
    if not report.versjon:
        return None
    version = report.versjoner.filter(versjon=report.versjon).first()
    return version.innhold if version else None


def content_for(report: AnnualReport) -> tuple[dict, bool]:
    """(content, frozen): a submitted report's frozen version; otherwise the live figures with the current
    narratives."""
    if report.status == AnnualStatus.SENDT_INN:
        frozen = snapshot_of(report)
        if frozen is not None:
            return frozen, True
    # Cached until the data behind them changes (common.versioned_cache); compiled afresh inside a transaction
    # (submission).
    figures = figures_cache.cached(
        ["annual", report.embete_id, report.aar, timezone.localdate()],
        lambda: compile_figures(report.embete, report.aar),
    )
    figures["tekster"] = {
        name: getattr(report, name) for name in ("vurdering", "utfordringer", "planer", "kommentarer")
    }
    return figures, False


# --- presentation: the same tables on the page, in the PDF and in the XLSX -------------------------------


TEXT, INT, MONEY_COL, PERCENT = "text", "int", "money", "percent"


@dataclass
class Table:
    key: str  # also the XLSX sheet name
    title: str
    columns: list[tuple[str, str]]  # (label, kind)
    rows: list[list] = field(default_factory=list)
    total: list | None = None
    note: str = ""
    row_kinds: list[str] | None = None  # one kind per row instead of per column (a table turned on its side)

    @staticmethod
    def _display(value, kind: str) -> str:
        if kind == MONEY_COL:
            return kr(value)
        if kind == PERCENT:
            return f"{Decimal(str(value)):.1f}".replace(".", ",") + "\u00a0%"
        if isinstance(value, bool):
            return _("Ja") if value else _("Nei")
        return str(value)

    def _formatted(self, row, index: int | None = None) -> list[tuple[str, bool]]:
        if self.row_kinds is not None and index is not None:
            kind = self.row_kinds[index]
            return [(str(row[0]), False)] + [(self._display(v, kind), kind != TEXT) for v in row[1:]]
        return [(self._display(v, kind), kind != TEXT) for v, (_label, kind) in zip(row, self.columns, strict=True)]

    @property
    def display_rows(self) -> list[list[tuple[str, bool]]]:
        """Each cell as (text, numeric) for HTML and PDF."""
        return [self._formatted(row, i) for i, row in enumerate(self.rows)]

    @property
    def display_total(self) -> list[tuple[str, bool]] | None:
        return self._formatted(self.total) if self.total else None

    def raw(self, value, kind: str):
        """A cell for a spreadsheet: numbers stay numbers."""
        if kind == MONEY_COL:
            return int(Decimal(value).quantize(Decimal("1")))
        if kind == PERCENT:
            return float(value)
        if isinstance(value, bool):
            return self._display(value, kind)
        return value


def category_label(code: str) -> str:
    return str(Category(code).label) if code in Category.values else code


def status_label(code: str) -> str:
    return str(NetworkStatus(code).label) if code in NetworkStatus.values else "–"


def tables(content: dict) -> list[Table]:
    """The compiled figures as tables, in the order of the report."""
    cat_labels = {**{c: category_label(c) for c in CATEGORIES}, "totalt": _("Totalt")}
    net = content["nettverk"]
    money, apps, reports, cov = content["penger"], content["soknader"], content["rapporter"], content["dekning"]
    return [
        Table(
            "Nettverk",
            _("Læringsnettverk"),
            [
                (_("Nettverk"), TEXT),
                (_("Status"), TEXT),
                (_("Etablert"), TEXT),
                (_("Nytt i år"), TEXT),
                (_("Avsluttet i år"), TEXT),
                (_("Tjenester"), INT),
                (_("Partnere"), INT),
                (_("Temaer"), INT),
            ],
            [
                [
                    r["navn"],
                    status_label(r["status"]),
                    str(r["etablert_aar"]),
                    r["ny"],
                    r["avsluttet"],
                    r["tjenester"],
                    r["partnere"],
                    r["temaer"],
                ]
                for r in net["rader"]
            ],
            note=_("%(aktive)s aktive, %(nye)s nye og %(avsluttet)s avsluttede nettverk i året (%(totalt)s i alt).")
            % net,
        ),
        Table(
            "Prosjekter",
            _("Prosjekter som fikk tilskudd"),
            [(_("Kategori"), TEXT), (_("Prosjekter"), INT), (_("Tildelt"), MONEY_COL)],
            [[cat_labels[c], money[c]["prosjekter"], money[c]["tildelt"]] for c in CATEGORIES],
            total=[cat_labels["totalt"], money["totalt"]["prosjekter"], money["totalt"]["tildelt"]],
        ),
        Table(
            "Prosjektliste",
            _("Prosjektene"),
            [(_("Prosjekt"), TEXT), (_("Nettverk"), TEXT), (_("Kategori"), TEXT), (_("Tildelt"), MONEY_COL)],
            [[p["navn"], p["nettverk"], category_label(p["kategori"]), p["tildelt"]] for p in content["prosjekter"]],
        ),
        Table(
            "Midler",
            _("Midler per kategori"),
            [
                (_("Kategori"), TEXT),
                (_("Ramme"), MONEY_COL),
                (_("Tildelt"), MONEY_COL),
                (_("Utbetalt"), MONEY_COL),
                (_("Rapportert brukt"), MONEY_COL),
                (_("Ubrukt"), MONEY_COL),
                (_("Tilbakebetalt"), MONEY_COL),
                (_("Overført"), MONEY_COL),
            ],
            [[cat_labels[c], *(money[c][name] for name in MONEY_FIGURES)] for c in CATEGORIES],
            total=[cat_labels["totalt"], *(money["totalt"][name] for name in MONEY_FIGURES)],
            note=_("Rapportert brukt og ubrukt er fra godkjente rapporter. Tilbakebetalt er betalte krav."),
        ),
        Table(
            "Soknader",
            _("Søknader"),
            [
                (_("Kategori"), TEXT),
                (_("Mottatt"), INT),
                (_("Innvilget"), INT),
                (_("Avslått"), INT),
                (_("Trukket"), INT),
                (_("Under behandling"), INT),
                (_("Søkt beløp"), MONEY_COL),
            ],
            [[cat_labels[c], *(apps[c][name] for name in APPLICATION_FIGURES)] for c in CATEGORIES],
            total=[cat_labels["totalt"], *(apps["totalt"][name] for name in APPLICATION_FIGURES)],
        ),
        Table(
            "Rapporter",
            _("Rapporter fra prosjektene"),
            [(_("Rapporteringskrav"), INT), (_("Mottatt"), INT), (_("Godkjent"), INT), (_("Forfalt"), INT)],
            [[reports["krav"], reports["mottatt"], reports["godkjent"], reports["forfalt"]]],
            note=_("Forfalt: fristen er passert uten at rapporten er sendt inn eller godkjent (per %(dato)s).")
            % {"dato": _date(content.get("idag") or content["dato"])},
        ),
        Table(
            "Dekning",
            _("Dekning av barnevernstjenester"),
            [(_("Aktive tjenester"), INT), (_("I minst ett aktivt nettverk"), INT), (_("Andel"), PERCENT)],
            [[cov["tjenester"], cov["i_nettverk"], cov["andel"]]],
            note=_("Per %(dato)s.") % {"dato": _date(content["dato"])},
        ),
    ]


def _date(iso: str) -> str:
    return datetime.date.fromisoformat(iso).strftime("%d.%m.%Y")


NARRATIVE_LABELS = {
    "vurdering": gettext_lazy("Vurdering av året"),
    "utfordringer": gettext_lazy("Utfordringer"),
    "planer": gettext_lazy("Planer for neste år"),
    "kommentarer": gettext_lazy("Andre kommentarer"),
}


def narrative_sections(content: dict) -> list[tuple[str, str]]:
    texts = content.get("tekster") or {}
    return [(str(label), texts.get(key, "")) for key, label in NARRATIVE_LABELS.items()]


def chart_data(content: dict) -> tuple[list[str], list[tuple[str, list[float]]]]:
    """(category labels, [(series label, values in kr)]) for the bar chart of money per category."""
    money = content["penger"]
    series = [
        (_("Ramme"), "ramme"),
        (_("Tildelt"), "tildelt"),
        (_("Utbetalt"), "utbetalt"),
        (_("Ubrukt"), "ubrukt"),
        (_("Tilbakebetalt"), "tilbakebetalt"),
    ]
    return [category_label(c) for c in CATEGORIES], [
        (str(label), [float(Decimal(money[c][key])) for c in CATEGORIES]) for label, key in series
    ]
