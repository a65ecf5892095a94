"""The repayment claim letter: made once as PDF (grants.letters_claims), stored on the claim, and the applicants
e-mailed once, each in their own language, with a link to it. Loaded by grants.tasks (Celery discovers only
<app>/tasks.py); queued through the outbox by grants.repayments.create_repayment_claim."""

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.language import addresses_by_language
from common.money import kr

from .ledger import paid_total
from .letters_claims import claim_filename, render_claim_letter
from .models import RepaymentClaim
from .tasks import _already, _mark, _service_emails

MAILED = "tilbakebetaling.epost_sendt"


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def deliver_repayment_claim(self, claim_id: int) -> bool:
    """Make the claim letter (once) and e-mail the applicants a link to it (once)."""
    with transaction.atomic():
        claim = (
            RepaymentClaim.objects.select_for_update(of=("self",))
            .select_related("vedtak__soknad__utlysning__embete", "vedtak__soknad__prosjekt", "opprettet_av")
            .get(pk=claim_id)
        )
        if not claim.brev:
            pdf = render_claim_letter(claim, paid_out=paid_total(claim.vedtak))
            claim.brev.save(claim_filename(claim), ContentFile(pdf), save=False)
            RepaymentClaim.objects.filter(pk=claim.pk).update(brev=claim.brev.name)
        if _already(MAILED, claim.pk):
            return False
        application = claim.vedtak.soknad
        recipients = _service_emails(list(application.tjenester.values_list("pk", flat=True)))
        site = settings.SITE_URL.rstrip("/")
        letter = site + reverse("grants:claim_letter", args=[claim.pk])
        page = site + reverse("grants:application_detail", args=[application.pk])
        for language, group in addresses_by_language(recipients).items():  # each in the recipient's language
            with translation.override(language):
                EmailMessage(
                    _("Krav om tilbakebetaling: %(referanse)s") % {"referanse": application.referanse},
                    _(
                        "%(embete)s krever tilbake %(belop)s av tilskuddet til søknad %(referanse)s, med forfall "
                        "%(forfall)s. Kravet er sendt til vertskommunen.\n\nLes kravbrevet: %(brev)s\n"
                        "Se søknaden: %(side)s\n\nHilsen Læringsnett"
                    )
                    % {
                        "embete": application.utlysning.embete,
                        "belop": kr(claim.belop),
                        "referanse": application.referanse,
                        "forfall": f"{claim.forfall:%d.%m.%Y}",
                        "brev": letter,
                        "side": page,
                    },
                    settings.DEFAULT_FROM_EMAIL,
                    group,
                ).send()
        _mark("tilbakebetaling.epost_sendt", claim)
    return True
