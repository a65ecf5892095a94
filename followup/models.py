"""Follow-up of grants (oppfølging av tilskudd): the reporting duty an award creates (requirements, reminders,
postponements) and the progress reports with their versions and reviews.

The models moved here from `projects` (issue 16). Their tables keep their old names (`db_table`), so data, the
immutability triggers (audit.immutability, installed by projects/0003 and keyed on table names) and history
stay as they were; followup/0001 creates them in the migration state only."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from audit.immutability import (
    BUDGET_MOVE,
    CHANGE_NOTICE,
    PROGRESS_REPORT,
    REPORT_REVIEW,
    REPORT_VERSION,
    ImmutableModel,
    ImmutableQuerySet,
)
from common import limits, versioned_cache
from projects.models import DevelopmentProject

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
    # Kept by followup.services.reports (submit, review) so the start pages find the open requirements from a
    # small partial index instead of computing every requirement's status.
    levert = models.BooleanField(_("levert"), default=False, editable=False)
    opprettet = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "projects_reportingrequirement"
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
        db_table = "projects_postponement"
        ordering = ["-bedt"]
        verbose_name = _("utsettelse")
        verbose_name_plural = _("utsettelser")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PostponementStatus.values), name="postponement_status_valid"),
            models.UniqueConstraint(
                fields=["krav"], condition=Q(status=PostponementStatus.VENTER), name="postponement_one_pending"
            ),
            models.CheckConstraint(
                condition=Q(status=PostponementStatus.VENTER) | Q(behandlet__isnull=False),
                name="postponement_decided_has_time",
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
        db_table = "projects_reportreminder"
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
        db_table = "projects_progressreport"
        ordering = ["-opprettet"]
        verbose_name = _("rapport")
        verbose_name_plural = _("rapporter")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ReportStatus.values), name="report_status_valid"),
            models.CheckConstraint(
                condition=Q(tildelt__gte=0) & Q(brukt_total__gte=0) & Q(ubrukt__gte=0), name="report_amounts_ok"
            ),
            models.CheckConstraint(
                condition=Q(status=ReportStatus.UTKAST) | Q(sendt_inn__isnull=False), name="report_submitted_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.GODKJENT) | Q(godkjent__isnull=False), name="report_approved_has_time"
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
        db_table = "projects_reportspending"
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
        db_table = "projects_reportparticipant"
        ordering = ["rapport", "id"]
        constraints = [models.UniqueConstraint(fields=["rapport", "tjeneste"], name="reportparticipant_once")]

    def __str__(self) -> str:
        return f"{self.tjeneste}: {self.antall_ansatte}"


class SelfAssessment(models.Model):
    rapport = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="egenvurdering")
    utsagn = models.CharField(max_length=30)
    svar = models.CharField(_("svar"), max_length=10, choices=Scale.choices)

    class Meta:
        db_table = "projects_selfassessment"
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
        db_table = "projects_reportversion"
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
        db_table = "projects_reportreview"
        ordering = ["rapport", "tidspunkt"]
        constraints = [
            models.UniqueConstraint(fields=["rapport", "versjon"], name="review_once_per_version"),
            models.CheckConstraint(condition=Q(utfall__in=ReviewOutcome.values), name="review_outcome_valid"),
            models.CheckConstraint(condition=Q(utfall="godkjent") | ~Q(kommentar=""), name="review_return_has_comment"),
        ]

    def __str__(self) -> str:
        return f"{self.get_utfall_display()} v{self.versjon}"


# --- change notices (endringsmeldinger) ------------------------------------------------------------------


class ChangeKind(models.TextChoices):
    FORSINKELSE = "forsinkelse", _("Forsinkelse (ny sluttdato)")
    INNHOLD = "innhold", _("Endring av innhold")
    OMDISPONERING = "omdisponering", _("Omdisponering mellom budsjettposter")
    AVSLUTTES = "avsluttes", _("Prosjektet avsluttes tidligere")
    UBRUKT = "ubrukt", _("Forventet ubrukte midler")


class ChangeStatus(models.TextChoices):
    SENDT = "sendt", _("Venter på svar")
    GODKJENT = "godkjent", _("Godkjent")
    AVSLATT = "avslatt", _("Avslått")


class ChangeNotice(ImmutableModel, models.Model):
    """Endringsmelding: the applicants of a funded application report a significant change during the project,
    as the decision letter obliges them to. The statsforvalter approves or rejects it with reasons
    (followup.services.changes). The notice as sent never changes and the decision is recorded once
    (audit.immutability: CHANGE_NOTICE). `for_endring` is what stood when it was sent (the project's end date,
    the approved budget), `virkning` what the approval changed."""

    integrity_guard = CHANGE_NOTICE

    soknad = models.ForeignKey("grants.Application", on_delete=models.PROTECT, related_name="endringsmeldinger")
    type = models.CharField(_("type endring"), max_length=20, choices=ChangeKind.choices)
    beskrivelse = models.TextField(_("beskrivelse av endringen"), **limits.text(limits.MEDIUM_TEXT))
    ny_sluttdato = models.DateField(_("ny sluttdato"), null=True, blank=True)
    forventet_ubrukt = models.DecimalField(
        _("forventet ubrukt beløp (kr)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    for_endring = models.JSONField(default=dict, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.SENDT)
    sendt_av = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    innsendt = models.DateTimeField(_("sendt"), auto_now_add=True)
    svar = models.TextField(_("begrunnelse for svaret"), blank=True, **limits.text(limits.MEDIUM_TEXT))
    behandlet_av = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    behandlet = models.DateTimeField(_("behandlet"), null=True, blank=True)
    virkning = models.JSONField(default=dict, editable=False)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["-innsendt", "-id"]
        verbose_name = _("endringsmelding")
        verbose_name_plural = _("endringsmeldinger")
        constraints = [
            models.CheckConstraint(condition=Q(type__in=ChangeKind.values), name="changenotice_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=ChangeStatus.values), name="changenotice_status_valid"),
            models.CheckConstraint(
                condition=Q(status=ChangeStatus.SENDT) | Q(behandlet__isnull=False, behandlet_av__isnull=False),
                name="changenotice_decided_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status=ChangeStatus.AVSLATT) | ~Q(svar=""), name="changenotice_rejection_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(forventet_ubrukt__isnull=True) | Q(forventet_ubrukt__gt=0),
                name="changenotice_unspent_positive",
            ),
        ]
        indexes = [models.Index(fields=["status", "innsendt"], name="changenotice_status_idx")]

    def __str__(self) -> str:
        return f"Endringsmelding {self.pk}: {self.get_type_display()}"


class BudgetMove(ImmutableModel, models.Model):
    """One move of money between two budget lines (grants.BudgetKind) in a notice of kind omdisponering. Whole
    kroner; never changed once sent (audit.immutability: BUDGET_MOVE)."""

    integrity_guard = BUDGET_MOVE

    melding = models.ForeignKey(ChangeNotice, on_delete=models.PROTECT, related_name="flyttinger")
    fra_post = models.CharField(_("fra budsjettpost"), max_length=20)
    til_post = models.CharField(_("til budsjettpost"), max_length=20)
    belop = models.DecimalField(_("beløp (kr)"), max_digits=14, decimal_places=2)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["melding", "id"]
        verbose_name = _("flytting i budsjettet")
        verbose_name_plural = _("flyttinger i budsjettet")
        constraints = [
            models.CheckConstraint(condition=Q(belop__gt=0), name="budgetmove_positive"),
            models.CheckConstraint(condition=~Q(fra_post=F("til_post")), name="budgetmove_two_lines"),
        ]

    def __str__(self) -> str:
        return f"{self.fra_post} → {self.til_post}: {self.belop}"


# Cached results (common.versioned_cache): which writes to these models move which version.
versioned_cache.invalidates(
    ReportingRequirement, ProgressReport, versions=(versioned_cache.FIGURES, versioned_cache.VIEWS)
)
