from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import Invitation


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5, secret_params=("token",))
def send_invitation_email(self, invitation_id: int, token: str) -> bool:
    """Send the invitation e-mail once. Idempotent: a retried task does not send it twice. Enqueued through the
    outbox (accounts.services.invite), which stores the raw token encrypted and removes it once the e-mail is sent
    (secret_params): the database only ever holds the token's hash in a usable form."""
    with transaction.atomic():
        invitation = (
            # Lock only the invitation row: PostgreSQL refuses FOR UPDATE on the nullable side of the joins.
            Invitation.objects.select_for_update(of=("self",))
            .select_related("tjeneste", "embete", "partner", "invitert_av")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or invitation.epost_sendt is not None:
            return False
        with translation.override("nb"):
            context = {
                "invitation": invitation,
                "link": settings.SITE_URL.rstrip("/") + reverse("accept_invitation", args=[token]),
                "valid_days": settings.INVITATION_VALID_DAYS,
            }
            subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
            body = render_to_string("accounts/email/invitation_message.txt", context)
        message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
        message.send()
        from django.utils import timezone

        invitation.epost_sendt = timezone.now()
        invitation.save(update_fields=["epost_sendt"])
    return True
