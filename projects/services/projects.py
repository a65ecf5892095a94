"""Writes for development projects: the project's fields and themes, its phase (with history), the services
taking part (dated), project leader and contact persons, partners with their roles, outputs (resultater) and
the listing in the national knowledge bank.

Each service checks permission first (so an outsider learns nothing from validation messages), validates with
Norwegian messages, writes inside a transaction and records an audit event. A refused call changes nothing.
History is kept: periods are ended, never deleted, and phase changes are appended."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import RoleAssignment
from accounts.permissions import has_permission, require
from audit import services as audit
from common import limits
from common.text import clean_name, name_key
from common.uploads import safe_filename, validate_document
from networks.models import Membership, MembershipStatus, Orientation
from networks.services import _same_name, _themes
from projects.models import (
    Category,
    DevelopmentProject,
    Output,
    OutputKind,
    Phase,
    PhaseChange,
    ProjectContact,
    ProjectPartner,
    ProjectService,
)
from projects.permissions.projects import current_service_ids

# A development project in a learning network is cooperation between services: the scheme funds networks,
# not one service's own development work (a network needs at least two services to be active, see
# networks.services.MIN_SERVICES_FOR_ACTIVE). A running project therefore keeps at least two services.
MIN_SERVICES = 2
PROJECT_FIELDS = ("navn", "kategori", "orientering", "beskrivelse", "planlagt_start", "planlagt_slutt")
OUTPUT_FIELDS = ("type", "tittel", "beskrivelse", "lenke", "i_bruk_andre", "i_bruk_beskrivelse")


def _d(day: datetime.date) -> str:
    return date_format(day, "d.m.Y")


def _locked(project: DevelopmentProject) -> DevelopmentProject:
    return DevelopmentProject.objects.select_for_update(of=("self",)).select_related("network").get(pk=project.pk)


# --- the project ----------------------------------------------------------------------------------------


def _validate_project(project: DevelopmentProject, data: dict) -> None:
    errors: dict[str, list] = {}
    name = clean_name(data.get("navn"))
    if not name:
        errors["navn"] = [_("Navn må fylles ut.")]
    elif _same_name(DevelopmentProject.objects.filter(network_id=project.network_id).exclude(pk=project.pk), name):
        errors["navn"] = [_("Nettverket har allerede et prosjekt med dette navnet.")]
    if data.get("kategori") not in Category.values:
        errors["kategori"] = [_("Velg egeninitiert eller fosterhjem.")]
    if data.get("orientering") not in Orientation.values:
        errors["orientering"] = [_("Velg en retning fra listen.")]
    start, end = data.get("planlagt_start"), data.get("planlagt_slutt")
    if start and end and end < start:
        errors["planlagt_slutt"] = [_("Planlagt slutt kan ikke være før planlagt start.")]
    if errors:
        raise ValidationError(errors)


def _project_state(project: DevelopmentProject) -> dict:
    state = {k: getattr(project, k) for k in PROJECT_FIELDS}
    state["temaer"] = sorted(t.navn for t in project.temaer.all())
    return state


@transaction.atomic
def update_project(actor, project: DevelopmentProject, *, themes=None, new_themes=(), **fields) -> DevelopmentProject:
    """Change the project's fields; themes (a list of Theme) replaces the themes when given, new_themes are
    names of themes to add to the list (reused when a theme of that name exists)."""
    require(actor, "projects.edit_project", project)
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown project fields: {sorted(unknown)}")
    project = _locked(project)
    merged = {k: fields.get(k, getattr(project, k)) for k in PROJECT_FIELDS}
    merged["navn"] = clean_name(merged["navn"])
    merged["beskrivelse"] = (merged["beskrivelse"] or "").strip()
    _validate_project(project, merged)
    before = _project_state(project)
    for k, v in merged.items():
        setattr(project, k, v)
    project.save()
    if themes is not None or new_themes:
        current = list(themes) if themes is not None else list(project.temaer.all())
        project.temaer.set(current + _themes(list(new_themes)))
    changes = audit.diff(before, _project_state(project))
    if changes:
        audit.record(actor, "prosjekt.endret", project, changes)
    return project


# --- phase ------------------------------------------------------------------------------------------------


@transaction.atomic
def change_phase(
    actor, project: DevelopmentProject, fase: str, fra_dato: datetime.date, begrunnelse: str = ""
) -> DevelopmentProject:
    """Move the project to a phase from a date. The history is appended, never rewritten: the date cannot be
    before the last change, nor before the planned start, nor in the future. Reopening a finished (avsluttet)
    project needs a reason, kept in the audit trail."""
    require(actor, "projects.edit_project", project)
    project = _locked(project)
    history = list(project.fasehistorikk.order_by("fra_dato", "id"))
    errors: dict[str, list] = {}
    if fase not in Phase.values:
        errors["fase"] = [_("Velg en fase fra listen.")]
    elif fase == project.fase:
        errors["fase"] = [_("Prosjektet er allerede i fasen «%(f)s».") % {"f": Phase(fase).label}]
    if fra_dato is None:
        errors["fra_dato"] = [_("Oppgi datoen fasen gjelder fra.")]
    else:
        if fra_dato > timezone.localdate():
            errors["fra_dato"] = [_("Datoen kan ikke være fram i tid. Registrer faseendringen når den skjer.")]
        elif history and fra_dato < history[-1].fra_dato:
            errors["fra_dato"] = [
                _("Datoen kan ikke være før forrige faseendring (%(d)s).") % {"d": _d(history[-1].fra_dato)}
            ]
        elif project.planlagt_start and fra_dato < project.planlagt_start:
            errors["fra_dato"] = [
                _("Datoen kan ikke være før prosjektets planlagte start (%(d)s).") % {"d": _d(project.planlagt_start)}
            ]
    reopening = project.fase == Phase.AVSLUTTET and fase != Phase.AVSLUTTET
    if reopening and not (begrunnelse or "").strip():
        errors["begrunnelse"] = [_("Prosjektet er avsluttet. Skriv hvorfor det skal tas opp igjen.")]
    if errors:
        raise ValidationError(errors)
    if not history:
        # The phase the project had before the first recorded change becomes the first row of the history.
        started = project.planlagt_start or timezone.localtime(project.opprettet).date()
        PhaseChange.objects.create(prosjekt=project, fase=project.fase, fra_dato=min(started, fra_dato), endret_av=None)
    old = project.fase
    project.fase = fase
    project.save(update_fields=["fase", "endret"])
    PhaseChange.objects.create(prosjekt=project, fase=fase, fra_dato=fra_dato, endret_av=actor)
    changes = {"fase": [old, fase], "fra": fra_dato}
    if reopening:
        changes["begrunnelse"] = begrunnelse.strip()
    audit.record(actor, "prosjekt.fase", project, changes)
    return project


# --- participating services ---------------------------------------------------------------------------------


def _member_on(project: DevelopmentProject, service, day: datetime.date) -> bool:
    """The service takes part in the project's network on the day (active, or given notice with a later end)."""
    return (
        Membership.objects.filter(
            network_id=project.network_id,
            tjeneste=service,
            status__in=(MembershipStatus.AKTIV, MembershipStatus.UTMELDT),
            fra_dato__lte=day,
        )
        .filter(Q(til_dato__isnull=True) | Q(til_dato__gte=day))
        .exists()
    )


