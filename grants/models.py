"""Stimulus grants (stimuleringsmidler): frames, application rounds, applications, assessment, decisions,
payments, repayment claims and carry-over. Money is Decimal NOK. State changes follow grants.workflow."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from audit.immutability import APPEAL, APPLICATION_VERSION, DECISION, ImmutableModel, ImmutableQuerySet
from common import limits, versioned_cache
from projects.models import Category

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0")
APPEAL_DAYS = 21  # forvaltningsloven § 29: a decision may be appealed for three weeks


class GrantScheme(models.Model):
    """Tilskuddsordning, e.g. «Stimuleringsmidler til kommunale læringsnettverk»."""

    navn = models.CharField(_("navn"), max_length=200, unique=True)
    beskrivelse = models.TextField(_("beskrivelse"), blank=True, **limits.text(limits.LONG_TEXT))

    class Meta:
        verbose_name = _("tilskuddsordning")
        verbose_name_plural = _("tilskuddsordninger")

    def __str__(self) -> str:
        return self.navn


class Frame(models.Model):
    """An embete's yearly frame (ramme) per category, set by Bufdir."""

    ordning = models.ForeignKey(GrantScheme, on_delete=models.PROTECT, related_name="rammer")
    aar = models.PositiveSmallIntegerField(_("år"))
    embete = models.ForeignKey("organisations.Embete", on_delete=models.PROTECT, related_name="rammer")
    kategori = models.CharField(_("kategori"), max_length=20, choices=Category.choices)
    belop = models.DecimalField(_("ramme (kr)"), **MONEY)
    endret = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-aar", "embete__navn", "kategori"]
        verbose_name = _("ramme")
        verbose_name_plural = _("rammer")
        constraints = [
            models.UniqueConstraint(fields=["ordning", "aar", "embete", "kategori"], name="frame_unique"),
            models.CheckConstraint(condition=Q(belop__gte=0), name="frame_non_negative"),
            models.CheckConstraint(condition=Q(kategori__in=Category.values), name="frame_category_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.embete} {self.aar} {self.get_kategori_display()}"


class FrameAdjustment(models.Model):
    ramme = models.ForeignKey(Frame, on_delete=models.CASCADE, related_name="justeringer")
    fra_belop = models.DecimalField(_("fra"), **MONEY)
    til_belop = models.DecimalField(_("til"), **MONEY)
    begrunnelse = models.TextField(_("begrunnelse"), **limits.text(limits.SHORT_TEXT))
    endret_av = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    tidspunkt = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["ramme", "tidspunkt"]
        verbose_name = _("justering av ramme")
        verbose_name_plural = _("justeringer av rammer")
        constraints = [
            models.CheckConstraint(
                condition=Q(fra_belop__gte=0) & Q(til_belop__gte=0), name="frameadjustment_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ramme}: {self.fra_belop} → {self.til_belop}"


class RoundStatus(models.TextChoices):
    UTKAST = "utkast", _("Utkast")
    PUBLISERT = "publisert", _("Publisert")
    AVSLUTTET = "avsluttet", _("Avsluttet")


class ApplicationRound(models.Model):
    """Utlysning: an embete's yearly call for applications."""

    ordning = models.ForeignKey(GrantScheme, on_delete=models.PROTECT, related_name="utlysninger")
    embete = models.ForeignKey("organisations.Embete", on_delete=models.PROTECT, related_name="utlysninger")
    aar = models.PositiveSmallIntegerField(_("år"))
    tittel = models.CharField(_("tittel"), max_length=200)
    # The title in nynorsk (optional): shown in the nynorsk interface and in nynorsk decision letters.
    tittel_nynorsk = models.CharField(_("tittel på nynorsk"), max_length=200, blank=True)
    apner = models.DateField(_("åpner"))
    frist = models.DateField(
        _("søknadsfrist"), help_text=_("Søknader må sendes inn innen utgangen av denne dagen (norsk tid).")
    )
    retningslinjer = models.ForeignKey(
        "networks.GuidelineVersion", on_delete=models.PROTECT, related_name="+", verbose_name=_("retningslinjer")
    )
    kriterier = models.TextField(_("kriterier"), **limits.text(limits.LONG_TEXT))
    egeninitiert = models.BooleanField(_("egeninitierte prosjekter kan søke"), default=True)
    fosterhjem = models.BooleanField(_("fosterhjemsprosjekter kan søke"), default=True)
    maks_belop = models.DecimalField(_("maks beløp per søknad (kr)"), null=True, blank=True, **MONEY)
    dokumentkrav = models.TextField(_("dokumenter som skal legges ved"), blank=True, **limits.text(limits.SHORT_TEXT))
    rapportfrist = models.DateField(_("frist for rapport"), null=True, blank=True)
    tilbakebetaling_terskel = models.DecimalField(
        _("terskel for tilbakebetaling (kr)"),
        default=Decimal("5000"),
        **MONEY,
        help_text=_("Ubrukte midler over dette beløpet kreves tilbake."),
    )
    overforing_tillatt = models.BooleanField(_("ubrukte midler kan overføres til neste år"), default=False)
    # Rullerende: applications are decided as they come in. Otherwise no decision before the deadline has passed
    # (grants.rounds.check_decision_time).
    rullerende = models.BooleanField(
        _("søknadene avgjøres fortløpende (rullerende)"),
        default=False,
        help_text=_("Ellers fattes vedtak først etter søknadsfristen, når alle søknadene kan sammenlignes."),
    )
    status = models.CharField(_("status"), max_length=20, choices=RoundStatus.choices, default=RoundStatus.UTKAST)
    publisert = models.DateTimeField(_("publisert"), null=True, blank=True)
    opprettet = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-aar", "embete__navn"]
        verbose_name = _("utlysning")
        verbose_name_plural = _("utlysninger")
        constraints = [
            models.UniqueConstraint(fields=["ordning", "embete", "aar"], name="round_one_per_year"),
            models.CheckConstraint(condition=Q(frist__gte=F("apner")), name="round_deadline_after_opening"),
            models.CheckConstraint(condition=Q(egeninitiert=True) | Q(fosterhjem=True), name="round_offers_a_category"),
            models.CheckConstraint(
                condition=Q(maks_belop__isnull=True) | Q(maks_belop__gt=0), name="round_max_positive"
            ),
            models.CheckConstraint(condition=Q(tilbakebetaling_terskel__gte=0), name="round_threshold_non_negative"),
            models.CheckConstraint(condition=Q(status__in=RoundStatus.values), name="round_status_valid"),
            models.CheckConstraint(
                condition=Q(status=RoundStatus.UTKAST) | Q(publisert__isnull=False), name="round_published_has_time"
            ),
        ]

    def __str__(self) -> str:
        return self.title_in("nynorsk" if translation.get_language() == "nn" else "bokmal")

    def title_in(self, maalform: str) -> str:
        """The title in a målform (bokmal/nynorsk): the nynorsk title when there is one, else the bokmål one."""
        return (self.tittel_nynorsk if maalform == "nynorsk" else "") or self.tittel

    @property
    def categories(self) -> list[str]:
        return [
            c for c, on in ((Category.EGENINITIERT, self.egeninitiert), (Category.FOSTERHJEM, self.fosterhjem)) if on
        ]

    def deadline_passed(self, today=None) -> bool:
        """The deadline (the end of `frist`, Norwegian time) has passed: no new drafts, no submissions."""
        from django.utils import timezone

        return (today or timezone.localdate()) > self.frist


class RequiredDocument(models.Model):
    """An attachment the round requires (vedleggskrav), e.g. «Samarbeidsavtale». Submission is refused while an
    application has no attachment marked as meeting it (grants.rounds.missing_documents)."""

    utlysning = models.ForeignKey(ApplicationRound, on_delete=models.CASCADE, related_name="vedleggskrav")
    navn = models.CharField(_("dokument"), max_length=200)
    rekkefolge = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["utlysning", "rekkefolge", "id"]
        verbose_name = _("vedleggskrav")
        verbose_name_plural = _("vedleggskrav")
        constraints = [models.UniqueConstraint(fields=["utlysning", "navn"], name="requireddocument_once")]

    def __str__(self) -> str:
        return self.navn


class Criterion(models.Model):
    utlysning = models.ForeignKey(ApplicationRound, on_delete=models.CASCADE, related_name="kriterieliste")
    navn = models.CharField(_("kriterium"), max_length=200)
    beskrivelse = models.TextField(_("beskrivelse"), blank=True, **limits.text(limits.SHORT_TEXT))
    vekt = models.PositiveSmallIntegerField(_("vekt"), default=1)
    rekkefolge = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["utlysning", "rekkefolge", "id"]
        verbose_name = _("kriterium")
        verbose_name_plural = _("kriterier")
        constraints = [models.CheckConstraint(condition=Q(vekt__gte=1), name="criterion_weight_positive")]

    def __str__(self) -> str:
        return self.navn


class ApplicationStatus(models.TextChoices):
    UTKAST = "utkast", _("Utkast")
    SENDT_INN = "sendt_inn", _("Sendt inn")
    UNDER_BEHANDLING = "under_behandling", _("Under behandling")
    # Sent back to the applicants for more information (grants.information); resubmitted, it is under behandling.
    VENTER_OPPLYSNINGER = "venter_opplysninger", _("Venter på opplysninger")
    INNVILGET = "innvilget", _("Innvilget")
    DELVIS_INNVILGET = "delvis_innvilget", _("Delvis innvilget")
    AVSLATT = "avslatt", _("Avslått")
    TRUKKET = "trukket", _("Trukket")


DECIDED = (ApplicationStatus.INNVILGET, ApplicationStatus.DELVIS_INNVILGET, ApplicationStatus.AVSLATT)
AWARDED = (ApplicationStatus.INNVILGET, ApplicationStatus.DELVIS_INNVILGET)
# Sent in and not yet decided or withdrawn: the open cases (counted as «under behandling» in reports).
UNDECIDED = (ApplicationStatus.SENDT_INN, ApplicationStatus.UNDER_BEHANDLING, ApplicationStatus.VENTER_OPPLYSNINGER)


class Application(models.Model):
    utlysning = models.ForeignKey(ApplicationRound, on_delete=models.PROTECT, related_name="soknader")
    # The round's year, copied when the application is made (a round's year never changes), so the application
    # list can sort newest year first from one index instead of joining and sorting every application.
    aar = models.PositiveSmallIntegerField(_("år"), editable=False)
    prosjekt = models.ForeignKey("projects.DevelopmentProject", on_delete=models.PROTECT, related_name="soknader")
    kategori = models.CharField(_("kategori"), max_length=20, choices=Category.choices)
    referanse = models.CharField(_("referanse"), max_length=30, unique=True, null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.UTKAST
    )
    maal = models.TextField(_("mål"), blank=True, **limits.text(limits.LONG_TEXT))
    aktiviteter = models.TextField(_("planlagte aktiviteter"), blank=True, **limits.text(limits.LONG_TEXT))
    tidsplan = models.TextField(_("tidsplan"), blank=True, **limits.text(limits.LONG_TEXT))
    egeninnsats = models.DecimalField(_("egeninnsats (kr)"), default=ZERO, **MONEY)
    annen_finansiering = models.DecimalField(_("annen finansiering (kr)"), default=ZERO, **MONEY)
    soknadsbelop = models.DecimalField(
        _("søknadsbeløp (kr)"),
        default=ZERO,
        editable=False,
        **MONEY,
        help_text=_("Budsjettets sum minus annen finansiering. Regnes ut, skrives aldri inn."),
    )
    tjenester = models.ManyToManyField(
        "organisations.ChildWelfareService", related_name="soknader", verbose_name=_("søkende tjenester")
    )
    # The lead applicant (ansvarlig søker) decides the letter's målform, its addressee and the vertskommune that is
    # paid. It must be one of `tjenester`: a database constraint cannot reach across a many-to-many table, so
    # grants.services.save_draft (the only write of `tjenester`) enforces it. Null only for rows made before the
    # field existed that migration 0010 could not fill; grants.services.lead_applicant falls back for them.
    ansvarlig_soker = models.ForeignKey(
        "organisations.ChildWelfareService",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Ansvarlig søker"),
    )
    saksbehandler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="saker",
        verbose_name=_("saksbehandler"),
    )
    opprettet_av = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opprettet = models.DateTimeField(auto_now_add=True)
    endret = models.DateTimeField(auto_now=True)
    sendt_inn = models.DateTimeField(_("sendt inn"), null=True, blank=True)
    versjon = models.PositiveIntegerField(default=0)
    # The draft registered its project (create_application with a new project name): deleting or withdrawing the
    # draft removes the project too, when nothing else uses it (grants.drafts_lifecycle).
    nytt_prosjekt = models.BooleanField(default=False, editable=False)
    # The draft's revision: one up on every save of the draft (grants.drafts). A save names the revision it
    # started from, so two people editing the same draft never overwrite each other unseen.
    utkast_revisjon = models.PositiveIntegerField(_("utkastets revisjon"), default=0, editable=False)

    class Meta:
        ordering = ["-opprettet"]
        verbose_name = _("søknad")
        verbose_name_plural = _("søknader")
        constraints = [
            models.CheckConstraint(condition=Q(kategori__in=Category.values), name="application_category_valid"),
            models.CheckConstraint(condition=Q(status__in=ApplicationStatus.values), name="application_status_valid"),
            models.CheckConstraint(
                condition=Q(egeninnsats__gte=0) & Q(annen_finansiering__gte=0) & Q(soknadsbelop__gte=0),
                name="application_amounts_non_negative",
            ),
            models.CheckConstraint(
                # A draft that is withdrawn (trukket) before it was sent in never got a reference.
                condition=Q(status__in=[ApplicationStatus.UTKAST, ApplicationStatus.TRUKKET])
                | Q(referanse__isnull=False),
                name="application_submitted_has_reference",
            ),
            models.UniqueConstraint(
                fields=["utlysning", "prosjekt", "kategori"],
                condition=~Q(status=ApplicationStatus.TRUKKET),
                name="application_one_live_per_project_and_category",
            ),
        ]
        indexes = [
            models.Index(fields=["utlysning", "status", "kategori"], name="application_board_idx"),
            # The application list's order (grants.views_staff.application_list); staff never list drafts, so the
            # index leaves them out, and counting the list is an index-only scan.
            models.Index(
                F("aar").desc(),
                "referanse",
                "id",
                condition=~Q(status=ApplicationStatus.UTKAST),
                name="application_list_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.referanse or 'Utkast'}: {self.prosjekt}"

    def save(self, *args, **kwargs):
        if self.aar is None:
            self.aar = self.utlysning.aar
        super().save(*args, **kwargs)


class BudgetKind(models.TextChoices):
    STILLING = "stilling", _("Prosjektstilling/lønn")
    KOMPETANSE = "kompetanse", _("Ekstern kompetanse/veiledning")
    SAMLINGER = "samlinger", _("Samlinger og reiser")
    ANNET = "annet", _("Annet")


class BudgetLine(models.Model):
    soknad = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="budsjett")
    type = models.CharField(_("type"), max_length=20, choices=BudgetKind.choices)
    beskrivelse = models.CharField(_("beskrivelse"), max_length=300, blank=True)
    belop = models.DecimalField(_("beløp (kr)"), **MONEY)

    class Meta:
        ordering = ["soknad", "id"]
        verbose_name = _("budsjettlinje")
        verbose_name_plural = _("budsjett")
        constraints = [
            models.CheckConstraint(condition=Q(belop__gte=0), name="budgetline_non_negative"),
            models.CheckConstraint(condition=Q(type__in=BudgetKind.values), name="budgetline_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()}: {self.belop}"


class ApplicationPartner(models.Model):
    soknad = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="partnere")
    partner = models.ForeignKey("organisations.Partner", on_delete=models.PROTECT, related_name="+")
    rolle = models.TextField(_("rolle i prosjektet"), **limits.text(limits.SHORT_TEXT))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["soknad", "partner"], name="applicationpartner_once")]

    def __str__(self) -> str:
        return f"{self.partner} ({self.soknad})"


class ApplicationVersion(ImmutableModel, models.Model):
    """A frozen snapshot of a submitted application. Every later change is a new version; a version itself is
    never updated or deleted (audit.immutability: model guard and database trigger)."""

    integrity_guard = APPLICATION_VERSION

    soknad = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="versjoner")
    nummer = models.PositiveIntegerField()
    innhold = models.JSONField()
    opprettet = models.DateTimeField(auto_now_add=True)
    opprettet_av = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kommentar = models.CharField(max_length=300, blank=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["soknad", "nummer"]
        constraints = [
            models.UniqueConstraint(fields=["soknad", "nummer"], name="applicationversion_unique"),
            models.CheckConstraint(condition=Q(nummer__gte=1), name="applicationversion_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.soknad} v{self.nummer}"


def attachment_path(instance, filename: str) -> str:
    return f"soknader/{instance.soknad_id}/{filename}"


class Attachment(models.Model):
    soknad = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="vedlegg")
    tittel = models.CharField(_("tittel"), max_length=200)
    fil = models.FileField(upload_to=attachment_path, max_length=300)
    filnavn = models.CharField(max_length=255)
    innholdstype = models.CharField(max_length=100)
    storrelse = models.PositiveIntegerField()
    lastet_opp = models.DateTimeField(auto_now_add=True)
    lastet_opp_av = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    krav = models.ForeignKey(
        RequiredDocument,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="vedlegg",
        verbose_name=_("oppfyller vedleggskravet"),
    )

    def __str__(self) -> str:
        return self.tittel


class ImpartialityDeclaration(models.Model):
    """Each assessor declares impartiality first; a disqualified person cannot score or decide."""

    soknad = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="habilitet")
    vurderer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ugild = models.BooleanField(_("ugild"))
    begrunnelse = models.TextField(_("begrunnelse"), blank=True, **limits.text(limits.SHORT_TEXT))
    erklaert = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["soknad", "vurderer"], name="impartiality_once")]

    def __str__(self) -> str:
        return f"{self.vurderer}: {'ugild' if self.ugild else 'habil'} ({self.soknad})"


class Score(models.Model):
    soknad = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="poeng")
    kriterium = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    vurderer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    poeng = models.PositiveSmallIntegerField(_("poeng (1–5)"))
    kommentar = models.TextField(_("kommentar"), blank=True, **limits.text(limits.SHORT_TEXT))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["soknad", "kriterium", "vurderer"], name="score_once"),
            models.CheckConstraint(condition=Q(poeng__gte=1, poeng__lte=5), name="score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.kriterium}: {self.poeng}"


class Recommendation(models.TextChoices):
    INNVILGE = "innvilge", _("Innvilge")
    DELVIS = "delvis", _("Delvis innvilge")
    AVSLAA = "avslaa", _("Avslå")


class Assessment(models.Model):
    """The case officer's recommendation and the prioritisation board's entries for one application."""

    soknad = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="vurdering")
    anbefaling = models.CharField(_("anbefaling"), max_length=20, choices=Recommendation.choices, blank=True)
    begrunnelse = models.TextField(_("begrunnelse"), blank=True, **limits.text(limits.LONG_TEXT))
    foreslatt_belop = models.DecimalField(_("foreslått beløp (kr)"), null=True, blank=True, **MONEY)
    rangering = models.PositiveIntegerField(_("statsforvalterens rangering"), null=True, blank=True)
    samlingsrangering = models.PositiveIntegerField(_("rangering fra samlingen"), null=True, blank=True)
    endret = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(foreslatt_belop__isnull=True) | Q(foreslatt_belop__gte=0),
                name="assessment_amount_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(anbefaling="") | Q(anbefaling__in=Recommendation.values),
                name="assessment_recommendation_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Vurdering av {self.soknad}"


