from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import events
from .immutability import AUDIT_EVENT, ImmutableModel, ImmutableQuerySet


class AuditEvent(ImmutableModel, models.Model):
    """Who did what to which object, and what changed. Written only by services; append-only: the model, its
    queryset and database triggers (audit.immutability) refuse every update and delete. A user who has acted is
    never deleted (PROTECT); leaving users are anonymised instead, so the trail keeps pointing at them."""

    integrity_guard = AUDIT_EVENT

    tidspunkt = models.DateTimeField(_("tidspunkt"), auto_now_add=True, db_index=True)
    aktor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("utført av"),
    )
    rolle = models.CharField(_("rolle"), max_length=200, blank=True)
    handling = models.CharField(_("handling"), max_length=100, db_index=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    objekt = models.CharField(_("objekt"), max_length=300, blank=True)
    endringer = models.JSONField(_("endringer"), default=dict, blank=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["-tidspunkt", "-id"]
        verbose_name = _("hendelse")
        verbose_name_plural = _("revisjonsspor")
        indexes = [models.Index(fields=["content_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.tidspunkt:%Y-%m-%d %H:%M} {self.handling} {self.objekt}"

    @property
    def beskrivelse(self) -> str:
        """The event type's sentence for users ("Søknaden ble sendt inn"); the code for an unregistered one."""
        return events.sentence(self.handling)
