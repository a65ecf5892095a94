"""Development projects (utviklingsprosjekter). A project belongs to one network, lives longer than one
grant, and is funded one year at a time (grants app)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common import limits, periods, versioned_cache
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
    beskrivelse = models.TextField(_("beskrivelse"), blank=True, **limits.text(limits.LONG_TEXT))
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
            models.CheckConstraint(condition=Q(fase__in=Phase.values), name="project_phase_valid"),
            models.CheckConstraint(condition=Q(orientering__in=Orientation.values), name="project_orientation_valid"),
            models.CheckConstraint(
                condition=Q(planlagt_slutt__isnull=True)
                | Q(planlagt_start__isnull=True)
                | Q(planlagt_slutt__gte=F("planlagt_start")),
                name="project_period_ordered",
            ),
        ]
        # The knowledge bank lists projects by name: with this index a search page reads a few rows in order
        # instead of sorting every match (docs/benchmarks.md).
        # The partial one holds only the listed projects: unlisted ones (e.g. 100 000 imported historical projects)
        # would otherwise be read and thrown away before the first listed match in name order.
        indexes = [
            models.Index(fields=["navn", "id"], name="project_name_idx"),
            models.Index(fields=["navn", "id"], condition=Q(i_kunnskapsbanken=True), name="project_listed_name_idx"),
        ]

    def __str__(self) -> str:
        return self.navn


class ProjectServiceQuerySet(models.QuerySet):
    """Participation of a service in a project in a period: the one definition (common.periods.overlaps), used by
    the permission predicates, the reporting duty and the report pages alike."""

    def active_in(self, start, end):
        """Periods that share at least one day with start … end (dates, or expressions such as
        periods.year_start(OuterRef("aar")))."""
        return self.filter(periods.overlaps("fra_dato", "til_dato", start, end))

    def active_in_year(self, year):
        """Periods that overlap the calendar year (a number, or an expression such as OuterRef("aar")): a
        service that took part at any time in the grant year answers for that year's report."""
        return self.active_in(periods.year_start(year), periods.year_end(year))

    def active_on(self, day):
        return self.active_in(day, day)


class ProjectService(models.Model):
    prosjekt = models.ForeignKey(DevelopmentProject, on_delete=models.CASCADE, related_name="deltakelse")
    tjeneste = models.ForeignKey("organisations.ChildWelfareService", on_delete=models.PROTECT, related_name="+")
    fra_dato = models.DateField(_("fra"), default=timezone.localdate)
    til_dato = models.DateField(_("til"), null=True, blank=True)

    objects = ProjectServiceQuerySet.as_manager()

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

    def is_active_in(self, start, end) -> bool:
        """ProjectService.objects.active_in for a row already loaded (prefetched)."""
        return periods.dates_overlap(self.fra_dato, self.til_dato, start, end)

    def is_active_on(self, day) -> bool:
        return self.is_active_in(day, day)


class PhaseChange(models.Model):
    prosjekt = models.ForeignKey(DevelopmentProject, on_delete=models.CASCADE, related_name="fasehistorikk")
    fase = models.CharField(_("fase"), max_length=20, choices=Phase.choices)
    fra_dato = models.DateField(_("fra dato"))
    endret_av = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["fra_dato", "id"]
        verbose_name = _("faseendring")
        verbose_name_plural = _("fasehistorikk")
        constraints = [models.CheckConstraint(condition=Q(fase__in=Phase.values), name="phasechange_phase_valid")]

    def __str__(self) -> str:
        return f"{self.prosjekt}: {self.get_fase_display()} fra {self.fra_dato}"


# --- people and partners of a project --------------------------------------------------------------


