"""Reads for the reporting duty, scoped to the user: requirements with their status computed in the database,
overdue requirements and pending postponement requests. Query counts stay constant as data grows."""

import datetime

from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import standing
from followup import scoping
from followup.models import Postponement, PostponementStatus, ReportingRequirement, ReportReminder, ReportStatus
from followup.selectors.participation import taking_part
from grants import ledger

REQUIREMENT_RELATED = ("vedtak__soknad__utlysning__embete", "prosjekt__network")
# How far ahead a service's start page shows deadlines.
UPCOMING_DAYS = 60


class DutyStatus(models.TextChoices):
    """Where a reporting requirement stands. A draft report counts as not delivered (venter / forfalt); a
    returned report is open again but was delivered once, so it is shown as returnert."""

    VENTER = "venter", _("Venter på rapport")
    FORFALT = "forfalt", _("Forfalt")
    SENDT_INN = "sendt_inn", _("Sendt inn")
    RETURNERT = "returnert", _("Returnert")
    GODKJENT = "godkjent", _("Godkjent")


OPEN_STATUSES = (DutyStatus.VENTER, DutyStatus.FORFALT, DutyStatus.RETURNERT)


def status_expression(today: datetime.date) -> Case:
    return Case(
        When(rapport__status=ReportStatus.GODKJENT, then=Value(DutyStatus.GODKJENT.value)),
        When(rapport__status=ReportStatus.SENDT_INN, then=Value(DutyStatus.SENDT_INN.value)),
        When(rapport__status=ReportStatus.RETURNERT, then=Value(DutyStatus.RETURNERT.value)),
        When(frist__lt=today, then=Value(DutyStatus.FORFALT.value)),
        default=Value(DutyStatus.VENTER.value),
        output_field=models.CharField(),
    )


def with_status(qs: QuerySet[ReportingRequirement], today: datetime.date | None = None) -> QuerySet:
    """Annotates `tilstand` (DutyStatus), `rapport_pk`, `rapport_status`, `rapport_versjon`,
    `venter_utsettelse` (a postponement request awaits an answer) and `tildelt` (the award in the ledger), in
    the same query."""
    today = today or timezone.localdate()
    pending = Postponement.objects.filter(krav_id=OuterRef("pk"), status=PostponementStatus.VENTER)
    return qs.annotate(
        tilstand=status_expression(today),
        rapport_pk=F("rapport__id"),
        rapport_status=F("rapport__status"),
        rapport_versjon=F("rapport__versjon"),
        venter_utsettelse=Exists(pending),
        tildelt=ledger.decision_award("vedtak"),
    )


def participating(service_id: int) -> Q:
    """Requirements of projects the service takes part in (selectors.participation: a period overlapping the
    grant year, or an applicant of the funded application)."""
    return taking_part(service_id)


def requirements_visible_to(user) -> QuerySet[ReportingRequirement]:
    """The requirements the user may see (followup.scoping.requirements): Bufdir (and superusers) all; a
    statsforvalter those of its embete; service users those of the projects their service takes part in."""
    qs = ReportingRequirement.objects.select_related(*REQUIREMENT_RELATED)
    return scoping.requirements(standing(user)).apply(qs)


def requirement_list(user, today: datetime.date | None = None) -> QuerySet:
    """The requirements the user may see, with status, most urgent first: overdue, then by deadline."""
    urgent = Case(
        When(tilstand=DutyStatus.FORFALT, then=Value(0)),
        When(tilstand__in=[DutyStatus.VENTER, DutyStatus.RETURNERT], then=Value(1)),
        When(tilstand=DutyStatus.SENDT_INN, then=Value(2)),
        default=Value(3),
        output_field=models.IntegerField(),
    )
    return (
        with_status(requirements_visible_to(user), today)
        .annotate(rekkefolge=urgent)
        .order_by("rekkefolge", "frist", "prosjekt__navn", "pk")
    )


def requirement_detail(user, pk: int) -> ReportingRequirement | None:
    """One requirement in the user's scope, with its report, postponements (newest first) and reminders sent."""
    return (
        with_status(requirements_visible_to(user))
        .select_related("rapport", "prosjekt__prosjektleder")
        .prefetch_related(
            Prefetch(
                "utsettelser",
                queryset=Postponement.objects.select_related("bedt_av", "behandlet_av").order_by("-bedt", "-pk"),
            ),
            Prefetch(
                "paminnelser",
                queryset=ReportReminder.objects.filter(sendt__isnull=False).order_by("sendt", "pk"),
                to_attr="sendte_paminnelser",
            ),
        )
        .filter(pk=pk)
        .first()
    )


def overdue_for_embete(embete_id: int, today: datetime.date | None = None) -> QuerySet:
    """Requirements of the embete whose deadline has passed without a report (none, or only a draft)."""
    qs = ReportingRequirement.objects.select_related(*REQUIREMENT_RELATED).filter(
        vedtak__soknad__utlysning__embete_id=embete_id, levert=False
    )
    return with_status(qs, today).filter(tilstand=DutyStatus.FORFALT).order_by("frist", "prosjekt__navn", "pk")


def pending_postponements_for_embete(embete_id: int) -> QuerySet[Postponement]:
    """Postponement requests waiting for the embete's answer, oldest first."""
    return (
        Postponement.objects.filter(
            status=PostponementStatus.VENTER, krav__vedtak__soknad__utlysning__embete_id=embete_id
        )
        .select_related("krav__prosjekt__network", "krav__vedtak__soknad__utlysning", "bedt_av")
        .order_by("bedt", "pk")
    )


def postponement_for(user, pk: int) -> Postponement | None:
    """A postponement whose requirement is in the user's scope."""
    return (
        Postponement.objects.filter(pk=pk, krav__in=requirements_visible_to(user).values("pk"))
        .select_related("krav__vedtak__soknad__utlysning__embete", "krav__prosjekt__network", "bedt_av", "behandlet_av")
        .first()
    )


def deadlines_for_service(service_id: int, today: datetime.date | None = None, days: int = UPCOMING_DAYS):
    """Open requirements of the service's projects that are overdue or due within `days` days."""
    today = today or timezone.localdate()
    qs = ReportingRequirement.objects.select_related(*REQUIREMENT_RELATED).filter(
        participating(service_id),
        levert=False,  # levert=False: the partial index of open requirements
    )
    return (
        with_status(qs, today)
        .filter(tilstand__in=OPEN_STATUSES, frist__lte=today + datetime.timedelta(days=days))
        .order_by("frist", "prosjekt__navn", "pk")
    )


def start_page_deadlines_for_service(service_id: int, limit: int = 10) -> list:
    """The first `limit` of deadlines_for_service with only what the start page shows (type, year, deadline, status,
    project name): without the decision, application and round columns the query and the objects cost half."""
    rows = (
        deadlines_for_service(service_id)
        .select_related(None)
        .select_related("prosjekt")
        .only("id", "type", "aar", "frist", "prosjekt_id", "prosjekt__navn")
    )
    return labelled(rows[:limit])


def embete_duty_counts(embete_id: int, today: datetime.date | None = None) -> dict:
    """{"forfalt": n, "utsettelser": m} for the statsforvalter's start page (two queries)."""
    return {
        "forfalt": overdue_for_embete(embete_id, today).count(),
        "utsettelser": pending_postponements_for_embete(embete_id).count(),
    }


def labelled(rows) -> list:
    """The rows as a list, each with `tilstand_label` (the DutyStatus label) for templates."""
    rows = list(rows)
    for row in rows:
        row.tilstand_label = DutyStatus(row.tilstand).label
    return rows
