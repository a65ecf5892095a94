"""Reads for privacy: everything stored about a user (the export), where free text mentions them, and what
anonymising them would do. The inventory behind it is every app's declaration, collected by privacy.registry."""

import datetime
import json
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Invitation, Role, RoleAssignment, User
from accounts.permissions import active_roles
from accounts.selectors import user_has_totp
from api.models import ApiToken
from audit.models import AuditEvent
from common.personal_data import LINK, MENTION
from grants.models import DECIDED, Application, ApplicationStatus
from networks.models import NetworkPerson
from organisations.models import ChildWelfareService
from projects.models import DevelopmentProject, ProjectContact

from .registry import free_text_fields, inventory

FORMAT = "laeringsnett-personopplysninger"
FORMAT_VERSION = 1
PSEUDONYM_DOMAIN = "anonymisert.invalid"  # .invalid is reserved (RFC 2606): mail to it can never be delivered

# Links to the user that the export shows in their own section; every other LINK is listed generically.
EXPLICIT_LINKS = frozenset(
    {
        "accounts.RoleAssignment.user",
        "accounts.Invitation.invitert_av",
        "accounts.Invitation.akseptert_av",
        "account.EmailAddress.user",
        "mfa.Authenticator.user",
        "socialaccount.SocialAccount.user",
        "api.ApiToken.user",
        "networks.NetworkPerson.user",
        "projects.ProjectContact.user",
        "projects.DevelopmentProject.prosjektleder",
        "audit.AuditEvent.aktor",
    }
)


def pseudonym_email(user_id: int) -> str:
    return f"anonymisert-{user_id}@{PSEUDONYM_DOMAIN}"


def pseudonym_names(user_id: int) -> tuple[str, str]:
    """(first_name, last_name): get_full_name() gives «Anonymisert bruker <id>»."""
    return "Anonymisert", f"bruker {user_id}"


def is_anonymised(user: User) -> bool:
    return user.email == pseudonym_email(user.pk)


def known_emails(user: User) -> set[str]:
    """The addresses that are the user's own (lower case): those they have verified (allauth), and the login
    address (user.email) unless allauth holds that as unverified for them. An unverified address proves nothing
    (anyone can type any address at /konto/email/), so it never brings other people's invitations, contact-person
    rows, services or audit events into the export or the anonymisation."""
    rows = EmailAddress.objects.filter(user=user).values_list("email", "verified")
    verified = {e.strip().lower() for e, ok in rows if ok}
    unverified = {e.strip().lower() for e, ok in rows if not ok} - verified
    emails = set(verified)
    login = (user.email or "").strip().lower()
    if login and login not in unverified:
        emails.add(login)
    return {e for e in emails if e}


def email_q(field_name: str, emails) -> Q:
    q = Q(pk__in=[])
    for email in emails:
        q |= Q(**{f"{field_name}__iexact": email})
    return q


def user_sessions(user: User) -> list[Session]:
    """Database sessions logged in as the user (the session store is the database; see settings)."""
    found = []
    for session in Session.objects.all().iterator():
        try:
            data = session.get_decoded()
        except Exception:  # an undecodable session belongs to nobody we can tell
            data = {}
        if str(data.get("_auth_user_id")) == str(user.pk):
            found.append(session)
    return found


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    return value.isoformat()


def _display(user) -> str:
    if user is None:
        return _("systemet")
    return user.get_full_name() or user.email


def _model(label: str):
    app_label, model_name = label.split(".")
    return apps.get_model(app_label, model_name)


# --- export -----------------------------------------------------------------------------------------------


def _profile(user: User) -> dict:
    return {
        "id": user.pk,
        "fornavn": user.first_name,
        "etternavn": user.last_name,
        "fullt_navn": user.get_full_name(),
        "epost": user.email,
        "stilling": user.stilling,
        "telefon": user.telefon,
        "sprak": user.sprak,
        "aktiv": user.is_active,
        "anonymisert": is_anonymised(user),
        "opprettet": _iso(user.date_joined),
        "sist_innlogget": _iso(user.last_login),
        "superbruker": user.is_superuser,
        "tilgang_til_admin": user.is_staff,
        "grupper": sorted(user.groups.values_list("name", flat=True)),
        "har_passord": user.has_usable_password(),
    }


