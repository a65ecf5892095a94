"""Writes for privacy: handing out a user's personal data (recorded in the audit trail) and anonymising a user
who has left.

Anonymising keeps the user row: audit events, decisions, reports and every other record that says who did
something keep pointing at the same id, which from then on carries a pseudonym. What identifies the person
(name, e-mail, phone, title, logins, sessions, second factors, API keys, unused invitations, contact-person
fields) is removed or replaced in one transaction. Only the person's own rows are touched, found by the user id or
by an address that is verifiably theirs (privacy.selectors.known_emails); a dry run shows the changes first.
Audit events are never changed (they are immutable); see docs/security.md (Personvern) for why keeping their
text is lawful."""

import datetime
import re
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import Invitation, RoleAssignment, User
from accounts.permissions import require
from api.models import ApiToken
from audit import services as audit
from common.versioned_cache import figures_changed
from followup.models import ReportReminder
from networks.models import NetworkPerson
from projects.models import DevelopmentProject, ProjectContact

from .selectors import (
    anonymisation_plan,
    email_q,
    known_emails,
    personal_data_export,
    pseudonym_email,
    pseudonym_names,
    user_sessions,
)


class AnonymisationRefused(ValidationError):
    """Anonymising must wait; .messages are Norwegian sentences. Nothing has been changed."""


@dataclass
class AnonymisationResult:
    user: User
    changed: bool
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # What is (or, in a dry run, would be) changed, as Norwegian lines for the person who confirms it.
    changes: list[str] = field(default_factory=list)
    dry_run: bool = False


class _Preview(Exception):  # noqa: N818  (not an error: carries a dry run's result out of its rolled-back transaction)
    def __init__(self, result: AnonymisationResult):
        super().__init__("dry run")
        self.result = result


# Lines of the preview for the counts (those with details of their own are listed item by item instead).
CHANGE_LINES = {
    "epostadresser_slettet": _lazy("E-postadresser som slettes: %(n)s"),
    "tofaktor_slettet": _lazy("Tofaktorenheter som slettes: %(n)s"),
    "eksterne_innlogginger_slettet": _lazy("Eksterne innlogginger (ID-porten/Ansattporten) som slettes: %(n)s"),
    "okter_slettet": _lazy("Innloggingsøkter som avsluttes: %(n)s"),
    "api_nokler_slettet": _lazy("API-nøkler som slettes: %(n)s"),
    "roller_avsluttet": _lazy("Roller som avsluttes (gyldige til og med i går): %(n)s"),
    "roller_slettet": _lazy("Roller som ennå ikke har begynt og slettes: %(n)s"),
    "invitasjoner_pseudonymisert": _lazy("Brukte invitasjoner der adressen erstattes med pseudonymet: %(n)s"),
    "nettverksroller_avsluttet": _lazy("Roller i nettverk som avsluttes (til og med i går): %(n)s"),
    "nettverksroller_slettet": _lazy("Roller i nettverk som ennå ikke har begynt og slettes: %(n)s"),
    "nettverksroller_renset": _lazy("Roller i nettverk der navn, stilling og e-post fjernes: %(n)s"),
    "prosjektkontakt_fjernet": _lazy("Prosjekter der personen fjernes som kontaktperson: %(n)s"),
    "paminnelser_pseudonymisert": _lazy("Påminnelser der adressen i utsendingsloggen erstattes: %(n)s"),
    "adminlogg_pseudonymisert": _lazy("Oppføringer i Django-admins logg som får pseudonymet: %(n)s"),
    "grupper_fjernet": _lazy("Grupper og enkeltrettigheter som fjernes: %(n)s"),
}


@transaction.atomic
def export_personal_data(actor, subject: User, *, channel: str) -> dict:
    """The export document for subject, recorded in the audit trail. actor None is the data controller on the
    command line; otherwise the actor must be allowed (themself, or a superuser)."""
    if actor is not None:
        require(actor, "accounts.export_personal_data", subject)
    document = personal_data_export(subject)
    audit.record(actor, "personopplysninger.eksportert", subject, {"kanal": channel})
    return document


