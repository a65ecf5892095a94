"""Writes for progress reports (framdriftsrapport / sluttrapport): start a prefilled draft, save it, submit it
(a frozen ReportVersion per submission) and the statsforvalter's review. Approval settles unspent money in
grants: a repayment claim above the round's threshold, or a carry-over when the round allows it and the reviewer
chooses it, in the same transaction as the approval (if grants refuses, the approval is rolled back)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import require
from audit import services as audit
from common import money as money_bounds
from common.money import kr
from followup.budget import approved_budget, split_award  # noqa: F401  (split_award: still importable here)
from followup.models import (
    SELF_ASSESSMENT_STATEMENTS,
    ProgressReport,
    ReportingRequirement,
    ReportParticipant,
    ReportReview,
    ReportSpending,
    ReportStatus,
    ReportVersion,
    ReviewOutcome,
    Scale,
    SelfAssessment,
)
from followup.selectors.participation import participant_service_ids
from grants import ledger
from grants import services as grants
from grants.models import ZERO, BudgetKind

TEXT_FIELDS = ("aktiviteter", "avvik", "resultater", "partnerinvolvering", "neste_aar", "fritekst")
# Answers carried forward from the project's previous approved report (the explanation of overspending is not).
CARRIED_FIELDS = TEXT_FIELDS
EDITABLE_FIELDS = (*TEXT_FIELDS, "forklaring_overforbruk")
EDITABLE = (ReportStatus.UTKAST, ReportStatus.RETURNERT)
CLAIM_DAYS = 30  # the repayment claim falls due 30 days after approval
KRAV, OVERFOR = "krav", "overfor"  # what to do with unspent money on approval
MAX_STAFF = 100_000


# Who takes part (whose users write the report and are prefilled as participants): participant_service_ids,
# imported above from followup.selectors.participation, the one definition.


# --- prefill -------------------------------------------------------------------------------------------


def previous_approved(krav: ReportingRequirement) -> ProgressReport | None:
    return (
        ProgressReport.objects.filter(
            krav__prosjekt_id=krav.prosjekt_id, krav__aar__lt=krav.aar, status=ReportStatus.GODKJENT
        )
        .order_by("-krav__aar", "-godkjent")
        .prefetch_related("egenvurdering")
        .first()
    )


def last_years_staff(krav: ReportingRequirement) -> dict[int, int]:
    """{service id: staff involved} from last year's report of the same project, if there is one."""
    rows = ReportParticipant.objects.filter(
        rapport__krav__prosjekt_id=krav.prosjekt_id, rapport__krav__aar=krav.aar - 1
    ).order_by("rapport__opprettet")
    return {r.tjeneste_id: r.antall_ansatte for r in rows}


@transaction.atomic
def start_report(actor, krav: ReportingRequirement) -> ProgressReport:
    """The requirement's report, created as a draft on first call and prefilled with what is known: the final
    award, the approved budget per line (followup.budget.approved_budget: scaled to the award, after approved
    reallocations), the participating services (with last year's staff
    numbers) and the answers of the project's previous approved report. Called again it returns the report."""
    krav = (
        ReportingRequirement.objects.select_for_update(of=("self",))
        .select_related("vedtak__soknad__utlysning", "prosjekt")
        .get(pk=krav.pk)
    )
    existing = ProgressReport.objects.filter(krav=krav).first()
    require(actor, "projects.edit_report", existing or krav)
    if existing is not None:
        return existing
    decision = krav.vedtak
    award = ledger.final_amount(decision)
    previous = previous_approved(krav)
    carried = {f: getattr(previous, f) for f in CARRIED_FIELDS} if previous else {}
    report = ProgressReport.objects.create(krav=krav, tildelt=award, opprettet_av=actor, **carried)
    lines = approved_budget(decision, award)  # the award split over the budget, after approved reallocations
    ReportSpending.objects.bulk_create(
        ReportSpending(rapport=report, type=kind, budsjett=lines[kind]) for kind in BudgetKind.values
    )
    staff = last_years_staff(krav)
    ReportParticipant.objects.bulk_create(
        ReportParticipant(rapport=report, tjeneste_id=sid, antall_ansatte=staff.get(sid, 0))
        for sid in sorted(participant_service_ids(krav))
    )
    if previous is not None:
        SelfAssessment.objects.bulk_create(
            SelfAssessment(rapport=report, utsagn=a.utsagn, svar=a.svar)
            for a in previous.egenvurdering.all()
            if a.utsagn in SELF_ASSESSMENT_STATEMENTS
        )
    audit.record(
        actor,
        "rapport.opprettet",
        report,
        {"tildelt": award, "fra_forrige_rapport": str(previous) if previous else None},
    )
    return report


