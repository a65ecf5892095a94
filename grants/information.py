"""Requests for information and case messages (saksdialog) on an application: the writes.

- `request_information`: the statsforvalter sends a submitted application back to the applicants with what it
  needs and a deadline (after today, at most MAX_DAYS ahead). The application moves to «venter på opplysninger»
  (grants.workflow, permission grants.request_information); the applicants may edit it again
  (grants.edit_application) and are e-mailed.
- `resubmit`: the applicants answer and send the application in again: a new locked ApplicationVersion with the
  answer as its comment, the request answered, the application back to «under behandling» (permission
  grants.submit); the case officer is e-mailed.
- `write_message`: a message in the case from either side while the case is open (grants.write_case_message); the
  other side is e-mailed. No data about individual children: the forms say so.

Reads for the pages are in grants/selectors_information.py."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.permissions import require
from accounts.scoping import is_statsforvalter_of
from audit import services as audit
from common import limits

from . import services, workflow
from .models import Application, ApplicationStatus, ApplicationVersion, CaseMessage, InformationRequest
from .tasks_information import send_case_message, send_information_answered, send_information_requested

MAX_DAYS = 92  # a deadline at most about three months ahead
COMMENT_LENGTH = 300  # ApplicationVersion.kommentar


def _text(value, field: str, empty: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: empty})
    if len(text) > limits.SHORT_TEXT:
        raise ValidationError(
            {field: _("Teksten kan ha høyst %(n)s tegn (nå %(m)s).") % {"n": limits.SHORT_TEXT, "m": len(text)}}
        )
    return text


def latest_deadline(today: datetime.date) -> datetime.date:
    return today + datetime.timedelta(days=MAX_DAYS)


def check_deadline(frist, today: datetime.date | None = None) -> datetime.date:
    """A sane deadline for the answer: a date after today and at most MAX_DAYS ahead (9999-12-31 is refused)."""
    today = today or timezone.localdate()
    if not isinstance(frist, datetime.date):
        raise ValidationError(
            {
                "frist": _("Skriv svarfristen som en dato, for eksempel %(d)s.")
                % {"d": date_format(today + datetime.timedelta(days=14), "d.m.Y")}
            }
        )
    if frist <= today:
        raise ValidationError({"frist": _("Svarfristen må være etter i dag.")})
    latest = latest_deadline(today)
    if frist > latest:
        raise ValidationError(
            {
                "frist": _("Svarfristen kan være høyst tre måneder fram i tid, senest %(d)s.")
                % {"d": date_format(latest, "d.m.Y")}
            }
        )
    return frist


def _locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("utlysning__embete", "utlysning__retningslinjer")
        .get(pk=application.pk)
    )


@transaction.atomic
def request_information(actor, application: Application, *, melding: str, frist) -> InformationRequest:
    """Send the application back to the applicants with what the statsforvalter needs and a deadline."""
    application = _locked(application)
    workflow.check(
        actor,
        application,
        ApplicationStatus.VENTER_OPPLYSNINGER,
        _("En søknad med status «%(s)s» kan ikke sendes tilbake til søkerne for opplysninger.")
        % {"s": application.get_status_display()},
    )
    errors = {}
    try:
        melding = _text(melding, "melding", _("Skriv hvilke opplysninger dere trenger fra søkerne."))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        frist = check_deadline(frist)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    request = InformationRequest.objects.create(soknad=application, melding=melding, frist=frist, sendt_av=actor)
    services._transition(actor, application, ApplicationStatus.VENTER_OPPLYSNINGER)
    audit.record(actor, "soknad.opplysninger_bedt_om", application, {"frist": frist})
    send_information_requested.enqueue(request.pk)
    return request


def open_request(application: Application) -> InformationRequest | None:
    return application.opplysningsbehov.filter(besvart__isnull=True).first()


def _comment(svar: str) -> str:
    comment = _("Svar på anmodning om opplysninger: %(s)s") % {"s": " ".join(svar.split())}
    return comment if len(comment) <= COMMENT_LENGTH else comment[: COMMENT_LENGTH - 1] + "…"


@transaction.atomic
def resubmit(actor, application: Application, *, svar: str) -> ApplicationVersion:
    """The applicants answer the request and send the application in again: a new locked version with the answer
    as its comment; the application is under behandling again."""
    application = _locked(application)
    workflow.check(
        actor,
        application,
        ApplicationStatus.UNDER_BEHANDLING,
        _("Søknaden venter ikke på opplysninger. Den er allerede sendt inn på nytt, eller den er avgjort."),
    )
    svar = _text(svar, "svar", _("Skriv et svar til statsforvalteren."))
    problems = services.submission_problems(application, round_open=False)
    if problems:
        raise ValidationError(problems)
    request = open_request(application)
    application.versjon += 1
    application.save(update_fields=["versjon", "endret"])
    version = ApplicationVersion.objects.create(
        soknad=application,
        nummer=application.versjon,
        innhold=services.snapshot(application),
        opprettet_av=actor,
        kommentar=_comment(svar),
    )
    if request is not None:
        request.svar, request.besvart, request.besvart_av, request.versjon = svar, timezone.now(), actor, version
        request.save(update_fields=["svar", "besvart", "besvart_av", "versjon"])
    services._transition(actor, application, ApplicationStatus.UNDER_BEHANDLING)
    audit.record(actor, "soknad.opplysninger_besvart", application, {"versjon": version.nummer})
    if request is not None:
        send_information_answered.enqueue(request.pk)
    return version


@transaction.atomic
def write_message(actor, application: Application, *, tekst: str) -> CaseMessage:
    """A message in the case, from the applicants or from the statsforvalter, while the case is open."""
    application = _locked(application)
    require(actor, "grants.write_case_message", application)
    tekst = _text(tekst, "tekst", _("Skriv en melding."))
    from_staff = is_statsforvalter_of(actor.active_role, application.utlysning.embete_id)
    message = CaseMessage.objects.create(soknad=application, avsender=actor, fra_statsforvalter=from_staff, tekst=tekst)
    audit.record(actor, "soknad.saksmelding", application, {"fra_statsforvalter": from_staff})
    send_case_message.enqueue(message.pk)
    return message
