"""Saving a draft application field by field (issue 17, «nothing typed is lost").

A save names the draft revision it started from (Application.utkast_revisjon) and the value each field had then
(its base). For every field (budget lines and partners count as one field each):

- the user did not change it (sent == base): the saved value stays, whatever others did;
- the user changed it and nobody else did (saved == base), or both wrote the same: the user's value is saved;
- the user and someone else changed it differently since the base: a conflict. Nothing is saved for that field;
  both texts go back to the user, who chooses (keeping their own means saving again with the saved value as base).

Fields that are invalid (on the form, or refused by grants.services.save_draft) are not saved; the valid ones are.
The rules of the draft itself stay in services.save_draft, which this module calls with the merged values. A save
that changed anything moves the revision one up."""

import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy

from common.money import kr
from organisations.models import ChildWelfareService, Partner

from . import services
from .models import Application, BudgetKind

TEXTS = ("maal", "aktiviteter", "tidsplan")
AMOUNTS = ("egeninnsats", "annen_finansiering")
# The fields of a draft, in the form's order. "budsjett" and "partnere" are the two formsets, one field each.
FIELDS = (*TEXTS, "tjenester", "ansvarlig_soker", "partnere", "budsjett", *AMOUNTS)
# Fields whose saved value the page can put straight into its input when someone else changed it.
SIMPLE = (*TEXTS, *AMOUNTS, "ansvarlig_soker")
LABELS = {
    "maal": gettext_lazy("Mål"),
    "aktiviteter": gettext_lazy("Planlagte aktiviteter"),
    "tidsplan": gettext_lazy("Tidsplan"),
    "tjenester": gettext_lazy("Tjenester som søker sammen"),
    "ansvarlig_soker": gettext_lazy("Ansvarlig søker"),
    "partnere": gettext_lazy("Partnere"),
    "budsjett": gettext_lazy("Budsjett"),
    "egeninnsats": gettext_lazy("Egeninnsats (kr)"),
    "annen_finansiering": gettext_lazy("Annen finansiering (kr)"),
}
# A rule across fields refused: the other fields it depends on are left unsaved too, so the pair stays consistent.
RELATED = {
    "annen_finansiering": ("budsjett",),
    "budsjett": ("annen_finansiering",),
    "ansvarlig_soker": ("tjenester",),
    "tjenester": ("ansvarlig_soker",),
}


def _text(value) -> str:
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _same(name: str, a, b) -> bool:
    """Equal values of a field; a text is compared without regard to line endings and surrounding space."""
    if name in TEXTS and isinstance(a, str) and isinstance(b, str):
        return _text(a) == _text(b)
    return a == b


def _whole(value) -> str:
    return str(Decimal(value or 0).quantize(Decimal("1")))


def current(application: Application) -> dict:
    """The saved value of every field, as plain comparable data (JSON)."""
    return {
        **{name: getattr(application, name) or "" for name in TEXTS},  # as stored: compared by _same
        **{name: _whole(getattr(application, name)) for name in AMOUNTS},
        "tjenester": sorted(s.pk for s in application.tjenester.all()),
        "ansvarlig_soker": application.ansvarlig_soker_id,
        "budsjett": [[b.type, _text(b.beskrivelse), _whole(b.belop)] for b in application.budsjett.order_by("id")],
        "partnere": [[p.partner_id, _text(p.rolle)] for p in application.partnere.order_by("id")],
    }


def sent(form, budget, partners) -> dict:
    """The values the user sent, for the fields that are valid on the form (an invalid one is left out)."""
    values = {}
    data = getattr(form, "cleaned_data", {})
    for name in TEXTS:
        if name in data and name not in form.errors:
            values[name] = data[name] or ""  # stored as typed; compared by _same
    for name in AMOUNTS:
        if name in data and name not in form.errors:
            values[name] = _whole(data[name])
    if "tjenester" in data and "tjenester" not in form.errors:
        values["tjenester"] = sorted(s.pk for s in data["tjenester"])
    if "ansvarlig_soker" in data and "ansvarlig_soker" not in form.errors:
        values["ansvarlig_soker"] = getattr(data["ansvarlig_soker"], "pk", None)
    if budget.is_valid():
        values["budsjett"] = [
            [line["type"], _text(line.get("beskrivelse")), _whole(line["belop"])] for line in _kept(budget)
        ]
    if partners.is_valid():
        values["partnere"] = [[line["partner"].pk, _text(line["rolle"])] for line in _kept(partners)]
    return values


def _kept(formset) -> list[dict]:
    return [f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]


def parse_base(raw) -> dict:
    """The base values the form carried (a JSON object in the hidden field utkast_base); {} when missing or bad."""
    try:
        base = json.loads(raw or "{}")
    except (TypeError, ValueError):
        return {}
    return {k: v for k, v in base.items() if k in FIELDS} if isinstance(base, dict) else {}


def parse_revision(raw) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def display(name: str, value) -> str:
    """A field's value as text for the conflict box (both versions side by side)."""
    if name in TEXTS:
        return value or ""
    if name in AMOUNTS:
        return kr(value)
    if name == "tjenester":
        names = dict(ChildWelfareService.objects.filter(pk__in=value).values_list("pk", "navn"))
        return ", ".join(sorted(names.get(pk, str(pk)) for pk in value))
    if name == "ansvarlig_soker":
        return str(ChildWelfareService.objects.filter(pk=value).values_list("navn", flat=True).first() or "")
    if name == "budsjett":
        kinds = dict(BudgetKind.choices)
        return "\n".join(f"{kinds.get(t, t)}: {d} – {kr(b)}".replace(":  –", ":") for t, d, b in value)
    if name == "partnere":
        names = dict(Partner.objects.filter(pk__in=[p for p, _r in value]).values_list("pk", "navn"))
        return "\n".join(f"{names.get(p, p)}: {r}" for p, r in value)
    return str(value)


