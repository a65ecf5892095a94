"""Demo progress reports for the 2024 and 2025 awards (demo.grants): approved reports (some with unspent money
above the threshold, which creates a repayment claim in grants), a returned report with the statsforvalter's
comment, reports awaiting review and drafts. Some requirements are left without a report on purpose: they are
the overdue ones (demo.duty).

Everything goes through followup.services.reports, so versions, reviews, audit events and repayment claims are
real; afterwards the timestamps are moved back to around the report deadline. Deterministic, and safe to run
twice: a requirement that already has a report is left alone."""

import datetime
from decimal import ROUND_FLOOR, Decimal
from zoneinfo import ZoneInfo

from django.db import transaction

from accounts.models import User
from audit import immutability
from followup.models import (
    SELF_ASSESSMENT_STATEMENTS,
    ProgressReport,
    ReportingRequirement,
    ReportReview,
    ReportVersion,
    Scale,
)
from followup.services import reports as services
from grants.ledger import paid_total
from grants.models import RepaymentClaim
from organisations.models import Embete

from .seed import DEMO_DOMAIN

OSLO = ZoneInfo("Europe/Oslo")
# demo.grants' awarded projects: plan key -> (year, project name).
PROJECTS = {
    "A": (2024, "Trygg oppfølging av fosterhjem"),
    "B": (2024, "Medvirkning i praksis"),
    "D": (2025, "Fosterhjem i fellesskap"),
    "E": (2025, "Foreldreveiledning med Circle of Security"),
}
# States: "claim" approved with unspent money above the threshold (repayment claim), "approved" approved with
# (almost) everything spent, "returned", "submitted", "draft"; a missing key means no report (overdue).
SCENARIOS = {
    "vestland": {"A": "claim", "B": "approved", "D": "returned", "E": "draft"},
    "agder": {"A": "claim", "D": "submitted"},
    "trondelag": {"A": "approved", "B": "approved", "D": "draft"},
    "nordland": {"B": "approved", "D": "claim"},
}
# Share of the award spent per state (the rest is unspent).
SPENT = {"claim": Decimal("0.85"), "approved": None, "returned": Decimal("0.9"), "submitted": Decimal("0.95")}
RETURN_COMMENT = (
    "Takk for rapporten. Beskriv nærmere hvilke resultater dere har oppnådd, og hvordan rutinen er tatt i bruk i "
    "tjenestene. Forklar også hvorfor det er brukt mindre enn budsjettert på ekstern veiledning."
)
DELAY = "Oppstarten ble forskjøvet med en måned fordi prosjektlederstillingen ble besatt senere enn planlagt."
SCALE = [Scale.STOR, Scale.NOEN, Scale.STOR, Scale.LITEN, Scale.STOR, Scale.NOEN, Scale.VET_IKKE]


def scenario(slug: str, index: int) -> dict[str, str]:
    """The demo leaders' embeter have hand-picked states; the others rotate."""
    if slug in SCENARIOS:
        return SCENARIOS[slug]
    plan = {"A": "claim" if index % 2 == 0 else "approved"}
    if index % 3:
        plan["B"] = "approved"
    if index % 2 == 0:
        plan["D"] = "submitted"
    return plan


def _at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=OSLO)


def _texts(krav: ReportingRequirement, n: int) -> dict:
    navn = krav.prosjekt.navn
    network = krav.prosjekt.network.navn
    return {
        "aktiviteter": (
            f"Vi har gjennomført {4 + n % 3} felles samlinger for ansatte i tjenestene i {network}, med veiledning "
            "mellom samlingene. Prosjektleder har fulgt opp hver tjeneste månedlig."
        ),
        "avvik": DELAY if n % 2 else "",
        "resultater": (
            f"«{navn}» har gitt en felles rutine som nå er tatt i bruk i tjenestene, og et opplæringsopplegg for "
            "nyansatte. Tjenestene opplever at samarbeidet er blitt tettere."
        ),
        "partnerinvolvering": "Kompetansemiljøet har holdt fagdager og veiledet prosjektgruppen.",
        "neste_aar": "Vi vil spre rutinen til de andre tjenestene i nettverket og evaluere den etter ett år.",
    }


def _spending(report: ProgressReport, share: Decimal | None) -> list[dict]:
    """Spending per budget line: share of each line (None: everything but 2 000 kr, below the threshold)."""
    lines = [s for s in report.forbruk.all() if s.budsjett > 0]
    if share is None:
        short = Decimal("2000")
        used = [s.budsjett for s in lines]
        if used:
            used[0] = max(used[0] - short, Decimal("0"))
    else:
        used = [(s.budsjett * share / 100).to_integral_value(rounding=ROUND_FLOOR) * 100 for s in lines]
    comments = {"kompetanse": "Færre veiledningstimer enn planlagt.", "samlinger": "En samling ble digital."}
    return [
        {"type": s.type, "brukt": amount, "kommentar": comments.get(s.type, "") if amount < s.budsjett else ""}
        for s, amount in zip(lines, used, strict=True)
    ]


