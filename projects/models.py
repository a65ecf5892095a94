"""Development projects (utviklingsprosjekter). A project belongs to one network, lives longer than one
grant, and is funded one year at a time (grants app)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from networks.models import Orientation, Theme


class Category(models.TextChoices):
    EGENINITIERT = "egeninitiert", _("Egeninitiert")
    FOSTERHJEM = "fosterhjem", _("Fosterhjem")


class Phase(models.TextChoices):
    KOMPETANSEHEVING = "kompetanseheving", _("Kompetanseheving")
    MODELLUTVIKLING = "modellutvikling", _("Modellutvikling")
    PILOT = "pilot", _("Pilot")
    IMPLEMENTERING = "implementering", _("Implementering")
    SPREDNING = "spredning", _("Spredning")
    AVSLUTTET = "avsluttet", _("Avsluttet")


class DevelopmentProject(models.Model):
    network = models.ForeignKey(
        "networks.LearningNetwork", on_delete=models.PROTECT, related_name="prosjekter", verbose_name=_("nettverk")
    )
    navn = models.CharField(_("navn"), max_length=200)
    kategori = models.CharField(_("kategori"), max_length=20, choices=Category.choices)
    orientering = models.CharField(_("retning"), max_length=30, choices=Orientation.choices, default=Orientation.BEGGE)
    temaer = models.ManyToManyField(Theme, blank=True, related_name="prosjekter", verbose_name=_("temaer"))
    beskrivelse = models.TextField(_("beskrivelse"), blank=True)
    fase = models.CharField(_("fase"), max_length=20, choices=Phase.choices, default=Phase.KOMPETANSEHEVING)
    planlagt_start = models.DateField(_("planlagt start"), null=True, blank=True)
    planlagt_slutt = models.DateField(_("planlagt slutt"), null=True, blank=True)
    prosjektleder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leder_prosjekter",
        verbose_name=_("prosjektleder"),
    )
    tjenester = models.ManyToManyField(
        "organisations.ChildWelfareService",
        through="ProjectService",
        related_name="prosjekter",
        verbose_name=_("deltakende tjenester"),
    )
    i_kunnskapsbanken = models.BooleanField(_("vises i kunnskapsbanken"), default=False)
    opprettet = models.DateTimeField(auto_now_add=True)
    endret = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["network", "navn"]
        verbose_name = _("utviklingsprosjekt")
        verbose_name_plural = _("utviklingsprosjekter")
        constraints = [
            models.UniqueConstraint(fields=["network", "navn"], name="project_unique_name_in_network"),
            models.CheckConstraint(condition=Q(kategori__in=Category.values), name="project_category_valid"),
            models.CheckConstraint(
                condition=Q(planlagt_slutt__isnull=True)
                | Q(planlagt_start__isnull=True)
                | Q(planlagt_slutt__gte=F("planlagt_start")),
                name="project_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.navn


class ProjectService(models.Model):
    prosjekt = models.ForeignKey(DevelopmentProject, on_delete=models.CASCADE, related_name="deltakelse")
    tjeneste = models.ForeignKey("organisations.ChildWelfareService", on_delete=models.PROTECT, related_name="+")
    fra_dato = models.DateField(_("fra"), default=timezone.localdate)
    til_dato = models.DateField(_("til"), null=True, blank=True)

    class Meta:
        verbose_name = _("deltakende tjeneste")
        verbose_name_plural = _("deltakende tjenester")
        constraints = [
            models.UniqueConstraint(
                fields=["prosjekt", "tjeneste"], condition=Q(til_dato__isnull=True), name="projectservice_one_open"
            ),
            models.CheckConstraint(
                condition=Q(til_dato__isnull=True) | Q(til_dato__gte=F("fra_dato")),
                name="projectservice_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tjeneste} i {self.prosjekt}"


class PhaseChange(models.Model):
    prosjekt = models.ForeignKey(DevelopmentProject, on_delete=models.CASCADE, related_name="fasehistorikk")
    fase = models.CharField(_("fase"), max_length=20, choices=Phase.choices)
    fra_dato = models.DateField(_("fra dato"))
    endret_av = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["fra_dato", "id"]
        verbose_name = _("faseendring")
        verbose_name_plural = _("fasehistorikk")

    def __str__(self) -> str:
        return f"{self.prosjekt}: {self.get_fase_display()} fra {self.fra_dato}"