@transaction.atomic
def add_service(actor, project: DevelopmentProject, tjeneste, fra_dato: datetime.date) -> ProjectService:
    require(actor, "projects.edit_project", project)
    project = _locked(project)
    if fra_dato is None:
        raise ValidationError({"fra_dato": _("Oppgi datoen tjenesten er med fra.")})
    if ProjectService.objects.filter(prosjekt=project, tjeneste=tjeneste, til_dato__isnull=True).exists():
        raise ValidationError({"tjeneste": _("%(s)s deltar allerede i prosjektet.") % {"s": tjeneste}})
    if not _member_on(project, tjeneste, fra_dato):
        raise ValidationError(
            {
                "tjeneste": _(
                    "%(s)s deltar ikke i nettverket %(n)s per %(d)s. Bare tjenester som er med i nettverket, "
                    "kan være med i prosjektet."
                )
                % {"s": tjeneste, "n": project.network.navn, "d": _d(fra_dato)}
            }
        )
    last = ProjectService.objects.filter(prosjekt=project, tjeneste=tjeneste).order_by("-til_dato").first()
    if last is not None and last.til_dato and fra_dato <= last.til_dato:
        raise ValidationError(
            {
                "fra_dato": _("%(s)s var med i prosjektet til %(d)s. Ny deltakelse må starte etter det.")
                % {"s": tjeneste, "d": _d(last.til_dato)}
            }
        )
    link = ProjectService.objects.create(prosjekt=project, tjeneste=tjeneste, fra_dato=fra_dato)
    audit.record(actor, "prosjekt.tjeneste_lagt_til", project, {"tjeneste": tjeneste.navn, "fra": fra_dato})
    return link


