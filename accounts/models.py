import datetime
import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common import versioned_cache


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("E-postadresse må oppgis.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        """`manage.py createsuperuser`. The address is registered as verified: login requires a verified address
        (ACCOUNT_EMAIL_VERIFICATION), every other account gets one by accepting an invitation sent to it, and the
        first superuser has nobody to invite them. The operator typed the address on the server and already has
        full access to the database, so a verification mail would prove nothing; it would only make the first login
        wait for a working mail server (docs/deploy.md, «Første innlogging»)."""
        from allauth.account.models import EmailAddress

        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        user = self._create_user(email, password, **extra)
        EmailAddress.objects.db_manager(self._db).create(user=user, email=user.email, verified=True, primary=True)
        return user


class User(AbstractUser):
    """A person. Logs in with e-mail. What they may do comes from their RoleAssignments."""

    username = None
    email = models.EmailField(_("e-postadresse"), unique=True)
    stilling = models.CharField(_("stilling"), max_length=150, blank=True)
    telefon = models.CharField(_("telefon"), max_length=30, blank=True)
    # The interface and e-mail language the user chose (accounts.language); blank: not chosen, the default (bokmål).
    sprak = models.CharField(_("språk"), max_length=8, blank=True, choices=settings.LANGUAGES)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        verbose_name = _("bruker")
        verbose_name_plural = _("brukere")

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class Role(models.TextChoices):
    BUFDIR = "bufdir", _("Bufdir")
    SF_SAKSBEHANDLER = "sf_saksbehandler", _("Statsforvalter, saksbehandler")
    SF_LEDER = "sf_leder", _("Statsforvalter, leder")
    TJENESTE_LEDER = "tjeneste_leder", _("Barnevernstjeneste, leder")
    TJENESTE_MEDARBEIDER = "tjeneste_medarbeider", _("Barnevernstjeneste, medarbeider")
    PARTNER = "partner", _("Partner")


STATSFORVALTER_ROLES = (Role.SF_SAKSBEHANDLER, Role.SF_LEDER)
SERVICE_ROLES = (Role.TJENESTE_LEDER, Role.TJENESTE_MEDARBEIDER)
# Roles that reach data across services and must use two-factor login.
MFA_ROLES = (Role.BUFDIR, *STATSFORVALTER_ROLES)


class RoleAssignmentQuerySet(models.QuerySet):
    def active(self, on: datetime.date | None = None):
        on = on or timezone.localdate()
        return self.filter(Q(gyldig_fra__lte=on), Q(gyldig_til__isnull=True) | Q(gyldig_til__gte=on))


class RoleAssignment(models.Model):
    """A role a user holds, scoped to an embete, a service or a partner. A user may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roller", verbose_name=_("bruker"))
    rolle = models.CharField(_("rolle"), max_length=30, choices=Role.choices)
    embete = models.ForeignKey(
        "organisations.Embete", on_delete=models.PROTECT, null=True, blank=True, related_name="roller"
    )
    tjeneste = models.ForeignKey(
        "organisations.ChildWelfareService",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roller",
        verbose_name=_("barnevernstjeneste"),
    )
    partner = models.ForeignKey(
        "organisations.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="roller"
    )
    gyldig_fra = models.DateField(_("gyldig fra"), default=timezone.localdate)
    gyldig_til = models.DateField(_("gyldig til"), null=True, blank=True)
    opprettet = models.DateTimeField(auto_now_add=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["user", "rolle"]
        verbose_name = _("rolletildeling")
        verbose_name_plural = _("rolletildelinger")
        constraints = [
            models.CheckConstraint(
                name="role_scope_matches_role",
                condition=(
                    Q(rolle=Role.BUFDIR, embete__isnull=True, tjeneste__isnull=True, partner__isnull=True)
                    | Q(
                        rolle__in=STATSFORVALTER_ROLES,
                        embete__isnull=False,
                        tjeneste__isnull=True,
                        partner__isnull=True,
                    )
                    | Q(rolle__in=SERVICE_ROLES, embete__isnull=True, tjeneste__isnull=False, partner__isnull=True)
                    | Q(rolle=Role.PARTNER, embete__isnull=True, tjeneste__isnull=True, partner__isnull=False)
                ),
            ),
            models.CheckConstraint(
                name="role_period_ordered",
                condition=Q(gyldig_til__isnull=True) | Q(gyldig_til__gte=models.F("gyldig_fra")),
            ),
            models.UniqueConstraint(
                fields=["user", "rolle"], condition=Q(rolle=Role.BUFDIR), name="role_unique_bufdir"
            ),
            models.UniqueConstraint(
                fields=["user", "rolle", "embete"], condition=Q(embete__isnull=False), name="role_unique_embete"
            ),
            models.UniqueConstraint(
                fields=["user", "rolle", "tjeneste"], condition=Q(tjeneste__isnull=False), name="role_unique_tjeneste"
            ),
            models.UniqueConstraint(
                fields=["user", "rolle", "partner"], condition=Q(partner__isnull=False), name="role_unique_partner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_rolle_display()}: {self.scope_label}"

    @property
    def scope_label(self) -> str:
        if self.rolle in STATSFORVALTER_ROLES:
            return str(self.embete)
        if self.rolle in SERVICE_ROLES:
            return str(self.tjeneste)
        if self.rolle == Role.PARTNER:
            return str(self.partner)
        return "Barne-, ungdoms- og familiedirektoratet"

    @property
    def is_bufdir(self) -> bool:
        return self.rolle == Role.BUFDIR

    @property
    def is_statsforvalter(self) -> bool:
        return self.rolle in STATSFORVALTER_ROLES

    @property
    def is_service(self) -> bool:
        return self.rolle in SERVICE_ROLES

    @property
    def is_partner(self) -> bool:
        return self.rolle == Role.PARTNER

    @property
    def requires_mfa(self) -> bool:
        return self.rolle in MFA_ROLES


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    """An e-mail invitation that activates an account with one role. Only the token's hash is stored."""

    email = models.EmailField(_("e-postadresse"))
    rolle = models.CharField(_("rolle"), max_length=30, choices=Role.choices)
    embete = models.ForeignKey("organisations.Embete", on_delete=models.CASCADE, null=True, blank=True)
    tjeneste = models.ForeignKey(
        "organisations.ChildWelfareService",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("barnevernstjeneste"),
    )
    partner = models.ForeignKey("organisations.Partner", on_delete=models.CASCADE, null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invitert_av = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="sendte_invitasjoner", verbose_name=_("invitert av")
    )
    opprettet = models.DateTimeField(_("opprettet"), auto_now_add=True)
    utloper = models.DateTimeField(_("utløper"))
    akseptert = models.DateTimeField(_("akseptert"), null=True, blank=True)
    akseptert_av = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    trukket_tilbake = models.DateTimeField(_("trukket tilbake"), null=True, blank=True)
    epost_sendt = models.DateTimeField(_("e-post sendt"), null=True, blank=True)

    class Meta:
        ordering = ["-opprettet"]
        verbose_name = _("invitasjon")
        verbose_name_plural = _("invitasjoner")
        constraints = [
            models.CheckConstraint(
                name="invitation_scope_matches_role",
                condition=(
                    Q(rolle=Role.BUFDIR, embete__isnull=True, tjeneste__isnull=True, partner__isnull=True)
                    | Q(
                        rolle__in=STATSFORVALTER_ROLES,
                        embete__isnull=False,
                        tjeneste__isnull=True,
                        partner__isnull=True,
                    )
                    | Q(rolle__in=SERVICE_ROLES, embete__isnull=True, tjeneste__isnull=False, partner__isnull=True)
                    | Q(rolle=Role.PARTNER, embete__isnull=True, tjeneste__isnull=True, partner__isnull=False)
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_rolle_display()})"

    @property
    def status(self) -> str:
        if self.akseptert:
            return "akseptert"
        if self.trukket_tilbake:
            return "trukket"
        if self.utloper <= timezone.now():
            return "utlopt"
        return "aktiv"

    @property
    def status_label(self) -> str:
        return {
            "akseptert": _("Akseptert"),
            "trukket": _("Trukket tilbake"),
            "utlopt": _("Utløpt"),
            "aktiv": _("Venter på svar"),
        }[self.status]

    @property
    def scope_label(self) -> str:
        return str(self.tjeneste or self.embete or self.partner or "Bufdir")

    @classmethod
    def default_expiry(cls):
        return timezone.now() + datetime.timedelta(days=settings.INVITATION_VALID_DAYS)


# Cached results (common.versioned_cache): which writes to these models move which version.
# Names of case officers and network leaders, and who is a case officer in the filter lists. A login saves
# last_login (and a password change the hash): neither is shown anywhere that is cached.
versioned_cache.invalidates(User, versions=(versioned_cache.VIEWS,), ignore_fields=("last_login", "password"))
versioned_cache.invalidates(RoleAssignment, versions=(versioned_cache.VIEWS,))
