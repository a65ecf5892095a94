"""Writes for the reporting duty from a grant: the requirement created by an award, postponements (utsettelse)
requested by the project and decided by the statsforvalter, and who receives reminders. Each write checks
permission, validates with Norwegian messages, writes inside a transaction and records an audit event; a
refused call changes nothing."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, RoleAssignment
from accounts.permissions import require
from audit import services as audit
from common import limits
from followup.models import (
    Postponement,
    PostponementStatus,
    ProgressReport,
    ReportingRequirement,
    ReportKind,
    ReportStatus,
)
from followup.selectors.participation import participant_service_ids
from projects.models import ProjectContact

# A report in one of these states fulfils the duty; a returned report or a draft does not.
DONE = (ReportStatus.SENDT_INN, ReportStatus.GODKJENT)
# The longest postponement one request may ask for, counted from the deadline in force.
MAX_POSTPONEMENT = datetime.timedelta(days=365)
MAX_TEXT = limits.MEDIUM_TEXT


def requirement_kind(project, aar: int) -> str:
    """A project planned to end within the grant year owes a sluttrapport; otherwise an årlig rapport."""
    if project.planlagt_slutt and project.planlagt_slutt <= datetime.date(aar, 12, 31):
        return ReportKind.SLUTT
    return ReportKind.AARLIG


@transaction.atomic
def on_award(decision) -> ReportingRequirement:
    """Each award creates its reporting requirement, with the deadline from the decision. Idempotent: called
    again (an appeal changes the amount) it returns the requirement already there."""
    existing = ReportingRequirement.objects.filter(vedtak=decision).first()
    if existing is not None:
        return existing
    application = decision.soknad
    aar = application.utlysning.aar
    frist = decision.rapportfrist or datetime.date(aar + 1, 3, 1)
    return ReportingRequirement.objects.create(
        vedtak=decision,
        prosjekt=application.prosjekt,
        type=requirement_kind(application.prosjekt, aar),
        aar=aar,
        frist=frist,
        opprinnelig_frist=frist,
    )


# --- who takes part, who is reminded ---------------------------------------------------------------


def is_done(krav: ReportingRequirement) -> bool:
    """True when the requirement's report is submitted or approved."""
    return ProgressReport.objects.filter(krav_id=krav.pk, status__in=DONE).exists()


def reminder_recipients(krav: ReportingRequirement) -> list[str]:
    """E-mail addresses that receive reminders about the requirement: the project leader and the project's
    contact persons; when the project has none of them, the active leaders of the participating services.
    Inactive users and empty addresses are left out; each address once, sorted."""
    project = krav.prosjekt
    emails: set[str] = set()
    leader = project.prosjektleder
    if leader is not None and leader.is_active and leader.email:
        emails.add(leader.email.strip().lower())
    contacts = ProjectContact.objects.filter(prosjekt_id=project.pk, user__is_active=True).values_list(
        "user__email", flat=True
    )
    emails |= {e.strip().lower() for e in contacts if e and e.strip()}
    if not emails:
        leaders = (
            RoleAssignment.objects.active()
            .filter(rolle=Role.TJENESTE_LEDER, tjeneste_id__in=participant_service_ids(krav), user__is_active=True)
            .values_list("user__email", flat=True)
        )
        emails |= {e.strip().lower() for e in leaders if e and e.strip()}
    return sorted(emails)


# --- postponements -----------------------------------------------------------------------------------


def _date(value) -> str:
    return f"{value:%d.%m.%Y}"