def _end_dated_rows(qs, start: str, end: str, today: datetime.date) -> tuple[list[int], list[int]]:
    """End the rows of qs that are in force today or later: those begun before today end yesterday (so the
    person is gone from every «active today» list at once); those beginning today or later never took effect and
    are deleted. Returns (ended ids, deleted ids)."""
    yesterday = today - datetime.timedelta(days=1)
    open_rows = qs.filter(Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": today}))
    ended = list(open_rows.filter(**{f"{start}__lt": today}).values_list("pk", flat=True).order_by("pk"))
    deleted = list(open_rows.filter(**{f"{start}__gte": today}).values_list("pk", flat=True).order_by("pk"))
    qs.model.objects.filter(pk__in=ended).update(**{end: yesterday})
    qs.model.objects.filter(pk__in=deleted).delete()
    return ended, deleted


def _replace_in(value, old: set[str], new: str):
    if isinstance(value, str):
        return new if value.strip().lower() in old else value
    if isinstance(value, list):
        return [_replace_in(v, old, new) for v in value]
    return value


def anonymise_user(actor, user: User, *, dry_run: bool = False) -> AnonymisationResult:
    """Anonymise a user who has left. actor None is the data controller on the command line; otherwise a
    superuser. Raises AnonymisationRefused (nothing changed) when it must wait. Running it again on an
    anonymised user changes nothing and records nothing.

    Only the person's own rows are changed: rows that point at the user, and rows that carry one of their own
    addresses (known_emails: verified ones and the login). A service's e-mail address is the service's, even when
    it is the person's: it is named in the plan's warnings, never emptied.

    dry_run=True does exactly the same work in a transaction that is then rolled back, and returns what it would
    have changed (result.changes, result.counts): the preview shown before anyone confirms."""
    if not dry_run:
        return _anonymise(actor, user, dry_run=False)
    try:
        _anonymise(actor, user, dry_run=True)
    except _Preview as preview:
        preview.result.user = user
        return preview.result
    raise AssertionError("a dry run always ends in _Preview")  # pragma: no cover


@transaction.atomic
def _anonymise(actor, user: User, *, dry_run: bool) -> AnonymisationResult:
    if actor is not None:
        require(actor, "accounts.anonymise_user", user)
        if actor.pk == user.pk:
            raise AnonymisationRefused(_("Du kan ikke anonymisere din egen konto. Be en annen superbruker gjøre det."))
    user = User.objects.select_for_update().get(pk=user.pk)
    plan = anonymisation_plan(user)
    if plan.blockers:
        raise AnonymisationRefused(plan.blockers)

    today = timezone.localdate()
    emails = known_emails(user)
    full_name = user.get_full_name().strip()
    new_email = pseudonym_email(user.pk)
    first, last = pseudonym_names(user.pk)
    pseudonym = f"{first} {last}"
    counts: dict[str, int] = {}
    ids: dict[str, list[int]] = {}
    details: list[str] = []

    # Logins, second factors, sessions and keys: gone.
    counts["epostadresser_slettet"] = (
        EmailAddress.objects.filter(user=user).delete()[1].get(EmailAddress._meta.label, 0)
    )
    counts["tofaktor_slettet"] = Authenticator.objects.filter(user=user).delete()[1].get(Authenticator._meta.label, 0)
    counts["eksterne_innlogginger_slettet"] = (
        SocialAccount.objects.filter(user=user).delete()[1].get(SocialAccount._meta.label, 0)
    )
    sessions = user_sessions(user)
    for session in sessions:
        session.delete()
    counts["okter_slettet"] = len(sessions)
    counts["api_nokler_slettet"] = ApiToken.objects.filter(user=user).delete()[1].get(ApiToken._meta.label, 0)

    # Roles: history kept, nothing in force any more.
    ended, deleted = _end_dated_rows(RoleAssignment.objects.filter(user=user), "gyldig_fra", "gyldig_til", today)
    ids["roller_avsluttet"], ids["roller_slettet"] = ended, deleted

    # Invitations to the person: unused ones deleted, used ones keep the record with the pseudonym.
    addressed = Invitation.objects.filter(email_q("email", emails) | Q(akseptert_av=user))
    unused = list(addressed.filter(akseptert__isnull=True).select_related("embete", "tjeneste", "partner"))
    for invitation in sorted(unused, key=lambda i: i.pk):
        details.append(
            _("Ubrukt invitasjon som slettes: %(email)s (%(scope)s)")
            % {"email": invitation.email, "scope": invitation.scope_label}
        )
    Invitation.objects.filter(pk__in=[i.pk for i in unused]).delete()
    counts["invitasjoner_slettet"] = len(unused)
    counts["invitasjoner_pseudonymisert"] = (
        Invitation.objects.filter(pk__in=addressed.filter(akseptert__isnull=False).values("pk"))
        .exclude(email=new_email)
        .update(email=new_email)
    )

    # Contact persons. Network roles are history (dated): ended and stripped of the person's details.
    named = Q(user__isnull=True) & email_q("epost", emails)  # the same person, entered by name without account
    people = NetworkPerson.objects.filter(Q(user=user) | named)
    ended, deleted = _end_dated_rows(people, "fra_dato", "til_dato", today)
    ids["nettverksroller_avsluttet"], ids["nettverksroller_slettet"] = ended, deleted
    as_user = NetworkPerson.objects.filter(user=user).exclude(navn="", stilling="", epost="")
    counts["nettverksroller_renset"] = as_user.update(navn="", stilling="", epost="")
    counts["nettverksroller_renset"] += NetworkPerson.objects.filter(named).update(
        navn=pseudonym, stilling="", epost=""
    )
    # A project's leader and contact persons are who to ask now, not history: the person is removed.
    led = list(DevelopmentProject.objects.filter(prosjektleder=user).values_list("pk", "navn").order_by("pk"))
    ids["prosjektleder_fjernet"] = [pk for pk, _name in led]
    details += [_("Fjernes som prosjektleder for «%(name)s»") % {"name": name} for _pk, name in led]
    DevelopmentProject.objects.filter(pk__in=ids["prosjektleder_fjernet"]).update(prosjektleder=None)
    ids["prosjektkontakt_fjernet"] = list(
        ProjectContact.objects.filter(user=user).values_list("prosjekt_id", flat=True).order_by("prosjekt_id")
    )
    ProjectContact.objects.filter(user=user).delete()
    # A service's e-mail address is the service's (an organisation's), not the person's: never emptied here,
    # even when it is one of the person's addresses. anonymisation_plan names it so someone can change it.

    # Delivery log of reminders: the address becomes the pseudonym (the count of recipients stays).
    reminders = 0
    if emails:
        for reminder in ReportReminder.objects.all().only("pk", "mottakere").iterator():
            replaced = _replace_in(reminder.mottakere, emails, new_email)
            if replaced != reminder.mottakere:
                ReportReminder.objects.filter(pk=reminder.pk).update(mottakere=replaced)
                reminders += 1
    counts["paminnelser_pseudonymisert"] = reminders

    # The Django admin's log names the objects it changed: the person's own entries get the pseudonym, and so
    # does the name or address where another entry's label contains it.
    user_type = ContentType.objects.get_for_model(User)
    admin_log = LogEntry.objects.filter(content_type=user_type, object_id=str(user.pk)).exclude(object_repr=pseudonym)
    counts["adminlogg_pseudonymisert"] = admin_log.update(object_repr=pseudonym)
    needles = (emails - {new_email}) | ({full_name} if " " in full_name and full_name != pseudonym else set())
    other_users = Q(content_type=user_type) & ~Q(object_id=str(user.pk))  # another person with the same name
    for needle in sorted(needles, key=len, reverse=True):
        for entry in LogEntry.objects.filter(object_repr__icontains=needle).exclude(other_users):
            entry.object_repr = re.sub(re.escape(needle), pseudonym, entry.object_repr, flags=re.IGNORECASE)[:200]
            entry.save(update_fields=["object_repr"])
            counts["adminlogg_pseudonymisert"] += 1

    # The person: pseudonym, no way to log in, no access.
    profile_before = (
        user.first_name,
        user.last_name,
        user.email,
        user.stilling,
        user.telefon,
        user.is_active,
        user.is_staff,
        user.is_superuser,
        user.last_login,
        user.has_usable_password(),
    )
    profile_changed = profile_before != (first, last, new_email, "", "", False, False, False, None, False)
    if profile_changed:
        user.first_name, user.last_name, user.email = first, last, new_email
        user.stilling = user.telefon = ""
        user.is_active = user.is_staff = user.is_superuser = False
        user.last_login = None
        user.set_unusable_password()
        user.save()
    counts["grupper_fjernet"] = user.groups.count() + user.user_permissions.count()
    user.groups.clear()
    user.user_permissions.clear()

    changed = profile_changed or any(counts.values()) or any(ids.values())
    if changed and not dry_run:
        # Recorded after the changes so that the event's own text is the pseudonym, not the name.
        audit.record(actor, "bruker.anonymisert", user, {**counts, **ids})
        # The .update() calls above send no signals: cached pages (names in rows and filter lists) must not show
        # the person after this commits (common.versioned_cache, ui.fragments).
        figures_changed()
    counts.update({k: len(v) for k, v in ids.items()})
    changes = []
    if profile_changed:
        changes.append(
            _("Navn, e-post (%(email)s), telefon og stilling erstattes med «%(pseudonym)s»")
            % {"email": profile_before[2], "pseudonym": pseudonym}
        )
        changes.append(_("Innloggingen sperres, og tilgang som superbruker og til Django-admin fjernes"))
    changes += [str(CHANGE_LINES[key]) % {"n": n} for key, n in counts.items() if n and key in CHANGE_LINES]
    changes += details
    result = AnonymisationResult(
        user=user, changed=changed, counts=counts, warnings=plan.warnings, changes=changes, dry_run=dry_run
    )
    if dry_run:
        raise _Preview(result)  # rolls the transaction back
    return result