@transaction.atomic
def end_service(actor, link: ProjectService, til_dato: datetime.date) -> ProjectService:
    """A service leaves the project from a date. While the project runs, at least two services remain (see
    MIN_SERVICES); a finished project may end every period."""
    require(actor, "projects.edit_project", link.prosjekt)
    project = _locked(link.prosjekt)
    link = ProjectService.objects.select_for_update(of=("self",)).select_related("tjeneste").get(pk=link.pk)
    if link.til_dato is not None:
        raise ValidationError(_("%(s)s har allerede gått ut av prosjektet.") % {"s": link.tjeneste})
    if til_dato is None:
        raise ValidationError({"til_dato": _("Oppgi siste dag tjenesten er med.")})
    if til_dato < link.fra_dato:
        raise ValidationError(
            {"til_dato": _("Til-datoen kan ikke være før tjenesten ble med (%(d)s).") % {"d": _d(link.fra_dato)}}
        )
    if project.fase != Phase.AVSLUTTET:
        remaining = (
            ProjectService.objects.filter(prosjekt=project)
            .exclude(tjeneste_id=link.tjeneste_id)
            .filter(Q(til_dato__isnull=True) | Q(til_dato__gt=til_dato))
            .values("tjeneste")
            .distinct()
            .count()
        )
        if remaining < MIN_SERVICES:
            raise ValidationError(
                {
                    "til_dato": _(
                        "Et utviklingsprosjekt i et læringsnettverk er et samarbeid mellom minst to "
                        "barnevernstjenester. Uten %(s)s ville prosjektet ha %(n)s deltakende tjeneste(r). "
                        "Legg til en annen tjeneste først, eller avslutt prosjektet."
                    )
                    % {"s": link.tjeneste, "n": remaining}
                }
            )
    link.til_dato = til_dato
    link.save(update_fields=["til_dato"])
    audit.record(actor, "prosjekt.tjeneste_avsluttet", project, {"tjeneste": link.tjeneste.navn, "til": til_dato})
    return link


# --- people -----------------------------------------------------------------------------------------------


def _works_in_project(project: DevelopmentProject, user) -> bool:
    """The user holds an active role in a service taking part in the project now."""
    ids = current_service_ids(project)
    return bool(ids) and RoleAssignment.objects.active().filter(user=user, tjeneste_id__in=ids).exists()


def _person(user) -> str:
    return user.get_full_name() or user.email


@transaction.atomic
def set_project_leader(actor, project: DevelopmentProject, user) -> DevelopmentProject:
    """Name the project leader (None removes). The leader works in a service taking part in the project."""
    require(actor, "projects.edit_project", project)
    project = _locked(project)
    if user is not None and not _works_in_project(project, user):
        raise ValidationError(
            {"prosjektleder": _("%(p)s arbeider ikke i en tjeneste som deltar i prosjektet.") % {"p": _person(user)}}
        )
    old = project.prosjektleder
    if (old.pk if old else None) == (user.pk if user else None):
        return project
    project.prosjektleder = user
    project.save(update_fields=["prosjektleder", "endret"])
    audit.record(
        actor,
        "prosjekt.prosjektleder",
        project,
        {"prosjektleder": [_person(old) if old else None, _person(user) if user else None]},
    )
    return project


@transaction.atomic
def add_contact(actor, project: DevelopmentProject, user, rolle: str = "") -> ProjectContact:
    """A contact person receives the reminders about reports; they work in a service taking part."""
    require(actor, "projects.edit_project", project)
    project = _locked(project)
    if user is None:
        raise ValidationError({"user": _("Velg en person.")})
    if ProjectContact.objects.filter(prosjekt=project, user=user).exists():
        raise ValidationError({"user": _("%(p)s er allerede kontaktperson for prosjektet.") % {"p": _person(user)}})
    if not _works_in_project(project, user):
        raise ValidationError(
            {"user": _("%(p)s arbeider ikke i en tjeneste som deltar i prosjektet.") % {"p": _person(user)}}
        )
    contact = ProjectContact.objects.create(prosjekt=project, user=user, rolle=(rolle or "").strip()[:200])
    audit.record(actor, "prosjekt.kontakt_lagt_til", project, {"person": _person(user), "rolle": contact.rolle})
    return contact


