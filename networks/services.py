"""Writes for learning networks. Each service checks permission, validates, writes atomically and
records an audit event. History is kept: nothing here overwrites a past period."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import RoleAssignment
from accounts.permissions import has_permission, require
from audit import services as audit
from common import limits
from common.text import clean_name, name_key
from common.uploads import safe_filename, validate_document
from organisations.models import ChildWelfareService, OppvekstTjenestetype

from .models import (
    OPEN_MEMBERSHIP,
    DocumentKind,
    Gathering,
    GatheringAttendance,
    GatheringFormat,
    GuidelineVersion,
    LearningNetwork,
    Membership,
    MembershipStatus,
    NetworkDocument,
    NetworkPartner,
    NetworkPerson,
    NetworkStatus,
    NetworkStatusChange,
    OppvekstParticipant,
    PersonRole,
    Theme,
)

MIN_SERVICES_FOR_ACTIVE = 2


def _d(day: datetime.date) -> str:
    return date_format(day, "d.m.Y")


def guideline_on(day: datetime.date) -> GuidelineVersion | None:
    return GuidelineVersion.objects.filter(gyldig_fra__lte=day).order_by("-gyldig_fra").first()


def _themes(names: list[str]) -> list[Theme]:
    themes = []
    for name in names:
        name = name.strip()
        if name:
            theme = _same_name(Theme.objects.all(), name) or Theme.objects.create(navn=name[:150])
            themes.append(theme)
    return themes


def _same_name(queryset, name: str):
    """The row whose navn equals name, ignoring case. In Python, because SQLite's case folding
    (iexact/LIKE, LOWER) only covers ASCII, so "ØRSTA" would not match "Ørsta" there."""
    wanted = name_key(name)
    return next((obj for obj in queryset.only("pk", "navn") if name_key(obj.navn) == wanted), None)


# --- network -----------------------------------------------------------------------------------

NETWORK_FIELDS = ("navn", "beskrivelse", "maal", "etablert_aar", "orientering", "overordnet")


def _validate_network(embete, data: dict, instance: LearningNetwork | None) -> None:
    errors = {}
    data["navn"] = name = clean_name(data.get("navn"))
    if not name:
        errors["navn"] = [_("Navn må fylles ut.")]
    else:
        clash = LearningNetwork.objects.filter(embete=embete)
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if _same_name(clash, name) is not None:
            errors["navn"] = [_("Embetet har allerede et nettverk med dette navnet.")]
    year = data.get("etablert_aar")
    this_year = timezone.localdate().year
    if year is None or not (2000 <= int(year) <= this_year + 1):
        errors["etablert_aar"] = [_("Oppgi år etablert mellom 2000 og %(y)s.") % {"y": this_year + 1}]
    parent = data.get("overordnet")
    if parent is not None and parent.embete_id != embete.pk:
        errors["overordnet"] = [_("Et nettverk kan bare være del av et nettverk i samme embete.")]
    if parent is not None and instance is not None and parent.pk == instance.pk:
        errors["overordnet"] = [_("Et nettverk kan ikke være del av seg selv.")]
    elif parent is not None and parent.overordnet_id is not None:
        # One level only (as the form offers), which also rules out cycles A → B → A.
        errors["overordnet"] = [_("Et nettverk kan bare være del av et hovednettverk, ikke av en undergruppe.")]
    elif parent is not None and instance is not None and instance.undergrupper.exists():
        errors["overordnet"] = [_("Et nettverk som har undergrupper, kan ikke selv være undergruppe.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_network(actor, *, embete, themes=(), new_themes=(), **data) -> LearningNetwork:
    require(actor, "networks.add_network", embete)
    _validate_network(embete, data, None)
    network = LearningNetwork.objects.create(
        embete=embete,
        status=NetworkStatus.ETABLERING,
        status_fra=timezone.localdate(),
        **{k: data.get(k) for k in NETWORK_FIELDS if k in data},
    )
    network.temaer.set(list(themes) + _themes(list(new_themes)))
    NetworkStatusChange.objects.create(
        network=network, status=network.status, fra_dato=network.status_fra, endret_av=actor
    )
    audit.record(actor, "nettverk.opprettet", network, {"navn": network.navn, "embete": embete.slug})
    return network


@transaction.atomic
def update_network(actor, network: LearningNetwork, *, themes=None, new_themes=(), **data) -> LearningNetwork:
    require(actor, "networks.manage_network", network)
    network = LearningNetwork.objects.select_for_update().get(pk=network.pk)
    merged = {k: data.get(k, getattr(network, k)) for k in NETWORK_FIELDS}
    _validate_network(network.embete, merged, network)
    before = {k: getattr(network, k) for k in NETWORK_FIELDS}
    before["temaer"] = sorted(t.navn for t in network.temaer.all())
    for k, v in merged.items():
        setattr(network, k, v)
    network.save()
    if themes is not None:
        network.temaer.set(list(themes) + _themes(list(new_themes)))
    after = {k: getattr(network, k) for k in NETWORK_FIELDS}
    after["temaer"] = sorted(t.navn for t in network.temaer.all())
    changes = audit.diff(before, after)
    if changes:
        audit.record(actor, "nettverk.endret", network, changes)
    return network


def active_service_count(network: LearningNetwork, on: datetime.date | None = None) -> int:
    on = on or timezone.localdate()
    return (
        network.medlemskap.filter(status__in=(MembershipStatus.AKTIV, MembershipStatus.UTMELDT), fra_dato__lte=on)
        .exclude(til_dato__lt=on)
        .values("tjeneste")
        .distinct()
        .count()
    )


@transaction.atomic
def change_status(actor, network: LearningNetwork, status: str, fra_dato: datetime.date) -> LearningNetwork:
    require(actor, "networks.manage_network", network)
    network = LearningNetwork.objects.select_for_update().get(pk=network.pk)
    if status not in NetworkStatus.values:
        raise ValidationError({"status": _("Ugyldig status.")})
    if status == network.status:
        raise ValidationError({"status": _("Nettverket har allerede denne statusen.")})
    if fra_dato < network.status_fra:
        raise ValidationError(
            {"fra_dato": _("Datoen kan ikke være før forrige statusendring (%(d)s).") % {"d": _d(network.status_fra)}}
        )
    if status == NetworkStatus.AKTIV:
        count = active_service_count(network, fra_dato)
        if count < MIN_SERVICES_FOR_ACTIVE:
            raise ValidationError(
                {
                    "status": _(
                        "Et læringsnettverk må ha minst to deltakende barnevernstjenester for å bli aktivt. "
                        "Nettverket har %(n)s deltakende tjeneste(r) per %(d)s. Inviter flere tjenester først."
                    )
                    % {"n": count, "d": _d(fra_dato)}
                }
            )
    old = network.status
    network.status, network.status_fra = status, fra_dato
    network.save(update_fields=["status", "status_fra", "endret"])
    NetworkStatusChange.objects.create(network=network, status=status, fra_dato=fra_dato, endret_av=actor)
    audit.record(actor, "nettverk.status", network, {"status": [old, status], "fra": fra_dato})
    return network


# --- memberships -------------------------------------------------------------------------------


def _open_membership(network, service) -> Membership | None:
    return Membership.objects.filter(network=network, tjeneste=service, status__in=OPEN_MEMBERSHIP).first()


def _check_same_embete(network, service: ChildWelfareService) -> None:
    if service.vertskommune.embete_id != network.embete_id:
        raise ValidationError(
            {"tjeneste": _("%(s)s hører til et annet embete og kan ikke være med i dette nettverket.") % {"s": service}}
        )


def _refuse_if_open(network, service) -> None:
    existing = _open_membership(network, service)
    if existing is not None:
        raise ValidationError(
            {
                "tjeneste": _("%(s)s har allerede status «%(status)s» i nettverket.")
                % {"s": service, "status": existing.get_status_display().lower()}
            }
        )


@transaction.atomic
def invite_service(actor, network: LearningNetwork, service: ChildWelfareService) -> Membership:
    require(actor, "networks.manage_network", network)
    _check_same_embete(network, service)
    existing = _open_membership(network, service)
    if existing is not None and existing.status == MembershipStatus.SOKT:
        return approve_request(actor, existing, timezone.localdate())
    _refuse_if_open(network, service)
    membership = Membership.objects.create(
        network=network, tjeneste=service, status=MembershipStatus.INVITERT, opprettet_av=actor
    )
    audit.record(actor, "nettverk.tjeneste_invitert", network, {"tjeneste": service.navn})
    return membership


@transaction.atomic
def respond_to_invitation(actor, membership: Membership, *, accept: bool, fra_dato=None) -> Membership:
    require(actor, "networks.respond_invitation", membership)
    membership = Membership.objects.select_for_update().select_related("network", "tjeneste").get(pk=membership.pk)
    if membership.status != MembershipStatus.INVITERT:
        raise ValidationError(_("Invitasjonen er allerede besvart."))
    membership.status = MembershipStatus.AKTIV if accept else MembershipStatus.AVSLATT
    membership.fra_dato = (fra_dato or timezone.localdate()) if accept else None
    membership.save(update_fields=["status", "fra_dato"])
    audit.record(
        actor,
        "nettverk.invitasjon_akseptert" if accept else "nettverk.invitasjon_avslatt",
        membership.network,
        {"tjeneste": membership.tjeneste.navn},
    )
    return membership


@transaction.atomic
def request_to_join(actor, network: LearningNetwork, service: ChildWelfareService, begrunnelse="") -> Membership:
    require(actor, "networks.request_join", network)
    # Read the status from the locked row, not from the caller's possibly stale object.
    network = LearningNetwork.objects.select_for_update().get(pk=network.pk)
    _check_same_embete(network, service)
    _refuse_if_open(network, service)
    if network.status == NetworkStatus.AVSLUTTET:
        raise ValidationError(_("Nettverket er avsluttet og tar ikke inn nye tjenester."))
    membership = Membership.objects.create(
        network=network, tjeneste=service, status=MembershipStatus.SOKT, begrunnelse=begrunnelse, opprettet_av=actor
    )
    audit.record(actor, "nettverk.tjeneste_ba_om_aa_bli_med", network, {"tjeneste": service.navn})
    return membership


@transaction.atomic
def approve_request(actor, membership: Membership, fra_dato: datetime.date) -> Membership:
    require(actor, "networks.manage_network", membership.network)
    membership = Membership.objects.select_for_update().select_related("network", "tjeneste").get(pk=membership.pk)
    if membership.status != MembershipStatus.SOKT:
        raise ValidationError(_("Forespørselen er allerede behandlet."))
    membership.status, membership.fra_dato = MembershipStatus.AKTIV, fra_dato
    membership.save(update_fields=["status", "fra_dato"])
    audit.record(actor, "nettverk.forespørsel_godkjent", membership.network, {"tjeneste": membership.tjeneste.navn})
    return membership


@transaction.atomic
def decline_request(actor, membership: Membership) -> Membership:
    require(actor, "networks.manage_network", membership.network)
    membership = Membership.objects.select_for_update().select_related("network", "tjeneste").get(pk=membership.pk)
    if membership.status != MembershipStatus.SOKT:
        raise ValidationError(_("Forespørselen er allerede behandlet."))
    membership.status = MembershipStatus.AVSLATT
    membership.save(update_fields=["status"])
    audit.record(actor, "nettverk.forespørsel_avslatt", membership.network, {"tjeneste": membership.tjeneste.navn})
    return membership


@transaction.atomic
def add_member_directly(actor, network, service, fra_dato: datetime.date) -> Membership:
    """Register a service that already takes part (e.g. when moving a network from Excel)."""
    require(actor, "networks.manage_network", network)
    _check_same_embete(network, service)
    _refuse_if_open(network, service)
    membership = Membership.objects.create(
        network=network, tjeneste=service, status=MembershipStatus.AKTIV, fra_dato=fra_dato, opprettet_av=actor
    )
    audit.record(actor, "nettverk.tjeneste_lagt_til", network, {"tjeneste": service.navn, "fra": fra_dato})
    return membership


@transaction.atomic
def leave_network(actor, membership: Membership, til_dato: datetime.date, begrunnelse: str = "") -> Membership:
    require(actor, "networks.leave", membership)
    membership = Membership.objects.select_for_update().select_related("network", "tjeneste").get(pk=membership.pk)
    if membership.status != MembershipStatus.AKTIV:
        raise ValidationError(_("Tjenesten deltar ikke i nettverket nå."))
    if til_dato < membership.fra_dato:
        raise ValidationError(
            {
                "til_dato": _("Utmeldingsdatoen kan ikke være før tjenesten ble med i nettverket (%(d)s).")
                % {"d": _d(membership.fra_dato)}
            }
        )
    membership.status, membership.til_dato = MembershipStatus.UTMELDT, til_dato
    if begrunnelse:
        membership.begrunnelse = begrunnelse
    membership.save(update_fields=["status", "til_dato", "begrunnelse"])
    # People who represented the service in the network leave with it.
    NetworkPerson.objects.filter(
        network=membership.network, tjeneste=membership.tjeneste, til_dato__isnull=True, fra_dato__lte=til_dato
    ).update(til_dato=til_dato)
    audit.record(
        actor, "nettverk.tjeneste_gikk_ut", membership.network, {"tjeneste": membership.tjeneste.navn, "til": til_dato}
    )
    return membership


# --- people ------------------------------------------------------------------------------------

SERVICE_LEADER_MAY_NAME = (PersonRole.DELTAKER, PersonRole.KONTAKTPERSON)


@transaction.atomic
def add_person(
    actor,
    network: LearningNetwork,
    *,
    rolle: str,
    fra_dato: datetime.date,
    user=None,
    navn: str = "",
    stilling: str = "",
    epost: str = "",
    tjeneste: ChildWelfareService | None = None,
    kommuneledelse: bool = False,
    til_dato: datetime.date | None = None,
) -> NetworkPerson:
    membership = _open_membership(network, tjeneste) if tjeneste is not None else None
    if membership is not None and membership.status != MembershipStatus.AKTIV:
        membership = None
    errors = {}
    # Permission first, so an outsider learns nothing from validation messages. Staff of the embete
    # name anyone; a service leader names participants and contact persons of an active member service.
    if not has_permission(actor, "networks.manage_network", network):
        if membership is None or rolle not in SERVICE_LEADER_MAY_NAME:
            raise PermissionDenied(_("Du har ikke tilgang til dette."))
        require(actor, "networks.name_participant", membership)
        if user is not None and not RoleAssignment.objects.active().filter(user=user, tjeneste=tjeneste).exists():
            errors["user"] = [_("Personen arbeider ikke i %(s)s.") % {"s": tjeneste}]
    if tjeneste is not None and membership is None:
        errors["tjeneste"] = [_("%(s)s deltar ikke i nettverket.") % {"s": tjeneste}]
    if rolle not in PersonRole.values:
        errors["rolle"] = [_("Ugyldig rolle.")]
    navn = clean_name(navn)
    if user is None and not navn:
        errors["navn"] = [_("Velg en bruker eller skriv inn navnet på personen.")]
    if til_dato is not None and til_dato < fra_dato:
        errors["til_dato"] = [_("Til-datoen kan ikke være før fra-datoen.")]
    if rolle == PersonRole.KONTAKTPERSON and tjeneste is None:
        errors["tjeneste"] = [_("En kontaktperson representerer en tjeneste. Velg tjeneste.")]
    if errors:
        raise ValidationError(errors)
    person = NetworkPerson.objects.create(
        network=network,
        rolle=rolle,
        user=user,
        navn=navn,
        stilling=stilling.strip(),
        epost=epost.strip(),
        tjeneste=tjeneste,
        kommuneledelse=kommuneledelse,
        fra_dato=fra_dato,
        til_dato=til_dato,
    )
    audit.record(
        actor,
        "nettverk.person_lagt_til",
        network,
        {"person": person.display_name, "rolle": rolle, "tjeneste": str(tjeneste or ""), "fra": fra_dato},
    )
    return person


@transaction.atomic
def end_person(actor, person: NetworkPerson, til_dato: datetime.date) -> NetworkPerson:
    membership = _open_membership(person.network, person.tjeneste) if person.tjeneste_id else None
    if membership is not None and person.rolle in SERVICE_LEADER_MAY_NAME:
        require(actor, "networks.name_participant", membership)
    else:
        require(actor, "networks.manage_network", person.network)
    person = NetworkPerson.objects.select_for_update().get(pk=person.pk)
    if person.til_dato is not None:
        raise ValidationError(_("Rollen er allerede avsluttet."))
    if til_dato < person.fra_dato:
        raise ValidationError(
            {"til_dato": _("Til-datoen kan ikke være før fra-datoen (%(d)s).") % {"d": _d(person.fra_dato)}}
        )
    person.til_dato = til_dato
    person.save(update_fields=["til_dato"])
    audit.record(actor, "nettverk.person_avsluttet", person.network, {"person": person.display_name, "til": til_dato})
    return person


# --- partners and other oppvekst services ------------------------------------------------------


@transaction.atomic
def add_partner(actor, network, partner, rolle: str, fra_dato: datetime.date) -> NetworkPartner:
    require(actor, "networks.manage_network", network)
    if not (rolle or "").strip():
        raise ValidationError({"rolle": _("Beskriv hvilken rolle partneren har i nettverket.")})
    if NetworkPartner.objects.filter(network=network, partner=partner, til_dato__isnull=True).exists():
        raise ValidationError({"partner": _("%(p)s er allerede partner i nettverket.") % {"p": partner}})
    link = NetworkPartner.objects.create(network=network, partner=partner, rolle=rolle.strip(), fra_dato=fra_dato)
    audit.record(actor, "nettverk.partner_lagt_til", network, {"partner": partner.navn, "rolle": rolle})
    return link


@transaction.atomic
def end_partner(actor, link: NetworkPartner, til_dato: datetime.date) -> NetworkPartner:
    require(actor, "networks.manage_network", link.network)
    link = NetworkPartner.objects.select_for_update().select_related("network", "partner").get(pk=link.pk)
    if link.til_dato is not None:
        # An ended period is history and is never moved.
        raise ValidationError(_("Partnerskapet er allerede avsluttet."))
    if til_dato < link.fra_dato:
        raise ValidationError({"til_dato": _("Til-datoen kan ikke være før fra-datoen.")})
    link.til_dato = til_dato
    link.save(update_fields=["til_dato"])
    audit.record(actor, "nettverk.partner_avsluttet", link.network, {"partner": link.partner.navn, "til": til_dato})
    return link


@transaction.atomic
def add_oppvekst(actor, network, *, type: str, navn: str, fra_dato: datetime.date, kommune=None) -> OppvekstParticipant:
    require(actor, "networks.manage_network", network)
    if type not in OppvekstTjenestetype.values:
        raise ValidationError({"type": _("Velg en type tjeneste fra listen.")})
    guideline = guideline_on(fra_dato)
    if guideline is None or not guideline.oppvekst_tillatt:
        first = GuidelineVersion.objects.filter(oppvekst_tillatt=True).order_by("gyldig_fra").first()
        raise ValidationError(
            {
                "fra_dato": _(
                    "Etter %(g)s kan andre oppveksttjenester ikke delta i læringsnettverk. Det er tillatt fra %(d)s."
                )
                % {"g": guideline or _("retningslinjene som gjaldt"), "d": _d(first.gyldig_fra) if first else "–"}
            }
        )
    navn = clean_name(navn)
    if not navn:
        raise ValidationError({"navn": _("Navn må fylles ut.")})
    participant = OppvekstParticipant.objects.create(
        network=network, type=type, navn=navn, kommune=kommune, fra_dato=fra_dato
    )
    audit.record(actor, "nettverk.oppvekst_lagt_til", network, {"navn": participant.navn, "type": type})
    return participant


# --- documents and gatherings ------------------------------------------------------------------


@transaction.atomic
def upload_document(actor, network, *, type: str, tittel: str, fil) -> NetworkDocument:
    require(actor, "networks.manage_network", network)
    if type not in DocumentKind.values:
        raise ValidationError({"type": _("Velg en dokumenttype fra listen.")})
    detected = validate_document(fil)
    name = safe_filename(fil.name)
    fil.name = name
    document = NetworkDocument.objects.create(
        network=network,
        type=type,
        tittel=(clean_name(tittel) or name)[: limits.NAME],
        fil=fil,
        filnavn=name,
        innholdstype=detected.content_type,
        storrelse=fil.size,
        lastet_opp_av=actor,
    )
    audit.record(actor, "nettverk.dokument_lastet_opp", network, {"tittel": document.tittel, "fil": name})
    return document


@transaction.atomic
def create_gathering(
    actor,
    network,
    *,
    tittel: str,
    dato: datetime.date,
    format: str,
    sted: str = "",
    agenda: str = "",
    oppmote: dict | None = None,
    referat=None,
) -> Gathering:
    """oppmote: {service: number of people}. Only services taking part in the network on the day may be listed."""
    require(actor, "networks.manage_network", network)
    errors = {}
    members = set(
        network.medlemskap.filter(status__in=(MembershipStatus.AKTIV, MembershipStatus.UTMELDT), fra_dato__lte=dato)
        .exclude(til_dato__lt=dato)
        .values_list("tjeneste_id", flat=True)
    )
    for service, count in (oppmote or {}).items():
        if service.pk not in members:
            errors.setdefault("oppmote", []).append(_("%(s)s deltar ikke i nettverket.") % {"s": service})
        elif count is None or int(count) < 1:
            errors.setdefault("oppmote", []).append(_("Antall personer fra %(s)s må være minst 1.") % {"s": service})
    tittel = clean_name(tittel)
    if not tittel:
        errors["tittel"] = [_("Tittel må fylles ut.")]
    if format not in GatheringFormat.values:
        errors["format"] = [_("Velg fysisk, digital eller hybrid.")]
    if errors:
        raise ValidationError(errors)
    document = None
    if referat is not None:
        document = upload_document(
            actor, network, type="referat", tittel=_("Referat: %(t)s") % {"t": tittel}, fil=referat
        )
    gathering = Gathering.objects.create(
        network=network, tittel=tittel, dato=dato, format=format, sted=sted, agenda=agenda, referat=document
    )
    GatheringAttendance.objects.bulk_create(
        GatheringAttendance(samling=gathering, tjeneste=s, antall_personer=int(c)) for s, c in (oppmote or {}).items()
    )
    audit.record(
        actor,
        "nettverk.samling_registrert",
        network,
        {"samling": gathering.tittel, "dato": dato, "deltakere": sum(int(c) for c in (oppmote or {}).values())},
    )
    return gathering
