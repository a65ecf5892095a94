"""Appeals (klager) end somewhere. Writes for the whole appeal: the applicant files it, the statsforvalter that
made the decision handles it, and Bufdir, the klageinstans, decides the appeals the statsforvalter does not uphold.

- `file_appeal`: the applying service's leader, within the deadline; one open appeal at a time, none while one
  is at Bufdir, and none after Bufdir's final decision (forvaltningsloven § 28 tredje ledd).
- `resolve_appeal`: the statsforvalter. «Medhold» and «delvis medhold» change the decision (omgjøring, § 33
  andre ledd) and need the new amount: medhold another amount than the one in force, at most the applied amount
  (usually the applied amount; lower when the applicants themselves ask for less, e.g. a project that ended),
  delvis medhold strictly between the amount in force and the applied amount. «Ikke medhold» forwards the
  appeal to Bufdir (oversendelse). Each outcome makes a letter: an omgjøringsvedtak or an oversendelsesbrev.
- `decide_forwarded_appeal`: Bufdir. «Stadfestet» keeps the decision; «endret» sets a new amount (within the
  frame and the applied amount); «opphevet» quashes the statsforvalter's handling and sends the case back: a new
  appeal row (`opphevet_klage` = the quashed one) opens for the statsforvalter, who handles it again like any
  appeal (and may forward it again). Each decision makes Bufdir's letter (klagevedtak).

A new amount is checked against the frame under a row lock (SELECT … FOR UPDATE), as `grants.services.decide`
does. `preview_resolution` / `preview_bufdir_decision` run the same checks without writing, for the confirmation
step. Letters and e-mails: `grants.tasks_appeals.deliver_appeal_letter` after commit."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import require
from audit import services as audit
from common.money import kr
from organisations.models import Maalform

from .ledger import awarded_total, final_amount
from .models import ZERO, Appeal, AppealOutcome, BufdirOutcome, Decision, Frame
from .selectors import lead_applicant
from .services import _d, money, require_impartial, sync_award
from .tasks_appeals import BUFDIR, STATSFORVALTER, deliver_appeal_letter

UPHELD = (AppealOutcome.MEDHOLD, AppealOutcome.DELVIS_MEDHOLD)


@dataclass(frozen=True)
class Preview:
    """What an appeal outcome will do, for the confirmation step."""

    utfall: str
    utfall_label: str
    amount_before: Decimal
    amount_after: Decimal
    recipient: object  # the lead applicant (ChildWelfareService) or None
    letter: str  # the letter's name, e.g. «Omgjøringsvedtak»
    letter_language: str  # «Bokmål» / «Nynorsk»
    sent_back: bool = False  # Bufdir quashes: the case goes back to the statsforvalter


# --- filing ------------------------------------------------------------------------------------------------------


@transaction.atomic
def file_appeal(actor, decision: Decision, begrunnelse: str) -> Appeal:
    decision = Decision.objects.select_for_update().get(pk=decision.pk)  # one open appeal at a time
    require(actor, "grants.appeal", decision.soknad)
    appeals = list(decision.klager.all())
    if any(a.bufdir_utfall in (BufdirOutcome.STADFESTET, BufdirOutcome.ENDRET) for a in appeals):
        raise ValidationError(_("Bufdir har avgjort klagen. Vedtaket i klagesaken er endelig og kan ikke påklages."))
    if any(a.at_bufdir for a in appeals):
        raise ValidationError(_("Klagen er sendt til Bufdir og er ikke avgjort ennå."))
    if timezone.localdate() > decision.klagefrist:
        raise ValidationError(_("Klagefristen gikk ut %(d)s.") % {"d": _d(decision.klagefrist)})
    if not begrunnelse.strip():
        raise ValidationError({"begrunnelse": _("Skriv hva dere klager på og hvorfor.")})
    if any(not a.utfall for a in appeals):
        raise ValidationError(_("Det finnes allerede en klage på vedtaket som ikke er behandlet."))
    appeal = Appeal.objects.create(vedtak=decision, begrunnelse=begrunnelse.strip(), innsendt_av=actor)
    audit.record(actor, "soknad.klage", decision.soknad, {})
    return appeal


# --- the statsforvalter -----------------------------------------------------------------------------------------


def _frame_for(decision: Decision, new_amount: Decimal, field: str, lock: bool) -> Frame:
    """The frame the decision draws on (for a rejection: the round's frame for its category), checked for room for
    the new amount in place of what the decision awards now."""
    frame = decision.ramme
    if frame is None:
        rnd = decision.soknad.utlysning
        frame = Frame.objects.filter(
            ordning=rnd.ordning, aar=rnd.aar, embete=rnd.embete, kategori=decision.soknad.kategori
        ).first()
    if frame is None:
        raise ValidationError({field: _("Det finnes ingen ramme å tildele fra.")})
    frame = (Frame.objects.select_for_update() if lock else Frame.objects).get(pk=frame.pk)
    used = awarded_total(frame) - (final_amount(decision) if decision.ramme_id == frame.pk else ZERO)
    if used + new_amount > frame.belop:
        raise ValidationError(
            {field: _("Beløpet går over rammen. Igjen av rammen: %(r)s.") % {"r": kr(frame.belop - used)}}
        )
    return frame


def _not_above_applied(decision: Decision, amount: Decimal, field: str) -> None:
    if amount > decision.soknad.soknadsbelop:
        raise ValidationError(
            {
                field: _("Nytt beløp kan ikke være større enn søknadsbeløpet (%(a)s).")
                % {"a": kr(decision.soknad.soknadsbelop)}
            }
        )


def _check_resolution(appeal: Appeal, utfall: str, begrunnelse: str, nytt_belop, lock: bool):
    """Validate the statsforvalter's outcome; returns (new amount or None, frame to set on a rejection or None)."""
    decision = appeal.vedtak
    if appeal.utfall:
        raise ValidationError(_("Klagen er allerede behandlet."))
    if utfall not in AppealOutcome.values:
        raise ValidationError({"utfall": _("Velg utfall.")})
    if not begrunnelse.strip():
        raise ValidationError({"begrunnelse": _("Skriv begrunnelsen for utfallet.")})
    if utfall not in UPHELD:
        return None, None
    if nytt_belop in (None, ""):
        raise ValidationError(
            {"nytt_belop": _("Skriv det nye tildelte beløpet. Ved medhold og delvis medhold endres vedtaket.")}
        )
    new_amount = money(nytt_belop, "nytt_belop", _("Nytt beløp"))
    if new_amount != new_amount.to_integral_value():
        raise ValidationError({"nytt_belop": _("Nytt beløp må være hele kroner.")})
    _not_above_applied(decision, new_amount, "nytt_belop")
    before = final_amount(decision)
    applied = decision.soknad.soknadsbelop
    if utfall == AppealOutcome.MEDHOLD and new_amount == before:
        raise ValidationError(
            {
                "nytt_belop": _(
                    "Ved medhold endres vedtaket: det nye beløpet kan ikke være det samme som beløpet som gjelder nå "
                    "(%(b)s). Skal beløpet stå, velg «Ikke medhold»."
                )
                % {"b": kr(before)}
            }
        )
    if utfall == AppealOutcome.DELVIS_MEDHOLD and not (before < new_amount < applied):
        raise ValidationError(
            {
                "nytt_belop": _(
                    "Ved delvis medhold må det nye beløpet være større enn beløpet som gjelder nå (%(b)s) og mindre "
                    "enn søknadsbeløpet (%(a)s). Gir dere klageren helt medhold, velg «Medhold»."
                )
                % {"b": kr(before), "a": kr(applied)}
            }
        )
    frame = _frame_for(decision, new_amount, "nytt_belop", lock)
    return new_amount, frame


def _language_label(decision: Decision) -> str:
    return str(Maalform(decision.maalform).label) if decision.maalform in Maalform.values else ""


def _load(appeal: Appeal, lock: bool) -> Appeal:
    qs = Appeal.objects.select_related("vedtak__soknad__utlysning", "vedtak__ramme")
    if lock:
        qs = qs.select_for_update(of=("self",))
    return qs.get(pk=appeal.pk)


def preview_resolution(actor, appeal: Appeal, *, utfall: str, begrunnelse: str, nytt_belop=None) -> Preview:
    """What resolve_appeal would do, checked the same way, without writing (the confirmation step)."""
    appeal = _load(appeal, lock=False)
    decision = appeal.vedtak
    require(actor, "grants.decide", decision.soknad)
    require_impartial(actor, decision.soknad)
    new_amount, _frame = _check_resolution(appeal, utfall, begrunnelse, nytt_belop, lock=False)
    before = final_amount(decision)
    return Preview(
        utfall=utfall,
        utfall_label=str(AppealOutcome(utfall).label),
        amount_before=before,
        amount_after=before if new_amount is None else new_amount,
        recipient=lead_applicant(decision.soknad),
        letter=str(_("Omgjøringsvedtak")) if utfall in UPHELD else str(_("Oversendelsesbrev (klagen sendes Bufdir)")),
        letter_language=_language_label(decision),
    )


@transaction.atomic
def resolve_appeal(actor, appeal: Appeal, *, utfall: str, begrunnelse: str, nytt_belop=None) -> Appeal:
    """The statsforvalter's outcome: medhold / delvis medhold (omgjøring with the new amount) or ikke medhold
    (forwarded to Bufdir). Makes and sends the letter after commit."""
    appeal = _load(appeal, lock=True)
    decision = appeal.vedtak
    require(actor, "grants.decide", decision.soknad)
    require_impartial(actor, decision.soknad)
    new_amount, frame = _check_resolution(appeal, utfall, begrunnelse, nytt_belop, lock=True)
    if frame is not None and decision.ramme_id is None:
        Decision.objects.filter(pk=decision.pk).update(ramme=frame)
    appeal.utfall, appeal.utfall_begrunnelse, appeal.nytt_belop = utfall, begrunnelse.strip(), new_amount
    appeal.behandlet, appeal.behandlet_av = timezone.now(), actor
    appeal.save()
    sync_award(decision)
    audit.record(actor, "soknad.klage_behandlet", decision.soknad, {"utfall": utfall, "nytt_belop": new_amount})
    if utfall == AppealOutcome.IKKE_MEDHOLD:
        audit.record(actor, "soknad.klage_oversendt", decision.soknad, {})
    deliver_appeal_letter.enqueue(appeal.pk, STATSFORVALTER)
    return appeal


# --- Bufdir, the klageinstans -----------------------------------------------------------------------------------


def _check_bufdir(appeal: Appeal, utfall: str, begrunnelse: str, belop, lock: bool):
    decision = appeal.vedtak
    if not appeal.at_bufdir:
        raise ValidationError(_("Klagen er ikke sendt til Bufdir, eller Bufdir har allerede avgjort den."))
    if utfall not in BufdirOutcome.values:
        raise ValidationError({"utfall": _("Velg vedtak: stadfestet, opphevet eller endret.")})
    if not begrunnelse.strip():
        raise ValidationError({"begrunnelse": _("Skriv begrunnelsen for vedtaket (forvaltningsloven § 24).")})
    if utfall != BufdirOutcome.ENDRET:
        return None
    if belop in (None, ""):
        raise ValidationError({"belop": _("Skriv beløpet vedtaket endres til.")})
    amount = money(belop, "belop", _("Beløpet"))
    if amount != amount.to_integral_value():
        raise ValidationError({"belop": _("Beløpet må være hele kroner.")})
    _not_above_applied(decision, amount, "belop")
    before = final_amount(decision)
    if amount == before:
        raise ValidationError(
            {
                "belop": _(
                    "Beløpet er det samme som gjelder nå (%(b)s). Vil dere ikke endre beløpet, velg «Stadfestet»."
                )
                % {"b": kr(before)}
            }
        )
    _frame_for(decision, amount, "belop", lock)
    return amount


def preview_bufdir_decision(actor, appeal: Appeal, *, utfall: str, begrunnelse: str, belop=None) -> Preview:
    appeal = _load(appeal, lock=False)
    require(actor, "grants.decide_appeal", appeal)
    amount = _check_bufdir(appeal, utfall, begrunnelse, belop, lock=False)
    before = final_amount(appeal.vedtak)
    return Preview(
        utfall=utfall,
        utfall_label=str(BufdirOutcome(utfall).label),
        amount_before=before,
        amount_after=before if amount is None else amount,
        recipient=lead_applicant(appeal.vedtak.soknad),
        letter=str(_("Vedtak i klagesak fra Bufdir")),
        letter_language=_language_label(appeal.vedtak),
        sent_back=utfall == BufdirOutcome.OPPHEVET,
    )


@transaction.atomic
def decide_forwarded_appeal(actor, appeal: Appeal, *, utfall: str, begrunnelse: str, belop=None) -> Appeal:
    """Bufdir's decision on an appeal the statsforvalter forwarded: stadfestet, endret (new amount, within the
    frame) or opphevet (a new handling opens at the statsforvalter). Makes and sends the klagevedtak after commit."""
    appeal = _load(appeal, lock=True)
    require(actor, "grants.decide_appeal", appeal)
    decision = Decision.objects.select_for_update().get(pk=appeal.vedtak_id)  # one decision on the case at a time
    appeal.vedtak = Decision.objects.select_related("soknad__utlysning", "ramme").get(pk=decision.pk)
    amount = _check_bufdir(appeal, utfall, begrunnelse, belop, lock=True)
    decision = appeal.vedtak
    if amount is not None and decision.ramme_id is None:
        frame = _frame_for(decision, amount, "belop", lock=True)
        Decision.objects.filter(pk=decision.pk).update(ramme=frame)
    appeal.bufdir_utfall, appeal.bufdir_begrunnelse, appeal.bufdir_belop = utfall, begrunnelse.strip(), amount
    appeal.bufdir_behandlet, appeal.bufdir_behandlet_av = timezone.now(), actor
    appeal.save()
    if utfall == BufdirOutcome.OPPHEVET:
        Appeal.objects.create(
            vedtak=decision, begrunnelse=appeal.begrunnelse, innsendt_av=appeal.innsendt_av, opphevet_klage=appeal
        )
    sync_award(decision)
    audit.record(actor, "soknad.klage_avgjort_bufdir", decision.soknad, {"utfall": utfall, "belop": amount})
    deliver_appeal_letter.enqueue(appeal.pk, BUFDIR)
    return appeal
