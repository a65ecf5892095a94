"""Celery tasks for grants: thin, idempotent wrappers. E-mails are sent once, even if a task is retried."""

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import SERVICE_ROLES, RoleAssignment
from audit.models import AuditEvent


def _already(action: str, object_id) -> bool:
    return AuditEvent.objects.filter(handling=action, object_id=str(object_id)).exists()


def _mark(action: str, obj) -> None:
    from audit import services as audit

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
    from organisations.models import ChildWelfareService

    from .models import ApplicationRound

    with transaction.atomic():
        rnd = ApplicationRound.objects.select_for_update().select_related("embete").get(pk=round_id)
        if _already("utlysning.epost_sendt", rnd.pk):
            return 0
        services = ChildWelfareService.objects.filter(vertskommune__embete=rnd.embete, aktiv=True).values_list(
            "pk", flat=True
        )
        recipients = _service_emails(list(services))
        link = settings.SITE_URL.rstrip("/") + reverse("grants:round_detail", args=[rnd.pk])
        body = (
            f"{rnd.embete} har publisert utlysningen «{rnd.tittel}».\n\n"
            f"Søknadsfrist: {rnd.frist:%d.%m.%Y}\nRetningslinjer: {rnd.retningslinjer}\n\n"
            f"Les utlysningen og søk her: {link}\n\nHilsen Læringsnett"
        )
        if recipients:
            EmailMessage(f"Ny utlysning: {rnd.tittel}", body, settings.DEFAULT_FROM_EMAIL, [], bcc=recipients).send()
        _mark("utlysning.epost_sendt", rnd)
    return len(recipients)


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_receipt(self, application_id: int) -> bool:
    from .models import Application
    from .services import kr

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
        body = (
            f"Kvittering for mottatt søknad\n\nReferanse: {application.referanse}\n"
            f"Prosjekt: {application.prosjekt}\nUtlysning: {application.utlysning}\n"
            f"Sendt inn: {timezone.localtime(application.sendt_inn):%d.%m.%Y %H:%M}\n"
            f"Søknadsbeløp: {kr(application.soknadsbelop)}\n\n"
            f"Søknaden er sendt til {application.utlysning.embete}. Se søknaden: {link}\n\nHilsen Læringsnett"
        )
        EmailMessage(
            f"Kvittering: søknad {application.referanse}", body, settings.DEFAULT_FROM_EMAIL, recipients
        ).send()
        _mark("soknad.kvittering_sendt", application)
    return True


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def deliver_decision(self, decision_id: int) -> bool:
    """Make the decision letter PDF (once) and e-mail it to the applicants (once)."""
    from .letters import render_decision_letter
    from .models import Decision

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
        message = EmailMessage(
            f"Vedtak i sak {decision.saksnummer}",
            f"Vedtaket om søknad {application.referanse} ligger vedlagt og i Læringsnett: {link}\n\nHilsen Læringsnett",
            settings.DEFAULT_FROM_EMAIL,
            recipients,
        )
        decision.brev.open("rb")
        message.attach(f"vedtak-{decision.saksnummer}.pdf", decision.brev.read(), "application/pdf")
        decision.brev.close()
        message.send()
        _mark("vedtak.epost_sendt", decision)
    return True


def letters_key(round_id: int) -> str:
    return f"letters:{round_id}"


def decisions_lacking_letters(round_id: int):
    """Decisions in the round without a letter, or whose letter has not been e-mailed yet."""
    from django.db import models as dj_models
    from django.db.models import Exists, OuterRef
    from django.db.models.functions import Cast

    from .models import Decision

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
