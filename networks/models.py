"""Learning networks (læringsnettverk): who takes part, in what role, from when to when.

History is never overwritten: memberships, roles and status changes carry from/to dates, and a
service that leaves and rejoins gets a new membership row.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common import limits, versioned_cache
from organisations.models import OppvekstTjenestetype


class GuidelineVersion(models.Model):
    """A version of the scheme's guidelines (retningslinjer) and the rules it switches on."""

    navn = models.CharField(_("navn"), max_length=200, unique=True)
    gyldig_fra = models.DateField(_("gyldig fra"), unique=True)
    kunnskapspartner_paakrevd = models.BooleanField(
        _("kunnskapspartner eller Bufetat påkrevd for egeninitierte prosjekter"), default=False
    )
    kommuneledelse_paakrevd = models.BooleanField(_("kommuneledelse påkrevd i styringsgruppen"), default=False)
    oppvekst_tillatt = models.BooleanField(_("andre oppveksttjenester kan delta i nettverk"), default=False)
    beskrivelse = models.TextField(_("beskrivelse"), blank=True, **limits.text(limits.LONG_TEXT))

    class Meta:
        ordering = ["-gyldig_fra"]
        verbose_name = _("retningslinjeversjon")
        verbose_name_plural = _("retningslinjeversjoner")

    def __str__(self) -> str:
        return self.navn


# The fixed themes (seeded by migration 0002) in every language: the stored name is the bokmål msgid. Themes staff
# add themselves are shown as typed.
FIXED_THEME_LABELS = {
    "Oppfølging av fosterhjem": _("Oppfølging av fosterhjem"),
    "Opplæring og kompetanseutvikling": _("Opplæring og kompetanseutvikling"),
    "Lederutvikling": _("Lederutvikling"),
    "Utvikling av lokale tiltak": _("Utvikling av lokale tiltak"),
    "Høykonflikt": _("Høykonflikt"),
    "Medvirkning": _("Medvirkning"),
    "Minoriteter": _("Minoriteter"),
    "Akuttberedskap": _("Akuttberedskap"),
    "Foreldreveiledning": _("Foreldreveiledning"),
    "Rekruttering av fosterhjem": _("Rekruttering av fosterhjem"),
}


def theme_label(navn: str) -> str:
    """A theme's name in the active language: translated for the fixed themes, as typed for the others."""
    return str(FIXED_THEME_LABELS.get(navn, navn))


class Theme(models.Model):
    """Controlled list of themes (from the evaluation) plus free additions by staff."""

    navn = models.CharField(_("navn"), max_length=150, unique=True)
    kontrollert = models.BooleanField(_("fra den faste listen"), default=False)

    class Meta:
        ordering = ["-kontrollert", "navn"]
        verbose_name = _("tema")
        verbose_name_plural = _("temaer")

    def __str__(self) -> str:
        return theme_label(self.navn)


class Orientation(models.TextChoices):
    TILTAK = "tiltaksutvikling", _("Tiltaksutvikling")
    KOMPETANSE = "kompetanseutvikling", _("Kompetanseutvikling")
    BEGGE = "begge", _("Begge")


class NetworkStatus(models.TextChoices):
    ETABLERING = "etablering", _("Under etablering")
    AKTIV = "aktiv", _("Aktiv")
    PAUSE = "pause", _("Pause")
    AVSLUTTET = "avsluttet", _("Avsluttet")