class Decision(ImmutableModel, models.Model):
    """Vedtak (enkeltvedtak). Immutable once made; an upheld appeal records a new amount on the appeal. Only the
    letter (`brev`, attached once by grants.tasks.deliver_decision) and a missing frame (`ramme`, set once when an
    appeal on a rejection is upheld with an amount) may be filled in afterwards; the model, its queryset and a
    database trigger refuse every other change and every delete (audit.immutability)."""

    integrity_guard = DECISION

    soknad = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="vedtak")
    ramme = models.ForeignKey(Frame, on_delete=models.PROTECT, related_name="vedtak", null=True, blank=True)
    utfall = models.CharField(_("utfall"), max_length=20, choices=ApplicationStatus.choices)
    belop = models.DecimalField(_("tildelt beløp (kr)"), **MONEY)
    begrunnelse = models.TextField(_("begrunnelse"), **limits.text(limits.LONG_TEXT))
    vilkaar = models.TextField(_("vilkår"), blank=True, **limits.text(limits.LONG_TEXT))
    rapportfrist = models.DateField(_("rapportfrist"), null=True, blank=True)
    klagefrist = models.DateField(_("klagefrist"))
    vedtatt_av = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    vedtatt = models.DateTimeField(_("vedtatt"), auto_now_add=True)
    saksnummer = models.CharField(_("saksnummer"), max_length=40)
    brev = models.FileField(upload_to="vedtak/", max_length=300, blank=True)
    maalform = models.CharField(max_length=10, default="bokmal")

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["-vedtatt"]
        verbose_name = _("vedtak")
        verbose_name_plural = _("vedtak")
        constraints = [
            models.CheckConstraint(condition=Q(belop__gte=0), name="decision_non_negative"),
            models.CheckConstraint(condition=Q(utfall__in=[s.value for s in DECIDED]), name="decision_outcome_valid"),
            models.CheckConstraint(
                condition=~Q(utfall="avslatt") | Q(belop=0), name="decision_rejection_has_no_amount"
            ),
            models.CheckConstraint(
                condition=Q(utfall="avslatt") | Q(ramme__isnull=False), name="decision_award_has_frame"
            ),
            models.CheckConstraint(condition=Q(utfall="avslatt") | Q(belop__gt=0), name="decision_award_positive"),
            models.CheckConstraint(
                condition=~Q(utfall="avslatt") | Q(rapportfrist__isnull=True),
                name="decision_rejection_has_no_report_deadline",
            ),
            models.CheckConstraint(condition=Q(maalform__in=["bokmal", "nynorsk"]), name="decision_language_valid"),
        ]

    def __str__(self) -> str:
        return f"Vedtak {self.saksnummer}"