def _roles(user: User) -> list[dict]:
    today = timezone.localdate()
    rows = RoleAssignment.objects.filter(user=user).select_related("embete", "tjeneste", "partner")
    return [
        {
            "id": r.pk,
            "rolle": r.rolle,
            "rolle_tekst": str(r.get_rolle_display()),
            "gjelder": r.scope_label,
            "gyldig_fra": _iso(r.gyldig_fra),
            "gyldig_til": _iso(r.gyldig_til),
            "aktiv_i_dag": r.gyldig_fra <= today and (r.gyldig_til is None or today <= r.gyldig_til),
        }
        for r in rows.order_by("gyldig_fra", "id")
    ]


def _login(user: User) -> dict:
    return {
        "har_passord": user.has_usable_password(),
        "tofaktor": [
            {"type": a.type, "opprettet": _iso(a.created_at), "sist_brukt": _iso(a.last_used_at)}
            for a in Authenticator.objects.filter(user=user).order_by("created_at")
        ],
        "eksterne_innlogginger": [
            {
                "tjeneste": s.provider,
                "identitet": s.uid,
                "opprettet": _iso(s.date_joined),
                "sist_innlogget": _iso(s.last_login),
                "opplysninger": s.extra_data,
            }
            for s in SocialAccount.objects.filter(user=user).order_by("pk")
        ],
        "innloggingsokter": [{"utloper": _iso(s.expire_date)} for s in user_sessions(user)],
    }


def _invitations(user: User, emails: set[str]) -> dict:
    received = (
        Invitation.objects.filter(email_q("email", emails) | Q(akseptert_av=user))
        .select_related("embete", "tjeneste", "partner", "invitert_av")
        .order_by("opprettet", "pk")
    )
    sent = (
        Invitation.objects.filter(invitert_av=user)
        .select_related("embete", "tjeneste", "partner")
        .order_by("opprettet", "pk")
    )
    return {
        "til_deg": [
            {
                "id": i.pk,
                "epost": i.email,
                "rolle": i.rolle,
                "gjelder": i.scope_label,
                "invitert_av": _display(i.invitert_av) if i.invitert_av_id else None,
                "opprettet": _iso(i.opprettet),
                "utloper": _iso(i.utloper),
                "akseptert": _iso(i.akseptert),
                "trukket_tilbake": _iso(i.trukket_tilbake),
                "status": i.status,
            }
            for i in received
        ],
        # Who you invited is someone else's personal data: the address is left out.
        "fra_deg": [
            {"id": i.pk, "rolle": i.rolle, "gjelder": i.scope_label, "opprettet": _iso(i.opprettet), "status": i.status}
            for i in sent
        ],
    }


def _api_tokens(user: User) -> list[dict]:
    return [
        {
            "id": t.pk,
            "navn": t.navn,
            "prefiks": t.prefiks,
            "rolle": str(t.rolle),
            "opprettet": _iso(t.opprettet),
            "sist_brukt": _iso(t.sist_brukt),
            "utloper": _iso(t.utloper),
            "tilbakekalt": _iso(t.tilbakekalt),
            "status": t.status,
        }
        for t in ApiToken.objects.filter(user=user).select_related("rolle__embete", "rolle__tjeneste", "rolle__partner")
    ]


def _network_roles(user: User, emails: set[str]) -> list[dict]:
    rows = (
        NetworkPerson.objects.filter(Q(user=user) | (Q(user__isnull=True) & email_q("epost", emails)))
        .select_related("network", "tjeneste")
        .order_by("fra_dato", "pk")
    )
    return [
        {
            "id": p.pk,
            "nettverk": p.network.navn,
            "rolle": p.rolle,
            "rolle_tekst": str(p.get_rolle_display()),
            "representerer": p.tjeneste.navn if p.tjeneste_id else None,
            "navn": p.navn,
            "stilling": p.stilling,
            "epost": p.epost,
            "kommuneledelse": p.kommuneledelse,
            "fra": _iso(p.fra_dato),
            "til": _iso(p.til_dato),
        }
        for p in rows
    ]