class ProjectContact(models.Model):
    """A contact person (kontaktperson) of the project. Receives reminders about reports."""

    prosjekt = models.ForeignKey(DevelopmentProject, on_delete=models.CASCADE, related_name="kontakter")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="prosjektkontakter")
    rolle = models.CharField(_("rolle"), max_length=200, blank=True)

    class Meta:
        ordering = ["prosjekt", "id"]
        verbose_name = _("kontaktperson")
        verbose_name_plural = _("kontaktpersoner")
        constraints = [models.UniqueConstraint(fields=["prosjekt", "user"], name="projectcontact_once")]

    def __str__(self) -> str:
        return f"{self.user} ({self.prosjekt})"


class ProjectPartner(models.Model):
    """A partner (kompetansemiljø, Bufetat …) in the project with its described role, dated."""

    prosjekt = models.ForeignKey(DevelopmentProject, on_delete=models.CASCADE, related_name="partnere")
    partner = models.ForeignKey("organisations.Partner", on_delete=models.PROTECT, related_name="prosjekter")
    rolle = models.TextField(_("rolle i prosjektet"), **limits.text(limits.SHORT_TEXT))
    fra_dato = models.DateField(_("fra"), default=timezone.localdate)
    til_dato = models.DateField(_("til"), null=True, blank=True)

    class Meta:
        ordering = ["prosjekt", "fra_dato", "id"]
        verbose_name = _("prosjektpartner")
        verbose_name_plural = _("prosjektpartnere")
        constraints = [
            models.UniqueConstraint(
                fields=["prosjekt", "partner"], condition=Q(til_dato__isnull=True), name="projectpartner_one_open"
            ),
            models.CheckConstraint(
                condition=Q(til_dato__isnull=True) | Q(til_dato__gte=F("fra_dato")),
                name="projectpartner_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} i {self.prosjekt}"


# --- outputs (resultater) -----------------------------------------------------------------------------


class OutputKind(models.TextChoices):
    MODELL = "modell", _("Modell")
    RUTINE = "rutine", _("Rutine")
    MAL = "mal", _("Mal")
    OPPLAERING = "opplaering", _("Opplæringsprogram")
    RESSURS = "ressurs", _("Delt ressurs")
    ANNET = "annet", _("Annet")


class Output(models.Model):
    """A result that should outlive the project: a model, routine, template, training programme …"""

    prosjekt = models.ForeignKey(DevelopmentProject, on_delete=models.CASCADE, related_name="resultater")
    type = models.CharField(_("type"), max_length=20, choices=OutputKind.choices)
    tittel = models.CharField(_("tittel"), max_length=200)
    beskrivelse = models.TextField(_("beskrivelse"), **limits.text(limits.LONG_TEXT))
    lenke = models.URLField(_("lenke"), blank=True, max_length=500)
    fil = models.FileField(_("vedlegg"), upload_to="resultater/", max_length=300, blank=True)
    filnavn = models.CharField(max_length=255, blank=True)
    i_bruk_andre = models.BooleanField(_("tatt i bruk i andre tjenester"), default=False)
    i_bruk_beskrivelse = models.TextField(_("hvor det er tatt i bruk"), blank=True, **limits.text(limits.SHORT_TEXT))
    opprettet_av = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opprettet = models.DateTimeField(auto_now_add=True)
    endret = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["prosjekt", "tittel"]
        verbose_name = _("resultat")
        verbose_name_plural = _("resultater")
        constraints = [
            models.CheckConstraint(condition=Q(type__in=OutputKind.values), name="output_kind_valid"),
            models.UniqueConstraint(fields=["prosjekt", "tittel"], name="output_unique_title_in_project"),
        ]

    def __str__(self) -> str:
        return self.tittel


# Cached results (common.versioned_cache): which writes to these models move which version.
# ProjectPartner: the national summary counts projects with partners by type (reporting.selectors.figures).
versioned_cache.invalidates(
    DevelopmentProject, ProjectPartner, versions=(versioned_cache.FIGURES, versioned_cache.VIEWS)
)
versioned_cache.invalidates(Output, ProjectService, versions=(versioned_cache.VIEWS,))
