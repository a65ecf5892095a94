import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from common import versioned_cache
from common.text import clean_name, name_key

from .validators import validate_orgnr


class Fylke(models.Model):
    nummer = models.CharField(_("fylkesnummer"), max_length=2, unique=True)
    navn = models.CharField(_("navn"), max_length=100)
    embete = models.ForeignKey("Embete", on_delete=models.PROTECT, related_name="fylker", verbose_name=_("embete"))

    class Meta:
        ordering = ["nummer"]
        verbose_name = _("fylke")
        verbose_name_plural = _("fylker")

    def __str__(self) -> str:
        return f"{self.nummer} {self.navn}"


class Embete(models.Model):
    """One of the ten statsforvalter offices. Its name changes over time (see EmbeteNavn)."""

    slug = models.SlugField(_("kortnavn"), max_length=60, unique=True)
    navn = models.CharField(_("gjeldende navn"), max_length=200)
    # The current name in nynorsk (reference data, embeter.csv); blank: the bokmål name is used.
    navn_nynorsk = models.CharField(_("gjeldende navn på nynorsk"), max_length=200, blank=True)

    class Meta:
        ordering = ["navn"]
        verbose_name = _("embete")
        verbose_name_plural = _("embeter")

    def __str__(self) -> str:
        """The current name, in nynorsk when the interface is in nynorsk."""
        return (self.navn_nynorsk if translation.get_language() == "nn" else "") or self.navn

    def name_on(self, day: datetime.date, maalform: str | None = None) -> str:
        """The name valid on a day (uses prefetched history when available), in nynorsk when maalform is "nynorsk"
        (default: when the interface is in nynorsk) and the reference data has the nynorsk name (else bokmål)."""
        if maalform is None:
            maalform = Maalform.NYNORSK if translation.get_language() == "nn" else Maalform.BOKMAAL
        nynorsk = maalform == Maalform.NYNORSK
        for entry in self.navnehistorikk.all():
            if (entry.gyldig_fra is None or entry.gyldig_fra <= day) and (
                entry.gyldig_til is None or day <= entry.gyldig_til
            ):
                return (entry.navn_nynorsk if nynorsk else "") or entry.navn
        return (self.navn_nynorsk if nynorsk else "") or self.navn

    def name_in_year(self, year: int, maalform: str | None = None) -> str:
        """The name to show in reports about a year: the one valid on 31 December that year."""
        return self.name_on(datetime.date(year, 12, 31), maalform)