class LearningNetwork(models.Model):
    embete = models.ForeignKey(
        "organisations.Embete", on_delete=models.PROTECT, related_name="nettverk", verbose_name=_("embete")
    )
    navn = models.CharField(_("navn"), max_length=200)
    beskrivelse = models.TextField(_("beskrivelse"), blank=True, **limits.text(limits.LONG_TEXT))
    maal = models.TextField(_("mål"), blank=True, **limits.text(limits.LONG_TEXT))
    etablert_aar = models.PositiveSmallIntegerField(_("år etablert"))
    status = models.CharField(
        _("status"), max_length=20, choices=NetworkStatus.choices, default=NetworkStatus.ETABLERING
    )
    status_fra = models.DateField(_("status fra"), default=timezone.localdate)
    orientering = models.CharField(_("retning"), max_length=30, choices=Orientation.choices, default=Orientation.BEGGE)
    temaer = models.ManyToManyField(Theme, blank=True, related_name="nettverk", verbose_name=_("temaer"))
    overordnet = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="undergrupper",
        verbose_name=_("del av nettverk"),
        help_text=_("For undergrupper i et stort nettverk (som i Vestland)."),
    )
    opprettet = models.DateTimeField(auto_now_add=True)
    endret = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["embete__navn", "navn"]
        verbose_name = _("læringsnettverk")
        verbose_name_plural = _("læringsnettverk")
        constraints = [
            models.UniqueConstraint(fields=["embete", "navn"], name="network_unique_name_in_embete"),
            models.CheckConstraint(
                condition=Q(etablert_aar__gte=2000, etablert_aar__lte=2100), name="network_year_range"
            ),
            models.CheckConstraint(condition=Q(status__in=NetworkStatus.values), name="network_status_valid"),
        ]
        indexes = [models.Index(fields=["embete", "status"], name="network_embete_status_idx")]

    def __str__(self) -> str:
        return self.navn


class NetworkStatusChange(models.Model):
    network = models.ForeignKey(LearningNetwork, on_delete=models.CASCADE, related_name="statushistorikk")
    status = models.CharField(_("status"), max_length=20, choices=NetworkStatus.choices)
    fra_dato = models.DateField(_("fra dato"))
    endret_av = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    registrert = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["fra_dato", "id"]
        verbose_name = _("statusendring")
        verbose_name_plural = _("statushistorikk")

    def __str__(self) -> str:
        return f"{self.get_status_display()} fra {self.fra_dato:%d.%m.%Y}"


class MembershipStatus(models.TextChoices):
    INVITERT = "invitert", _("Invitert")
    SOKT = "sokt", _("Har bedt om å bli med")
    AKTIV = "aktiv", _("Deltar")
    AVSLATT = "avslatt", _("Avslått")
    UTMELDT = "utmeldt", _("Har gått ut")


OPEN_MEMBERSHIP = (MembershipStatus.INVITERT, MembershipStatus.SOKT, MembershipStatus.AKTIV)


class Membership(models.Model):
    """A service's participation in a network. A rejoin is a new row; old rows are kept."""

    network = models.ForeignKey(LearningNetwork, on_delete=models.CASCADE, related_name="medlemskap")
    tjeneste = models.ForeignKey(
        "organisations.ChildWelfareService",
        on_delete=models.PROTECT,
        related_name="nettverksmedlemskap",
        verbose_name=_("barnevernstjeneste"),
    )
    status = models.CharField(_("status"), max_length=20, choices=MembershipStatus.choices)
    fra_dato = models.DateField(_("med fra"), null=True, blank=True)
    til_dato = models.DateField(_("med til"), null=True, blank=True)
    begrunnelse = models.TextField(_("begrunnelse"), blank=True, **limits.text(limits.SHORT_TEXT))
    opprettet = models.DateTimeField(auto_now_add=True)
    opprettet_av = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["network", "tjeneste__navn", "-opprettet"]
        verbose_name = _("medlemskap")
        verbose_name_plural = _("medlemskap")
        constraints = [
            models.UniqueConstraint(
                fields=["network", "tjeneste"],
                condition=Q(status__in=OPEN_MEMBERSHIP),
                name="membership_one_open_per_service",
            ),
            models.CheckConstraint(
                condition=Q(til_dato__isnull=True) | Q(fra_dato__isnull=True) | Q(til_dato__gte=F("fra_dato")),
                name="membership_period_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(status=MembershipStatus.AKTIV) | Q(fra_dato__isnull=False),
                name="membership_active_has_start",
            ),
        ]
        indexes = [models.Index(fields=["tjeneste", "status"], name="membership_service_status_idx")]

    def __str__(self) -> str:
        return f"{self.tjeneste} i {self.network}"


