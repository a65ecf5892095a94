"""Development projects (utviklingsprosjekter). A project belongs to one network, lives longer than one
grant, and is funded one year at a time (grants app)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.immutability import PROGRESS_REPORT, REPORT_REVIEW, REPORT_VERSION, ImmutableModel, ImmutableQuerySet
from common import limits, periods
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


# --- reporting duty from a grant -----------------------------------------------------------------------


class ReportKind(models.TextChoices):
    AARLIG = "aarlig", _("Årlig rapport")
    SLUTT = "slutt", _("Sluttrapport")


class ReportingRequirement(models.Model):
    """Rapporteringsplikt created by an award (grants.Decision). `frist` is the deadline in force (after an
    approved postponement); `opprinnelig_frist` the one in the decision."""

    vedtak = models.ForeignKey("grants.Decision", on_delete=models.PROTECT, related_name="rapportkrav")
    prosjekt = models.ForeignKey(DevelopmentProject, on_delete=models.PROTECT, related_name="rapportkrav")
    type = models.CharField(_("type"), max_length=10, choices=ReportKind.choices)
    aar = models.PositiveSmallIntegerField(_("tilskuddsår"))
    frist = models.DateField(_("frist"))
    opprinnelig_frist = models.DateField(_("opprinnelig frist"))
    # True while the report is sent in or approved; False while none is delivered (none, a draft, or returned).
    # Kept by projects.services.reports (submit, review) so the start pages find the open requirements from a
    # small partial index instead of computing every requirement's status.
    levert = models.BooleanField(_("levert"), default=False, editable=False)
    opprettet = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["frist", "id"]
        verbose_name = _("rapporteringskrav")
        verbose_name_plural = _("rapporteringskrav")
        constraints = [
            models.UniqueConstraint(fields=["vedtak", "type"], name="requirement_one_per_kind"),
            models.CheckConstraint(condition=Q(type__in=ReportKind.values), name="requirement_kind_valid"),
            models.CheckConstraint(condition=Q(frist__gte=F("opprinnelig_frist")), name="requirement_not_earlier"),
        ]
        indexes = [
            models.Index(fields=["frist"], name="requirement_deadline_idx"),
            models.Index(fields=["frist"], condition=Q(levert=False), name="requirement_open_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.aar}: {self.prosjekt}"


class PostponementStatus(models.TextChoices):
    VENTER = "venter", _("Venter på svar")
    INNVILGET = "innvilget", _("Innvilget")
    AVSLATT = "avslatt", _("Avslått")


class Postponement(models.Model):
    """Request for a later report deadline (utsettelse), decided by the statsforvalter."""

    krav = models.ForeignKey(ReportingRequirement, on_delete=models.CASCADE, related_name="utsettelser")
    ny_frist = models.DateField(_("ønsket ny frist"))
    begrunnelse = models.TextField(_("begrunnelse"), **limits.text(limits.MEDIUM_TEXT))
    status = models.CharField(
        _("status"), max_length=10, choices=PostponementStatus.choices, default=PostponementStatus.VENTER
    )
    bedt_av = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    bedt = models.DateTimeField(auto_now_add=True)
    svar = models.TextField(_("svar"), blank=True, **limits.text(limits.MEDIUM_TEXT))
    behandlet_av = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    behandlet = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-bedt"]
        verbose_name = _("utsettelse")
        verbose_name_plural = _("utsettelser")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PostponementStatus.values), name="postponement_status_valid"),
            models.UniqueConstraint(fields=["krav"], condition=Q(status="venter"), name="postponement_one_pending"),
            models.CheckConstraint(
                condition=Q(status="venter") | Q(behandlet__isnull=False), name="postponement_decided_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"Utsettelse til {self.ny_frist}"


class ReminderKind(models.TextChoices):
    DAGER_30 = "30", _("30 dager før fristen")
    DAGER_7 = "7", _("7 dager før fristen")
    FORFALT = "forfalt", _("Dagen etter fristen")


class ReportReminder(models.Model):
    """One row per reminder sent: the unique constraint makes a reminder at most once per deadline."""

    krav = models.ForeignKey(ReportingRequirement, on_delete=models.CASCADE, related_name="paminnelser")
    slag = models.CharField(max_length=10, choices=ReminderKind.choices)
    frist = models.DateField()
    mottakere = models.JSONField(default=list)
    sendt = models.DateTimeField(null=True, blank=True)
    opprettet = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["krav", "opprettet"]
        constraints = [
            models.UniqueConstraint(fields=["krav", "slag", "frist"], name="reminder_once_per_deadline"),
            models.CheckConstraint(condition=Q(slag__in=ReminderKind.values), name="reminder_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"Påminnelse {self.slag} for {self.krav}"


# --- progress reports --------------------------------------------------------------------------------------


class ReportStatus(models.TextChoices):
    UTKAST = "utkast", _("Utkast")
    SENDT_INN = "sendt_inn", _("Sendt inn")
    RETURNERT = "returnert", _("Returnert for endring")
    GODKJENT = "godkjent", _("Godkjent")


class Scale(models.TextChoices):
    STOR = "stor", _("I stor grad")
    NOEN = "noen", _("I noen grad")
    LITEN = "liten", _("I liten grad")
    IKKE = "ikke", _("Ikke i det hele tatt")
    VET_IKKE = "vet_ikke", _("Vet ikke")


# The evaluators' statements (Bufdir survey), asked in every report. Keys are stable; texts may be reworded.
SELF_ASSESSMENT_STATEMENTS = {
    "tiltak": _("Prosjektet har bidratt til å utvikle lokale tiltak og tjenester til barn og familier"),
    "varig": _("Prosjektet har ført til en varig forbedring av barnevernstjenesten"),
    "tilrettelegging": _("Statsforvalter gjør en god jobb med å tilrettelegge for fremdrift og relevans"),
    "tilstrekkelig": _("Mottatte tilskudd er tilstrekkelige for våre behov"),
    "fortsette": _("Vi ønsker å fortsette arbeidet i tiden fremover"),
}


class ProgressReport(ImmutableModel, models.Model):
    """Framdriftsrapport or sluttrapport for one reporting requirement. Submitted versions are frozen in
    ReportVersion; brukt_total and ubrukt are computed by the service on submission, never typed. While the report
    is sent in only the review may change it (returned or approved); once approved nothing changes. Its spending,
    staff and self-assessment rows are locked the same way (audit.immutability: model guard and triggers)."""

    integrity_guard = PROGRESS_REPORT

    krav = models.OneToOneField(ReportingRequirement, on_delete=models.PROTECT, related_name="rapport")
    status = models.CharField(_("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.UTKAST)
    aktiviteter = models.TextField(_("gjennomførte aktiviteter"), blank=True, **limits.text(limits.LONG_TEXT))
    avvik = models.TextField(_("avvik fra plan"), blank=True, **limits.text(limits.LONG_TEXT))
    resultater = models.TextField(_("resultater"), blank=True, **limits.text(limits.LONG_TEXT))
    partnerinvolvering = models.TextField(_("partnernes bidrag"), blank=True, **limits.text(limits.LONG_TEXT))
    neste_aar = models.TextField(_("planer for neste år"), blank=True, **limits.text(limits.LONG_TEXT))
    fritekst = models.TextField(_("annet"), blank=True, **limits.text(limits.LONG_TEXT))
    forklaring_overforbruk = models.TextField(
        _("forklaring på forbruk ut over tildelingen"), blank=True, **limits.text(limits.LONG_TEXT)
    )
    tildelt = models.DecimalField(_("tildelt (kr)"), max_digits=14, decimal_places=2, default=0)
    brukt_total = models.DecimalField(_("brukt (kr)"), max_digits=14, decimal_places=2, default=0)
    ubrukt = models.DecimalField(_("ubrukt (kr)"), max_digits=14, decimal_places=2, default=0)
    versjon = models.PositiveIntegerField(default=0)
    opprettet_av = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opprettet = models.DateTimeField(auto_now_add=True)
    endret = models.DateTimeField(auto_now=True)
    sendt_inn = models.DateTimeField(_("sendt inn"), null=True, blank=True)
    godkjent = models.DateTimeField(_("godkjent"), null=True, blank=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["-opprettet"]
        verbose_name = _("rapport")
        verbose_name_plural = _("rapporter")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ReportStatus.values), name="report_status_valid"),
            models.CheckConstraint(
                condition=Q(tildelt__gte=0) & Q(brukt_total__gte=0) & Q(ubrukt__gte=0), name="report_amounts_ok"
            ),
            models.CheckConstraint(
                condition=Q(status="utkast") | Q(sendt_inn__isnull=False), name="report_submitted_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status="godkjent") | Q(godkjent__isnull=False), name="report_approved_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.krav.get_type_display()} {self.krav.aar}: {self.krav.prosjekt}"


class ReportSpending(models.Model):
    """Spending per budget line (grants.BudgetKind) against the approved budget."""

    rapport = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="forbruk")
    type = models.CharField(_("budsjettpost"), max_length=20)
    budsjett = models.DecimalField(_("budsjett (kr)"), max_digits=14, decimal_places=2, default=0)
    brukt = models.DecimalField(_("brukt (kr)"), max_digits=14, decimal_places=2, default=0)
    kommentar = models.CharField(_("kommentar"), max_length=300, blank=True)

    class Meta:
        ordering = ["rapport", "id"]
        verbose_name = _("forbruk")
        verbose_name_plural = _("forbruk")
        constraints = [
            models.UniqueConstraint(fields=["rapport", "type"], name="spending_one_per_line"),
            models.CheckConstraint(condition=Q(budsjett__gte=0) & Q(brukt__gte=0), name="spending_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.type}: {self.brukt}"


class ReportParticipant(models.Model):
    rapport = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="deltakere")
    tjeneste = models.ForeignKey("organisations.ChildWelfareService", on_delete=models.PROTECT, related_name="+")
    antall_ansatte = models.PositiveIntegerField(_("antall ansatte involvert"), default=0)

    class Meta:
        ordering = ["rapport", "id"]
        constraints = [models.UniqueConstraint(fields=["rapport", "tjeneste"], name="reportparticipant_once")]

    def __str__(self) -> str:
        return f"{self.tjeneste}: {self.antall_ansatte}"


class SelfAssessment(models.Model):
    rapport = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="egenvurdering")
    utsagn = models.CharField(max_length=30)
    svar = models.CharField(_("svar"), max_length=10, choices=Scale.choices)

    class Meta:
        ordering = ["rapport", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rapport", "utsagn"], name="selfassessment_once"),
            models.CheckConstraint(condition=Q(svar__in=Scale.values), name="selfassessment_scale_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.utsagn}: {self.svar}"


class ReportVersion(ImmutableModel, models.Model):
    """A frozen copy of a report as submitted. Never edited or deleted (audit.immutability)."""

    integrity_guard = REPORT_VERSION

    rapport = models.ForeignKey(ProgressReport, on_delete=models.PROTECT, related_name="versjoner")
    versjon = models.PositiveIntegerField()
    innhold = models.JSONField()
    sendt_inn = models.DateTimeField()
    sendt_inn_av = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["rapport", "versjon"]
        constraints = [
            models.UniqueConstraint(fields=["rapport", "versjon"], name="reportversion_unique"),
            models.CheckConstraint(condition=Q(versjon__gte=1), name="reportversion_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.rapport} v{self.versjon}"


class ReviewOutcome(models.TextChoices):
    GODKJENT = "godkjent", _("Godkjent")
    RETURNERT = "returnert", _("Returnert")


class ReportReview(ImmutableModel, models.Model):
    """The statsforvalter's review of one submitted version: approve, or return with comments. Never edited or
    deleted (audit.immutability)."""

    integrity_guard = REPORT_REVIEW

    rapport = models.ForeignKey(ProgressReport, on_delete=models.PROTECT, related_name="vurderinger")
    versjon = models.PositiveIntegerField()
    utfall = models.CharField(_("utfall"), max_length=10, choices=ReviewOutcome.choices)
    kommentar = models.TextField(_("kommentar"), blank=True, **limits.text(limits.LONG_TEXT))
    vurdert_av = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    tidspunkt = models.DateTimeField(auto_now_add=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["rapport", "tidspunkt"]
        constraints = [
            models.UniqueConstraint(fields=["rapport", "versjon"], name="review_once_per_version"),
            models.CheckConstraint(condition=Q(utfall__in=ReviewOutcome.values), name="review_outcome_valid"),
            models.CheckConstraint(condition=Q(utfall="godkjent") | ~Q(kommentar=""), name="review_return_has_comment"),
        ]

    def __str__(self) -> str:
        return f"{self.get_utfall_display()} v{self.versjon}"