# --- drafts ------------------------------------------------------------------------------------------


def _mark_delivered(report: ProgressReport, delivered: bool) -> None:
    """ReportingRequirement.levert follows the report: sent in or approved = delivered; returned = open again."""
    ReportingRequirement.objects.filter(pk=report.krav_id).update(levert=delivered)
    report.krav.levert = delivered


def _locked(report: ProgressReport) -> ProgressReport:
    return (
        ProgressReport.objects.select_for_update(of=("self",))
        .select_related("krav__vedtak__soknad__utlysning", "krav__prosjekt")
        .get(pk=report.pk)
    )


def _not_editable_message(report: ProgressReport) -> str:
    if report.status == ReportStatus.GODKJENT:
        return _("Rapporten er godkjent og kan ikke endres.")
    return _("Rapporten er sendt inn og venter på vurdering. Den kan ikke endres nå.")


def kind_label(kind: str) -> str:
    return str(BudgetKind(kind).label) if kind in BudgetKind.values else kind


def _staff_number(value, label: str) -> int:
    """A whole number of staff (blank: 0), or ValueError with a Norwegian message."""
    text = "" if value is None or isinstance(value, bool) else str(value).strip()
    if text == "":
        return 0
    if text.startswith("-") and text[1:].isdecimal():
        raise ValueError(_("Antall ansatte i %(s)s kan ikke være negativt.") % {"s": label})
    if not text.isdecimal():
        raise ValueError(_("Antall ansatte i %(s)s må være et helt tall, 0 eller høyere.") % {"s": label})
    if int(text) > MAX_STAFF:
        raise ValueError(_("Antall ansatte i %(s)s er for stort.") % {"s": label})
    return int(text)


