"""Writes for people and roles: invitations, accepting them, switching role."""

import secrets

from allauth.account.models import EmailAddress
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit

from .language import starting_language
from .middleware import SESSION_KEY
from .models import SERVICE_ROLES, STATSFORVALTER_ROLES, Invitation, Role, RoleAssignment, User, hash_token
from .permissions import active_roles, require
from .tasks import send_invitation_email


class InvitationInvalid(Exception):
    """The link cannot be used. .message is a Norwegian sentence for the person who clicked it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@transaction.atomic
def invite(actor, *, email: str, rolle: str, tjeneste=None, embete=None, partner=None) -> tuple[Invitation, str]:
    """Create an invitation and queue its e-mail after commit. Returns (invitation, raw token)."""
    email = (email or "").strip().lower()
    if not email:
        raise ValidationError({"email": _("Skriv inn e-postadressen til den du vil invitere.")})
    if rolle not in Role.values:
        raise ValidationError({"rolle": _("Velg en gyldig rolle.")})
    if rolle in SERVICE_ROLES and tjeneste is None:
        raise ValidationError({"tjeneste": _("Velg hvilken barnevernstjeneste personen skal inviteres til.")})
    if rolle in STATSFORVALTER_ROLES and embete is None:
        raise ValidationError({"embete": _("Velg embete.")})
    if rolle == Role.PARTNER and partner is None:
        raise ValidationError({"partner": _("Velg partner.")})
    invitation = Invitation(
        email=email,
        rolle=rolle,
        tjeneste=tjeneste if rolle in SERVICE_ROLES else None,
        embete=embete if rolle in STATSFORVALTER_ROLES else None,
        partner=partner if rolle == Role.PARTNER else None,
        invitert_av=actor,
        utloper=Invitation.default_expiry(),
    )
    require(actor, "accounts.invite", invitation)
    existing = User.objects.filter(email__iexact=email).first()
    if existing and _holds_role(existing, invitation):
        raise ValidationError({"email": _("%(email)s har allerede denne rollen.") % {"email": email}})
    pending = Invitation.objects.filter(
        email=email,
        rolle=invitation.rolle,
        tjeneste=invitation.tjeneste,
        embete=invitation.embete,
        partner=invitation.partner,
        akseptert__isnull=True,
        trukket_tilbake__isnull=True,
        utloper__gt=timezone.now(),
    )
    if pending.exists():
        raise ValidationError(
            {"email": _("%(email)s har allerede en gyldig invitasjon til denne rollen.") % {"email": email}}
        )
    token = secrets.token_urlsafe(32)
    invitation.token_hash = hash_token(token)
    invitation.save()
    audit.record(
        actor, "invitasjon.sendt", invitation, {"email": email, "rolle": rolle, "gjelder": invitation.scope_label}
    )

    send_invitation_email.enqueue(invitation.pk, token)
    return invitation, token


def _holds_role(user: User, invitation: Invitation) -> bool:
    return (
        RoleAssignment.objects.active()
        .filter(
            user=user,
            rolle=invitation.rolle,
            tjeneste=invitation.tjeneste,
            embete=invitation.embete,
            partner=invitation.partner,
        )
        .exists()
    )


def find_invitation(token: str) -> Invitation:
    """The invitation behind a link, or InvitationInvalid with a clear reason."""
    invitation = (
        Invitation.objects.select_related("tjeneste", "embete", "partner", "invitert_av")
        .filter(token_hash=hash_token(token or ""))
        .first()
    )
    if invitation is None:
        raise InvitationInvalid(_("Lenken er ikke gyldig. Kontroller at du har kopiert hele lenken fra e-posten."))
    if invitation.akseptert:
        raise InvitationInvalid(
            _("Denne invitasjonen er allerede brukt. Logg inn med e-postadressen din, eller be om en ny invitasjon.")
        )
    if invitation.trukket_tilbake:
        raise InvitationInvalid(_("Denne invitasjonen er trukket tilbake. Ta kontakt med den som inviterte deg."))
    if invitation.utloper <= timezone.now():
        raise InvitationInvalid(
            _("Invitasjonen utløp %(date)s. Be den som inviterte deg om å sende en ny.")
            % {"date": timezone.localtime(invitation.utloper).strftime("%d.%m.%Y kl. %H:%M")}
        )
    return invitation


def acceptance_problem(invitation: Invitation, user=None) -> str | None:
    """Why this visitor cannot take the (valid) invitation, as a Norwegian sentence; None if they can."""
    if user is not None and user.is_authenticated:
        if user.email.lower() != invitation.email.lower():
            return _(
                "Invitasjonen gjelder %(email)s, men du er logget inn som %(me)s. Logg ut og åpne lenken på nytt."
            ) % {"email": invitation.email, "me": user.email}
        return None
    if User.objects.filter(email__iexact=invitation.email).exists():
        return _("Det finnes allerede en konto for %(email)s. Logg inn først, og åpne lenken på nytt.") % {
            "email": invitation.email
        }
    return None


@transaction.atomic
def accept_invitation(token: str, *, user: User | None = None, first_name="", last_name="", password="") -> User:
    """Activate the invitation. A logged-in user with the invited address gets the role added;
    otherwise a new account is created with the address already verified."""
    invitation = find_invitation(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.akseptert:  # lost a race with another click
        raise InvitationInvalid(_("Denne invitasjonen er allerede brukt."))
    if invitation.trukket_tilbake:  # revoked while the form was open
        raise InvitationInvalid(_("Denne invitasjonen er trukket tilbake. Ta kontakt med den som inviterte deg."))
    problem = acceptance_problem(invitation, user)
    if problem:
        raise InvitationInvalid(problem)
    if user is None or not user.is_authenticated:
        errors = {}
        if not first_name.strip():
            errors["first_name"] = [_("Fornavn må fylles ut.")]
        if not last_name.strip():
            errors["last_name"] = [_("Etternavn må fylles ut.")]
        candidate = User(email=invitation.email, first_name=first_name, last_name=last_name)
        try:
            validate_password(password, candidate)
        except ValidationError as exc:
            errors["password1"] = exc.messages
        if errors:
            raise ValidationError(errors)
        user = User.objects.create_user(
            email=invitation.email,
            password=password,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            sprak=starting_language(tjeneste=invitation.tjeneste),
        )
    EmailAddress.objects.update_or_create(
        user=user, email=invitation.email, defaults={"verified": True, "primary": True}
    )
    role, _created = RoleAssignment.objects.get_or_create(
        user=user,
        rolle=invitation.rolle,
        embete=invitation.embete,
        tjeneste=invitation.tjeneste,
        partner=invitation.partner,
        defaults={"gyldig_fra": timezone.localdate()},
    )
    if role.gyldig_til is not None and role.gyldig_til < timezone.localdate():
        role.gyldig_til = None
        role.save(update_fields=["gyldig_til"])
    invitation.akseptert = timezone.now()
    invitation.akseptert_av = user
    invitation.save(update_fields=["akseptert", "akseptert_av"])
    audit.record(
        user, "invitasjon.akseptert", invitation, {"rolle": invitation.rolle, "gjelder": invitation.scope_label}
    )
    return user


@transaction.atomic
def revoke_invitation(actor, invitation: Invitation) -> Invitation:
    require(actor, "accounts.revoke_invitation", invitation)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.akseptert:
        raise ValidationError(_("Invitasjonen er allerede akseptert og kan ikke trekkes tilbake."))
    if invitation.trukket_tilbake is None:
        invitation.trukket_tilbake = timezone.now()
        invitation.save(update_fields=["trukket_tilbake"])
        audit.record(actor, "invitasjon.trukket", invitation, {"email": invitation.email})
    return invitation


def switch_role(user: User, role_id: int, session) -> RoleAssignment:
    role = next((r for r in active_roles(user) if r.pk == role_id), None)
    if role is None:
        raise ValidationError(_("Du har ikke denne rollen."))
    session[SESSION_KEY] = role.pk
    user.active_role = role
    return role