class EmbeteNavn(models.Model):
    embete = models.ForeignKey(Embete, on_delete=models.CASCADE, related_name="navnehistorikk")
    navn = models.CharField(_("navn"), max_length=200)
    navn_nynorsk = models.CharField(_("navn på nynorsk"), max_length=200, blank=True)
    gyldig_fra = models.DateField(_("gyldig fra"), null=True, blank=True)
    gyldig_til = models.DateField(_("gyldig til"), null=True, blank=True)

    class Meta:
        ordering = ["embete", "gyldig_fra"]
        verbose_name = _("navn på embete")
        verbose_name_plural = _("navnehistorikk for embeter")
        constraints = [
            models.UniqueConstraint(fields=["embete", "gyldig_fra"], name="embetenavn_unique_from"),
            models.CheckConstraint(
                condition=Q(gyldig_fra__isnull=True)
                | Q(gyldig_til__isnull=True)
                | Q(gyldig_til__gte=models.F("gyldig_fra")),
                name="embetenavn_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.navn} ({self.gyldig_fra or '…'}–{self.gyldig_til or '…'})"


class Maalform(models.TextChoices):
    BOKMAAL = "bokmal", _("Bokmål")
    NYNORSK = "nynorsk", _("Nynorsk")
    NOYTRAL = "noytral", _("Nøytral")


def kommune_aktiv_q(pa_dato: datetime.date | None = None, prefix: str = "") -> Q:
    """Q for kommuner that exist on a day (today by default); prefix (e.g. "kommuner__") for related lookups."""
    day = pa_dato or timezone.localdate()
    return (Q(**{f"{prefix}gyldig_fra__isnull": True}) | Q(**{f"{prefix}gyldig_fra__lte": day})) & (
        Q(**{f"{prefix}gyldig_til__isnull": True}) | Q(**{f"{prefix}gyldig_til__gt": day})
    )


class KommuneQuerySet(models.QuerySet):
    def aktive(self, pa_dato: datetime.date | None = None):
        """Kommuner that exist on a day (today by default): the ones to offer for new services and the like."""
        return self.filter(kommune_aktiv_q(pa_dato))

    def opphorte(self, pa_dato: datetime.date | None = None):
        """Kommuner that have ended by a day (today by default)."""
        return self.filter(gyldig_til__lte=pa_dato or timezone.localdate())


class Kommune(models.Model):
    """A kommune in SSB's classification 131. Never deleted: a merged or split kommune gets gyldig_til and keeps
    its services, memberships and grants."""

    nummer = models.CharField(_("kommunenummer"), max_length=4, unique=True)
    navn = models.CharField(_("navn"), max_length=100)
    fylke = models.ForeignKey(Fylke, on_delete=models.PROTECT, related_name="kommuner", verbose_name=_("fylke"))
    embete = models.ForeignKey(Embete, on_delete=models.PROTECT, related_name="kommuner", verbose_name=_("embete"))
    maalform = models.CharField(
        _("målform"),
        max_length=10,
        choices=Maalform.choices,
        default=Maalform.NOYTRAL,
        help_text=_("Brev til kommunen skrives på denne målformen (nøytral gir bokmål)."),
    )
    gyldig_fra = models.DateField(
        _("gyldig fra"),
        null=True,
        blank=True,
        help_text=_(
            "Datoen kommuneinndelingen som opprettet kommunen gjelder fra. Tom: fantes da registeret ble laget."
        ),
    )
    gyldig_til = models.DateField(
        _("gyldig til"),
        null=True,
        blank=True,
        help_text=_(
            "Første dag kommunen ikke lenger finnes (gyldig fra-datoen til kommuneinndelingen som avviklet den, "
            "som «gyldig til» hos SSB). Tom: kommunen finnes."
        ),
    )

    objects = KommuneQuerySet.as_manager()

    class Meta:
        ordering = ["nummer"]
        verbose_name = _("kommune")
        verbose_name_plural = _("kommuner")
        constraints = [
            models.CheckConstraint(condition=Q(maalform__in=Maalform.values), name="kommune_maalform_valid"),
            models.CheckConstraint(
                condition=Q(gyldig_fra__isnull=True) | Q(gyldig_til__isnull=True) | Q(gyldig_til__gt=F("gyldig_fra")),
                name="kommune_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        status = self.status_text
        return f"{self.nummer} {self.navn} ({status})" if status else f"{self.nummer} {self.navn}"

    def is_active(self, pa_dato: datetime.date | None = None) -> bool:
        day = pa_dato or timezone.localdate()
        return (self.gyldig_fra is None or self.gyldig_fra <= day) and (
            self.gyldig_til is None or day < self.gyldig_til
        )

    def unavailable_reason(self, pa_dato: datetime.date | None = None) -> str:
        """Why the kommune cannot be chosen for a new service or the like on a day, or "" when it can."""
        if self.is_active(pa_dato):
            return ""
        day = pa_dato or timezone.localdate()
        if self.gyldig_til is not None and self.gyldig_til <= day:
            return _("Kommunen %(kommune)s er opphørt fra %(dato)s og kan ikke velges for noe nytt.") % {
                "kommune": f"{self.nummer} {self.navn}",
                "dato": self.gyldig_til.strftime("%d.%m.%Y"),
            }
        return _("Kommunen %(kommune)s finnes først fra %(dato)s.") % {
            "kommune": f"{self.nummer} {self.navn}",
            "dato": self.gyldig_fra.strftime("%d.%m.%Y"),
        }

    @property
    def status_text(self) -> str:
        """«opphørt 01.01.2027» for an ended kommune (or «opphører …» before the date, «fra …» before it
        starts); empty for one that exists today."""
        today = timezone.localdate()
        if self.gyldig_til is not None:
            when = self.gyldig_til.strftime("%d.%m.%Y")
            if self.gyldig_til <= today:
                return _("opphørt %(dato)s") % {"dato": when}
            return _("opphører %(dato)s") % {"dato": when}
        if self.gyldig_fra is not None and self.gyldig_fra > today:
            return _("fra %(dato)s") % {"dato": self.gyldig_fra.strftime("%d.%m.%Y")}
        return ""

    @property
    def letter_language(self) -> str:
        """bokmal or nynorsk: the language a decision letter to this kommune is written in."""
        return Maalform.NYNORSK if self.maalform == Maalform.NYNORSK else Maalform.BOKMAAL


class ChildWelfareService(models.Model):
    """A barnevernstjeneste. Serves one kommune, or several (interkommunal) run by a vertskommune."""

    navn = models.CharField(_("navn"), max_length=200)
    orgnr = models.CharField(_("organisasjonsnummer"), max_length=9, unique=True, validators=[validate_orgnr])
    vertskommune = models.ForeignKey(
        Kommune,
        on_delete=models.PROTECT,
        related_name="vertskommune_for",
        verbose_name=_("vertskommune"),
        help_text=_("Kommunen som driver tjenesten. For en tjeneste i én kommune er det kommunen selv."),
    )
    kommuner = models.ManyToManyField(
        Kommune, related_name="barnevernstjenester", verbose_name=_("kommuner tjenesten dekker")
    )
    epost = models.EmailField(_("e-post"), blank=True)
    aktiv = models.BooleanField(_("aktiv"), default=True)
    opprettet = models.DateTimeField(auto_now_add=True)
    endret = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["navn"]
        verbose_name = _("barnevernstjeneste")
        verbose_name_plural = _("barnevernstjenester")
        constraints = [
            models.CheckConstraint(condition=Q(orgnr__regex=r"^[0-9]{9}$"), name="service_orgnr_nine_digits"),
        ]

    def __str__(self) -> str:
        return self.navn

    def clean(self) -> None:
        """The name as the services store it (common.text), also when saved from the admin or the import."""
        self.navn = clean_name(self.navn)

    @property
    def embete(self) -> Embete:
        return self.vertskommune.embete


class PartnerType(models.TextChoices):
    BUFETAT = "bufetat", _("Bufetat")
    RKBU = "rkbu", _("RKBU")
    RBUP = "rbup", _("RBUP")
    NUBU = "nubu", _("NUBU")
    RVTS = "rvts", _("RVTS")
    KS = "ks", _("KS")
    KORUS = "korus", _("KoRus")
    UNIVERSITET = "universitet", _("Universiteter og høyskoler")
    FAMILIEVERN = "familievern", _("Familievernkontor")
    BARNEHUSET = "barnehuset", _("Barnehuset")
    BRUKERORGANISASJON = "brukerorganisasjon", _("Brukerorganisasjon")
    ANNET = "annet", _("Annet kompetansemiljø")


class Partner(models.Model):
    """A kompetansemiljø in the partner catalogue."""

    navn = models.CharField(_("navn"), max_length=200, unique=True)
    type = models.CharField(_("type"), max_length=30, choices=PartnerType.choices)
    region = models.CharField(_("region"), max_length=100, blank=True)
    orgnr = models.CharField(_("organisasjonsnummer"), max_length=9, blank=True, validators=[validate_orgnr])
    nettside = models.URLField(_("nettside"), blank=True)
    aktiv = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        ordering = ["type", "navn"]
        verbose_name = _("partner")
        verbose_name_plural = _("partnere")
        constraints = [
            models.CheckConstraint(condition=Q(type__in=PartnerType.values), name="partner_type_valid"),
        ]

    def __str__(self) -> str:
        return self.navn

    def clean(self) -> None:
        """Cleans navn and region (common.text) and refuses a navn that another partner has in another spelling:
        "RKBU Vest" with a zero-width space, or "rkbu vest", beside "RKBU Vest". Run by full_clean, so by the
        service, the form and the admin alike; a clash found here also stands in for the exact unique check
        (Django skips that for a field that already has an error), so the user sees one message."""
        self.navn = clean_name(self.navn)
        self.region = clean_name(self.region)
        if not self.navn:
            return
        wanted = name_key(self.navn)
        others = Partner.objects.exclude(pk=self.pk) if self.pk else Partner.objects.all()
        # In Python: SQLite's case folding (iexact, LOWER) only covers ASCII, and stored names may predate cleaning.
        if any(name_key(navn) == wanted for navn in others.values_list("navn", flat=True)):
            message = _("Det finnes allerede en partner med dette navnet.")
            raise ValidationError({"navn": ValidationError(message, code="unique")})


class OppvekstTjenestetype(models.TextChoices):
    """Controlled list of other oppvekst services that may be invited into networks (from 2021)."""

    HELSESTASJON = "helsestasjon", _("Helsestasjon")
    SKOLEHELSETJENESTE = "skolehelsetjeneste", _("Skolehelsetjeneste")
    SKOLE = "skole", _("Skole")
    BARNEHAGE = "barnehage", _("Barnehage")
    PPT = "ppt", _("PPT")
    NAV = "nav", _("NAV")
    BUP = "bup", _("BUP")
    POLITI = "politi", _("Politi")
    RUS_PSYKISK_HELSE = "rus_psykisk_helse", _("Kommunal rus og psykisk helse")
    FAMILIEVERN = "familievern", _("Familievern")
    ANDRE = "andre", _("Andre")


# Cached results (common.versioned_cache): which writes to these models move which version.
versioned_cache.invalidates(
    Embete,
    EmbeteNavn,
    Fylke,
    Kommune,
    ChildWelfareService,
    Partner,
    versions=(versioned_cache.FIGURES, versioned_cache.VIEWS),
)
