"""Writes for stimulus grants. Each service checks permission, validates, writes inside a transaction,
records an audit event and schedules side effects (e-mails, letters) after commit.

Row locks (SELECT … FOR UPDATE, PostgreSQL) name only the row they are for: of=("self",) when the query also
joins related rows. Without it PostgreSQL would lock every joined row (the round, the embete, the guideline
version), serialising unrelated work, and refuses outright when a join is nullable (an outer join)."""

import datetime
import math
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import STATSFORVALTER_ROLES, RoleAssignment
from accounts.permissions import require
from audit import services as audit
from common import limits
from common import money as money_bounds
from common.money import kr
from common.text import clean_name
from common.uploads import safe_filename, validate_document
from networks.models import Membership, MembershipStatus
from networks.services import _same_name
from organisations.models import PartnerType
from projects.models import Category, DevelopmentProject, ProjectService
from projects.services.applications import join_from_application

from . import drafts_lifecycle, events, repayments, rounds, selectors_content, workflow
from .ledger import awarded_total, carried_total, claimed_total, final_amount, paid_total
from .models import (
    APPEAL_DAYS,
    AWARDED,
    DECIDED,
    ZERO,
    Appeal,
    Application,
    ApplicationPartner,
    ApplicationRound,
    ApplicationStatus,
    ApplicationVersion,
    Assessment,
    Attachment,
    Award,
    AwardSource,
    BudgetKind,
    BudgetLine,
    CarryOver,
    Decision,
    Frame,
    FrameAdjustment,
    GrantScheme,
    ImpartialityDeclaration,
    Payment,
    Recommendation,
    RoundStatus,
    Score,
)
from .selectors import lead_applicant
from .tasks import (
    decisions_lacking_letters,
    deliver_decision,
    generate_round_letters,
    letters_key,
    send_receipt,
    send_round_published,
)

SCHEME_NAME = "Stimuleringsmidler til kommunale læringsnettverk"
# Partners that count as «kunnskapspartner eller Bufetat» under guidelines that require one.
KNOWLEDGE_PARTNER_TYPES = {
    PartnerType.BUFETAT,
    PartnerType.RKBU,
    PartnerType.RBUP,
    PartnerType.NUBU,
    PartnerType.RVTS,
    PartnerType.KORUS,
    PartnerType.UNIVERSITET,
}
EMBETE_CODES = {
    "agder": "AG",
    "innlandet": "IN",
    "more-og-romsdal": "MR",
    "nordland": "NO",
    "ostfold-buskerud-oslo-akershus": "OBOA",
    "rogaland": "RO",
    "troms-og-finnmark": "TF",
    "trondelag": "TR",
    "vestfold-og-telemark": "VT",
    "vestland": "VL",
}
# Statuses in which the statsforvalter assesses (recommends, prioritises) an application.
ASSESSABLE = (ApplicationStatus.SENDT_INN, ApplicationStatus.UNDER_BEHANDLING)
MAX_AMOUNT = money_bounds.MAX_AMOUNT  # what a money column can hold (common.money)


def _d(day: datetime.date) -> str:
    return date_format(day, "d.m.Y")


def scheme() -> GrantScheme:
    return GrantScheme.objects.get_or_create(navn=SCHEME_NAME)[0]


def money(value, field: str, label: str) -> Decimal:
    """Parse a non-negative amount in whole kroner (common.money.parse_kroner, the one parser) or raise a
    Norwegian ValidationError for the field. An empty value is refused too: it is not an amount."""
    try:
        amount = money_bounds.parse_kroner(value, label)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None
    if amount is None:
        raise ValidationError(
            {field: _("%(l)s: skriv beløpet med sifre, for eksempel %(e)s.") % {"l": label, "e": money_bounds.EXAMPLE}}
        )
    return amount


# --- frames (Bufdir) ---------------------------------------------------------------------------


@transaction.atomic
def set_frame(actor, *, embete, aar: int, kategori: str, belop, begrunnelse: str = "") -> Frame:
    require(actor, "grants.manage_frames")
    if kategori not in Category.values:
        raise ValidationError({"kategori": _("Ugyldig kategori.")})
    amount = money(belop, "belop", _("Rammen"))
    frame = (
        Frame.objects.select_for_update().filter(ordning=scheme(), aar=aar, embete=embete, kategori=kategori).first()
    )
    if frame is None:
        frame = Frame.objects.create(ordning=scheme(), aar=aar, embete=embete, kategori=kategori, belop=amount)
        audit.record(actor, "ramme.satt", frame, {"belop": amount})
        return frame
    if amount == frame.belop:
        return frame
    if not (begrunnelse or "").strip():
        raise ValidationError({"begrunnelse": _("Skriv en begrunnelse for endringen av rammen.")})
    awarded = awarded_total(frame)
    if amount < awarded:
        raise ValidationError(
            {"belop": _("Rammen kan ikke settes lavere enn det som allerede er tildelt (%(a)s).") % {"a": kr(awarded)}}
        )
    FrameAdjustment.objects.create(
        ramme=frame, fra_belop=frame.belop, til_belop=amount, begrunnelse=begrunnelse.strip(), endret_av=actor
    )
    audit.record(actor, "ramme.justert", frame, {"belop": [frame.belop, amount], "begrunnelse": begrunnelse})
    frame.belop = amount
    frame.save(update_fields=["belop", "endret"])
    return frame


# --- rounds (statsforvalter) -------------------------------------------------------------------

ROUND_FIELDS = (
    "tittel",
    "tittel_nynorsk",
    "apner",
    "frist",
    "retningslinjer",
    "kriterier",
    "egeninitiert",
    "fosterhjem",
    "maks_belop",
    "dokumentkrav",
    "rapportfrist",
    "tilbakebetaling_terskel",
    "overforing_tillatt",
    "rullerende",
)


