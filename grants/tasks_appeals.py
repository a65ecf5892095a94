"""Celery task for the letters on appeals (grants.letters_appeals): make the PDF once, attach it to the appeal
(set once: `brev` for the statsforvalter's letter, `bufdir_brev` for Bufdir's klagevedtak) and e-mail it once to
the applying services, each recipient in their language. Loaded with grants.tasks (imported at its end)."""

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.language import addresses_by_language

from .letters_appeals import KLAGEVEDTAK, OMGJORING, letter_kind, render_appeal_letter
from .models import Appeal
from .tasks import _already, _mark, _service_emails

STATSFORVALTER = "statsforvalter"
BUFDIR = "bufdir"


def letter_filename(appeal: Appeal, by_bufdir: bool) -> str:
    kind = letter_kind(appeal, by_bufdir)
    name = {OMGJORING: "omgjoringsvedtak", KLAGEVEDTAK: "klagevedtak"}.get(kind, "oversendelsesbrev")
    return f"{name}-{appeal.vedtak.saksnummer}-{appeal.pk}.pdf"


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def deliver_appeal_letter(self, appeal_id: int, by: str) -> bool:
    """Make the letter on the appeal (once) and e-mail it to the applicants (once). by: "statsforvalter" (its
    outcome: omgjøringsvedtak or oversendelsesbrev) or "bufdir" (the klagevedtak)."""
    by_bufdir = by == BUFDIR
    field = "bufdir_brev" if by_bufdir else "brev"
    mailed = "klage.bufdir_brev_sendt" if by_bufdir else "klage.brev_sendt"
    with transaction.atomic():
        appeal = (
            Appeal.objects.select_for_update(of=("self",))
            .select_related(
                "vedtak__soknad__utlysning__embete", "vedtak__soknad__prosjekt", "behandlet_av", "bufdir_behandlet_av"
            )
            .get(pk=appeal_id)
        )
        letter = getattr(appeal, field)
        filename = letter_filename(appeal, by_bufdir)
        if not letter:
            pdf = render_appeal_letter(appeal, by_bufdir=by_bufdir)
            letter.save(filename, ContentFile(pdf), save=False)
            Appeal.objects.filter(pk=appeal.pk).update(**{field: letter.name})
        if _already(mailed, appeal.pk):
            return False
        application = appeal.vedtak.soknad
        recipients = _service_emails(list(application.tjenester.values_list("pk", flat=True)))
        link = settings.SITE_URL.rstrip("/") + reverse("grants:application_detail", args=[application.pk])
        letter.open("rb")
        pdf = letter.read()
        letter.close()
        for language, group in addresses_by_language(recipients).items():  # each in the recipient's language
            with translation.override(language):
                if by_bufdir:
                    subject = _("Bufdir har avgjort klagen i sak %(saksnummer)s")
                elif appeal.utfall == "ikke_medhold":
                    subject = _("Klagen i sak %(saksnummer)s er sendt til Bufdir")
                else:
                    subject = _("Vedtaket i sak %(saksnummer)s er endret etter klage")
                message = EmailMessage(
                    subject % {"saksnummer": appeal.vedtak.saksnummer},
                    _(
                        "Brevet om klagen på søknad %(referanse)s ligger vedlagt og i Læringsnett: %(link)s\n\n"
                        "Hilsen Læringsnett"
                    )
                    % {"referanse": application.referanse, "link": link},
                    settings.DEFAULT_FROM_EMAIL,
                    group,
                )
            message.attach(filename, pdf, "application/pdf")
            message.send()
        _mark("klage.bufdir_brev_sendt" if by_bufdir else "klage.brev_sendt", appeal)
    return True
