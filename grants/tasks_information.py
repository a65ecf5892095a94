"""E-mails of a request for information and the case messages (grants.information), each in the recipient's
language and sent once (an audit mark per request, answer and message), through the outbox. Loaded by
grants.tasks (Celery discovers only <app>/tasks.py)."""

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.language import addresses_by_language, in_language_of

from .models import CaseMessage, InformationRequest
from .tasks import _already, _mark, _service_emails

RETRY = {"bind": True, "autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 5}


def _link(application) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("grants:information_case", args=[application.pk])


def _applicant_emails(application) -> list[str]:
    return _service_emails(list(application.tjenester.values_list("pk", flat=True)))


def case_officer_of(application):
    """Who hears of the applicants' answers and messages: the case officer, else whoever asked for information
    last; None when neither exists (the case is then on the embete's list of applications)."""
    if application.saksbehandler_id and application.saksbehandler.is_active:
        return application.saksbehandler
    latest = application.opplysningsbehov.select_related("sendt_av").order_by("-sendt", "-id").first()
    return latest.sendt_av if latest and latest.sendt_av.is_active else None


def _to_applicants(application, subject_and_body) -> None:
    for language, group in addresses_by_language(_applicant_emails(application)).items():
        with translation.override(language):
            subject, body = subject_and_body()
            EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [], bcc=group).send()


def _to_officer(officer, subject_and_body) -> bool:
    if officer is None or not officer.email:
        return False
    with in_language_of(officer):
        subject, body = subject_and_body()
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [officer.email]).send()
    return True


@shared_task(**RETRY)
def send_information_requested(self, request_id: int) -> bool:
    """To the applicants: the statsforvalter's questions and the deadline for the answer."""
    with transaction.atomic():
        request = (
            InformationRequest.objects.select_for_update(of=("self",))
            .select_related("soknad__utlysning__embete", "soknad__prosjekt")
            .get(pk=request_id)
        )
        if _already("opplysninger.epost_sendt", request.pk):
            return False
        application = request.soknad

        def text():
            subject = _("Søknad %(r)s: statsforvalteren ber om opplysninger") % {"r": application.referanse}
            body = _(
                "%(embete)s ber om flere opplysninger i søknaden %(referanse)s (%(prosjekt)s).\n\n"
                "%(melding)s\n\nSvarfrist: %(frist)s\n\n"
                "Søknaden er åpnet igjen for endringer. Svar og send den inn på nytt her: %(link)s\n\n"
                "Hilsen Læringsnett"
            ) % {
                "embete": application.utlysning.embete,
                "referanse": application.referanse,
                "prosjekt": application.prosjekt,
                "melding": request.melding,
                "frist": f"{request.frist:%d.%m.%Y}",
                "link": _link(application),
            }
            return subject, body

        _to_applicants(application, text)
        _mark("opplysninger.epost_sendt", request)
    return True


@shared_task(**RETRY)
def send_information_answered(self, request_id: int) -> bool:
    """To the case officer: the applicants have answered and sent the application in again."""
    with transaction.atomic():
        request = (
            InformationRequest.objects.select_for_update(of=("self",))
            .select_related("soknad__prosjekt", "soknad__saksbehandler", "besvart_av")
            .get(pk=request_id)
        )
        if _already("opplysninger.svar_epost_sendt", request.pk):
            return False
        application = request.soknad

        def text():
            subject = _("Søknad %(r)s: søkerne har svart") % {"r": application.referanse}
            body = _(
                "Søkerne har svart på anmodningen om opplysninger i søknaden %(referanse)s (%(prosjekt)s) og "
                "sendt den inn på nytt som versjon %(versjon)s.\n\nSvar:\n%(svar)s\n\nSe saken: %(link)s\n\n"
                "Hilsen Læringsnett"
            ) % {
                "referanse": application.referanse,
                "prosjekt": application.prosjekt,
                "versjon": application.versjon,
                "svar": request.svar,
                "link": _link(application),
            }
            return subject, body

        _to_officer(case_officer_of(application), text)
        _mark("opplysninger.svar_epost_sendt", request)
    return True


@shared_task(**RETRY)
def send_case_message(self, message_id: int) -> bool:
    """A new message in the case, to the other side: from the applicants to the case officer, from the
    statsforvalter to the applicants."""
    with transaction.atomic():
        message = (
            CaseMessage.objects.select_for_update(of=("self",))
            .select_related("soknad__prosjekt", "soknad__saksbehandler", "soknad__utlysning__embete")
            .get(pk=message_id)
        )
        if _already("saksmelding.epost_sendt", message.pk):
            return False
        application = message.soknad

        def text():
            subject = _("Søknad %(r)s: ny melding i saken") % {"r": application.referanse}
            body = _(
                "Ny melding i saken om søknaden %(referanse)s (%(prosjekt)s) fra %(fra)s:\n\n%(tekst)s\n\n"
                "Les og svar her: %(link)s\n\nHilsen Læringsnett"
            ) % {
                "referanse": application.referanse,
                "prosjekt": application.prosjekt,
                "fra": application.utlysning.embete if message.fra_statsforvalter else _("søkerne"),
                "tekst": message.tekst,
                "link": _link(application),
            }
            return subject, body

        if message.fra_statsforvalter:
            _to_applicants(application, text)
        else:
            _to_officer(case_officer_of(application), text)
        _mark("saksmelding.epost_sendt", message)
    return True
