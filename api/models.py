import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "lnt_"  # noqa: S105  (a public marker that makes leaked keys easy to spot, not a secret)  # nosec B105


def hash_secret(secret: str) -> str:
    """SHA-256 of the whole token. The secret has 256 bits of entropy, so an unsalted hash is enough."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        """Neither revoked nor expired (the role assignment is checked separately, by date)."""
        now = now or timezone.now()
        return self.filter(tilbakekalt__isnull=True).filter(Q(utloper__isnull=True) | Q(utloper__gt=now))


class ApiToken(models.Model):
    """A personal API key (API-nøkkel). Only the SHA-256 hash of the secret is stored; the secret is shown once
    when the key is made. The key acts with the role assignment the user had active when it was made, and stops
    working when that assignment ends, when it expires, or when it is revoked."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("bruker")
    )
    rolle = models.ForeignKey(
        "accounts.RoleAssignment",
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("rolle"),
        help_text=_("Rollen nøkkelen gir tilgang som."),
    )
    navn = models.CharField(_("navn"), max_length=100)
    prefiks = models.CharField(_("nøkkelprefiks"), max_length=16, help_text=_("Starten av nøkkelen, for gjenkjenning."))
    nokkel_hash = models.CharField(max_length=64, unique=True, editable=False)
    opprettet = models.DateTimeField(_("opprettet"), auto_now_add=True)
    sist_brukt = models.DateTimeField(_("sist brukt"), null=True, blank=True)
    utloper = models.DateTimeField(_("utløper"), null=True, blank=True)
    tilbakekalt = models.DateTimeField(_("tilbakekalt"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-opprettet", "-id"]
        verbose_name = _("API-nøkkel")
        verbose_name_plural = _("API-nøkler")

    def __str__(self) -> str:
        return f"{self.navn} ({self.prefiks}…)"

    def matches(self, secret: str) -> bool:
        return hmac.compare_digest(self.nokkel_hash, hash_secret(secret))

    @property
    def is_revoked(self) -> bool:
        return self.tilbakekalt is not None

    @property
    def is_expired(self) -> bool:
        return self.utloper is not None and self.utloper <= timezone.now()

    @property
    def role_is_active(self) -> bool:
        today = timezone.localdate()
        role = self.rolle
        return role.gyldig_fra <= today and (role.gyldig_til is None or today <= role.gyldig_til)

    @property
    def role_grants_api(self) -> bool:
        """The role still gives API access (Bufdir or statsforvalter): a role changed to another kind ends the key."""
        return self.rolle.is_bufdir or self.rolle.is_statsforvalter

    @property
    def status(self) -> str:
        if self.is_revoked:
            return "tilbakekalt"
        if self.is_expired:
            return "utlopt"
        if not self.role_is_active or not self.role_grants_api:
            return "rolle_avsluttet"
        return "aktiv"

    @property
    def status_label(self) -> str:
        return {
            "tilbakekalt": _("Tilbakekalt"),
            "utlopt": _("Utløpt"),
            "rolle_avsluttet": _("Rollen er avsluttet"),
            "aktiv": _("Aktiv"),
        }[self.status]