class AppealOutcome(models.TextChoices):
    MEDHOLD = "medhold", _("Medhold")
    DELVIS_MEDHOLD = "delvis_medhold", _("Delvis medhold")
    IKKE_MEDHOLD = "ikke_medhold", _("Ikke medhold – oversendt Bufdir")


class BufdirOutcome(models.TextChoices):
    """Bufdir's decision as klageinstans on an appeal the statsforvalter forwarded (grants.appeals)."""

    STADFESTET = "stadfestet", _("Stadfestet")
    OPPHEVET = "opphevet", _("Opphevet – sendt tilbake til statsforvalteren")
    ENDRET = "endret", _("Endret")


class Appeal(ImmutableModel, models.Model):
    """Klage on a decision, filed by the applicant within the deadline. The appeal as filed never changes; its
    outcome is recorded once (utfall from '' to an outcome) and then never changes (audit.immutability).

    Not upheld (ikke_medhold) means forwarded to Bufdir, the klageinstans, which records its decision once
    (bufdir_*). «Opphevet» sends the case back: a new appeal row (`opphevet_klage` = this one) is opened for the
    statsforvalter's new handling. The letters (`brev`: omgjøringsvedtak or oversendelsesbrev; `bufdir_brev`:
    klagevedtak) are attached once by grants.tasks_appeals (grants/appeals.py)."""

    integrity_guard = APPEAL

    vedtak = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="klager")
    begrunnelse = models.TextField(_("klagens begrunnelse"), **limits.text(limits.LONG_TEXT))
    innsendt = models.DateTimeField(_("innsendt"), auto_now_add=True)
    innsendt_av = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    utfall = models.CharField(_("utfall"), max_length=20, choices=AppealOutcome.choices, blank=True)
    utfall_begrunnelse = models.TextField(_("begrunnelse for utfallet"), blank=True, **limits.text(limits.LONG_TEXT))
    nytt_belop = models.DecimalField(_("nytt tildelt beløp (kr)"), null=True, blank=True, **MONEY)
    behandlet = models.DateTimeField(_("behandlet"), null=True, blank=True)
    behandlet_av = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    brev = models.FileField(upload_to="klager/", max_length=300, blank=True)
    opphevet_klage = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="ny_behandling"
    )
    bufdir_utfall = models.CharField(_("Bufdirs vedtak"), max_length=20, choices=BufdirOutcome.choices, blank=True)
    bufdir_begrunnelse = models.TextField(_("Bufdirs begrunnelse"), blank=True, **limits.text(limits.LONG_TEXT))
    bufdir_belop = models.DecimalField(_("beløp etter Bufdirs vedtak (kr)"), null=True, blank=True, **MONEY)
    bufdir_behandlet = models.DateTimeField(_("avgjort av Bufdir"), null=True, blank=True)
    bufdir_behandlet_av = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    bufdir_brev = models.FileField(upload_to="klager/", max_length=300, blank=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["-innsendt"]
        verbose_name = _("klage")
        verbose_name_plural = _("klager")
        constraints = [
            models.CheckConstraint(
                condition=Q(nytt_belop__isnull=True) | Q(nytt_belop__gte=0), name="appeal_amount_ok"
            ),
            models.CheckConstraint(
                condition=Q(utfall="") | Q(utfall__in=AppealOutcome.values), name="appeal_outcome_valid"
            ),
            models.CheckConstraint(
                # Open: no outcome, nobody has handled it. Handled: outcome, time and handler are all recorded.
                condition=(
                    Q(utfall="", behandlet__isnull=True, behandlet_av__isnull=True, nytt_belop__isnull=True)
                    | (~Q(utfall="") & Q(behandlet__isnull=False, behandlet_av__isnull=False))
                ),
                name="appeal_outcome_recorded_completely",
            ),
            models.CheckConstraint(
                condition=Q(nytt_belop__isnull=True) | Q(utfall__in=["medhold", "delvis_medhold"]),
                name="appeal_new_amount_only_when_upheld",
            ),
            models.UniqueConstraint(fields=["vedtak"], condition=Q(utfall=""), name="appeal_one_open_per_decision"),
            models.CheckConstraint(
                condition=Q(bufdir_utfall="") | Q(bufdir_utfall__in=BufdirOutcome.values),
                name="appeal_bufdir_outcome_valid",
            ),
            models.CheckConstraint(
                condition=Q(bufdir_utfall="") | Q(utfall="ikke_medhold"), name="appeal_bufdir_only_when_forwarded"
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        bufdir_utfall="",
                        bufdir_behandlet__isnull=True,
                        bufdir_behandlet_av__isnull=True,
                        bufdir_belop__isnull=True,
                    )
                    | (~Q(bufdir_utfall="") & Q(bufdir_behandlet__isnull=False, bufdir_behandlet_av__isnull=False))
                ),
                name="appeal_bufdir_recorded_completely",
            ),
            models.CheckConstraint(
                condition=(Q(bufdir_utfall="endret") & Q(bufdir_belop__gte=0))
                | (~Q(bufdir_utfall="endret") & Q(bufdir_belop__isnull=True)),
                name="appeal_bufdir_amount_only_when_changed",
            ),
        ]

    def __str__(self) -> str:
        return f"Klage på {self.vedtak}"

    @property
    def at_bufdir(self) -> bool:
        """Forwarded to Bufdir and not yet decided there."""
        return self.utfall == AppealOutcome.IKKE_MEDHOLD and not self.bufdir_utfall