class PersonRole(models.TextChoices):
    LEDER = "leder", _("Nettverksleder")
    KOORDINATOR = "koordinator", _("Koordinator")
    KONTAKTPERSON = "kontaktperson", _("Kontaktperson for tjenesten")
    STYRINGSGRUPPE = "styringsgruppe", _("Styringsgruppe")
    RESSURSGRUPPE = "ressursgruppe", _("Ressursgruppe")
    DELTAKER = "deltaker", _("Deltaker")


class NetworkPerson(models.Model):
    """A person's role in a network, with dates. The person is a user, or named if they have no account."""

    network = models.ForeignKey(LearningNetwork, on_delete=models.CASCADE, related_name="personer")
    rolle = models.CharField(_("rolle"), max_length=20, choices=PersonRole.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="nettverksroller"
    )
    navn = models.CharField(_("navn"), max_length=200, blank=True)
    stilling = models.CharField(_("stilling"), max_length=150, blank=True)
    epost = models.EmailField(_("e-post"), blank=True)
    tjeneste = models.ForeignKey(
        "organisations.ChildWelfareService",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nettverkspersoner",
        verbose_name=_("representerer tjeneste"),
    )
    kommuneledelse = models.BooleanField(
        _("kommuneledelse"), default=False, help_text=_("Rådmann/kommunedirektør eller kommunalsjef.")
    )
    fra_dato = models.DateField(_("fra"))
    til_dato = models.DateField(_("til"), null=True, blank=True)

    class Meta:
        ordering = ["network", "rolle", "navn"]
        verbose_name = _("person i nettverk")
        verbose_name_plural = _("personer i nettverk")
        constraints = [
            models.CheckConstraint(condition=Q(user__isnull=False) | ~Q(navn=""), name="networkperson_has_identity"),
            models.CheckConstraint(
                condition=Q(til_dato__isnull=True) | Q(til_dato__gte=F("fra_dato")), name="networkperson_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_rolle_display()})"

    @property
    def display_name(self) -> str:
        if self.user_id:
            return self.user.get_full_name() or self.user.email
        return self.navn


class NetworkPartner(models.Model):
    network = models.ForeignKey(LearningNetwork, on_delete=models.CASCADE, related_name="partnere")
    partner = models.ForeignKey("organisations.Partner", on_delete=models.PROTECT, related_name="nettverk")
    rolle = models.TextField(_("partnerens rolle"), **limits.text(limits.SHORT_TEXT))
    fra_dato = models.DateField(_("fra"))
    til_dato = models.DateField(_("til"), null=True, blank=True)

    class Meta:
        ordering = ["network", "partner__navn"]
        verbose_name = _("partner i nettverk")
        verbose_name_plural = _("partnere i nettverk")
        constraints = [
            models.UniqueConstraint(
                fields=["network", "partner"], condition=Q(til_dato__isnull=True), name="networkpartner_one_open"
            ),
            models.CheckConstraint(
                condition=Q(til_dato__isnull=True) | Q(til_dato__gte=F("fra_dato")),
                name="networkpartner_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} i {self.network}"


class OppvekstParticipant(models.Model):
    """Another oppvekst service invited into the network (allowed from the 2021 guidelines)."""

    network = models.ForeignKey(LearningNetwork, on_delete=models.CASCADE, related_name="oppvekstdeltakere")
    type = models.CharField(_("type tjeneste"), max_length=30, choices=OppvekstTjenestetype.choices)
    navn = models.CharField(_("navn"), max_length=200)
    kommune = models.ForeignKey("organisations.Kommune", on_delete=models.PROTECT, null=True, blank=True)
    fra_dato = models.DateField(_("fra"))
    til_dato = models.DateField(_("til"), null=True, blank=True)

    class Meta:
        ordering = ["network", "type", "navn"]
        verbose_name = _("annen oppvekstdeltaker")
        verbose_name_plural = _("andre oppvekstdeltakere")
        constraints = [
            models.CheckConstraint(condition=Q(type__in=OppvekstTjenestetype.values), name="oppvekst_type_valid"),
            models.CheckConstraint(
                condition=Q(til_dato__isnull=True) | Q(til_dato__gte=F("fra_dato")), name="oppvekst_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.navn


def network_upload_path(instance, filename: str) -> str:
    return f"nettverk/{instance.network_id}/{datetime.date.today():%Y}/{filename}"


class DocumentKind(models.TextChoices):
    OVERORDNET_PLAN = "overordnet_plan", _("Overordnet plan for kompetanse- og kvalitetsutvikling")
    SAMARBEIDSPLAN = "samarbeidsplan", _("Plan for samarbeidet")
    REFERAT = "referat", _("Referat")
    ANNET = "annet", _("Annet")


class NetworkDocument(models.Model):
    """A file attached to a network. Stored outside the web root; served by a permission-checked view."""

    network = models.ForeignKey(LearningNetwork, on_delete=models.CASCADE, related_name="dokumenter")
    type = models.CharField(_("type"), max_length=30, choices=DocumentKind.choices)
    tittel = models.CharField(_("tittel"), max_length=200)
    fil = models.FileField(_("fil"), upload_to=network_upload_path, max_length=300)
    filnavn = models.CharField(_("opprinnelig filnavn"), max_length=255)
    innholdstype = models.CharField(max_length=100)
    storrelse = models.PositiveIntegerField(_("størrelse (byte)"))
    lastet_opp = models.DateTimeField(auto_now_add=True)
    lastet_opp_av = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["network", "-lastet_opp"]
        verbose_name = _("dokument")
        verbose_name_plural = _("dokumenter")

    def __str__(self) -> str:
        return self.tittel


class GatheringFormat(models.TextChoices):
    FYSISK = "fysisk", _("Fysisk")
    DIGITAL = "digital", _("Digital")
    HYBRID = "hybrid", _("Hybrid")


class Gathering(models.Model):
    """A samling: when, how, what was on the agenda, and who came."""

    network = models.ForeignKey(LearningNetwork, on_delete=models.CASCADE, related_name="samlinger")
    tittel = models.CharField(_("tittel"), max_length=200)
    dato = models.DateField(_("dato"))
    format = models.CharField(_("format"), max_length=10, choices=GatheringFormat.choices)
    sted = models.CharField(_("sted"), max_length=200, blank=True)
    agenda = models.TextField(_("agenda"), blank=True, **limits.text(limits.MEDIUM_TEXT))
    referat = models.ForeignKey(
        NetworkDocument, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("referat")
    )
    opprettet = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["network", "-dato"]
        verbose_name = _("samling")
        verbose_name_plural = _("samlinger")
        constraints = [
            models.CheckConstraint(condition=Q(format__in=GatheringFormat.values), name="gathering_format_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.tittel} {self.dato:%d.%m.%Y}"


class GatheringAttendance(models.Model):
    samling = models.ForeignKey(Gathering, on_delete=models.CASCADE, related_name="oppmote")
    tjeneste = models.ForeignKey("organisations.ChildWelfareService", on_delete=models.PROTECT, related_name="+")
    antall_personer = models.PositiveSmallIntegerField(_("antall personer"))

    class Meta:
        verbose_name = _("oppmøte")
        verbose_name_plural = _("oppmøte")
        constraints = [
            models.UniqueConstraint(fields=["samling", "tjeneste"], name="attendance_once_per_service"),
            models.CheckConstraint(condition=Q(antall_personer__gte=1), name="attendance_at_least_one"),
        ]

    def __str__(self) -> str:
        return f"{self.tjeneste}: {self.antall_personer}"


# Cached results (common.versioned_cache): which writes to these models move which version.
versioned_cache.invalidates(
    Theme,
    LearningNetwork,
    NetworkStatusChange,
    Membership,
    NetworkPartner,
    versions=(versioned_cache.FIGURES, versioned_cache.VIEWS),
)
versioned_cache.invalidates(NetworkPerson, versions=(versioned_cache.VIEWS,))  # network leaders in the directory
