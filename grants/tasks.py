"""Celery tasks for grants: thin, idempotent wrappers. E-mails are sent once, even if a task is retried."""

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import models as dj_models
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.language import addresses_by_language
from accounts.models import SERVICE_ROLES, RoleAssignment
from audit import services as audit
from audit.models import AuditEvent
from common.money import kr
from organisations.models import ChildWelfareService

from .letters import render_decision_letter
from .models import Application, ApplicationRound, Decision


def _already(action: str, object_id) -> bool:
    return AuditEvent.objects.filter(handling=action, object_id=str(object_id)).exists()


def _mark(action: str, obj) -> None:
    audit.record(None, action, obj, {})


def _service_emails(service_ids) -> list[str]:
    emails = set(
        RoleAssignment.objects.active()
        .filter(tjeneste_id__in=service_ids, rolle__in=SERVICE_ROLES, user__is_active=True)
        .values_list("user__email", flat=True)
    )
    return sorted(e for e in emails if e)


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_round_published(self, round_id: int) -> int:
    with transaction.atomic():
        rnd = ApplicationRound.objects.select_for_update().select_related("embete").get(pk=round_id)
        if _already("utlysning.epost_sendt", rnd.pk):
            return 0
        services = ChildWelfareService.objects.filter(vertskommune__embete=rnd.embete, aktiv=True).values_list(
            "pk", flat=True
        )
        recipients = _service_emails(list(services))
        link = settings.SITE_URL.rstrip("/") + reverse("grants:round_detail", args=[rnd.pk])
        for language, group in addresses_by_language(recipients).items():  # each in the recipient's language
            with translation.override(language):
                body = _(
                    "%(embete)s har publisert utlysningen «%(tittel)s».\n\n"
                    "Søknadsfrist: %(frist)s\nRetningslinjer: %(retningslinjer)s\n\n"
                    "Les utlysningen og søk her: %(link)s\n\nHilsen Læringsnett"
                ) % {
                    "embete": rnd.embete,
                    "tittel": rnd,
                    "frist": f"{rnd.frist:%d.%m.%Y}",
                    "retningslinjer": rnd.retningslinjer,
                    "link": link,
                }
                subject = _("Ny utlysning: %(tittel)s") % {"tittel": rnd}
                EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [], bcc=group).send()
        _mark("utlysning.epost_sendt", rnd)
    return len(recipients)


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_receipt(self, application_id: int) -> bool:
    with transaction.atomic():
        application = (
            Application.objects.select_for_update()
            .select_related("utlysning__embete", "prosjekt")
            .get(pk=application_id)
        )
        if _already("soknad.kvittering_sendt", application.pk):
            return False
        recipients = _service_emails(list(application.tjenester.values_list("pk", flat=True)))
        link = settings.SITE_URL.rstrip("/") + reverse("grants:application_detail", args=[application.pk])
        for language, group in addresses_by_language(recipients).items():  # each in the recipient's language
            with translation.override(language):
                body = _(
                    "Kvittering for mottatt søknad\n\nReferanse: %(referanse)s\n"
                    "Prosjekt: %(prosjekt)s\nUtlysning: %(utlysning)s\n"
                    "Sendt inn: %(sendt)s\n"
                    "Søknadsbeløp: %(belop)s\n\n"
                    "Søknaden er sendt til %(embete)s. Se søknaden: %(link)s\n\nHilsen Læringsnett"
                ) % {
                    "referanse": application.referanse,
                    "prosjekt": application.prosjekt,
                    "utlysning": application.utlysning,
                    "sendt": f"{timezone.localtime(application.sendt_inn):%d.%m.%Y %H:%M}",
                    "belop": kr(application.soknadsbelop),
                    "embete": application.utlysning.embete,
                    "link": link,
                }
                subject = _("Kvittering: søknad %(referanse)s") % {"referanse": application.referanse}
                EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, group).send()
        _mark("soknad.kvittering_sendt", application)
    return True


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def deliver_decision(self, decision_id: int) -> bool:
    """Make the decision letter PDF (once) and e-mail it to the applicants (once)."""
    with transaction.atomic():
        decision = Decision.objects.select_for_update().select_related("soknad").get(pk=decision_id)
        if not decision.brev:
            pdf = render_decision_letter(decision)
            decision.brev.save(f"vedtak-{decision.saksnummer}.pdf", ContentFile(pdf), save=False)
            Decision.objects.filter(pk=decision.pk).update(brev=decision.brev.name)
        if _already("vedtak.epost_sendt", decision.pk):
            return False
        application = decision.soknad
        recipients = _service_emails(list(application.tjenester.values_list("pk", flat=True)))
        link = settings.SITE_URL.rstrip("/") + reverse("grants:application_detail", args=[application.pk])
        decision.brev.open("rb")
        pdf = decision.brev.read()
        decision.brev.close()
        for language, group in addresses_by_language(recipients).items():  # each in the recipient's language
            with translation.override(language):
                message = EmailMessage(
                    _("Vedtak i sak %(saksnummer)s") % {"saksnummer": decision.saksnummer},
                    _(
                        "Vedtaket om søknad %(referanse)s ligger vedlagt og i Læringsnett: %(link)s\n\n"
                        "Hilsen Læringsnett"
                    )
                    % {"referanse": application.referanse, "link": link},
                    settings.DEFAULT_FROM_EMAIL,
                    group,
                )
            message.attach(f"vedtak-{decision.saksnummer}.pdf", pdf, "application/pdf")
            message.send()
        _mark("vedtak.epost_sendt", decision)
    return True


def letters_key(round_id: int) -> str:
    return f"letters:{round_id}"


def decisions_lacking_letters(round_id: int):
    """Decisions in the round without a letter, or whose letter has not been e-mailed yet."""
    mailed = AuditEvent.objects.filter(
        handling="vedtak.epost_sendt", object_id=Cast(OuterRef("pk"), output_field=dj_models.CharField())
    )
    return (
        Decision.objects.filter(soknad__utlysning_id=round_id)
        .annotate(mailed=Exists(mailed))
        .filter(dj_models.Q(brev="") | dj_models.Q(mailed=False))
        .order_by("pk")
    )


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def generate_round_letters(self, round_id: int) -> int:
    """Make and send the decision letters of a round that are still missing, reporting progress in the cache as
    {"done": n, "total": m}. Idempotent: deliver_decision makes each letter and e-mail once."""
    from django.core.cache import cache

    ids = list(decisions_lacking_letters(round_id).values_list("pk", flat=True))
    key = letters_key(round_id)
    cache.set(key, {"done": 0, "total": len(ids)}, timeout=3600)
    for n, pk in enumerate(ids, start=1):
        deliver_decision(pk)  # run the task body here, in this worker, one decision at a time
        cache.set(key, {"done": n, "total": len(ids)}, timeout=3600)
    return len(ids)


# The e-mails of requests for information and case messages live in their own module; importing it here registers
# them with Celery, which discovers only <app>/tasks.py.
# The repayment claim letter lives in grants.tasks_claims, the letters on appeals in grants.tasks_appeals, loaded
# the same way.
from . import tasks_appeals, tasks_claims, tasks_information  # noqa: E402, F401