class Payment(models.Model):
    vedtak = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="utbetalinger")
    dato = models.DateField(_("utbetalingsdato"))
    belop = models.DecimalField(_("beløp (kr)"), **MONEY)
    kontonummer = models.CharField(_("kontonummer"), max_length=11)
    registrert_av = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    registrert = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["vedtak", "dato"]
        verbose_name = _("utbetaling")
        verbose_name_plural = _("utbetalinger")
        constraints = [
            models.CheckConstraint(condition=Q(belop__gt=0), name="payment_positive"),
            models.CheckConstraint(
                condition=Q(kontonummer__regex=r"^[0-9]{11}$"), name="payment_account_eleven_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"Utbetaling {self.belop} kr {self.dato}"


class RepaymentStatus(models.TextChoices):
    KRAV_SENDT = "krav_sendt", _("Krav sendt")
    DELVIS_BETALT = "delvis_betalt", _("Delvis betalt")
    BETALT = "betalt", _("Betalt")
    ETTERGITT = "ettergitt", _("Ettergitt")


class RepaymentClaim(models.Model):
    """Tilbakebetalingskrav for unspent or misused money, sent to the lead applicant's vertskommune as a letter
    (brev, made once by grants.tasks.deliver_repayment_claim). What is paid back is recorded as receipts
    (RepaymentReceipt, innbetalinger); the rest may be waived (ettergitt_belop). The status follows them
    (grants.repayments): krav sendt → delvis betalt → betalt, or ettergitt. betalt_dato is the day it was paid in
    full."""

    vedtak = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="tilbakebetalingskrav")
    belop = models.DecimalField(_("beløp (kr)"), **MONEY)
    begrunnelse = models.TextField(_("begrunnelse"), **limits.text(limits.LONG_TEXT))
    dato = models.DateField(_("kravdato"), default=timezone.localdate)
    forfall = models.DateField(_("forfallsdato"))
    kontonummer = models.CharField(_("kontonummer for innbetaling"), max_length=11, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=RepaymentStatus.choices, default=RepaymentStatus.KRAV_SENDT
    )
    betalt_dato = models.DateField(_("betalt dato"), null=True, blank=True)
    ettergitt_belop = models.DecimalField(_("ettergitt beløp (kr)"), default=ZERO, **MONEY)
    ettergitt_dato = models.DateField(_("ettergitt dato"), null=True, blank=True)
    ettergitt_begrunnelse = models.TextField(
        _("begrunnelse for ettergivelse"), blank=True, **limits.text(limits.LONG_TEXT)
    )
    ettergitt_av = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    maalform = models.CharField(max_length=10, default="bokmal")
    brev = models.FileField(upload_to="tilbakebetaling/", max_length=300, blank=True)
    opprettet = models.DateTimeField(auto_now_add=True)
    opprettet_av = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["forfall"]
        verbose_name = _("tilbakebetalingskrav")
        verbose_name_plural = _("tilbakebetalingskrav")
        constraints = [
            models.CheckConstraint(condition=Q(belop__gt=0), name="repayment_positive"),
            models.CheckConstraint(
                condition=~Q(status=RepaymentStatus.BETALT) | Q(betalt_dato__isnull=False),
                name="repayment_paid_has_date",
            ),
            models.CheckConstraint(condition=Q(status__in=RepaymentStatus.values), name="repayment_status_valid"),
            models.CheckConstraint(
                condition=Q(ettergitt_belop__gte=0) & Q(ettergitt_belop__lte=F("belop")),
                name="repayment_waived_within_claim",
            ),
            models.CheckConstraint(
                condition=~Q(status=RepaymentStatus.ETTERGITT) | Q(ettergitt_dato__isnull=False),
                name="repayment_waived_has_date",
            ),
            models.CheckConstraint(condition=Q(kontonummer__regex=r"^([0-9]{11})?$"), name="repayment_account_ok"),
            models.CheckConstraint(condition=Q(maalform__in=["bokmal", "nynorsk"]), name="repayment_language_valid"),
        ]

    def __str__(self) -> str:
        return f"Tilbakebetalingskrav {self.belop} kr"


class RepaymentReceipt(models.Model):
    """Innbetaling: money the kommune paid back against a claim (all or part of it). The ledger's «tilbakebetalt»
    is the sum of these (grants.ledger.repaid_total, totals)."""

    krav = models.ForeignKey(RepaymentClaim, on_delete=models.PROTECT, related_name="innbetalinger")
    dato = models.DateField(_("innbetalingsdato"))
    belop = models.DecimalField(_("beløp (kr)"), **MONEY)
    registrert_av = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    registrert = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["krav", "dato", "id"]
        verbose_name = _("innbetaling")
        verbose_name_plural = _("innbetalinger")
        constraints = [models.CheckConstraint(condition=Q(belop__gt=0), name="repayment_receipt_positive")]

    def __str__(self) -> str:
        return f"Innbetaling {self.belop} kr {self.dato}"


class CarryOver(models.Model):
    """Unspent money moved to next year by decision, when the round allows it."""

    vedtak = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="overforinger")
    belop = models.DecimalField(_("beløp (kr)"), **MONEY)
    til_aar = models.PositiveSmallIntegerField(_("til år"))
    begrunnelse = models.TextField(_("begrunnelse"), **limits.text(limits.LONG_TEXT))
    vedtatt_av = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    vedtatt = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("overføring")
        verbose_name_plural = _("overføringer")
        constraints = [models.CheckConstraint(condition=Q(belop__gt=0), name="carryover_positive")]

    def __str__(self) -> str:
        return f"Overføring {self.belop} kr til {self.til_aar}"


