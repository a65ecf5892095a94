"""What the applicants entered, in one plain shape: for the application page, the staff panel's page, the submit
page and the locked versions alike.

- `content(application)`: everything the applicants entered as JSON-ready data. grants.services.snapshot stores
  exactly this in every ApplicationVersion (and diffs it for the audit trail), so a live application and a version
  are rendered from the same shape by templates/grants/_application_content.html.
- `present(data)`: that shape made ready for the template (labels, Decimal amounts, the lead applicant marked,
  download links for attachments that still exist). Versions stored before the shape grew (partners as
  «navn: rolle», attachments as file names) are read too.
- `compare(old, new)`: a readable field-by-field comparison of two versions.

Reads only what the caller's query prefetched when it is prefetched (selectors.application_detail), so the pages'
query counts do not grow with the number of lines, partners or attachments."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.money import kr
from organisations.models import PartnerType
from projects.models import Category

from .models import Application, ApplicationVersion, BudgetKind
from .selectors import lead_applicant

ZERO = Decimal("0")


def _money(value) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else ZERO
    except InvalidOperation:
        return ZERO


def _rows(application: Application, name: str, *related: str):
    """The related rows: the prefetched ones when the query prefetched them, else one query (joined)."""
    manager = getattr(application, name)
    if name in getattr(application, "_prefetched_objects_cache", {}):
        return manager.all()
    return manager.select_related(*related) if related else manager.all()


def content(application: Application) -> dict:
    """Everything the applicants entered, as plain data (the shape of ApplicationVersion.innhold)."""
    lead = lead_applicant(application)
    budget = sorted(_rows(application, "budsjett"), key=lambda b: b.pk)
    partners = sorted(_rows(application, "partnere", "partner"), key=lambda p: (p.partner.navn, p.pk))
    attachments = sorted(_rows(application, "vedlegg"), key=lambda a: a.pk)
    return {
        "kategori": application.kategori,
        "prosjekt": application.prosjekt.navn,
        "nettverk": application.prosjekt.network.navn,
        "maal": application.maal,
        "aktiviteter": application.aktiviteter,
        "tidsplan": application.tidsplan,
        "egeninnsats": str(application.egeninnsats),
        "annen_finansiering": str(application.annen_finansiering),
        "soknadsbelop": str(application.soknadsbelop),
        "budsjett": [{"type": b.type, "beskrivelse": b.beskrivelse, "belop": str(b.belop)} for b in budget],
        "budsjett_sum": str(sum((b.belop for b in budget), ZERO)),
        "tjenester": sorted(s.navn for s in application.tjenester.all()),
        "ansvarlig_soker": lead.navn if lead is not None else "",
        "partnere": [{"partner": p.partner.navn, "type": p.partner.type, "rolle": p.rolle} for p in partners],
        "vedlegg": [
            {"id": a.pk, "tittel": a.tittel, "filnavn": a.filnavn, "storrelse": a.storrelse} for a in attachments
        ],
    }


def _label(choices, value: str) -> str:
    return str(dict(choices).get(value, value or ""))


def _partner(item) -> dict:
    if isinstance(item, str):  # versions before the shape grew: «navn: rolle»
        name, _sep, role = item.partition(": ")
        return {"partner": name, "type": "", "rolle": role}
    return {
        "partner": item.get("partner", ""),
        "type": _label(PartnerType.choices, item.get("type", "")),
        "rolle": item.get("rolle", ""),
    }


def _attachment(item, existing: set[int]) -> dict:
    if isinstance(item, str):  # versions before the shape grew: the file name only
        return {"id": None, "tittel": item, "filnavn": item, "storrelse": None}
    pk = item.get("id")
    return {
        "id": pk if pk in existing else None,
        "tittel": item.get("tittel") or item.get("filnavn", ""),
        "filnavn": item.get("filnavn", ""),
        "storrelse": item.get("storrelse"),
    }


def present(data: dict, existing_attachments: set[int] = frozenset()) -> dict:
    """The shape of `content` made ready for templates/grants/_application_content.html. existing_attachments:
    the ids of attachments that can still be downloaded (a link is shown only for those)."""
    budget = [
        {
            "type": _label(BudgetKind.choices, b.get("type", "")),
            "beskrivelse": b.get("beskrivelse", ""),
            "belop": _money(b.get("belop")),
        }
        for b in data.get("budsjett", [])
    ]
    lead = data.get("ansvarlig_soker", "")
    total = _money(data["budsjett_sum"]) if "budsjett_sum" in data else sum((b["belop"] for b in budget), ZERO)
    return {
        "kategori": _label(Category.choices, data.get("kategori", "")),
        "prosjekt": data.get("prosjekt", ""),
        "nettverk": data.get("nettverk", ""),
        "maal": data.get("maal", ""),
        "aktiviteter": data.get("aktiviteter", ""),
        "tidsplan": data.get("tidsplan", ""),
        "budsjett": budget,
        "budsjett_sum": total,
        "annen_finansiering": _money(data.get("annen_finansiering")),
        "egeninnsats": _money(data.get("egeninnsats")),
        "soknadsbelop": _money(data.get("soknadsbelop")),
        "tjenester": [{"navn": name, "lead": name == lead} for name in data.get("tjenester", [])],
        "ansvarlig_soker": lead,
        "partnere": [_partner(p) for p in data.get("partnere", [])],
        "vedlegg": [_attachment(a, set(existing_attachments)) for a in data.get("vedlegg", [])],
    }


def application_content(application: Application) -> dict:
    """A live application (draft or submitted), ready for the partial."""
    data = content(application)
    return present(data, {a["id"] for a in data["vedlegg"]})


def version_content(version: ApplicationVersion, application: Application) -> dict:
    """A locked version, ready for the partial. `application` is the version's application as read by
    selectors.application_detail (its attachments prefetched): attachments still on it get a download link."""
    return present(version.innhold, {a.pk for a in application.vedlegg.all()})


def version_of(application: Application, nummer: int) -> tuple[ApplicationVersion | None, ApplicationVersion | None]:
    """(the version with this number, the one before it) of an application read by selectors.application_detail
    (its versions prefetched); (None, None) when there is no such version."""
    versions = {v.nummer: v for v in application.versjoner.all()}
    version = versions.get(nummer)
    if version is None:
        return None, None
    earlier = [n for n in versions if n < nummer]
    return version, (versions[max(earlier)] if earlier else None)


# --- comparing two versions --------------------------------------------------------------------------------------

TEXT, AMOUNT, LIST = "text", "amount", "list"
FIELDS = (
    ("prosjekt", gettext_lazy("Prosjekt"), TEXT),
    ("kategori", gettext_lazy("Kategori"), TEXT),
    ("maal", gettext_lazy("Mål"), TEXT),
    ("aktiviteter", gettext_lazy("Planlagte aktiviteter"), TEXT),
    ("tidsplan", gettext_lazy("Tidsplan"), TEXT),
    ("tjenester", gettext_lazy("Søkende tjenester"), LIST),
    ("ansvarlig_soker", gettext_lazy("Ansvarlig søker"), TEXT),
    ("partnere", gettext_lazy("Partnere (kompetansemiljø)"), LIST),
    ("budsjett", gettext_lazy("Budsjettlinjer"), LIST),
    ("budsjett_sum", gettext_lazy("Budsjettets sum"), AMOUNT),
    ("annen_finansiering", gettext_lazy("Annen finansiering"), AMOUNT),
    ("egeninnsats", gettext_lazy("Egeninnsats"), AMOUNT),
    ("soknadsbelop", gettext_lazy("Søknadsbeløp"), AMOUNT),
    ("vedlegg", gettext_lazy("Vedlegg"), LIST),
)


def _lines(field: str, shown: dict) -> list[str]:
    """The items of a list field as readable lines."""
    if field == "tjenester":
        return [s["navn"] for s in shown["tjenester"]]
    if field == "partnere":
        return [
            _("%(p)s – rolle: %(r)s") % {"p": p["partner"], "r": p["rolle"]} if p["rolle"] else p["partner"]
            for p in shown["partnere"]
        ]
    if field == "budsjett":
        return [" – ".join(x for x in (b["type"], b["beskrivelse"], kr(b["belop"])) if x) for b in shown["budsjett"]]
    return [f"{a['tittel']} ({a['filnavn']})" if a["filnavn"] != a["tittel"] else a["tittel"] for a in shown["vedlegg"]]


def compare(old: dict, new: dict) -> list[dict]:
    """What changed between two versions' contents, field by field, in the order of the form. Each row: label,
    kind (text/amount/list), and before/after (text, amount) or removed/added lines (lists). Unchanged fields are
    left out; an empty list means no change."""
    before, after = present(old), present(new)
    rows = []
    for field, label, kind in FIELDS:
        if kind == LIST:
            a, b = _lines(field, before), _lines(field, after)
            removed = [line for line in a if line not in b]
            added = [line for line in b if line not in a]
            if removed or added:
                rows.append({"field": field, "label": str(label), "kind": kind, "removed": removed, "added": added})
        elif before[field] != after[field]:
            a, b = before[field], after[field]
            if kind == AMOUNT:
                a, b = kr(a), kr(b)
            rows.append({"field": field, "label": str(label), "kind": kind, "before": a, "after": b})
    return rows
