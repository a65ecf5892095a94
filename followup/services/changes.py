"""Writes for change notices (endringsmeldinger): the applicants of a funded application report a significant
change during the project (a delay, a change of content, a reallocation between budget lines, ending early,
expected unspent money), as the decision letter obliges them to; the statsforvalter approves or rejects it with
reasons. Approval applies followup.selectors.changes.planned_changes: the project (end date, phase), the
approved budget (followup.budget.approved_budget, which the progress report reads; drafts are updated) and, for
ending early, the reporting requirement (a final report is required). The notice as sent never changes and the
decision is recorded once (audit.immutability); each step is audited; e-mails go through the outbox."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import require
from audit import services as audit
from common import limits
from common import money as money_bounds
from common.money import kr
from followup import tasks
from followup.budget import apply_moves, approved_budget
from followup.models import (
    BudgetMove,
    ChangeKind,
    ChangeNotice,
    ChangeStatus,
    ReportingRequirement,
    ReportKind,
    ReportSpending,
)
from followup.selectors.changes import kind_label, planned_changes
from grants import ledger
from grants.models import ZERO, Application, BudgetKind
from projects.models import DevelopmentProject, PhaseChange

MAX_TEXT = limits.MEDIUM_TEXT
MAX_MOVES = 8
DATED = (ChangeKind.FORSINKELSE, ChangeKind.AVSLUTTES)


def _d(value) -> str:
    return f"{value:%d.%m.%Y}" if value else "–"


def _amount(value) -> str:
    return str(Decimal(value).quantize(Decimal("1")))


def _text_problem(text: str, empty: str) -> str | None:
    if not text:
        return empty
    if len(text) > MAX_TEXT:
        return _("Teksten kan være høyst %(n)s tegn.") % {"n": f"{MAX_TEXT:,}".replace(",", "\u00a0")}
    return None


def _moves(raw_moves, budget: dict[str, Decimal], errors: dict) -> list[dict]:
    """The typed moves, checked: two different known lines, a positive whole amount; together they may not take
    a line of the approved budget below 0 (the total is kept, since money only moves). Blank rows are skipped.
    Errors are keyed flytt_<n>_<field> (n from 1) and `flyttinger`."""
    moves = []
    for n, item in enumerate(raw_moves or (), start=1):
        fra, til, raw = (item.get("fra_post") or ""), (item.get("til_post") or ""), item.get("belop")
        if not fra and not til and raw in (None, ""):
            continue
        row_ok = True
        if fra not in BudgetKind.values:
            errors.setdefault(f"flytt_{n}_fra_post", []).append(_("Velg budsjettposten pengene flyttes fra."))
            row_ok = False
        if til not in BudgetKind.values:
            errors.setdefault(f"flytt_{n}_til_post", []).append(_("Velg budsjettposten pengene flyttes til."))
            row_ok = False
        elif fra == til:
            errors.setdefault(f"flytt_{n}_til_post", []).append(_("Velg to forskjellige budsjettposter."))
            row_ok = False
        try:
            amount = money_bounds.parse_kroner(raw, _("Beløpet"))
        except ValidationError as exc:
            errors.setdefault(f"flytt_{n}_belop", []).extend(exc.messages)
            continue
        if amount is None or amount <= 0:
            errors.setdefault(f"flytt_{n}_belop", []).append(_("Skriv et beløp i hele kroner, større enn 0."))
            continue
        if row_ok:
            moves.append({"fra_post": fra, "til_post": til, "belop": amount})
    if not moves and not errors:
        errors.setdefault("flyttinger", []).append(_("Fyll ut minst én flytting mellom budsjettposter."))
    if len(moves) > MAX_MOVES:
        errors.setdefault("flyttinger", []).append(_("Høyst %(n)s flyttinger i én melding.") % {"n": MAX_MOVES})
    if moves and not errors:
        after = apply_moves(budget, moves)
        for line, amount in after.items():
            if amount < 0:
                errors.setdefault("flyttinger", []).append(
                    _("Dere kan ikke flytte mer enn det som står på «%(p)s»: godkjent budsjett er %(b)s.")
                    % {"p": kind_label(line), "b": kr(budget.get(line, ZERO))}
                )
    return moves


@transaction.atomic
def send_notice(
    actor,
    application: Application,
    *,
    type: str,
    beskrivelse: str,
    ny_sluttdato: datetime.date | None = None,
    forventet_ubrukt=None,
    flyttinger: list[dict] | None = None,
) -> ChangeNotice:
    """The applicants send a change notice. Each kind asks for its own facts: a delay a later end date, ending
    early an earlier one, a reallocation its moves (whole kroner, no line below 0), expected unspent money an
    amount at most the award. One notice of a kind may wait for an answer at a time."""
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("utlysning__embete", "prosjekt", "vedtak")
        .prefetch_related("tjenester", "budsjett")
        .get(pk=application.pk)
    )
    require(actor, "followup.send_change_notice", application)
    project, decision = application.prosjekt, application.vedtak
    errors: dict[str, list[str]] = {}
    if type not in ChangeKind.values:
        raise ValidationError({"type": _("Velg hva slags endring dere melder.")})
    beskrivelse = (beskrivelse or "").strip()
    problem = _text_problem(beskrivelse, _("Beskriv endringen og hvorfor den skjer."))
    if problem:
        errors["beskrivelse"] = [problem]
    today = timezone.localdate()
    if type in DATED:
        if not isinstance(ny_sluttdato, datetime.date):
            errors["ny_sluttdato"] = [_("Oppgi ny sluttdato for prosjektet, for eksempel 31.12.2027.")]
        elif project.planlagt_start and ny_sluttdato < project.planlagt_start:
            errors["ny_sluttdato"] = [
                _("Ny sluttdato kan ikke være før prosjektets start (%(d)s).") % {"d": _d(project.planlagt_start)}
            ]
        elif type == ChangeKind.FORSINKELSE and ny_sluttdato <= (project.planlagt_slutt or today):
            errors["ny_sluttdato"] = [
                _("Ved forsinkelse må ny sluttdato være etter %(d)s.") % {"d": _d(project.planlagt_slutt or today)}
            ]
        elif type == ChangeKind.AVSLUTTES and project.planlagt_slutt and ny_sluttdato >= project.planlagt_slutt:
            errors["ny_sluttdato"] = [
                _("Når prosjektet avsluttes tidligere, må ny sluttdato være før %(d)s.")
                % {"d": _d(project.planlagt_slutt)}
            ]
    else:
        ny_sluttdato = None
    award = ledger.final_amount(decision)
    amount = None
    if type == ChangeKind.UBRUKT:
        try:
            amount = money_bounds.parse_kroner(forventet_ubrukt, _("Forventet ubrukt beløp"))
        except ValidationError as exc:
            errors["forventet_ubrukt"] = exc.messages
        else:
            if amount is None or amount <= 0:
                errors["forventet_ubrukt"] = [_("Oppgi forventet ubrukt beløp i hele kroner, større enn 0.")]
            elif amount > award:
                errors["forventet_ubrukt"] = [
                    _("Forventet ubrukt beløp kan ikke være større enn tildelt beløp (%(t)s).") % {"t": kr(award)}
                ]
    budget = approved_budget(decision, award)
    moves = _moves(flyttinger, budget, errors) if type == ChangeKind.OMDISPONERING else []
    if ChangeNotice.objects.filter(soknad=application, type=type, status=ChangeStatus.SENDT).exists():
        errors.setdefault("type", []).append(
            _("En endringsmelding av denne typen venter allerede på svar fra statsforvalteren.")
        )
    if errors:
        raise ValidationError(errors)
    notice = ChangeNotice.objects.create(
        soknad=application,
        type=type,
        beskrivelse=beskrivelse,
        ny_sluttdato=ny_sluttdato,
        forventet_ubrukt=amount,
        sendt_av=actor,
        for_endring={
            "planlagt_slutt": str(project.planlagt_slutt) if project.planlagt_slutt else None,
            "fase": project.fase,
            "tildelt": _amount(award),
            "budsjett": {k: _amount(v) for k, v in budget.items()},
        },
    )
    BudgetMove.objects.bulk_create(BudgetMove(melding=notice, **move) for move in moves)
    audit.record(
        actor,
        "endringsmelding.sendt",
        notice,
        {
            "soknad": application.referanse,
            "type": type,
            "beskrivelse": beskrivelse,
            "ny_sluttdato": str(ny_sluttdato) if ny_sluttdato else None,
            "forventet_ubrukt": amount,
            "flyttinger": [{**m, "belop": _amount(m["belop"])} for m in moves],
        },
    )
    tasks.send_change_notice_sent.enqueue(notice.pk)
    return notice


def _locked(notice: ChangeNotice) -> ChangeNotice:
    return (
        ChangeNotice.objects.select_for_update(of=("self",))
        .select_related("soknad__utlysning__embete", "soknad__prosjekt", "soknad__vedtak", "sendt_av")
        .get(pk=notice.pk)
    )


@transaction.atomic
def decide(actor, notice: ChangeNotice, *, godkjent: bool, svar: str = "") -> ChangeNotice:
    """The statsforvalter of the embete that made the grant approves (the plan of
    followup.selectors.changes.planned_changes is applied) or rejects (with reasons; nothing else changes) a
    waiting notice. Decided once."""
    notice = _locked(notice)
    require(actor, "followup.decide_change_notice", notice)
    if notice.status != ChangeStatus.SENDT:
        raise ValidationError(_("Endringsmeldingen er allerede behandlet."))
    svar = (svar or "").strip()
    if not godkjent and not svar:
        raise ValidationError({"svar": [_("Skriv en begrunnelse når endringen avslås.")]})
    if len(svar) > MAX_TEXT:
        raise ValidationError(
            {"svar": [_("Svaret kan være høyst %(n)s tegn.") % {"n": f"{MAX_TEXT:,}".replace(",", "\u00a0")}]}
        )
    effect: dict = {}
    if godkjent:
        project = DevelopmentProject.objects.select_for_update().get(pk=notice.soknad.prosjekt_id)
        notice.soknad.prosjekt = project
        plan = planned_changes(notice)
        if plan.problems:
            raise ValidationError(
                _("Endringen kan ikke godkjennes nå: %(p)s Avslå den med en begrunnelse i stedet.")
                % {"p": " ".join(plan.problems)}
            )
        effect = _apply(actor, notice, plan)
    notice.status = ChangeStatus.GODKJENT if godkjent else ChangeStatus.AVSLATT
    notice.svar = svar
    notice.behandlet_av = actor
    notice.behandlet = timezone.now()
    notice.virkning = effect
    notice.save(update_fields=["status", "svar", "behandlet_av", "behandlet", "virkning"])
    audit.record(
        actor,
        "endringsmelding.godkjent" if godkjent else "endringsmelding.avslatt",
        notice,
        {"svar": svar, **effect},
    )
    tasks.send_change_notice_decided.enqueue(notice.pk)
    return notice


def _apply(actor, notice: ChangeNotice, plan) -> dict:
    """Carry out the plan. Returns what changed, as plain data (kept on the notice and in the audit trail)."""
    effect: dict = {"endringer": [str(line) for line in plan.lines()]}
    project = notice.soknad.prosjekt
    project_changes: dict = {}
    if plan.planlagt_slutt:
        project_changes["planlagt_slutt"] = [str(v) if v else None for v in plan.planlagt_slutt]
        project.planlagt_slutt = plan.planlagt_slutt[1]
    if plan.fase:
        if not project.fasehistorikk.exists():
            # The phase the project had before its first recorded change becomes the first row (as change_phase).
            started = project.planlagt_start or project.opprettet.date()
            PhaseChange.objects.create(
                prosjekt=project, fase=project.fase, fra_dato=min(started, plan.fase_fra), endret_av=None
            )
        project_changes["fase"] = list(plan.fase)
        project.fase = plan.fase[1]
        PhaseChange.objects.create(prosjekt=project, fase=plan.fase[1], fra_dato=plan.fase_fra, endret_av=actor)
    if project_changes:
        project.save(update_fields=["planlagt_slutt", "fase", "endret"])
        audit.record(
            actor, "endringsmelding.prosjekt_endret", project, {"endringsmelding": notice.pk, **project_changes}
        )
        effect["prosjekt"] = project_changes
    if plan.budget_after:
        effect["budsjett"] = {
            k: [_amount(plan.budget_before.get(k, ZERO)), _amount(v)] for k, v in plan.budget_after.items()
        }
        for report in plan.reports_updated:
            for line in ReportSpending.objects.filter(rapport=report):
                new = plan.budget_after.get(line.type)
                if new is not None and line.budsjett != new:
                    line.budsjett = new
                    line.save(update_fields=["budsjett"])
        effect["rapporter_oppdatert"] = [r.pk for r in plan.reports_updated]
    requirement_changes = []
    for change in plan.requirements:
        if change.krav is None:
            krav = ReportingRequirement.objects.create(
                vedtak=notice.soknad.vedtak,
                prosjekt=project,
                type=ReportKind.SLUTT,
                aar=notice.soknad.utlysning.aar,
                frist=change.frist,
                opprinnelig_frist=change.frist,
            )
            requirement_changes.append(
                {"rapportkrav": krav.pk, "opprettet": ReportKind.SLUTT, "frist": str(krav.frist)}
            )
        else:
            ReportingRequirement.objects.filter(pk=change.krav.pk).update(type=change.type[1])
            requirement_changes.append({"rapportkrav": change.krav.pk, "type": list(change.type)})
    if requirement_changes:
        effect["rapportkrav"] = requirement_changes
    if notice.forventet_ubrukt is not None:
        effect["forventet_ubrukt"] = _amount(notice.forventet_ubrukt)
    return effect