def _share(krav: ReportingRequirement, report: ProgressReport, state: str) -> Decimal | None:
    """For a claim: 85 % spent when the grant is paid in full, else 10 points less than the paid share (so
    paid minus spent is positive and there is money to claim back)."""
    if state != "claim":
        return SPENT.get(state)
    paid = paid_total(krav.vedtak)
    if paid >= report.tildelt or report.tildelt <= 0:
        return SPENT["claim"]
    return max((paid / report.tildelt - Decimal("0.1")).quantize(Decimal("0.01")), Decimal("0"))


def _fill(leader, report: ProgressReport, krav, n: int, state: str) -> ProgressReport:
    staff = [
        {"tjeneste": p.tjeneste_id, "antall_ansatte": 2 + (n + i) % 5} for i, p in enumerate(report.deltakere.all())
    ]
    answers = {key: SCALE[(n + i) % len(SCALE)] for i, key in enumerate(SELF_ASSESSMENT_STATEMENTS)}
    return services.save_draft(
        leader,
        report,
        **_texts(krav, n),
        forbruk=_spending(report, _share(krav, report, state)),
        deltakere=staff,
        egenvurdering=answers,
    )


def _backdate(report: ProgressReport, krav: ReportingRequirement) -> None:
    """Move the report's timestamps to around its deadline (the services stamp them with today)."""
    sent = _at(krav.frist - datetime.timedelta(days=12), 14)
    reviewed = _at(krav.frist + datetime.timedelta(days=18), 10)
    with immutability.backdating():  # submitted reports are immutable; the demo may only move their timestamps
        for version in report.versjoner.order_by("versjon"):
            day = sent + datetime.timedelta(days=30 * (version.versjon - 1))
            ReportVersion.objects.filter(pk=version.pk).update(sendt_inn=day)
            ProgressReport.objects.filter(pk=report.pk).update(sendt_inn=day)
        for i, review in enumerate(report.vurderinger.order_by("tidspunkt")):
            ReportReview.objects.filter(pk=review.pk).update(tidspunkt=reviewed + datetime.timedelta(days=30 * i))
        report.refresh_from_db()
        if report.godkjent:
            approved = reviewed + datetime.timedelta(days=30 * (report.vurderinger.count() - 1))
            ProgressReport.objects.filter(pk=report.pk).update(godkjent=approved)
            RepaymentClaim.objects.filter(vedtak=krav.vedtak, begrunnelse__contains=str(report)).update(
                dato=approved.date(), forfall=approved.date() + datetime.timedelta(days=services.CLAIM_DAYS)
            )


def _report(krav: ReportingRequirement, state: str, sf: User, n: int) -> ProgressReport:
    leader = krav.vedtak.soknad.opprettet_av
    report = services.start_report(leader, krav)
    if state == "draft":
        return services.save_draft(leader, report, **{k: v for k, v in _texts(krav, n).items() if k != "resultater"})
    report = services.submit(leader, _fill(leader, report, krav, n, state))
    if state == "returned":
        report = services.review(sf, report, utfall="returnert", kommentar=RETURN_COMMENT)
    elif state in ("claim", "approved"):
        report = services.review(sf, report, utfall="godkjent", kommentar="Godkjent. Takk for godt arbeid.")
    _backdate(report, krav)
    return report


@transaction.atomic
def seed_reports() -> int:
    """Reports for the demo awards of 2024 and 2025. Returns the number of reports created."""
    created = 0
    for index, embete in enumerate(Embete.objects.order_by("slug")):
        sf = User.objects.filter(email=f"sf.{embete.slug}@{DEMO_DOMAIN}").first()
        if sf is None:
            continue
        for n, (key, state) in enumerate(sorted(scenario(embete.slug, index).items())):
            year, navn = PROJECTS[key]
            krav = (
                ReportingRequirement.objects.select_related("vedtak__soknad", "prosjekt__network")
                .filter(aar=year, prosjekt__navn=navn, vedtak__soknad__utlysning__embete=embete)
                .order_by("id")
                .first()
            )
            if krav is None or ProgressReport.objects.filter(krav=krav).exists():
                continue
            _report(krav, state, sf, index + n)
            created += 1
    return created