def _projects(user: User) -> dict:
    return {
        "prosjektleder_for": [
            {"id": p.pk, "prosjekt": p.navn} for p in DevelopmentProject.objects.filter(prosjektleder=user)
        ],
        "kontaktperson_for": [
            {"id": c.pk, "prosjekt_id": c.prosjekt_id, "prosjekt": c.prosjekt.navn, "rolle": c.rolle}
            for c in ProjectContact.objects.filter(user=user).select_related("prosjekt")
        ],
    }


def link_fields() -> list[tuple[type, str]]:
    """(model, field name) for every LINK in the inventory not shown in a section of its own."""
    result = []
    for entry in inventory():
        if entry.kind == LINK and entry.field not in EXPLICIT_LINKS:
            label, name = entry.field.rsplit(".", 1)
            result.append((_model(label), name))
    return result


def _records(user: User) -> list[dict]:
    rows = []
    for model, name in link_fields():
        field_obj = model._meta.get_field(name)
        for obj in model.objects.filter(**{name: user}).order_by("pk"):
            rows.append(
                {
                    "type": str(model._meta.verbose_name),
                    "modell": model._meta.label,
                    "felt": name,
                    "felt_tekst": str(field_obj.verbose_name),
                    "id": obj.pk,
                    "tekst": str(obj),
                }
            )
    return rows


def _events(user: User, emails: set[str], anonymised: bool) -> dict:
    def row(e: AuditEvent, *, by_user: bool) -> dict:
        data = {
            "id": e.pk,
            "tidspunkt": _iso(e.tidspunkt),
            "handling": e.handling,
            "rolle": e.rolle,
            "objekttype": e.content_type.model if e.content_type_id else None,
            "objekt_id": e.object_id,
        }
        if not by_user:
            data["utfort_av"] = _display(e.aktor) if e.aktor_id else _("systemet")
        if not anonymised:
            # After anonymisation the old texts stay in the audit trail only; they are no longer shown as the
            # pseudonymous account's data.
            data["objekt"] = e.objekt
            if not by_user:
                data["endringer"] = e.endringer
        return data

    by_user = AuditEvent.objects.filter(aktor=user).select_related("content_type").order_by("tidspunkt", "id")
    user_type = ContentType.objects.get_for_model(User)
    about = Q(content_type=user_type, object_id=str(user.pk))
    if not anonymised:
        for email in emails:
            about |= Q(objekt__icontains=email) | Q(endringer_text__icontains=email)
    about_user = (
        AuditEvent.objects.annotate(endringer_text=Cast("endringer", TextField()))
        .filter(about)
        .exclude(aktor=user)
        .select_related("content_type", "aktor")
        .order_by("tidspunkt", "id")
    )
    return {
        "utfort_av_deg": [row(e, by_user=True) for e in by_user],
        "om_deg": [row(e, by_user=False) for e in about_user],
    }


