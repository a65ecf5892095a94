from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from common import outbox
from common.models import OutboxMessage

from .language import in_language_of, starting_language
from .models import Invitation, User


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5, secret_params=("token",))
def send_invitation_email(self, invitation_id: int, token: str) -> bool:
    """Send the invitation e-mail once. Idempotent: a retried task does not send it twice. Enqueued through the
    outbox (accounts.services.invite), which stores the raw token encrypted and removes it once the e-mail is sent
    (secret_params): the database only ever holds the token's hash in a usable form."""
    with transaction.atomic():
        invitation = (
            # Lock only the invitation row: PostgreSQL refuses FOR UPDATE on the nullable side of the joins.
            Invitation.objects.select_for_update(of=("self",))
            .select_related("tjeneste__vertskommune", "embete", "partner", "invitert_av")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or invitation.epost_sendt is not None:
            return False
        # In the language the new user will start in (nynorsk for a service in a nynorsk kommune), or the language
        # of the invited address's existing account.
        existing = User.objects.filter(email__iexact=invitation.email).first()
        with (
            in_language_of(existing)
            if existing
            else translation.override(starting_language(tjeneste=invitation.tjeneste) or settings.LANGUAGE_CODE)
        ):
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


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5, secret_params=("message",))
def send_account_email(self, message: dict) -> bool:
    """Send one e-mail rendered by allauth (accounts.adapters.AccountAdapter.send_mail): address verification,
    password reset, security notices. The message holds the reset token or verification key, so it is a secret
    parameter: encrypted in the outbox row and removed from it once sent. Idempotent: the outbox row is locked and
    marked done in the same transaction as the send, so a second delivery of the task sends nothing."""
    message_id = outbox.message_id_of(self.request.id)
    with transaction.atomic():
        if message_id is not None:
            row = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
            if row is None or row.utfort is not None:
                return False
        email = EmailMultiAlternatives(
            subject=message["subject"],
            body=message["body"],
            from_email=message["from_email"],
            to=message["to"],
            cc=message.get("cc") or None,
            bcc=message.get("bcc") or None,
            reply_to=message.get("reply_to") or None,
            headers=message.get("headers") or None,
        )
        email.content_subtype = message.get("content_subtype", "plain")
        for content, mimetype in message.get("alternatives", []):
            email.attach_alternative(content, mimetype)
        email.send()
        if message_id is not None:
            outbox.mark_done(message_id, self)
    return True