class AwardSource(models.TextChoices):
    VEDTAK = "vedtak", _("Vedtak i Læringsnett")
    IMPORT = "import", _("Importert historikk")


class Award(models.Model):
    """Tildeling: the ledger of money awarded, one row per award. Kept in step with decisions by the grants
    services (amount after upheld appeals), and filled with historical allocations by import_allocations.
    National summaries, the open-data export and the API aggregate this table only."""

    aar = models.PositiveSmallIntegerField(_("år"))
    embete = models.ForeignKey("organisations.Embete", on_delete=models.PROTECT, related_name="tildelinger")
    kategori = models.CharField(_("kategori"), max_length=20, choices=Category.choices)
    nettverk = models.ForeignKey(
        "networks.LearningNetwork", on_delete=models.PROTECT, null=True, blank=True, related_name="tildelinger"
    )
    prosjekt = models.ForeignKey(
        "projects.DevelopmentProject", on_delete=models.PROTECT, null=True, blank=True, related_name="tildelinger"
    )
    belop = models.DecimalField(_("tildelt (kr)"), **MONEY)
    dato = models.DateField(_("tildelingsdato"), null=True, blank=True)
    kilde = models.CharField(_("kilde"), max_length=10, choices=AwardSource.choices)
    vedtak = models.OneToOneField(Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="tildeling")
    import_nokkel = models.CharField(max_length=600, null=True, blank=True, unique=True)
    tjenester = models.ManyToManyField("organisations.ChildWelfareService", blank=True, related_name="tildelinger")
    opprettet = models.DateTimeField(auto_now_add=True)
    endret = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-aar", "embete", "kategori", "id"]
        verbose_name = _("tildeling")
        verbose_name_plural = _("tildelinger")
        constraints = [
            models.CheckConstraint(condition=Q(belop__gte=0), name="award_non_negative"),
            models.CheckConstraint(condition=Q(kategori__in=Category.values), name="award_category_valid"),
            models.CheckConstraint(
                condition=(Q(kilde="vedtak") & Q(vedtak__isnull=False) & Q(import_nokkel__isnull=True))
                | (Q(kilde="import") & Q(vedtak__isnull=True) & Q(import_nokkel__isnull=False)),
                name="award_source_consistent",
            ),
        ]
        indexes = [models.Index(fields=["aar", "embete", "kategori"], name="award_summary_idx")]

    def __str__(self) -> str:
        return f"Tildeling {self.aar} {self.embete}: {self.belop}"


