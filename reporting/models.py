"""The annual report (årsrapport) from a statsforvalter to Bufdir.

The figures are compiled from the data (reporting.selectors.annual); the staff write the narrative sections,
comment while drafting and submit. A submission writes a frozen AnnualReportVersion (figures and texts as JSON)
that is never edited; Bufdir may reopen a submitted report with a reason, and the next submission is a new
version."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common import limits


class AnnualStatus(models.TextChoices):
    UTKAST = "utkast", _("Utkast")
    SENDT_INN = "sendt_inn", _("Sendt inn")
    GJENAPNET = "gjenapnet", _("Gjenåpnet")


EDITABLE_STATUSES = (AnnualStatus.UTKAST, AnnualStatus.GJENAPNET)
NARRATIVE_FIELDS = ("vurdering", "utfordringer", "planer", "kommentarer")
REQUIRED_NARRATIVES = ("vurdering", "utfordringer", "planer")


class AnnualReport(models.Model):
    embete = models.ForeignKey(
        "organisations.Embete", on_delete=models.PROTECT, related_name="aarsrapporter", verbose_name=_("embete")
    )
    aar = models.PositiveSmallIntegerField(_("år"))
    status = models.CharField(_("status"), max_length=20, choices=AnnualStatus.choices, default=AnnualStatus.UTKAST)
    vurdering = models.TextField(_("vurdering av året"), blank=True, **limits.text(limits.LONG_TEXT))
    utfordringer = models.TextField(_("utfordringer"), blank=True, **limits.text(limits.LONG_TEXT))
    planer = models.TextField(_("planer for neste år"), blank=True, **limits.text(limits.LONG_TEXT))
    kommentarer = models.TextField(_("andre kommentarer"), blank=True, **limits.text(limits.LONG_TEXT))
    versjon = models.PositiveIntegerField(_("siste innsendte versjon"), default=0)
    opprettet_av = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opprettet = models.DateTimeField(auto_now_add=True)
    endret = models.DateTimeField(auto_now=True)
    sendt_inn = models.DateTimeField(_("sendt inn"), null=True, blank=True)
    sendt_inn_av = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-aar", "embete__navn"]
        verbose_name = _("årsrapport")
        verbose_name_plural = _("årsrapporter")
        constraints = [
            models.UniqueConstraint(fields=["embete", "aar"], name="annualreport_one_per_year"),
            models.CheckConstraint(condition=Q(status__in=AnnualStatus.values), name="annualreport_status_valid"),
            models.CheckConstraint(condition=Q(aar__gte=2000, aar__lte=2100), name="annualreport_year_range"),
            models.CheckConstraint(
                condition=~Q(status=AnnualStatus.SENDT_INN)
                | (Q(sendt_inn__isnull=False) & Q(sendt_inn_av__isnull=False) & Q(versjon__gte=1)),
                name="annualreport_submitted_complete",
            ),
            models.CheckConstraint(
                condition=~Q(status=AnnualStatus.GJENAPNET) | Q(versjon__gte=1),
                name="annualreport_reopened_was_submitted",
            ),
            models.CheckConstraint(
                condition=~Q(status=AnnualStatus.UTKAST) | Q(versjon=0), name="annualreport_draft_never_submitted"
            ),
        ]

    def __str__(self) -> str:
        return f"Årsrapport {self.aar}: {self.embete}"

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class AnnualReportVersion(models.Model):
    """A frozen copy of the report as submitted: compiled figures and narratives. Never edited."""

    rapport = models.ForeignKey(AnnualReport, on_delete=models.PROTECT, related_name="versjoner")
    versjon = models.PositiveIntegerField()
    innhold = models.JSONField()
    sendt_inn = models.DateTimeField()
    sendt_inn_av = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["rapport", "versjon"]
        verbose_name = _("innsendt versjon av årsrapport")
        verbose_name_plural = _("innsendte versjoner av årsrapporter")
        constraints = [
            models.UniqueConstraint(fields=["rapport", "versjon"], name="annualreportversion_unique"),
            models.CheckConstraint(condition=Q(versjon__gte=1), name="annualreportversion_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.rapport} v{self.versjon}"


class EntryKind(models.TextChoices):
    KOMMENTAR = "kommentar", _("Kommentar")
    GJENAPNET = "gjenapnet", _("Gjenåpnet av Bufdir")


class AnnualReportEntry(models.Model):
    """The review trail: staff comments while drafting, and Bufdir's reopening with its reason."""

    rapport = models.ForeignKey(AnnualReport, on_delete=models.PROTECT, related_name="logg")
    type = models.CharField(_("type"), max_length=20, choices=EntryKind.choices)
    tekst = models.TextField(_("tekst"), **limits.text(limits.LONG_TEXT))
    versjon = models.PositiveIntegerField(_("gjelder versjon"), null=True, blank=True)
    forfatter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    tidspunkt = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["rapport", "tidspunkt", "id"]
        verbose_name = _("kommentar til årsrapport")
        verbose_name_plural = _("kommentarer til årsrapporter")
        constraints = [
            models.CheckConstraint(condition=Q(type__in=EntryKind.values), name="annualentry_type_valid"),
            models.CheckConstraint(condition=~Q(tekst=""), name="annualentry_has_text"),
            models.CheckConstraint(
                condition=~Q(type="gjenapnet") | Q(versjon__gte=1), name="annualentry_reopen_names_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()}: {self.rapport}"
