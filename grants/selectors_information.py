"""Reads for requests for information and case messages (grants.information): the case dialogue of one
application (requests, answers and messages as one timeline, and what the user may do) and the statsforvalter's
list of open requests with the overdue ones first. Two queries for a dialogue, whatever its length."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from accounts.permissions import has_permission

from . import selectors, workflow
from .models import Application, ApplicationStatus, CaseMessage, InformationRequest

REQUEST, ANSWER, MESSAGE = "request", "answer", "message"


@dataclass(frozen=True)
class Entry:
    """One line of the case dialogue."""

    kind: str  # REQUEST, ANSWER or MESSAGE
    sent: datetime.datetime
    author: object  # the user who wrote it
    from_staff: bool  # written by the statsforvalter
    text: str
    deadline: datetime.date | None = None  # a request's deadline
    overdue: bool = False  # a request not answered by its deadline
    version: int | None = None  # the version an answer was sent in with


@dataclass(frozen=True)
class Dialogue:
    application: Application
    entries: tuple[Entry, ...]
    open_request: InformationRequest | None
    overdue: bool  # the open request's deadline has passed
    may_request: bool  # the statsforvalter may send the application back for information now
    may_write: bool  # the user may write a message in the case now
    may_answer: bool  # the applicants may answer and send the application in again now

    @property
    def waiting(self) -> bool:
        return self.application.status == ApplicationStatus.VENTER_OPPLYSNINGER


def _entries(requests, messages, today) -> list[Entry]:
    entries = []
    for r in requests:
        entries.append(
            Entry(
                REQUEST,
                r.sendt,
                r.sendt_av,
                True,
                r.melding,
                deadline=r.frist,
                overdue=r.besvart is None and r.frist < today,
            )
        )
        if r.besvart is not None:
            entries.append(
                Entry(ANSWER, r.besvart, r.besvart_av, False, r.svar, version=getattr(r.versjon, "nummer", None))
            )
    entries.extend(Entry(MESSAGE, m.sendt, m.avsender, m.fra_statsforvalter, m.tekst) for m in messages)
    return sorted(entries, key=lambda e: e.sent)


def dialogue(user, application: Application, today: datetime.date | None = None) -> Dialogue:
    """The case dialogue of an application the user may see (the caller checked grants.view_application)."""
    today = today or timezone.localdate()
    requests = list(
        InformationRequest.objects.filter(soknad=application).select_related("sendt_av", "besvart_av", "versjon")
    )
    messages = list(CaseMessage.objects.filter(soknad=application).select_related("avsender"))
    open_request = next((r for r in requests if r.besvart is None), None)
    waiting = application.status == ApplicationStatus.VENTER_OPPLYSNINGER
    return Dialogue(
        application=application,
        entries=tuple(_entries(requests, messages, today)),
        open_request=open_request,
        overdue=open_request is not None and open_request.frist < today,
        may_request=workflow.may(user, application, ApplicationStatus.VENTER_OPPLYSNINGER),
        may_write=has_permission(user, "grants.write_case_message", application),
        may_answer=waiting and workflow.may(user, application, ApplicationStatus.UNDER_BEHANDLING),
    )


def open_requests(user) -> QuerySet[InformationRequest]:
    """The open requests for information on the applications the user may see, the earliest deadline first (the
    overdue ones at the top)."""
    return (
        InformationRequest.objects.filter(
            besvart__isnull=True,
            soknad__in=selectors.applications_visible_to(user).filter(status=ApplicationStatus.VENTER_OPPLYSNINGER),
        )
        .select_related("soknad__prosjekt", "soknad__utlysning", "soknad__saksbehandler", "sendt_av")
        .order_by("frist", "sendt", "id")
    )


@dataclass(frozen=True)
class Summary:
    """What the application page shows of the case dialogue (grants/information/_summary.html)."""

    open_request: InformationRequest | None  # looked up only while the application waits for information
    overdue: bool
    may_request: bool
    may_answer: bool
    may_read: bool  # the dialogue page is worth a link: the user is one of the two sides, or reads the case


def summary(user, application: Application, today: datetime.date | None = None) -> Summary:
    """At most one query: the open request, only while the application waits for information."""
    today = today or timezone.localdate()
    waiting = application.status == ApplicationStatus.VENTER_OPPLYSNINGER
    open_request = (
        InformationRequest.objects.filter(soknad=application, besvart__isnull=True).select_related("sendt_av").first()
        if waiting
        else None
    )
    return Summary(
        open_request=open_request,
        overdue=open_request is not None and open_request.frist < today,
        may_request=workflow.may(user, application, ApplicationStatus.VENTER_OPPLYSNINGER),
        may_answer=waiting and workflow.may(user, application, ApplicationStatus.UNDER_BEHANDLING),
        may_read=application.status != ApplicationStatus.UTKAST,
    )


def overdue_count(user, today: datetime.date | None = None) -> int:
    """How many open requests for information the user may see are past their deadline (the start page)."""
    today = today or timezone.localdate()
    return open_requests(user).filter(frist__lt=today).count()
