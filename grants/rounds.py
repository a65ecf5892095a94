"""The rules of the round (issue 17): required attachments, no new drafts after the deadline, no decision before
the deadline unless the round is rolling (rullerende), sane dates, and proposals never above the applied amount.

The checks are small functions the services in grants.services call (create_application, submission_problems,
decide, recommend, set_priority, _validate_round); the write of a round's required attachments is here
(set_required_documents)."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.permissions import require
from audit import services as audit
from common import dates, limits
from common.money import kr
from common.text import clean_name

from .models import Application, ApplicationRound, RequiredDocument, RoundStatus

REPORT_YEARS = 5  # a decision's report deadline lies at most this many years after the decision
ROUND_REPORT_YEARS = 5  # a round's report deadline at most this many years after its application deadline


def _d(day: datetime.date) -> str:
    return date_format(day, "d.m.Y")


# --- required attachments (vedleggskrav) -----------------------------------------------------------


def document_names(text: str) -> list[str]:
    """The required attachments typed one per line on the round form, cleaned, without repeats."""
    names: list[str] = []
    for line in (text or "").splitlines():
        name = clean_name(line)[: limits.NAME]
        if name and name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    return names


@transaction.atomic
def set_required_documents(actor, rnd: ApplicationRound, names: list[str]) -> ApplicationRound:
    """Replace the round's required attachments. Only before the round is published: applicants already writing
    must not meet a new requirement at submission."""
    require(actor, "grants.manage_round", rnd)
    rnd = ApplicationRound.objects.select_for_update().get(pk=rnd.pk)
    names = document_names("\n".join(names))
    current = list(rnd.vedleggskrav.values_list("navn", flat=True))
    if names == current:
        return rnd
    if rnd.status != RoundStatus.UTKAST:
        raise ValidationError({"vedleggskrav": _("Vedleggskravene kan ikke endres etter at utlysningen er publisert.")})
    rnd.vedleggskrav.all().delete()
    RequiredDocument.objects.bulk_create(
        RequiredDocument(utlysning=rnd, navn=name, rekkefolge=i) for i, name in enumerate(names)
    )
    audit.record(actor, "utlysning.vedleggskrav", rnd, {"vedleggskrav": [current, names]})
    return rnd


def missing_documents(application: Application) -> list[RequiredDocument]:
    """The round's required attachments that no attachment of the application is marked as meeting."""
    met = {a.krav_id for a in application.vedlegg.all() if a.krav_id}
    return [doc for doc in application.utlysning.vedleggskrav.all() if doc.pk not in met]


def missing_documents_problem(application: Application) -> str | None:
    missing = missing_documents(application)
    if not missing:
        return None
    return _("Vedlegg mangler: %(d)s. Last opp dokumentet og velg hvilket krav det oppfyller.") % {
        "d": ", ".join(f"«{doc.navn}»" for doc in missing)
    }


# --- deadlines ------------------------------------------------------------------------------------


def check_new_draft(rnd: ApplicationRound, today: datetime.date | None = None) -> None:
    """No new drafts (and no new projects) after the round's deadline."""
    if rnd.deadline_passed(today):
        raise ValidationError(
            _("Søknadsfristen gikk ut %(d)s. Det kan ikke startes nye søknader i denne utlysningen.")
            % {"d": _d(rnd.frist)}
        )


def decision_blocked_until(rnd: ApplicationRound, today: datetime.date | None = None) -> datetime.date | None:
    """The first day a decision may be made, when that is after today; None when a decision may be made now
    (a rolling round, or the deadline has passed)."""
    if rnd.rullerende or rnd.deadline_passed(today):
        return None
    return dates.add_days(rnd.frist, 1)


def check_decision_time(rnd: ApplicationRound, today: datetime.date | None = None) -> None:
    """Decisions wait for the deadline, unless the round decides applications as they come in (rullerende)."""
    first = decision_blocked_until(rnd, today)
    if first is not None:
        raise ValidationError(
            _(
                "Søknadsfristen er %(f)s. Utlysningen avgjør ikke søknadene fortløpende, så vedtak kan fattes fra "
                "%(d)s, når alle søknadene kan sammenlignes."
            )
            % {"f": _d(rnd.frist), "d": _d(first)}
        )


# --- dates ----------------------------------------------------------------------------------------


def check_report_deadline(rapportfrist, decided: datetime.date | None = None) -> datetime.date:
    """A decision's report deadline: after the decision date and within REPORT_YEARS years of it."""
    decided = decided or timezone.localdate()
    dates.bounded(
        rapportfrist,
        "rapportfrist",
        after=decided,
        message=_("Rapportfristen må være etter vedtaksdatoen (%(d)s)."),
    )
    return dates.bounded(
        rapportfrist,
        "rapportfrist",
        latest=dates.years_after(decided, REPORT_YEARS),
        message=_("Rapportfristen kan være høyst fem år etter vedtaket, senest %(d)s."),
    )


def round_date_errors(data: dict) -> dict[str, list[str]]:
    """Errors for a round's dates (opening, deadline, report deadline): each in the range every date must fall in;
    the report deadline after the application deadline and within ROUND_REPORT_YEARS years of it."""
    errors: dict[str, list[str]] = {}
    for field in ("apner", "frist", "rapportfrist"):
        value = data.get(field)
        if value in (None, ""):
            continue
        try:
            dates.bounded(value, field)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    frist, rapportfrist = data.get("frist"), data.get("rapportfrist")
    if "frist" not in errors and "rapportfrist" not in errors and frist and rapportfrist:
        try:
            dates.bounded(
                rapportfrist,
                "rapportfrist",
                after=frist,
                message=_("Frist for rapport må være etter søknadsfristen (%(d)s)."),
            )
            dates.bounded(
                rapportfrist,
                "rapportfrist",
                latest=dates.years_after(frist, ROUND_REPORT_YEARS),
                message=_("Frist for rapport kan være høyst fem år etter søknadsfristen, senest %(d)s."),
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    return errors


# --- amounts --------------------------------------------------------------------------------------


def check_proposed_amount(application: Application, amount: Decimal | None, field: str = "foreslatt_belop") -> None:
    """A recommended or proposed amount is never above what the applicants applied for."""
    if amount is not None and amount > application.soknadsbelop:
        raise ValidationError(
            {
                field: _("Foreslått beløp (%(b)s) kan ikke være større enn søknadsbeløpet (%(a)s).")
                % {"b": kr(amount), "a": kr(application.soknadsbelop)}
            }
        )