def personal_data_export(user: User) -> dict:
    """Everything stored about the user, as plain JSON-ready data. Secrets (password hash, TOTP secrets,
    session keys, API key hashes) are described, never included; other people's personal data is left out."""
    anonymised = is_anonymised(user)
    emails = known_emails(user)
    return {
        "format": FORMAT,
        "versjon": FORMAT_VERSION,
        "generert": _iso(timezone.now()),
        "bruker": _profile(user),
        "epostadresser": [
            {"epost": a.email, "bekreftet": a.verified, "hovedadresse": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
        ],
        "innlogging": _login(user),
        "roller": _roles(user),
        "invitasjoner": _invitations(user, emails),
        "api_nokler": _api_tokens(user),
        "nettverksroller": _network_roles(user, emails),
        "prosjekter": _projects(user),
        "oppfort_i": _records(user),
        "revisjonsspor": _events(user, emails, anonymised),
        "merknader": [
            _("Passord, tofaktorhemmeligheter, øktnøkler og API-nøkler lagres bare som hemmeligheter og tas ikke med."),
            _("Opplysninger om andre personer (for eksempel e-postadressene til dem du har invitert) er utelatt."),
            _(
                "Revisjonssporet viser hvem som gjorde hva. Det kan ikke endres eller slettes, fordi forvaltningen "
                "må kunne dokumentere saksbehandlingen (arkivplikt). Når en konto anonymiseres, står de gamle "
                "tekstene der fortsatt, men kobles ikke lenger til en navngitt person."
            ),
            _(
                "Fritekst i saker (begrunnelser, kommentarer, rapporter) kan nevne deg ved navn. Slike omtaler "
                "kan behandlingsansvarlig søke fram på forespørsel."
            ),
        ],
    }


def export_json(document: dict) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode("utf-8")


def export_summary(document: dict) -> dict:
    """Counts for the readable summary."""
    return {
        "roller": len(document["roller"]),
        "aktive_roller": sum(1 for r in document["roller"] if r["aktiv_i_dag"]),
        "nettverksroller": len(document["nettverksroller"]),
        "oppfort_i": len(document["oppfort_i"]),
        "hendelser": len(document["revisjonsspor"]["utfort_av_deg"]),
        "hendelser_om_deg": len(document["revisjonsspor"]["om_deg"]),
    }


_DATE_KEYS = frozenset(
    {"opprettet", "sist_innlogget", "gyldig_fra", "gyldig_til", "fra", "til", "tidspunkt", "utloper", "sist_brukt"}
)


def for_display(value, key: str = ""):
    """A copy of an export (or part of one) with the ISO dates turned back into dates, for templates."""
    if isinstance(value, dict):
        return {k: for_display(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [for_display(v) for v in value]
    if key in _DATE_KEYS and isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value) if len(value) == 10 else datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


def summary_text(document: dict) -> str:
    """A readable plain-text summary of an export (for the management command)."""
    user = document["bruker"]
    counts = export_summary(document)
    lines = [
        f"Personopplysninger for bruker {user['id']}: {user['fullt_navn'] or user['epost']} <{user['epost']}>",
        f"Aktiv: {'ja' if user['aktiv'] else 'nei'}. Anonymisert: {'ja' if user['anonymisert'] else 'nei'}.",
        f"E-postadresser: {len(document['epostadresser'])}. Tofaktor: {len(document['innlogging']['tofaktor'])}. "
        f"Innloggingsøkter: {len(document['innlogging']['innloggingsokter'])}. "
        f"API-nøkler: {len(document['api_nokler'])}.",
        f"Roller: {counts['roller']} (aktive i dag: {counts['aktive_roller']}). "
        f"Roller i nettverk: {counts['nettverksroller']}.",
        f"Oppført i saker og historikk: {counts['oppfort_i']}. "
        f"Hendelser i revisjonssporet utført av brukeren: {counts['hendelser']}, om brukeren: "
        f"{counts['hendelser_om_deg']}.",
    ]
    return "\n".join(lines)


# --- mentions in free text --------------------------------------------------------------------------------


def _needles(user: User, extra: tuple[str, ...] = ()) -> list[str]:
    needles = set(known_emails(user))
    name = user.get_full_name().strip()
    if " " in name and len(name) >= 5:
        needles.add(name)
    if len(user.telefon.strip()) >= 6:
        needles.add(user.telefon.strip())
    needles |= {e.strip() for e in extra if len(e.strip()) >= 5}
    # JSON columns may store non-ASCII characters escaped (\u00f8) on some databases: look for both forms.
    needles |= {json.dumps(n)[1:-1] for n in list(needles)}
    return sorted(needles)


def mention_fields() -> list[tuple[type, str]]:
    labels = list(free_text_fields()) + [e.field for e in inventory() if e.kind == MENTION]
    result = []
    for label in labels:
        model_label, name = label.rsplit(".", 1)
        result.append((_model(model_label), name))
    return result


def mentions(user: User, extra: tuple[str, ...] = ()) -> list[dict]:
    """Where free text, frozen copies and the audit trail contain the user's name, e-mail or phone:
    [{modell, felt, id}]. For the data controller: these are kept, and may need a manual assessment."""
    needles = _needles(user, extra)
    found = []
    for model, name in mention_fields():
        column = model._meta.get_field(name)
        qs = model.objects.all()
        lookup = name
        if column.get_internal_type() == "JSONField":
            qs = qs.annotate(_as_text=Cast(name, TextField()))
            lookup = "_as_text"
        q = Q(pk__in=[])
        for needle in needles:
            q |= Q(**{f"{lookup}__icontains": needle})
        for pk in qs.filter(q).values_list("pk", flat=True).order_by("pk"):
            found.append({"modell": model._meta.label, "felt": name, "id": pk})
    return found


# --- what anonymising would do ------------------------------------------------------------------------


@dataclass
class AnonymisationPlan:
    user: User
    already_anonymised: bool
    blockers: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # filled by the admin's confirmation from a dry run


def _holds_active(user: User, **filters) -> bool:
    return RoleAssignment.objects.active().filter(user=user, **filters).exists()


def _others_hold(user: User, **filters) -> bool:
    return RoleAssignment.objects.active().filter(user__is_active=True, **filters).exclude(user=user).exists()


def anonymisation_plan(user: User) -> AnonymisationPlan:
    """Why anonymising the user must wait (blockers), and what others must pick up afterwards (warnings).

    Only one situation blocks: the user is the last active person who can give the Bufdir role (a Bufdir user
    or a superuser). Everywhere else someone above can invite a replacement (Bufdir invites statsforvalter
    leaders; the statsforvalter invites service leaders), so the person's right to be anonymised when they
    leave is not held up by the organisation's staffing; the warnings say what to do."""
    plan = AnonymisationPlan(user=user, already_anonymised=is_anonymised(user))
    grants_bufdir = user.is_active and (user.is_superuser or _holds_active(user, rolle=Role.BUFDIR))
    if grants_bufdir:
        other_granter = User.objects.filter(is_active=True, is_superuser=True).exclude(
            pk=user.pk
        ).exists() or _others_hold(user, rolle=Role.BUFDIR)
        if not other_granter:
            plan.blockers.append(
                _(
                    "%(name)s er den siste aktive brukeren som kan gi Bufdir-rollen (Bufdir eller superbruker). "
                    "Gi en annen person denne tilgangen først; ellers kan ingen invitere nye Bufdir-brukere."
                )
                % {"name": _display(user)}
            )
    for role in RoleAssignment.objects.active().filter(user=user).select_related("tjeneste", "embete"):
        if role.rolle == Role.TJENESTE_LEDER and not _others_hold(user, rolle=role.rolle, tjeneste=role.tjeneste):
            plan.warnings.append(
                _("Siste aktive leder i %(scope)s. Statsforvalteren må invitere en ny leder.")
                % {"scope": role.scope_label}
            )
        if role.rolle == Role.SF_LEDER and not _others_hold(user, rolle=role.rolle, embete=role.embete):
            plan.warnings.append(
                _("Siste aktive leder hos %(scope)s. Bufdir må invitere en ny leder.") % {"scope": role.scope_label}
            )
    emails = known_emails(user) - {pseudonym_email(user.pk)}
    for service in ChildWelfareService.objects.filter(email_q("epost", emails)).order_by("navn"):
        plan.warnings.append(
            _("%(service)s har %(email)s som e-postadresse. Den endres ikke; be tjenesten registrere en annen adresse.")
            % {"service": service.navn, "email": service.epost}
        )
    for project in DevelopmentProject.objects.filter(prosjektleder=user).order_by("navn"):
        plan.warnings.append(
            _("Prosjektet «%(name)s» mister prosjektlederen og trenger en ny.") % {"name": project.navn}
        )
    closed = [s.value for s in DECIDED] + [ApplicationStatus.TRUKKET, ApplicationStatus.UTKAST]
    for application in Application.objects.filter(saksbehandler=user).exclude(status__in=closed).order_by("pk"):
        plan.warnings.append(
            _("Søknad %(ref)s er til behandling med denne personen som saksbehandler. Sett en ny saksbehandler.")
            % {"ref": application.referanse or application.pk}
        )
    return plan


def must_enrol_mfa(user: User) -> bool:
    """The same rule as RequireMFAMiddleware: staff roles and superusers see no data before TOTP is set up."""
    if not settings.LAERINGSNETT_REQUIRE_MFA:
        return False
    needs = user.is_superuser or any(r.requires_mfa for r in active_roles(user))
    return needs and not user_has_totp(user)
