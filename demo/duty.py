"""Demo data for the reporting duty; called from demo.seed.seed_demo after demo.reports (safe to run twice).

demo.reports leaves some 2024/2025 requirements without a report on purpose. Here:
- two of them are overdue with the reminders the daily task would have sent (30 and 7 days before, the day
  after the deadline), so the statsforvalter's overdue list and the reminder history have content;
- one has a postponement that the statsforvalter approved, and is overdue again after the new deadline;
- one has a postponement request waiting for the statsforvalter's answer.

Postponements go through followup.services.duty (permission, validation, audit); afterwards the timestamps are
moved back to around the deadline. Requirements are picked by embete, year and project name, never by id, and
only when the project has no report for them; a requirement that already has a postponement or reminder is
left alone. Deterministic: every date is derived from the requirement's deadline."""

import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from followup.models import Postponement, ProgressReport, ReminderKind, ReportingRequirement, ReportReminder
from followup.services import duty as services

from .seed import DEMO_DOMAIN

OSLO = ZoneInfo("Europe/Oslo")
# (embete slug, grant year, project name) of demo.grants' awards left without a report by demo.reports.
OVERDUE = [
    ("agder", 2024, "Medvirkning i praksis"),
    ("trondelag", 2025, "Foreldreveiledning med Circle of Security"),
]
POSTPONED = ("nordland", 2024, "Trygg oppfølging av fosterhjem", "leder.bodo")
PENDING = ("agder", 2025, "Foreldreveiledning med Circle of Security", "leder.kristiansand")
POSTPONED_REASON = (
    "Prosjektlederen sluttet i januar, og den nye lederen begynner først i mars. Vi trenger to måneder ekstra "
    "for å samle inn tallene fra tjenestene."
)
PENDING_REASON = (
    "Regnskapet for prosjektåret er ikke avsluttet i vertskommunen ennå, og én av tjenestene har hatt lang "
    "vakanse i stillingen som koordinerer prosjektet. Vi ber om å få levere rapporten før jul."
)
SENT_BEFORE = {ReminderKind.DAGER_30: -30, ReminderKind.DAGER_7: -7, ReminderKind.FORFALT: 1}


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=OSLO)


def _requirement(slug: str, year: int, navn: str) -> ReportingRequirement | None:
    """The requirement, if it exists and nobody has started a report on it."""
    krav = (
        ReportingRequirement.objects.select_related("vedtak__soknad__utlysning__embete", "prosjekt__network")
        .filter(aar=year, prosjekt__navn=navn, vedtak__soknad__utlysning__embete__slug=slug)
        .order_by("id")
        .first()
    )
    if krav is None or ProgressReport.objects.filter(krav=krav).exists():
        return None
    return krav


def _make_overdue(krav: ReportingRequirement, today: datetime.date) -> None:
    """Deadlines of 2024/2025 awards are in the past already; should one not be (the demo clock), move it."""
    if krav.frist >= today:
        past = datetime.date(today.year - 1, 3, 1)
        ReportingRequirement.objects.filter(pk=krav.pk).update(frist=past, opprinnelig_frist=past)
        krav.refresh_from_db()


def _reminders(krav: ReportingRequirement) -> int:
    """The reminders the daily task would have sent for the deadline in force, at 07:00 on their days."""
    recipients = services.reminder_recipients(krav)
    if not recipients:
        return 0
    made = 0
    for kind, offset in SENT_BEFORE.items():
        day = krav.frist + datetime.timedelta(days=offset)
        if day >= timezone.localdate():
            continue
        _row, created = ReportReminder.objects.get_or_create(
            krav=krav, slag=kind, frist=krav.frist, defaults={"mottakere": recipients, "sendt": _at(day, 7)}
        )
        made += created
    return made


def _user(local: str) -> User | None:
    return User.objects.filter(email=f"{local}@{DEMO_DOMAIN}").first()


def _sf(krav: ReportingRequirement) -> User | None:
    return User.objects.filter(email=f"sf.{krav.vedtak.soknad.utlysning.embete.slug}@{DEMO_DOMAIN}").first()


@transaction.atomic
def seed_duty() -> dict:
    today = timezone.localdate()
    done = {"forfalt": 0, "paminnelser": 0, "utsettelser": 0}
    for slug, year, navn in OVERDUE:
        krav = _requirement(slug, year, navn)
        if krav is None:
            continue
        _make_overdue(krav, today)
        done["forfalt"] += 1
        done["paminnelser"] += _reminders(krav)

    slug, year, navn, local = POSTPONED
    krav = _requirement(slug, year, navn)
    leader, sf = _user(local), (_sf(krav) if krav else None)
    if krav is not None and leader and sf and not Postponement.objects.filter(krav=krav).exists():
        _make_overdue(krav, today)
        original = krav.frist
        new = original + datetime.timedelta(days=61)
        postponement = services.request_postponement(leader, krav, new, POSTPONED_REASON)
        services.decide_postponement(
            sf, postponement, True, "Innvilget. Husk å beskrive i rapporten hvordan overgangen til ny leder gikk."
        )
        Postponement.objects.filter(pk=postponement.pk).update(
            bedt=_at(original - datetime.timedelta(days=12), 10),
            behandlet=_at(original - datetime.timedelta(days=9), 14),
        )
        krav.refresh_from_db()
        ReportReminder.objects.get_or_create(
            krav=krav,
            slag=ReminderKind.DAGER_30,
            frist=original,
            defaults={
                "mottakere": services.reminder_recipients(krav),
                "sendt": _at(original - datetime.timedelta(days=30), 7),
            },
        )
        done["paminnelser"] += _reminders(krav)
        done["utsettelser"] += 1

    slug, year, navn, local = PENDING
    krav = _requirement(slug, year, navn)
    leader = _user(local)
    if krav is not None and leader and not Postponement.objects.filter(krav=krav).exists():
        _make_overdue(krav, today)
        new = datetime.date(krav.frist.year, 12, 15)
        postponement = services.request_postponement(leader, krav, new, PENDING_REASON)
        Postponement.objects.filter(pk=postponement.pk).update(bedt=_at(krav.frist - datetime.timedelta(days=3), 9))
        done["paminnelser"] += _reminders(krav)
        done["utsettelser"] += 1
    return done