@transaction.atomic
def remove_contact(actor, contact: ProjectContact) -> None:
    require(actor, "projects.edit_project", contact.prosjekt)
    project = _locked(contact.prosjekt)
    contact = ProjectContact.objects.select_related("user").filter(pk=contact.pk).first()
    if contact is None:
        raise ValidationError(_("Kontaktpersonen er allerede fjernet."))
    name = _person(contact.user)
    contact.delete()
    audit.record(actor, "prosjekt.kontakt_fjernet", project, {"person": name})


# --- partners ---------------------------------------------------------------------------------------------


@transaction.atomic
def add_partner(actor, project: DevelopmentProject, partner, rolle: str, fra_dato: datetime.date) -> ProjectPartner:
    require(actor, "projects.edit_project", project)
    project = _locked(project)
    errors: dict[str, list] = {}
    if partner is None:
        errors["partner"] = [_("Velg en partner.")]
    elif ProjectPartner.objects.filter(prosjekt=project, partner=partner, til_dato__isnull=True).exists():
        errors["partner"] = [_("%(p)s er allerede partner i prosjektet.") % {"p": partner}]
    if not (rolle or "").strip():
        errors["rolle"] = [_("Beskriv hvilken rolle partneren har i prosjektet.")]
    if fra_dato is None:
        errors["fra_dato"] = [_("Oppgi datoen partneren er med fra.")]
    if errors:
        raise ValidationError(errors)
    link = ProjectPartner.objects.create(prosjekt=project, partner=partner, rolle=rolle.strip(), fra_dato=fra_dato)
    audit.record(
        actor, "prosjekt.partner_lagt_til", project, {"partner": partner.navn, "rolle": link.rolle, "fra": fra_dato}
    )
    return link


@transaction.atomic
def end_partner(actor, link: ProjectPartner, til_dato: datetime.date) -> ProjectPartner:
    require(actor, "projects.edit_project", link.prosjekt)
    project = _locked(link.prosjekt)
    link = ProjectPartner.objects.select_for_update(of=("self",)).select_related("partner").get(pk=link.pk)
    if link.til_dato is not None:
        raise ValidationError(_("Partnerskapet er allerede avsluttet."))
    if til_dato is None or til_dato < link.fra_dato:
        raise ValidationError(
            {"til_dato": _("Til-datoen kan ikke være før fra-datoen (%(d)s).") % {"d": _d(link.fra_dato)}}
        )
    link.til_dato = til_dato
    link.save(update_fields=["til_dato"])
    audit.record(actor, "prosjekt.partner_avsluttet", project, {"partner": link.partner.navn, "til": til_dato})
    return link


# --- outputs (resultater) ----------------------------------------------------------------------------------


