from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """A Celery task that must not be lost (transactional outbox, see common.outbox).

    The row is written in the same transaction as the change that needs the task, so a rolled-back change leaves
    no row and nothing is sent. After commit the task is handed to Celery (`sendt`); when Redis is down the row
    stays pending and the dispatcher (beat every minute, or `manage.py dispatch_outbox`) hands it over later. The
    worker sets `utfort` when the task body has run. Holds only ids and, for secrets such as invitation tokens,
    values encrypted with a key derived from SECRET_KEY (never personal data)."""

    oppgave = models.CharField(_("oppgave"), max_length=200, help_text=_("Navnet på Celery-oppgaven."))
    argumenter = models.JSONField(_("argumenter"), default=list, blank=True)
    nokkelargumenter = models.JSONField(_("nøkkelordargumenter"), default=dict, blank=True)
    opprettet = models.DateTimeField(_("opprettet"), default=timezone.now)
    forsok = models.PositiveIntegerField(_("forsøk"), default=0, help_text=_("Forsøk på å legge oppgaven i køen."))
    sist_forsokt = models.DateTimeField(_("sist forsøkt"), null=True, blank=True)
    siste_feil = models.TextField(_("siste feil"), blank=True)
    sendt = models.DateTimeField(_("sendt til køen"), null=True, blank=True)
    ganger_sendt = models.PositiveIntegerField(_("ganger sendt"), default=0)
    utfort = models.DateTimeField(_("utført"), null=True, blank=True)
    gitt_opp = models.DateTimeField(_("gitt opp"), null=True, blank=True)

    class Meta:
        ordering = ["opprettet", "id"]
        verbose_name = _("melding i utboksen")
        verbose_name_plural = _("utboks")
        indexes = [
            models.Index(
                fields=["opprettet"],
                name="outbox_pending_idx",
                condition=Q(utfort__isnull=True, gitt_opp__isnull=True),
            ),
            models.Index(fields=["utfort"], name="outbox_done_idx", condition=Q(utfort__isnull=False)),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(oppgave=""), name="outbox_task_named"),
            # A message is either finished or given up, never both (a retried give-up clears gitt_opp first).
            models.CheckConstraint(
                condition=Q(utfort__isnull=True) | Q(gitt_opp__isnull=True), name="outbox_done_or_given_up"
            ),
            models.CheckConstraint(
                condition=Q(sendt__isnull=True) | Q(ganger_sendt__gte=1), name="outbox_sent_is_counted"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.oppgave} #{self.pk}"

    @property
    def pending(self) -> bool:
        return self.utfort is None and self.gitt_opp is None


class FiguresVersion(models.Model):
    """A counter per kind of cached result ("tall": the national figures; "visning": rendered parts of pages).
    Every committed change to the data behind them bumps it (common.versioned_cache), so a cached result is only
    ever served for the data it was computed from. Moved from reporting (issue 16) with its table."""

    navn = models.CharField(max_length=40, unique=True)
    versjon = models.BigIntegerField(default=0)

    class Meta:
        db_table = "reporting_figuresversion"
        verbose_name = _("versjon av tall")
        verbose_name_plural = _("versjoner av tall")

    def __str__(self) -> str:
        return f"{self.navn} v{self.versjon}"