@transaction.atomic
def request_postponement(actor, krav: ReportingRequirement, ny_frist, begrunnelse: str) -> Postponement:
    """A user of a participating service asks for a later deadline, with a reason. Refused when the report is
    already submitted or approved, when the new deadline is not after the one in force, and when a request is
    already waiting for an answer."""
    krav = (
        ReportingRequirement.objects.select_for_update(of=("self",))
        .select_related("vedtak__soknad__utlysning__embete", "prosjekt")
        .get(pk=krav.pk)
    )
    require(actor, "projects.request_postponement", krav)
    if is_done(krav):
        raise ValidationError(_("Rapporten er allerede sendt inn. Fristen kan ikke utsettes."))
    if Postponement.objects.filter(krav=krav, status=PostponementStatus.VENTER).exists():
        raise ValidationError(_("Det finnes allerede en søknad om utsettelse som venter på svar fra statsforvalteren."))
    errors: dict[str, list[str]] = {}
    begrunnelse = (begrunnelse or "").strip()
    if not begrunnelse:
        errors.setdefault("begrunnelse", []).append(_("Skriv hvorfor dere trenger lengre frist."))
    elif len(begrunnelse) > MAX_TEXT:
        errors.setdefault("begrunnelse", []).append(
            _("Begrunnelsen kan være høyst %(n)s tegn.") % {"n": f"{MAX_TEXT:,}".replace(",", "\u00a0")}
        )
    if not isinstance(ny_frist, datetime.date):
        errors.setdefault("ny_frist", []).append(_("Oppgi ønsket ny frist som en dato, for eksempel 01.05.2027."))
    elif ny_frist <= krav.frist:
        errors.setdefault("ny_frist", []).append(
            _("Ny frist må være etter gjeldende frist, %(frist)s.") % {"frist": _date(krav.frist)}
        )
    elif ny_frist - krav.frist > MAX_POSTPONEMENT:
        errors.setdefault("ny_frist", []).append(
            _("Fristen kan utsettes med høyst ett år om gangen, til senest %(dato)s.")
            % {"dato": _date(krav.frist + MAX_POSTPONEMENT)}
        )
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():  # a concurrent request that got in first hits postponement_one_pending
            postponement = Postponement.objects.create(
                krav=krav, ny_frist=ny_frist, begrunnelse=begrunnelse, bedt_av=actor
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("Det finnes allerede en søknad om utsettelse som venter på svar fra statsforvalteren.")
        ) from exc
    audit.record(
        actor,
        "rapportkrav.utsettelse_bedt",
        postponement,
        {"rapportkrav": krav.pk, "frist": str(krav.frist), "ny_frist": str(ny_frist), "begrunnelse": begrunnelse},
    )
    return postponement


@transaction.atomic
def decide_postponement(actor, postponement: Postponement, innvilget: bool, svar: str = "") -> Postponement:
    """The statsforvalter of the embete that made the grant approves (the deadline moves to the requested date)
    or refuses (with a reason) a pending request."""
    postponement = (
        Postponement.objects.select_for_update(of=("self",))
        .select_related("krav__vedtak__soknad__utlysning__embete", "krav__prosjekt")
        .get(pk=postponement.pk)
    )
    require(actor, "projects.decide_postponement", postponement)
    if postponement.status != PostponementStatus.VENTER:
        raise ValidationError(_("Søknaden om utsettelse er allerede behandlet."))
    svar = (svar or "").strip()
    if not innvilget and not svar:
        raise ValidationError({"svar": [_("Skriv en begrunnelse når utsettelsen avslås.")]})
    if len(svar) > MAX_TEXT:
        raise ValidationError(
            {"svar": [_("Svaret kan være høyst %(n)s tegn.") % {"n": f"{MAX_TEXT:,}".replace(",", "\u00a0")}]}
        )
    krav = ReportingRequirement.objects.select_for_update(of=("self",)).get(pk=postponement.krav_id)
    changes = {"rapportkrav": krav.pk, "svar": svar}
    if innvilget:
        if postponement.ny_frist <= krav.frist:
            raise ValidationError(
                _("Ønsket frist (%(ny)s) er ikke etter gjeldende frist (%(frist)s). Avslå søknaden i stedet.")
                % {"ny": _date(postponement.ny_frist), "frist": _date(krav.frist)}
            )
        changes["frist"] = [str(krav.frist), str(postponement.ny_frist)]
        krav.frist = postponement.ny_frist
        krav.save(update_fields=["frist"])
        postponement.krav.frist = krav.frist
    postponement.status = PostponementStatus.INNVILGET if innvilget else PostponementStatus.AVSLATT
    postponement.svar = svar
    postponement.behandlet_av = actor
    postponement.behandlet = timezone.now()
    postponement.save(update_fields=["status", "svar", "behandlet_av", "behandlet"])
    audit.record(
        actor,
        "rapportkrav.utsettelse_innvilget" if innvilget else "rapportkrav.utsettelse_avslatt",
        postponement,
        changes,
    )
    from followup import tasks

    tasks.send_postponement_decided.enqueue(postponement.pk)
    return postponement