def _validate_output(project: DevelopmentProject, data: dict, instance: Output | None, fil) -> dict:
    """Cleaned values or a field-keyed ValidationError."""
    errors: dict[str, list] = {}
    clean = {
        "type": data.get("type"),
        "tittel": clean_name(data.get("tittel")),
        "beskrivelse": (data.get("beskrivelse") or "").strip(),
        "lenke": (data.get("lenke") or "").strip(),
        "i_bruk_andre": bool(data.get("i_bruk_andre")),
        "i_bruk_beskrivelse": (data.get("i_bruk_beskrivelse") or "").strip(),
    }
    if clean["type"] not in OutputKind.values:
        errors["type"] = [_("Velg hva slags resultat det er.")]
    if not clean["tittel"]:
        errors["tittel"] = [_("Tittel må fylles ut.")]
    elif len(clean["tittel"]) > limits.NAME:
        errors["tittel"] = [_("Tittelen kan ha høyst %(n)s tegn.") % {"n": limits.NAME}]
    else:
        others = Output.objects.filter(prosjekt=project)
        if instance is not None:
            others = others.exclude(pk=instance.pk)
        if _same_name_title(others, clean["tittel"]):
            errors["tittel"] = [
                _("Prosjektet har allerede et resultat med tittelen «%(t)s». Velg en annen tittel.")
                % {"t": clean["tittel"]}
            ]
    if not clean["beskrivelse"]:
        errors["beskrivelse"] = [_("Beskriv resultatet, slik at andre nettverk forstår hva det er.")]
    if clean["lenke"]:
        try:
            URLValidator(schemes=["http", "https"])(clean["lenke"])
        except ValidationError:
            errors["lenke"] = [_("Oppgi en gyldig lenke som begynner med https:// eller http://.")]
        if len(clean["lenke"]) > 500:
            errors["lenke"] = [_("Lenken kan ha høyst 500 tegn.")]
    if clean["i_bruk_andre"] and not clean["i_bruk_beskrivelse"]:
        errors["i_bruk_beskrivelse"] = [_("Skriv hvilke tjenester som har tatt resultatet i bruk.")]
    if not clean["i_bruk_andre"]:
        clean["i_bruk_beskrivelse"] = ""
    if fil is not None:
        try:
            validate_document(fil)
        except ValidationError as exc:
            errors["fil"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return clean


def _same_name_title(queryset, title: str) -> bool:
    wanted = name_key(title)
    return any(name_key(t) == wanted for t in queryset.values_list("tittel", flat=True))


def _delete_file_later(fil) -> None:
    """Remove a replaced or deleted file once the transaction has committed (a rollback keeps it)."""
    if fil:
        storage, name = fil.storage, fil.name
        transaction.on_commit(lambda: storage.delete(name))


def _output_state(output: Output) -> dict:
    state = {k: getattr(output, k) for k in OUTPUT_FIELDS}
    state["fil"] = output.filnavn
    return state


@transaction.atomic
def add_output(actor, project: DevelopmentProject, *, fil=None, **data) -> Output:
    """An output with a description, and an attachment (PDF, DOCX, ODT; checked by content) and/or a link."""
    require(actor, "projects.add_output", project)
    project = _locked(project)
    clean = _validate_output(project, data, None, fil)
    output = Output(prosjekt=project, opprettet_av=actor, **clean)
    if fil is not None:
        name = safe_filename(fil.name)
        fil.name = name
        output.fil, output.filnavn = fil, name
    output.save()
    audit.record(actor, "prosjekt.resultat_lagt_til", project, {"tittel": output.tittel, "fil": output.filnavn})
    return output


@transaction.atomic
def update_output(actor, output: Output, *, fil=None, fjern_fil: bool = False, **data) -> Output:
    """Change an output. A new file replaces the old one; fjern_fil removes the attachment."""
    require(actor, "projects.add_output", output.prosjekt)
    project = _locked(output.prosjekt)
    output = Output.objects.select_for_update(of=("self",)).get(pk=output.pk)
    merged = {k: data.get(k, getattr(output, k)) for k in OUTPUT_FIELDS}
    clean = _validate_output(project, merged, output, fil)
    before = _output_state(output)
    for k, v in clean.items():
        setattr(output, k, v)
    if fil is not None or fjern_fil:
        _delete_file_later(output.fil)
        output.fil, output.filnavn = "", ""
    if fil is not None:
        name = safe_filename(fil.name)
        fil.name = name
        output.fil, output.filnavn = fil, name
    output.save()
    changes = audit.diff(before, _output_state(output))
    if changes:
        audit.record(actor, "prosjekt.resultat_endret", project, {"tittel": output.tittel, **changes})
    return output


@transaction.atomic
def delete_output(actor, output: Output) -> None:
    """Editors delete any output; a colleague (medarbeider) deletes the outputs they added themselves."""
    project = output.prosjekt
    if not has_permission(actor, "projects.edit_project", project):
        if not (has_permission(actor, "projects.add_output", project) and output.opprettet_av_id == actor.pk):
            raise PermissionDenied(_("Du har ikke tilgang til dette."))
    project = _locked(project)
    output = Output.objects.filter(pk=output.pk).first()
    if output is None:
        raise ValidationError(_("Resultatet er allerede slettet."))
    title, fil = output.tittel, output.fil
    output.delete()
    _delete_file_later(fil)
    audit.record(actor, "prosjekt.resultat_slettet", project, {"tittel": title})


# --- knowledge bank -------------------------------------------------------------------------------------------


@transaction.atomic
def set_listing(actor, project: DevelopmentProject, listed: bool) -> DevelopmentProject:
    """Show or hide the project in the national knowledge bank. A listed project needs a description, so
    other networks can understand what it is about."""
    require(actor, "projects.set_listing", project)
    project = _locked(project)
    listed = bool(listed)
    if project.i_kunnskapsbanken == listed:
        return project
    if listed and not project.beskrivelse.strip():
        raise ValidationError(
            _(
                "Skriv en beskrivelse av prosjektet før det vises i kunnskapsbanken, "
                "så andre nettverk forstår hva det er."
            )
        )
    project.i_kunnskapsbanken = listed
    project.save(update_fields=["i_kunnskapsbanken", "endret"])
    audit.record(actor, "prosjekt.kunnskapsbank", project, {"i_kunnskapsbanken": [not listed, listed]})
    return project