@transaction.atomic
def save_draft(
    actor,
    report: ProgressReport,
    *,
    forbruk: list[dict] | None = None,
    deltakere: list[dict] | None = None,
    egenvurdering: dict[str, str] | None = None,
    autosave: bool = False,
    **fields,
) -> ProgressReport:
    """Save the draft (or a returned report). Only what is given changes, so autosave can send part of it.
    fields: the text answers (aktiviteter, avvik, resultater, partnerinvolvering, neste_aar, fritekst,
    forklaring_overforbruk). forbruk: [{type, brukt, kommentar}] for the report's budget lines; deltakere:
    [{tjeneste (id or service), antall_ansatte}] for its participating services; egenvurdering: {utsagn: svar}
    (an empty answer clears it). Errors are keyed by form field: brukt_<type>, antall_ansatte_<tjeneste id>,
    egenvurdering_<utsagn>. An autosave is audited once per editing session (audit.record_autosave)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown report fields: {sorted(unknown)}")
    report = _locked(report)
    require(actor, "projects.edit_report", report)
    if report.status not in EDITABLE:
        raise ValidationError(_not_editable_message(report))
    errors: dict[str, list[str]] = {}
    lines = {s.type: s for s in report.forbruk.all()}
    spending = []
    for item in forbruk or ():
        line = lines.get(item.get("type"))
        if line is None:
            errors.setdefault("forbruk", []).append(_("Ukjent budsjettpost: %(t)s.") % {"t": item.get("type")})
            continue
        label = kind_label(line.type)
        key = f"brukt_{line.type}"
        raw = item.get("brukt")
        try:
            amount = ZERO if raw in (None, "") else grants.money(raw, key, _("Brukt på «%(p)s»") % {"p": label})
        except ValidationError as exc:
            errors.setdefault(key, []).extend(exc.messages)
            continue
        spending.append((line, amount, (item.get("kommentar") or "").strip()[:300]))
    if spending:  # each amount fits a money column; the total (brukt_total at submission) must too
        new = {line.type: amount for line, amount, _comment in spending}
        total = sum((new.get(kind, line.brukt) for kind, line in lines.items()), ZERO)
        if money_bounds.too_large(total):
            errors.setdefault("forbruk", []).append(money_bounds.total_too_large_message(_("Summen brukt"), total))
    people = {p.tjeneste_id: p for p in report.deltakere.select_related("tjeneste")}
    staff = []
    for item in deltakere or ():
        service = item.get("tjeneste")
        sid = getattr(service, "pk", service)
        participant = people.get(sid)
        if participant is None:
            errors.setdefault("deltakere", []).append(_("Tjenesten er ikke med i rapporten."))
            continue
        try:
            number = _staff_number(item.get("antall_ansatte"), participant.tjeneste.navn)
        except ValueError as exc:
            errors.setdefault(f"antall_ansatte_{sid}", []).append(str(exc))
            continue
        staff.append((participant, number))
    answers = {}
    for key, answer in (egenvurdering or {}).items():
        if key not in SELF_ASSESSMENT_STATEMENTS:
            errors.setdefault("egenvurdering", []).append(_("Ukjent utsagn i egenvurderingen."))
        elif answer not in ("", None, *Scale.values):
            errors.setdefault(f"egenvurdering_{key}", []).append(_("Velg et av svarene på skalaen."))
        else:
            answers[key] = answer or ""
    if errors:
        raise ValidationError(errors)
    before = snapshot(report)
    for name, value in fields.items():
        setattr(report, name, (value or "").strip())
    report.save()
    for line, amount, comment in spending:
        if (line.brukt, line.kommentar) != (amount, comment):
            line.brukt, line.kommentar = amount, comment
            line.save(update_fields=["brukt", "kommentar"])
    for participant, number in staff:
        if participant.antall_ansatte != number:
            participant.antall_ansatte = number
            participant.save(update_fields=["antall_ansatte"])
    for key, answer in answers.items():
        if answer:
            SelfAssessment.objects.update_or_create(rapport=report, utsagn=key, defaults={"svar": answer})
        else:
            SelfAssessment.objects.filter(rapport=report, utsagn=key).delete()
    changes = audit.diff(before, snapshot(report))
    if changes:
        if autosave:
            audit.record_autosave(actor, "rapport.utkast_autolagret", report, changes)
        else:
            audit.record(actor, "rapport.utkast_lagret", report, changes)
    return report


def _amount(value: Decimal) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))


def snapshot(report: ProgressReport) -> dict:
    """Everything the project wrote, and the computed sums, as plain data (for versions and diffs)."""
    spending = list(report.forbruk.order_by("id"))
    used = sum((s.brukt for s in spending), ZERO)
    answers = {a.utsagn: a.svar for a in report.egenvurdering.all()}
    return {
        **{f: getattr(report, f) for f in EDITABLE_FIELDS},
        "tildelt": _amount(report.tildelt),
        "brukt_total": _amount(used),
        "ubrukt": _amount(max(report.tildelt - used, ZERO)),
        "forbruk": [
            {
                "type": s.type,
                "navn": kind_label(s.type),
                "budsjett": _amount(s.budsjett),
                "brukt": _amount(s.brukt),
                "kommentar": s.kommentar,
            }
            for s in spending
        ],
        "deltakere": [
            {"tjeneste": p.tjeneste.navn, "antall_ansatte": p.antall_ansatte}
            for p in report.deltakere.select_related("tjeneste").order_by("tjeneste__navn")
        ],
        "egenvurdering": [
            {
                "utsagn": key,
                "tekst": str(text),
                "svar": answers.get(key, ""),
                "svar_tekst": str(Scale(answers[key]).label) if answers.get(key) in Scale.values else "",
            }
            for key, text in SELF_ASSESSMENT_STATEMENTS.items()
        ],
    }


# --- submission ----------------------------------------------------------------------------------------


def submission_problems(report: ProgressReport) -> dict[str, list[str]]:
    """Why the report cannot be submitted now, keyed by form field (empty: it can)."""
    problems: dict[str, list[str]] = {}
    if not report.aktiviteter.strip():
        problems["aktiviteter"] = [_("Beskriv aktivitetene som er gjennomført.")]
    if not report.resultater.strip():
        problems["resultater"] = [_("Beskriv resultatene prosjektet har oppnådd.")]
    answered = {a.utsagn for a in report.egenvurdering.all() if a.svar}
    for key, text in SELF_ASSESSMENT_STATEMENTS.items():
        if key not in answered:
            problems[f"egenvurdering_{key}"] = [_("Svar på utsagnet «%(u)s».") % {"u": text}]
    spending = list(report.forbruk.all())
    for s in spending:  # stored amounts cannot be negative (database constraint); checked for clarity
        if s.brukt < 0:
            problems[f"brukt_{s.type}"] = [_("Brukt på «%(p)s» kan ikke være negativt.") % {"p": kind_label(s.type)}]
    used = sum((s.brukt for s in spending), ZERO)
    if used > report.tildelt and not report.forklaring_overforbruk.strip():
        problems["forklaring_overforbruk"] = [
            _(
                "Forbruket (%(b)s) er større enn tildelt beløp (%(t)s). Forklar hvordan forbruket ut over "
                "tildelingen er dekket."
            )
            % {"b": kr(used), "t": kr(report.tildelt)}
        ]
    return problems


@transaction.atomic
def submit(actor, report: ProgressReport) -> ProgressReport:
    """Send the report in: compute the sums, freeze a version, increment the version number."""
    report = _locked(report)
    require(actor, "projects.edit_report", report)
    if report.status == ReportStatus.SENDT_INN:
        raise ValidationError(
            _("Rapporten er allerede sendt inn (versjon %(v)s). Du trenger ikke sende den på nytt.")
            % {"v": report.versjon}
        )
    if report.status == ReportStatus.GODKJENT:
        raise ValidationError(_("Rapporten er allerede godkjent og kan ikke sendes inn på nytt."))
    report.tildelt = ledger.final_amount(report.krav.vedtak)  # an upheld appeal may have changed the award
    problems = submission_problems(report)
    if problems:
        raise ValidationError(problems)
    used = sum((s.brukt for s in report.forbruk.all()), ZERO)
    report.brukt_total = used
    report.ubrukt = max(report.tildelt - used, ZERO)
    report.status = ReportStatus.SENDT_INN
    report.sendt_inn = timezone.now()
    report.versjon += 1
    report.save()
    _mark_delivered(report, True)
    ReportVersion.objects.create(
        rapport=report, versjon=report.versjon, innhold=snapshot(report), sendt_inn=report.sendt_inn, sendt_inn_av=actor
    )
    audit.record(
        actor,
        "rapport.sendt_inn",
        report,
        {"versjon": report.versjon, "brukt": report.brukt_total, "ubrukt": report.ubrukt},
    )
    return report


# --- review (statsforvalter) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class UnspentOutcome:
    """What approving the report does with its unspent money."""

    ubrukt: Decimal
    terskel: Decimal
    utbetalt: Decimal
    belop: Decimal  # what is claimed back or carried over: paid minus spent, at most the unspent money
    handling: str | None  # KRAV, OVERFOR or None (nothing is created)
    overforing_tillatt: bool


def unspent_outcome(report: ProgressReport, unspent_action: str | None = None) -> UnspentOutcome:
    decision = report.krav.vedtak
    rnd = decision.soknad.utlysning
    paid = ledger.paid_total(decision)
    amount = max(min(paid - report.brukt_total, report.ubrukt), ZERO)
    action = None
    if amount > 0:
        if unspent_action == OVERFOR and rnd.overforing_tillatt:
            action = OVERFOR
        elif report.ubrukt > rnd.tilbakebetaling_terskel:
            action = KRAV
    return UnspentOutcome(
        ubrukt=report.ubrukt,
        terskel=rnd.tilbakebetaling_terskel,
        utbetalt=paid,
        belop=amount if action else ZERO,
        handling=action,
        overforing_tillatt=rnd.overforing_tillatt,
    )


@transaction.atomic
def review(
    actor, report: ProgressReport, *, utfall: str, kommentar: str = "", unspent_action: str | None = None
) -> ProgressReport:
    """Approve the submitted report, or return it with a comment (the project edits and resubmits). On approval
    unspent money above the round's threshold is claimed back, or carried over to next year when the round
    allows it and the reviewer chose unspent_action="overfor"."""
    report = _locked(report)
    require(actor, "projects.review_report", report)
    if report.status == ReportStatus.GODKJENT:
        raise ValidationError(_("Rapporten er allerede godkjent."))
    if report.status != ReportStatus.SENDT_INN:
        raise ValidationError(_("Rapporten er ikke sendt inn til vurdering."))
    kommentar = (kommentar or "").strip()
    if utfall not in ReviewOutcome.values:
        raise ValidationError({"utfall": _("Velg om rapporten skal godkjennes eller returneres.")})
    if unspent_action not in (None, "", KRAV, OVERFOR):
        raise ValidationError({"unspent_action": _("Velg hva som skal skje med ubrukte midler.")})
    rnd = report.krav.vedtak.soknad.utlysning
    if utfall == ReviewOutcome.RETURNERT:
        if not kommentar:
            raise ValidationError({"kommentar": _("Skriv hva prosjektet må rette når du returnerer rapporten.")})
        report.status = ReportStatus.RETURNERT
        report.save(update_fields=["status", "endret"])
        _mark_delivered(report, False)
        ReportReview.objects.create(
            rapport=report, versjon=report.versjon, utfall=utfall, kommentar=kommentar, vurdert_av=actor
        )
        audit.record(actor, "rapport.returnert", report, {"versjon": report.versjon, "kommentar": kommentar})
        return report
    if unspent_action == OVERFOR and not rnd.overforing_tillatt:
        raise ValidationError(
            {"unspent_action": _("Utlysningen tillater ikke overføring av ubrukte midler til neste år.")}
        )
    report.status = ReportStatus.GODKJENT
    report.godkjent = timezone.now()
    report.save(update_fields=["status", "godkjent", "endret"])
    ReportReview.objects.create(
        rapport=report, versjon=report.versjon, utfall=utfall, kommentar=kommentar, vurdert_av=actor
    )
    outcome = unspent_outcome(report, unspent_action)
    changes = {"versjon": report.versjon, "ubrukt": report.ubrukt}
    decision = report.krav.vedtak
    try:
        if outcome.handling == KRAV:
            claim = grants.create_repayment_claim(
                actor,
                decision,
                belop=outcome.belop,
                begrunnelse=_(
                    "Ubrukte midler etter %(r)s (versjon %(v)s): tildelt %(t)s, utbetalt %(p)s, brukt %(b)s. "
                    "Ubrukt beløp over terskelen på %(s)s kreves tilbake."
                )
                % {
                    "r": str(report),
                    "v": report.versjon,
                    "t": kr(report.tildelt),
                    "p": kr(outcome.utbetalt),
                    "b": kr(report.brukt_total),
                    "s": kr(outcome.terskel),
                },
                forfall=timezone.localdate() + datetime.timedelta(days=CLAIM_DAYS),
            )
            changes["tilbakebetalingskrav"] = claim.belop
        elif outcome.handling == OVERFOR:
            carry = grants.decide_carry_over(
                actor,
                decision,
                belop=outcome.belop,
                begrunnelse=_("Ubrukte midler etter %(r)s (versjon %(v)s) overføres til %(y)s.")
                % {"r": str(report), "v": report.versjon, "y": rnd.aar + 1},
            )
            changes["overforing"] = carry.belop
    except ValidationError as exc:
        what = _("Tilbakebetalingskravet") if outcome.handling == KRAV else _("Overføringen")
        raise ValidationError(
            _("%(w)s kunne ikke registreres, så rapporten er ikke godkjent: %(m)s")
            % {"w": what, "m": " ".join(exc.messages)}
        ) from None
    audit.record(actor, "rapport.godkjent", report, changes)
    return report