@dataclass
class DraftSave:
    """What a save did: the fields saved, refused (errors per field) and in conflict, and the state to go on from."""

    application: Application
    revision: int
    base: dict  # the base the form goes on with (see below)
    saved: list[str] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)  # service field name -> messages
    conflicts: list[dict] = field(default_factory=list)
    changed_by_others: dict = field(default_factory=dict)  # field -> saved value the user had not touched

    @property
    def complete(self) -> bool:
        return not self.errors and not self.conflicts


def _service_kwargs(values: dict) -> dict:
    services_by_pk = ChildWelfareService.objects.in_bulk(values["tjenester"] + [values["ansvarlig_soker"] or 0])
    partners_by_pk = Partner.objects.in_bulk([p for p, _r in values["partnere"]])
    return {
        **{name: values[name] for name in TEXTS},
        **{name: Decimal(values[name]) for name in AMOUNTS},
        "tjenester": [services_by_pk[pk] for pk in values["tjenester"] if pk in services_by_pk],
        "ansvarlig_soker": services_by_pk.get(values["ansvarlig_soker"]),
        "budsjett": [{"type": t, "beskrivelse": d, "belop": Decimal(b)} for t, d, b in values["budsjett"]],
        "partnere": [{"partner": partners_by_pk[p], "rolle": r} for p, r in values["partnere"] if p in partners_by_pk],
    }


def _field_of(key: str) -> str | None:
    return key if key in FIELDS else None


@transaction.atomic
def save_fields(
    actor,
    application: Application,
    values: dict,
    *,
    revision: int | None,
    base: dict,
    invalid=(),
    keep_mine=(),
    autosave: bool = False,
) -> DraftSave:
    """Save the valid fields the user changed, merging with what others saved since `revision` (see the module).
    values: the user's valid fields (sent()); base: each field's value when the user's copy was loaded; invalid:
    fields the form refused (kept at their base, never saved); keep_mine: fields in conflict where the user chose
    their own value over the saved one. Raises PermissionDenied like save_draft."""
    locked = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
    saved_values = current(locked)
    if revision is None or revision == locked.utkast_revisjon:
        # The form is up to date (or names no revision: a plain post from before revisions): the base is what is
        # saved.
        base = dict(saved_values)
    for name in keep_mine:
        if name in FIELDS:
            base[name] = saved_values[name]
    result_base = dict(base)
    to_write: dict = {}
    conflicts = []
    changed_by_others = {}
    for name in FIELDS:
        if name not in base:  # no base and an out-of-date form: a change is a conflict unless it is the same
            base_value = saved_values[name] if name not in values else None
        else:
            base_value = base[name]
        mine = values.get(name)
        theirs = saved_values[name]
        if name in invalid or name not in values:
            if not _same(name, base_value, theirs) and name not in invalid:
                changed_by_others[name] = theirs
            continue
        if _same(name, mine, base_value):  # not changed by this user
            if not _same(name, theirs, base_value):
                changed_by_others[name] = theirs
            continue
        if _same(name, theirs, base_value) or _same(name, theirs, mine):
            to_write[name] = mine
            result_base[name] = mine
        else:
            conflicts.append(
                {
                    "felt": name,
                    "etikett": str(LABELS[name]),
                    "min": display(name, mine),
                    "lagret": display(name, theirs),
                    "verdi": theirs,
                }
            )
    errors: dict[str, list[str]] = {}
    saved = None
    while to_write:
        merged = {**saved_values, **to_write}
        try:
            with transaction.atomic():
                saved = services.save_draft(actor, locked, **_service_kwargs(merged), autosave=autosave)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                raise
            dropped = False
            for key, messages in exc.message_dict.items():
                name = _field_of(key)
                if name is None:
                    raise
                errors.setdefault(name, []).extend(m for m in messages if m not in errors.get(name, []))
                for other in (name, *RELATED.get(name, ())):
                    if other in to_write:
                        del to_write[other]
                        result_base[other] = base.get(other, saved_values[other])
                        dropped = True
            if not dropped:
                raise
            continue
        break
    if saved is not None and to_write:
        Application.objects.filter(pk=locked.pk).update(utkast_revisjon=F("utkast_revisjon") + 1)
        locked.refresh_from_db()
    now = current(locked)
    result_base = {name: result_base.get(name, saved_values[name]) for name in FIELDS}
    # The form goes on from the current revision only when its base is all that is saved now; otherwise (fields
    # changed by others that the user has not taken in, conflicts) it keeps the revision it had, so its next save
    # is merged against these bases again and nothing of the others' is overwritten unseen.
    up_to_date = all(_same(name, result_base[name], now[name]) for name in FIELDS)
    return DraftSave(
        application=locked,
        revision=locked.utkast_revisjon if up_to_date else (revision if revision is not None else -1),
        base=result_base,
        saved=sorted(to_write),
        errors=errors,
        conflicts=conflicts,
        changed_by_others=changed_by_others,
    )


def unsaved(application: Application, data) -> DraftSave:
    """The state of a form whose save was refused as a whole: it goes on from the revision and base it had."""
    application = Application.objects.get(pk=application.pk)
    base = parse_base(data.get("utkast_base")) or current(application)
    revision = parse_revision(data.get("utkast_revisjon"))
    return DraftSave(
        application=application,
        revision=application.utkast_revisjon if revision is None else revision,
        base={name: base.get(name, value) for name, value in current(application).items()},
    )