def _validate_round(data: dict) -> None:
    """Validate round fields; amounts given as text are parsed into Decimal in place."""
    errors = {}
    if "tittel" in data:
        data["tittel"] = clean_name(data["tittel"])
        if not data["tittel"]:
            errors["tittel"] = [_("Tittel må fylles ut.")]
    if "tittel_nynorsk" in data:
        data["tittel_nynorsk"] = clean_name(data["tittel_nynorsk"] or "")
    if not data.get("retningslinjer"):
        errors["retningslinjer"] = [_("Velg hvilke retningslinjer som gjelder for utlysningen.")]
    if not data.get("apner"):
        errors["apner"] = [_("Velg datoen utlysningen åpner.")]
    if not data.get("frist"):
        errors["frist"] = [_("Velg søknadsfristen.")]
    if data.get("apner") and data.get("frist") and data["frist"] < data["apner"]:
        errors["frist"] = [_("Søknadsfristen kan ikke være før utlysningen åpner.")]
    if not data.get("egeninitiert") and not data.get("fosterhjem"):
        errors["egeninitiert"] = [_("Velg minst én kategori som kan søke.")]
    if data.get("maks_belop") in ("", None):
        data["maks_belop"] = None
    else:
        try:
            data["maks_belop"] = money(data["maks_belop"], "maks_belop", _("Maks beløp"))
        except ValidationError as exc:
            errors.update(exc.message_dict)
        else:
            if data["maks_belop"] <= 0:
                errors["maks_belop"] = [_("Maks beløp må være større enn 0, eller stå tomt.")]
    if "tilbakebetaling_terskel" in data:
        try:
            data["tilbakebetaling_terskel"] = money(
                data["tilbakebetaling_terskel"], "tilbakebetaling_terskel", _("Terskelen for tilbakebetaling")
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if not (data.get("kriterier") or "").strip():
        errors["kriterier"] = [_("Skriv kriteriene søknadene vurderes etter.")]
    for name, messages in rounds.round_date_errors(data).items():  # dates in range, report deadline after
        errors.setdefault(name, messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_round(actor, *, embete, aar: int, criteria: list[str] = (), **data) -> ApplicationRound:
    require(actor, "grants.manage_round", embete)
    _validate_round(data)
    if ApplicationRound.objects.filter(ordning=scheme(), embete=embete, aar=aar).exists():
        raise ValidationError({"aar": _("Embetet har allerede en utlysning for %(y)s.") % {"y": aar}})
    rnd = ApplicationRound.objects.create(ordning=scheme(), embete=embete, aar=aar, **data)
    for i, name in enumerate(n for n in map(clean_name, criteria) if n):
        rnd.kriterieliste.create(navn=name[: limits.NAME], rekkefolge=i)
    audit.record(actor, "utlysning.opprettet", rnd, {"aar": aar})
    return rnd


@transaction.atomic
def update_round(actor, rnd: ApplicationRound, **data) -> ApplicationRound:
    require(actor, "grants.manage_round", rnd)
    rnd = ApplicationRound.objects.select_for_update().get(pk=rnd.pk)
    merged = {k: data.get(k, getattr(rnd, k)) for k in ROUND_FIELDS}
    _validate_round(merged)
    if rnd.status != RoundStatus.UTKAST and merged["retningslinjer"] != rnd.retningslinjer:
        raise ValidationError(
            {"retningslinjer": _("Retningslinjene kan ikke endres etter at utlysningen er publisert.")}
        )
    if rnd.status != RoundStatus.UTKAST:
        # Services may already be writing applications in a category: it cannot be withdrawn from a live round.
        for kategori in Category:
            if getattr(rnd, kategori.value) and not merged[kategori.value]:
                raise ValidationError(
                    {
                        kategori.value: _("Kategorien %(k)s kan ikke fjernes etter at utlysningen er publisert.")
                        % {"k": kategori.label.lower()}
                    }
                )
    before = {k: getattr(rnd, k) for k in ROUND_FIELDS}
    for k, v in merged.items():
        setattr(rnd, k, v)
    rnd.save()
    audit.record(actor, "utlysning.endret", rnd, audit.diff(before, merged))
    return rnd


@transaction.atomic
def set_round_criteria(actor, rnd: ApplicationRound, criteria: list[str]) -> ApplicationRound:
    """Replace the round's criteria list (used for scoring). Only before the round is published."""
    require(actor, "grants.manage_round", rnd)
    rnd = ApplicationRound.objects.select_for_update().get(pk=rnd.pk)
    names = [n[: limits.NAME] for n in map(clean_name, criteria) if n]
    current = list(rnd.kriterieliste.values_list("navn", flat=True))
    if names == current:
        return rnd
    if rnd.status != RoundStatus.UTKAST:
        raise ValidationError({"kriterieliste": _("Kriteriene kan ikke endres etter at utlysningen er publisert.")})
    rnd.kriterieliste.all().delete()
    for i, name in enumerate(names):
        rnd.kriterieliste.create(navn=name, rekkefolge=i)
    audit.record(actor, "utlysning.kriterier", rnd, {"kriterier": [current, names]})
    return rnd


@transaction.atomic
def publish_round(actor, rnd: ApplicationRound) -> ApplicationRound:
    require(actor, "grants.manage_round", rnd)
    rnd = ApplicationRound.objects.select_for_update().get(pk=rnd.pk)
    if rnd.status != RoundStatus.UTKAST:
        raise ValidationError(_("Utlysningen er allerede publisert."))
    if rnd.frist < timezone.localdate():
        raise ValidationError(
            _("Søknadsfristen %(d)s har passert. Sett en ny frist før du publiserer.") % {"d": _d(rnd.frist)}
        )
    rnd.status, rnd.publisert = RoundStatus.PUBLISERT, timezone.now()
    rnd.save(update_fields=["status", "publisert"])
    audit.record(actor, "utlysning.publisert", rnd, {})

    send_round_published.enqueue(rnd.pk)
    return rnd


# --- applications (barnevern leaders) ----------------------------------------------------------


def _network_services(network) -> set[int]:
    return set(
        Membership.objects.filter(network=network, status=MembershipStatus.AKTIV).values_list("tjeneste_id", flat=True)
    )


@transaction.atomic
def create_application(
    actor,
    rnd: ApplicationRound,
    *,
    kategori: str,
    prosjekt: DevelopmentProject | None = None,
    network=None,
    prosjektnavn: str = "",
) -> Application:
    """Start a draft for an existing project, or for a new project in one of the applicant's networks."""
    require(actor, "grants.apply", rnd)
    rounds.check_new_draft(rnd)
    role = actor.active_role
    if kategori not in rnd.categories:
        raise ValidationError({"kategori": _("Utlysningen er ikke åpen for denne kategorien.")})
    registered = prosjekt is None  # the draft registers its project (removed with the draft: drafts_lifecycle)
    if prosjekt is None:
        prosjektnavn = clean_name(prosjektnavn)
        if network is None or not prosjektnavn:
            raise ValidationError({"prosjektnavn": _("Velg et prosjekt, eller skriv navnet på et nytt prosjekt.")})
        if _same_name(DevelopmentProject.objects.filter(network=network), prosjektnavn) is not None:
            raise ValidationError({"prosjektnavn": _("Nettverket har allerede et prosjekt med dette navnet.")})
        prosjekt = DevelopmentProject.objects.create(
            network=network, navn=prosjektnavn[: limits.NAME], kategori=kategori
        )
        ProjectService.objects.create(prosjekt=prosjekt, tjeneste_id=role.tjeneste_id)
    network = prosjekt.network
    if network.embete_id != rnd.embete_id:
        raise ValidationError({"prosjekt": _("Prosjektet hører til et nettverk i et annet embete.")})
    if role.tjeneste_id not in _network_services(network):
        raise ValidationError({"prosjekt": _("Tjenesten din deltar ikke i nettverket til dette prosjektet.")})
    live = Application.objects.filter(utlysning=rnd, prosjekt=prosjekt, kategori=kategori).exclude(
        status=ApplicationStatus.TRUKKET
    )
    if live.exists():
        raise ValidationError({"prosjekt": _("Prosjektet har allerede en søknad i denne kategorien i utlysningen.")})
    application = Application.objects.create(
        utlysning=rnd,
        prosjekt=prosjekt,
        kategori=kategori,
        opprettet_av=actor,
        ansvarlig_soker_id=role.tjeneste_id,
        nytt_prosjekt=registered,
    )
    application.tjenester.add(role.tjeneste_id)
    audit.record(actor, "soknad.opprettet", application, {"prosjekt": prosjekt.navn, "kategori": kategori})
    return application


def compute_amount(lines: list[dict], annen_finansiering: Decimal) -> Decimal:
    total = sum((line["belop"] for line in lines), ZERO)
    return max(total - annen_finansiering, ZERO)


@transaction.atomic
def save_draft(
    actor,
    application: Application,
    *,
    maal="",
    aktiviteter="",
    tidsplan="",
    egeninnsats=ZERO,
    annen_finansiering=ZERO,
    budsjett: list[dict] = (),
    tjenester=None,
    partnere: list[dict] = (),
    ansvarlig_soker=None,
    autosave: bool = False,
) -> Application:
    """Save the whole draft. budsjett: [{type, beskrivelse, belop}]; partnere: [{partner, rolle}]. ansvarlig_soker
    (the lead applicant) must be one of the applying services; None keeps the current lead. An autosave is
    audited once per editing session (audit.record_autosave), a save by the button every time."""
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("utlysning", "prosjekt__network")
        .get(pk=application.pk)
    )
    require(actor, "grants.edit_application", application)
    errors: dict[str, list] = {}
    lines = []
    for i, line in enumerate(budsjett, start=1):
        if line.get("type") not in BudgetKind.values:
            errors.setdefault("budsjett", []).append(_("Budsjettlinje %(n)s: velg type.") % {"n": i})
            continue
        try:
            amount = money(line.get("belop"), "budsjett", _("Budsjettlinje %(n)s") % {"n": i})
        except ValidationError as exc:
            errors.setdefault("budsjett", []).extend(exc.messages)
            continue
        lines.append({"type": line["type"], "beskrivelse": (line.get("beskrivelse") or "")[:300], "belop": amount})
    try:
        own = money(egeninnsats, "egeninnsats", _("Egeninnsats"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
        own = ZERO
    try:
        other = money(annen_finansiering, "annen_finansiering", _("Annen finansiering"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
        other = ZERO
    total = sum((line["belop"] for line in lines), ZERO)
    if money_bounds.too_large(total):  # each line fits a money column, their sum (soknadsbelop) must too
        errors.setdefault("budsjett", []).append(money_bounds.total_too_large_message(_("Budsjettets sum"), total))
    if other > total and not errors:
        errors["annen_finansiering"] = [
            _("Annen finansiering (%(o)s) kan ikke være større enn budsjettets sum (%(t)s).")
            % {"o": kr(other), "t": kr(total)}
        ]
    network_services = _network_services(application.prosjekt.network)
    if tjenester is not None:
        outside = [s for s in tjenester if s.pk not in network_services]
        if outside:
            errors["tjenester"] = [
                _("%(s)s deltar ikke i nettverket og kan ikke være med på søknaden.")
                % {"s": ", ".join(map(str, outside))}
            ]
        elif actor.active_role.tjeneste_id not in {s.pk for s in tjenester}:
            errors["tjenester"] = [_("Din egen tjeneste må være med på søknaden.")]
    # The lead applicant must be one of the applying services. A database constraint cannot reach across the
    # many-to-many table, so this is the rule, and save_draft is the only write of tjenester after creation.
    applying = (
        {s.pk for s in tjenester} if tjenester is not None else set(application.tjenester.values_list("pk", flat=True))
    )
    lead_id = ansvarlig_soker.pk if ansvarlig_soker is not None else application.ansvarlig_soker_id
    if lead_id is not None and lead_id not in applying and "tjenester" not in errors:
        if ansvarlig_soker is not None:
            errors["ansvarlig_soker"] = [
                _("Ansvarlig søker må være en av tjenestene som søker. Velg en av dem, eller kryss av for %(s)s.")
                % {"s": ansvarlig_soker}
            ]
        else:
            errors["ansvarlig_soker"] = [
                _("Ansvarlig søker er ikke lenger med på søknaden. Velg en annen ansvarlig søker blant dem som søker.")
            ]
    seen_partners = set()
    for p in partnere:
        if not (p.get("rolle") or "").strip():
            errors.setdefault("partnere", []).append(
                _("Beskriv rollen til %(p)s i prosjektet.") % {"p": p.get("partner")}
            )
        elif len(p["rolle"].strip()) > limits.SHORT_TEXT:
            errors.setdefault("partnere", []).append(
                _("Rollen til %(p)s kan ha høyst %(n)s tegn.") % {"p": p.get("partner"), "n": limits.SHORT_TEXT}
            )
        elif p.get("partner") in seen_partners:
            errors.setdefault("partnere", []).append(
                _("%(p)s står flere ganger. Beskriv rollen én gang.") % {"p": p.get("partner")}
            )
        seen_partners.add(p.get("partner"))
    if errors:
        raise ValidationError(errors)
    before = snapshot(application)
    application.maal, application.aktiviteter, application.tidsplan = maal, aktiviteter, tidsplan
    application.egeninnsats, application.annen_finansiering = own, other
    application.soknadsbelop = compute_amount(lines, other)
    if lead_id is not None:
        application.ansvarlig_soker_id = lead_id
    application.save()
    application.budsjett.all().delete()
    BudgetLine.objects.bulk_create(BudgetLine(soknad=application, **line) for line in lines)
    if tjenester is not None:
        application.tjenester.set(tjenester)
    application.partnere.all().delete()
    ApplicationPartner.objects.bulk_create(
        ApplicationPartner(soknad=application, partner=p["partner"], rolle=p["rolle"].strip()) for p in partnere
    )
    changes = audit.diff(before, snapshot(application))
    if changes:
        if autosave:
            audit.record_autosave(actor, "soknad.utkast_autolagret", application, changes)
        else:
            audit.record(actor, "soknad.utkast_lagret", application, changes)
    return application


def snapshot(application: Application) -> dict:
    """Everything the applicants entered, as plain data (for versions and diffs): the one shape of
    grants/selectors_content.py: content, which the pages render too."""
    return selectors_content.content(application)


def submission_problems(
    application: Application, today: datetime.date | None = None, *, round_open: bool = True
) -> list[str]:
    """Why the application cannot be submitted now (empty list: it can). Shown before the button. round_open=False:
    an answer to a request for information (grants.information), sent in again after the round's deadline."""
    today = today or timezone.localdate()
    rnd = application.utlysning
    problems = []
    if round_open and rnd.status != RoundStatus.PUBLISERT:
        problems.append(_("Utlysningen er ikke åpen."))
    if round_open and today < rnd.apner:
        problems.append(_("Utlysningen åpner %(d)s.") % {"d": _d(rnd.apner)})
    if round_open and today > rnd.frist:
        problems.append(_("Søknadsfristen gikk ut %(d)s. Søknaden kan ikke sendes inn.") % {"d": _d(rnd.frist)})
    tjenester = list(application.tjenester.all())
    if len(tjenester) < 2:
        problems.append(
            _(
                "Minst to barnevernstjenester fra nettverket må være med på søknaden (nå: %(n)s). "
                "Stimuleringsmidlene er for samarbeid mellom tjenester i et læringsnettverk."
            )
            % {"n": len(tjenester)}
        )
    if not application.budsjett.exists():
        problems.append(_("Budsjettet har ingen linjer."))
    if application.soknadsbelop <= 0:
        problems.append(_("Søknadsbeløpet må være større enn 0."))
    if rnd.maks_belop is not None and application.soknadsbelop > rnd.maks_belop:
        problems.append(
            _("Søknadsbeløpet %(a)s er større enn maksbeløpet i utlysningen (%(m)s).")
            % {"a": kr(application.soknadsbelop), "m": kr(rnd.maks_belop)}
        )
    if not application.maal.strip():
        problems.append(_("Skriv prosjektets mål."))
    if application.kategori == Category.EGENINITIERT and rnd.retningslinjer.kunnskapspartner_paakrevd:
        types = {p.partner.type for p in application.partnere.select_related("partner")}
        if not types & KNOWLEDGE_PARTNER_TYPES:
            problems.append(
                _(
                    "Etter %(g)s må egeninitierte prosjekter ha en kunnskapspartner (for eksempel RKBU, RBUP, NUBU, "
                    "RVTS, KoRus eller et universitet/høyskole) eller Bufetat som partner."
                )
                % {"g": rnd.retningslinjer.navn}
            )
    missing = rounds.missing_documents_problem(application)  # the round's required attachments
    if missing:
        problems.append(missing)
    return problems


def _next_reference(rnd: ApplicationRound) -> str:
    ApplicationRound.objects.select_for_update().get(pk=rnd.pk)  # serialises numbering within the round
    code = EMBETE_CODES.get(rnd.embete.slug, rnd.embete.slug[:4].upper())
    count = Application.objects.filter(utlysning=rnd, referanse__isnull=False).count()
    return f"{code}-{rnd.aar}-{count + 1:04d}"


@transaction.atomic
def submit(actor, application: Application) -> Application:
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("utlysning__embete", "utlysning__retningslinjer")
        .get(pk=application.pk)
    )
    if application.status == ApplicationStatus.TRUKKET:
        refusal = _("Søknaden er trukket og kan ikke sendes inn.")
    else:
        refusal = _("Søknaden er allerede sendt inn (referanse %(r)s). Du trenger ikke sende den på nytt.") % {
            "r": application.referanse
        }
    workflow.check(actor, application, ApplicationStatus.SENDT_INN, refusal)
    problems = submission_problems(application)
    if problems:
        raise ValidationError(problems)
    application.referanse = _next_reference(application.utlysning)
    application.status = ApplicationStatus.SENDT_INN
    application.sendt_inn = timezone.now()
    application.versjon = 1
    application.save(update_fields=["referanse", "status", "sendt_inn", "versjon", "endret"])
    ApplicationVersion.objects.create(
        soknad=application, nummer=1, innhold=snapshot(application), opprettet_av=actor, kommentar=_("Sendt inn")
    )
    audit.record(actor, "soknad.sendt_inn", application, {"referanse": application.referanse})
    carry_into_project(actor, application)

    send_receipt.enqueue(application.pk)
    return application


def carry_into_project(actor, application: Application) -> None:
    """The project carries the application: every applying service and every partner (with its role) takes part
    in it from the day the application is sent in (projects/services/applications.py: join_from_application,
    idempotent). Called by submit, inside its transaction, after its permission check."""
    join_from_application(
        actor,
        application.prosjekt,
        tjenester=list(application.tjenester.all()),
        partnere=[(p.partner, p.rolle) for p in application.partnere.select_related("partner")],
        on=timezone.localdate(),
        referanse=application.referanse or "",
    )


@transaction.atomic
def withdraw(actor, application: Application) -> Application:
    """Withdraw an application. A draft that registered its own project is deleted with the project instead
    (grants.drafts_lifecycle): a withdrawn draft leaves no registered project behind. Check `application.pk`:
    None when the draft is gone."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status == ApplicationStatus.UTKAST and application.nytt_prosjekt:
        workflow.check(actor, application, ApplicationStatus.TRUKKET)
        drafts_lifecycle.remove_draft(actor, application, "soknad.utkast_trukket_slettet")
        return application
    _transition(actor, application, ApplicationStatus.TRUKKET)
    return application


def _transition(actor, application: Application, target: str) -> None:
    """Move the application to `target` if the workflow table has the move and the actor its permission."""
    workflow.check(actor, application, target)
    _set_status(actor, application, target)


def _set_status(actor, application: Application, target: str) -> None:
    """Write a status change that workflow.check has allowed (the one place an application's status is set,
    with submit's own write)."""
    old = application.status
    application.status = target
    application.save(update_fields=["status", "endret"])
    audit.record(actor, "soknad.status", application, {"status": [old, target]})


@transaction.atomic
def add_attachment(actor, application: Application, *, tittel: str, fil, krav=None) -> Attachment:
    """krav: the round's required attachment (grants.RequiredDocument) the file meets, if any."""
    require(actor, "grants.edit_application", application)
    if krav is not None and krav.utlysning_id != application.utlysning_id:
        raise ValidationError({"krav": _("Vedleggskravet hører ikke til denne utlysningen.")})
    detected = validate_document(fil)
    fil.name = safe_filename(fil.name)
    attachment = Attachment.objects.create(
        soknad=application,
        tittel=(clean_name(tittel) or fil.name)[: limits.NAME],
        fil=fil,
        filnavn=fil.name,
        innholdstype=detected.content_type,
        storrelse=fil.size,
        lastet_opp_av=actor,
        krav=krav,
    )
    audit.record(actor, "soknad.vedlegg", application, {"fil": fil.name, "krav": krav.navn if krav else ""})
    return attachment


# --- assessment and decision (statsforvalter) --------------------------------------------------


@transaction.atomic
def assign_case_officer(actor, application: Application, officer) -> Application:
    application = Application.objects.select_for_update(of=("self",)).select_related("utlysning").get(pk=application.pk)
    require(actor, "grants.assess", application)

    if (
        not RoleAssignment.objects.active()
        .filter(user=officer, rolle__in=STATSFORVALTER_ROLES, embete_id=application.utlysning.embete_id)
        .exists()
    ):
        raise ValidationError({"saksbehandler": _("Saksbehandleren må arbeide hos statsforvalteren i embetet.")})
    if application.status == ApplicationStatus.SENDT_INN:
        _transition(actor, application, ApplicationStatus.UNDER_BEHANDLING)
    elif application.status != ApplicationStatus.UNDER_BEHANDLING:
        raise ValidationError(
            _("Søknaden kan ikke få saksbehandler i status «%(s)s».") % {"s": application.get_status_display()}
        )
    application.saksbehandler = officer
    application.save(update_fields=["saksbehandler", "endret"])
    audit.record(actor, "soknad.saksbehandler", application, {"saksbehandler": str(officer)})
    return application


@transaction.atomic
def declare_impartiality(
    actor, application: Application, *, ugild: bool, begrunnelse: str = ""
) -> ImpartialityDeclaration:
    require(actor, "grants.assess", application)
    if ugild and not begrunnelse.strip():
        raise ValidationError({"begrunnelse": _("Skriv kort hvorfor du er ugild.")})
    if ImpartialityDeclaration.objects.filter(soknad=application, vurderer=actor).exists():
        raise ValidationError(_("Du har allerede erklært habilitet for denne søknaden."))
    declaration = ImpartialityDeclaration.objects.create(
        soknad=application, vurderer=actor, ugild=ugild, begrunnelse=begrunnelse.strip()
    )
    audit.record(actor, "soknad.habilitet", application, {"ugild": ugild})
    return declaration


def require_impartial(actor, application: Application) -> None:
    declaration = ImpartialityDeclaration.objects.filter(soknad=application, vurderer=actor).first()
    if declaration is None:
        raise ValidationError(_("Erklær habilitet før du vurderer eller avgjør søknaden."))
    if declaration.ugild:
        raise ValidationError(_("Du har erklært deg ugild og kan ikke vurdere eller avgjøre denne søknaden."))


def _whole_number(value) -> int | None:
    """An int from a form value, or None if it is not a whole number ("3" -> 3, "tre", 2.5, True -> None)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        return int(value) if math.isfinite(value) and value == int(value) else None
    text = str(value if value is not None else "").strip()
    return int(text) if text.removeprefix("-").isdecimal() else None


@transaction.atomic
def score(actor, application: Application, *, kriterium, poeng: int, kommentar: str = "") -> Score:
    application = Application.objects.select_related("utlysning").get(pk=application.pk)
    require(actor, "grants.assess", application)
    require_impartial(actor, application)
    if application.status != ApplicationStatus.UNDER_BEHANDLING:
        raise ValidationError(_("Søknaden er ikke under behandling."))
    if kriterium.utlysning_id != application.utlysning_id:
        raise ValidationError({"kriterium": _("Kriteriet hører ikke til denne utlysningen.")})
    poeng = _whole_number(poeng)
    if poeng is None or not 1 <= poeng <= 5:
        raise ValidationError({"poeng": _("Poeng må være fra 1 til 5.")})
    result, _created = Score.objects.update_or_create(
        soknad=application, kriterium=kriterium, vurderer=actor, defaults={"poeng": poeng, "kommentar": kommentar}
    )
    audit.record(actor, "soknad.poeng", application, {"kriterium": kriterium.navn, "poeng": poeng})
    return result


@transaction.atomic
def score_all(actor, application: Application, entries) -> list[Score]:
    """Score several criteria at once, all or none. `entries` are (criterion, poeng, kommentar). A refusal names
    the criterion: its field errors are keyed `poeng_<criterion id>` / `kommentar_<criterion id>`, as the scoring
    form names its fields."""
    saved = []
    for kriterium, poeng, kommentar in entries:
        try:
            saved.append(score(actor, application, kriterium=kriterium, poeng=poeng, kommentar=kommentar))
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                raise
            raise ValidationError(
                {f"{k}_{kriterium.pk}" if k in ("poeng", "kommentar") else k: v for k, v in exc.message_dict.items()}
            ) from exc
    return saved


@transaction.atomic
def recommend(
    actor, application: Application, *, anbefaling: str, begrunnelse: str, foreslatt_belop=None
) -> Assessment:
    application = Application.objects.select_related("utlysning").get(pk=application.pk)
    require(actor, "grants.assess", application)
    require_impartial(actor, application)
    if application.status not in ASSESSABLE:
        raise ValidationError(
            _("Søknaden kan ikke vurderes i status «%(s)s».") % {"s": application.get_status_display()}
        )
    if anbefaling not in Recommendation.values:
        raise ValidationError({"anbefaling": _("Velg anbefaling: innvilge, delvis innvilge eller avslå.")})
    if not begrunnelse.strip():
        raise ValidationError({"begrunnelse": _("Skriv begrunnelsen for anbefalingen.")})
    amount = (
        money(foreslatt_belop, "foreslatt_belop", _("Foreslått beløp")) if foreslatt_belop not in (None, "") else None
    )
    rounds.check_proposed_amount(application, amount)
    assessment, _created = Assessment.objects.update_or_create(
        soknad=application,
        defaults={"anbefaling": anbefaling, "begrunnelse": begrunnelse.strip(), "foreslatt_belop": amount},
    )
    audit.record(actor, "soknad.anbefaling", application, {"anbefaling": anbefaling, "belop": amount})
    return assessment


@transaction.atomic
def set_priority(
    actor, application: Application, *, rangering=None, samlingsrangering=None, foreslatt_belop=None
) -> Assessment:
    """The prioritisation board: staff ranking, the gathering's ranking and the proposed amount. Declaring
    impartiality first is not required here, but a person who has declared themself disqualified is refused."""
    application = Application.objects.select_related("utlysning").get(pk=application.pk)
    require(actor, "grants.assess", application)
    if ImpartialityDeclaration.objects.filter(soknad=application, vurderer=actor, ugild=True).exists():
        raise ValidationError(_("Du har erklært deg ugild og kan ikke vurdere eller avgjøre denne søknaden."))
    if application.status not in ASSESSABLE:
        raise ValidationError(
            _("Søknaden kan ikke vurderes i status «%(s)s».") % {"s": application.get_status_display()}
        )
    amount = (
        money(foreslatt_belop, "foreslatt_belop", _("Foreslått beløp")) if foreslatt_belop not in (None, "") else None
    )
    rounds.check_proposed_amount(application, amount)
    ranks = {}
    for value, field in ((rangering, "rangering"), (samlingsrangering, "samlingsrangering")):
        if value in (None, ""):
            ranks[field] = None
            continue
        ranks[field] = _whole_number(value)
        if ranks[field] is None or ranks[field] < 1:
            raise ValidationError({field: _("Rangering må være et helt tall, 1 eller høyere.")})
    rangering, samlingsrangering = ranks["rangering"], ranks["samlingsrangering"]
    assessment, _created = Assessment.objects.get_or_create(soknad=application)
    before = {
        "rangering": assessment.rangering,
        "samling": assessment.samlingsrangering,
        "belop": assessment.foreslatt_belop,
    }
    assessment.rangering = rangering
    assessment.samlingsrangering = samlingsrangering
    assessment.foreslatt_belop = amount
    assessment.save()
    after = {
        "rangering": assessment.rangering,
        "samling": assessment.samlingsrangering,
        "belop": assessment.foreslatt_belop,
    }
    if before != after:
        audit.record(actor, "soknad.prioritering", application, audit.diff(before, after))
    return assessment


@transaction.atomic
def decide(
    actor,
    application: Application,
    *,
    utfall: str,
    belop=None,
    begrunnelse: str,
    vilkaar: str = "",
    rapportfrist: datetime.date | None = None,
) -> Decision:
    """Make the enkeltvedtak. Refused if it would take the awarded total above the frame; the frame row is
    locked (SELECT … FOR UPDATE on PostgreSQL) so two staff deciding at once cannot both get through."""
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("utlysning__embete", "prosjekt")
        .get(pk=application.pk)
    )
    if utfall not in DECIDED:
        raise ValidationError({"utfall": _("Velg utfall: innvilget, delvis innvilget eller avslått.")})
    workflow.check(
        actor,
        application,
        utfall,
        _("Søknaden kan ikke avgjøres i status «%(s)s».") % {"s": application.get_status_display()},
    )
    require_impartial(actor, application)
    rounds.check_decision_time(application.utlysning)  # not before the deadline, unless the round is rolling
    if not begrunnelse.strip():
        raise ValidationError({"begrunnelse": _("Et vedtak må begrunnes (forvaltningsloven § 24).")})
    rnd = application.utlysning
    frame = None
    amount = ZERO
    if utfall in AWARDED:
        if utfall == ApplicationStatus.INNVILGET and belop in (None, ""):
            belop = application.soknadsbelop  # «Innvilget i sin helhet» is the applied amount: nothing to type
        amount = money(belop, "belop", _("Beløpet"))
        if amount <= 0:
            raise ValidationError({"belop": _("Et innvilget beløp må være større enn 0.")})
        if utfall == ApplicationStatus.INNVILGET and amount != application.soknadsbelop:
            raise ValidationError(
                {
                    "belop": _("Ved innvilgelse i sin helhet er beløpet lik søknadsbeløpet (%(a)s).")
                    % {"a": kr(application.soknadsbelop)}
                }
            )
        if utfall == ApplicationStatus.DELVIS_INNVILGET and amount >= application.soknadsbelop:
            raise ValidationError(
                {
                    "belop": _("Ved delvis innvilgelse må beløpet være mindre enn søknadsbeløpet (%(a)s).")
                    % {"a": kr(application.soknadsbelop)}
                }
            )
        frame = (
            Frame.objects.select_for_update()
            .filter(ordning=rnd.ordning, aar=rnd.aar, embete=rnd.embete, kategori=application.kategori)
            .first()
        )
        if frame is None:
            raise ValidationError(
                _("Bufdir har ikke satt noen ramme for %(k)s i %(y)s. Vedtaket kan ikke fattes før rammen er satt.")
                % {"k": Category(application.kategori).label.lower(), "y": rnd.aar}
            )
        used = awarded_total(frame)
        if used + amount > frame.belop:
            raise ValidationError(
                {
                    "belop": _(
                        "Vedtaket ville gått over rammen. Rammen for %(k)s er %(f)s, allerede tildelt %(u)s, "
                        "igjen %(r)s."
                    )
                    % {
                        "k": Category(application.kategori).label.lower(),
                        "f": kr(frame.belop),
                        "u": kr(used),
                        "r": kr(frame.belop - used),
                    }
                }
            )
    if utfall in AWARDED and rapportfrist is None:
        rapportfrist = rnd.rapportfrist or datetime.date(rnd.aar + 1, 3, 1)
    if utfall in AWARDED:  # after the decision date, within five years (grants.rounds)
        rapportfrist = rounds.check_report_deadline(rapportfrist)
    today = timezone.localdate()
    decision = Decision.objects.create(
        soknad=application,
        ramme=frame,
        utfall=utfall,
        belop=amount,
        begrunnelse=begrunnelse.strip(),
        vilkaar=vilkaar.strip(),
        rapportfrist=rapportfrist if utfall in AWARDED else None,
        klagefrist=today + datetime.timedelta(days=APPEAL_DAYS),
        vedtatt_av=actor,
        saksnummer=application.referanse,
        maalform=_letter_language(application),
    )
    _set_status(actor, application, utfall)  # checked above, before anything was written
    sync_award(decision)
    audit.record(actor, "soknad.vedtak", application, {"utfall": utfall, "belop": amount})

    deliver_decision.enqueue(decision.pk)
    return decision


def _letter_language(application: Application) -> str:
    """The målform of the lead applicant's (ansvarlig søker's) vertskommune."""
    lead = lead_applicant(application)
    return lead.vertskommune.letter_language if lead else "bokmal"


# --- appeals, payments, repayments ---------------------------------------------------------------


def file_appeal(actor, decision: Decision, begrunnelse: str) -> Appeal:
    """Moved to grants.appeals (where appeals end: statsforvalter, Bufdir, letters); kept importable here."""
    return appeals.file_appeal(actor, decision, begrunnelse)


def resolve_appeal(actor, appeal: Appeal, *, utfall: str, begrunnelse: str, nytt_belop=None) -> Appeal:
    """Moved to grants.appeals; kept importable here."""
    return appeals.resolve_appeal(actor, appeal, utfall=utfall, begrunnelse=begrunnelse, nytt_belop=nytt_belop)


def sync_award(decision: Decision) -> Award | None:
    """Keep the award ledger (grants.Award) in step with a decision: one row while the final amount (after
    upheld appeals) is above 0, with the applying services; then announce it (grants.events.award_changed), so the
    layers above react (followup creates the reporting duty)."""
    decision = Decision.objects.select_related("soknad__utlysning", "soknad__prosjekt").get(pk=decision.pk)
    amount = final_amount(decision)
    application = decision.soknad
    award = Award.objects.filter(vedtak=decision).first()
    if amount <= 0:
        if award is not None:
            award.delete()
        events.award_changed.send(sender=Decision, decision=decision, award=None)
        return None
    if award is None:
        award = Award.objects.create(
            vedtak=decision,
            kilde=AwardSource.VEDTAK,
            aar=application.utlysning.aar,
            embete_id=application.utlysning.embete_id,
            kategori=application.kategori,
            nettverk_id=application.prosjekt.network_id,
            prosjekt=application.prosjekt,
            belop=amount,
            dato=timezone.localtime(decision.vedtatt).date(),
        )
        award.tjenester.set(application.tjenester.all())
    elif award.belop != amount:
        award.belop = amount
        award.save(update_fields=["belop", "endret"])
    events.award_changed.send(sender=Decision, decision=decision, award=award)
    return award


@transaction.atomic
def register_payment(actor, decision: Decision, *, dato: datetime.date, belop, kontonummer: str) -> Payment:
    decision = Decision.objects.select_for_update(of=("self",)).select_related("soknad__utlysning").get(pk=decision.pk)
    dato, amount, account = check_payment(actor, decision, dato=dato, belop=belop, kontonummer=kontonummer)
    payment = Payment.objects.create(vedtak=decision, dato=dato, belop=amount, kontonummer=account, registrert_av=actor)
    audit.record(actor, "soknad.utbetaling", decision.soknad, {"belop": amount, "dato": dato})
    return payment


def check_payment(actor, decision: Decision, *, dato, belop, kontonummer) -> tuple[datetime.date, Decimal, str]:
    """Every check of a payment, without writing: (date, amount, account). The confirmation page shows them
    (grants.views_repayments.payment_create) before register_payment makes the payment."""
    from stdnum.exceptions import ValidationError as StdnumError
    from stdnum.no import kontonr

    require(actor, "grants.register_payment", decision)
    awarded = final_amount(decision)
    if awarded <= 0:
        raise ValidationError(_("Det kan bare utbetales på innvilgede vedtak."))
    amount = money(belop, "belop", _("Beløpet"))
    if amount <= 0:
        raise ValidationError({"belop": _("Beløpet må være større enn 0.")})
    try:
        account = kontonr.validate(str(kontonummer or ""))
    except StdnumError:
        raise ValidationError(
            {"kontonummer": _("Kontonummeret er ikke gyldig (11 siffer med riktig kontrollsiffer).")}
        ) from None
    dato = repayments.payment_day(decision, dato)  # not before the decision, in the date range
    already = paid_total(decision)
    if already + amount > awarded:
        raise ValidationError(
            {
                "belop": _("Utbetalingen ville overstige tildelt beløp (%(t)s). Allerede utbetalt: %(p)s.")
                % {"t": kr(awarded), "p": kr(already)}
            }
        )
    return dato, amount, account


# Repayment claims, their receipts and waivers: grants/repayments.py (create_repayment_claim is kept importable here
# for existing callers: followup's report approval, the demo).
create_repayment_claim = repayments.create_repayment_claim


@transaction.atomic
def decide_carry_over(actor, decision: Decision, *, belop, begrunnelse: str) -> CarryOver:
    """Move unspent money to next year by decision, when the round allows it. Paid money that is neither
    claimed back nor already carried over is what may be moved."""
    decision = Decision.objects.select_for_update(of=("self",)).select_related("soknad__utlysning").get(pk=decision.pk)
    require(actor, "grants.register_payment", decision)
    require_impartial(actor, decision.soknad)
    rnd = decision.soknad.utlysning
    if not rnd.overforing_tillatt:
        raise ValidationError(_("Utlysningen tillater ikke overføring av ubrukte midler til neste år."))
    amount = money(belop, "belop", _("Beløpet"))
    if amount <= 0:
        raise ValidationError({"belop": _("Beløpet må være større enn 0.")})
    available = paid_total(decision) - claimed_total(decision) - carried_total(decision)
    if amount > available:
        raise ValidationError(
            {
                "belop": _("Det kan overføres høyst %(a)s (utbetalt minus krevd tilbake og allerede overført).")
                % {"a": kr(max(available, ZERO))}
            }
        )
    if not begrunnelse.strip():
        raise ValidationError({"begrunnelse": _("Skriv begrunnelsen for overføringen.")})
    carry = CarryOver.objects.create(
        vedtak=decision, belop=amount, til_aar=rnd.aar + 1, begrunnelse=begrunnelse.strip(), vedtatt_av=actor
    )
    audit.record(actor, "soknad.overforing", decision.soknad, {"belop": amount, "til_aar": rnd.aar + 1})
    return carry


# --- batch decision letters (statsforvalter) -----------------------------------------------------------


def start_round_letters(actor, rnd: ApplicationRound) -> int:
    """Start making and sending the round's missing decision letters (Celery, one at a time; progress in the cache
    under tasks.letters_key as {"done": n, "total": m}). Returns how many are missing; 0: nothing is started.
    Not in a transaction: the outbox row is its only write and is handed to Celery at once."""
    from django.core.cache import cache

    require(actor, "grants.manage_round", rnd)
    missing = decisions_lacking_letters(rnd.pk).count()
    if missing:
        cache.set(letters_key(rnd.pk), {"done": 0, "total": missing}, timeout=3600)
        generate_round_letters.enqueue_now(rnd.pk)
    return missing


# grants.appeals uses the helpers above (money, require_impartial, sync_award); imported last, as a module.
from . import appeals  # noqa: E402