class InformationRequest(models.Model):
    """The statsforvalter asks the applicants for more information (anmodning om opplysninger): the application
    waits (status venter_opplysninger) until the applicants answer and resubmit, which makes a new locked version
    (grants.information). At most one open request per application."""

    soknad = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="opplysningsbehov")
    melding = models.TextField(_("hva trenger dere?"), **limits.text(limits.SHORT_TEXT))
    frist = models.DateField(_("svarfrist"))
    sendt = models.DateTimeField(_("sendt"), auto_now_add=True)
    sendt_av = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    svar = models.TextField(_("svar"), blank=True, **limits.text(limits.SHORT_TEXT))
    besvart = models.DateTimeField(_("besvart"), null=True, blank=True)
    besvart_av = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    versjon = models.ForeignKey(
        ApplicationVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )  # the version the answer was sent in with

    class Meta:
        ordering = ["soknad", "sendt", "id"]
        verbose_name = _("anmodning om opplysninger")
        verbose_name_plural = _("anmodninger om opplysninger")
        constraints = [
            models.UniqueConstraint(
                fields=["soknad"], condition=Q(besvart__isnull=True), name="informationrequest_one_open"
            ),
            models.CheckConstraint(
                condition=Q(besvart__isnull=True, besvart_av__isnull=True, versjon__isnull=True, svar="")
                | Q(besvart__isnull=False, besvart_av__isnull=False, versjon__isnull=False),
                name="informationrequest_answer_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"Anmodning om opplysninger ({self.soknad})"


class CaseMessage(models.Model):
    """A message in the case (saksdialog) between the applicants and the statsforvalter, kept on the application.
    `fra_statsforvalter` says which side wrote it (the author's role may change later)."""

    soknad = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="saksmeldinger")
    avsender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    fra_statsforvalter = models.BooleanField(_("fra statsforvalteren"))
    tekst = models.TextField(_("melding"), **limits.text(limits.SHORT_TEXT))
    sendt = models.DateTimeField(_("sendt"), auto_now_add=True)

    class Meta:
        ordering = ["soknad", "sendt", "id"]
        verbose_name = _("melding i saken")
        verbose_name_plural = _("meldinger i saken")

    def __str__(self) -> str:
        return f"Melding i {self.soknad}"


# Cached results (common.versioned_cache): which writes to these models move which version.
versioned_cache.invalidates(
    Application,
    Award,
    Frame,
    Payment,
    RepaymentClaim,
    RepaymentReceipt,
    CarryOver,
    Decision,
    ApplicationRound,
    versions=(versioned_cache.FIGURES, versioned_cache.VIEWS),
)
versioned_cache.invalidates(Assessment, versions=(versioned_cache.VIEWS,))  # case officers' assessments in rows
versioned_cache.invalidates(Appeal, versions=(versioned_cache.FIGURES, versioned_cache.VIEWS))  # effective outcome
