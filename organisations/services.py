"""Writes to the organisation registry. Each takes the acting user, checks permission,
validates, writes atomically and records an audit event."""

import csv
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.permissions import require
from audit import services as audit
from common import spreadsheets
from common.text import clean_name

from .models import ChildWelfareService, Embete, Kommune, Maalform, Partner
from .reference_data import LoadStats, ReferenceDataError, load_reference_data  # noqa: F401  (used from here)
from .resources import ChildWelfareServiceResource
from .validators import clean_orgnr

# --- kommuner ---------------------------------------------------------------------------------


@transaction.atomic
def set_kommune_maalform(actor, kommune: Kommune, maalform: str) -> Kommune:
    require(actor, "organisations.change_kommune", kommune)
    if maalform not in Maalform.values:
        raise ValidationError({"maalform": _("Ugyldig målform.")})
    kommune = Kommune.objects.select_for_update().get(pk=kommune.pk)
    if kommune.maalform != maalform:
        audit.record(actor, "kommune.maalform_endret", kommune, {"maalform": [kommune.maalform, maalform]})
        kommune.maalform = maalform
        kommune.save(update_fields=["maalform"])
    return kommune


# --- barnevernstjenester ----------------------------------------------------------------------


def _validate_service_data(actor, data: dict, instance: ChildWelfareService | None) -> dict:
    errors: dict[str, list[str]] = {}
    clean = dict(data)
    try:
        clean["orgnr"] = clean_orgnr(str(data.get("orgnr", "")))
    except ValidationError as exc:
        errors["orgnr"] = exc.messages
    else:
        dup = ChildWelfareService.objects.filter(orgnr=clean["orgnr"])
        if instance is not None:
            dup = dup.exclude(pk=instance.pk)
        if dup.exists():
            errors["orgnr"] = [_("Det finnes allerede en barnevernstjeneste med dette organisasjonsnummeret.")]
    clean["navn"] = clean_name(data.get("navn"))  # no invisible or bidi control characters (common.text)
    if not clean["navn"]:
        errors["navn"] = [_("Navn må fylles ut.")]
    vert = data.get("vertskommune")
    kommuner = list(data.get("kommuner") or [])
    if vert is None:
        errors["vertskommune"] = [_("Velg vertskommune.")]
    elif vert not in kommuner:
        kommuner.append(vert)
    clean["kommuner"] = kommuner
    _check_kommuner_exist(vert, kommuner, instance, errors)
    if errors:
        raise ValidationError(errors)
    return clean


def _check_kommuner_exist(vert, kommuner: list[Kommune], instance: ChildWelfareService | None, errors: dict) -> None:
    """An ended kommune (see Kommune.gyldig_til) cannot be chosen for a new service, nor added to one; a service
    that already has it keeps it."""
    inactive = [k for k in kommuner if not k.is_active()]
    if not inactive:
        return  # the usual case: no query
    kept = set(instance.kommuner.values_list("pk", flat=True)) if instance is not None else set()
    if instance is not None:
        kept.add(instance.vertskommune_id)
    if vert is not None and vert in inactive and (instance is None or vert.pk != instance.vertskommune_id):
        errors.setdefault("vertskommune", []).append(vert.unavailable_reason())
    added = [k.unavailable_reason() for k in inactive if k.pk not in kept and k != vert]
    if added:
        errors.setdefault("kommuner", []).extend(added)


@transaction.atomic
def create_service(actor, *, navn, orgnr, vertskommune, kommuner=(), epost="", aktiv=True) -> ChildWelfareService:
    require(actor, "organisations.add_service", vertskommune.embete if vertskommune else None)
    data = _validate_service_data(
        actor, {"navn": navn, "orgnr": orgnr, "vertskommune": vertskommune, "kommuner": kommuner}, None
    )
    service = ChildWelfareService.objects.create(
        navn=data["navn"], orgnr=data["orgnr"], vertskommune=vertskommune, epost=epost, aktiv=aktiv
    )
    service.kommuner.set(data["kommuner"])
    audit.record(
        actor,
        "tjeneste.opprettet",
        service,
        {"orgnr": service.orgnr, "vertskommune": vertskommune.nummer, "kommuner": [k.nummer for k in data["kommuner"]]},
    )
    return service


def _service_snapshot(service: ChildWelfareService) -> dict:
    return {
        "navn": service.navn,
        "orgnr": service.orgnr,
        "vertskommune": service.vertskommune.nummer,
        "kommuner": sorted(k.nummer for k in service.kommuner.all()),
        "epost": service.epost,
        "aktiv": service.aktiv,
    }


@transaction.atomic
def update_service(actor, service: ChildWelfareService, **changes) -> ChildWelfareService:
    require(actor, "organisations.change_service", service)
    service = ChildWelfareService.objects.select_for_update().get(pk=service.pk)
    before = _service_snapshot(service)
    vert = changes.get("vertskommune", service.vertskommune)
    if vert.embete_id != service.vertskommune.embete_id:
        require(actor, "organisations.add_service", vert.embete)
    data = _validate_service_data(
        actor,
        {
            "navn": changes.get("navn", service.navn),
            "orgnr": changes.get("orgnr", service.orgnr),
            "vertskommune": vert,
            "kommuner": changes.get("kommuner", list(service.kommuner.all())),
        },
        service,
    )
    service.navn = data["navn"]
    service.orgnr = data["orgnr"]
    service.vertskommune = vert
    service.epost = changes.get("epost", service.epost)
    service.aktiv = changes.get("aktiv", service.aktiv)
    service.save()
    service.kommuner.set(data["kommuner"])
    after = _service_snapshot(service)
    if after != before:
        audit.record(actor, "tjeneste.endret", service, audit.diff(before, after))
    return service


# --- partners ---------------------------------------------------------------------------------


@transaction.atomic
def save_partner(actor, partner: Partner) -> Partner:
    require(actor, "organisations.manage_partners", partner)
    creating = partner.pk is None
    partner.full_clean()
    partner.save()
    audit.record(
        actor,
        "partner.opprettet" if creating else "partner.endret",
        partner,
        {"navn": partner.navn, "type": partner.type},
    )
    return partner


# --- import of barnevernstjenester ------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import did, or why it did nothing. errors: (line number in the file, reason)."""

    errors: list[tuple[int, str]] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportFileError(ValidationError):
    pass


def read_dataset(uploaded, filename: str):
    """Parse an uploaded CSV or XLSX file into a tablib Dataset, or raise a Norwegian error."""
    name = filename.lower()
    raw = uploaded.read()
    if not raw:
        raise ImportFileError(_("Filen er tom."))
    # At most SERVICE_IMPORT_MAX_ROWS rows and IMPORT_MAX_COLUMNS columns, read as a stream and stopped at the
    # first row over a limit or at IMPORT_MAX_SECONDS; zip and XML bombs are refused unread (common.spreadsheets).
    limits = spreadsheets.TableLimits.from_settings(settings.SERVICE_IMPORT_MAX_ROWS)
    deadline = spreadsheets.Deadline(limits)
    try:
        if name.endswith(".csv"):
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = raw.decode("cp1252")
            first = text.split("\n", 1)[0]
            delimiter = ";" if first.count(";") > first.count(",") else ","
            rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
            dataset = _dataset(spreadsheets.limit_rows(rows, limits, deadline))
        elif name.endswith(".xlsx"):
            spreadsheets.check_xlsx(raw, limits, deadline)
            dataset = _dataset(spreadsheets.xlsx_rows(raw, limits, deadline))
        else:
            raise ImportFileError(_("Filtypen støttes ikke. Last opp en CSV- eller XLSX-fil."))
    except ImportFileError:
        raise
    except ValidationError as exc:  # packed, XML definitions, too many rows or columns, too slow
        raise ImportFileError(exc.messages) from None
    except Exception:
        raise ImportFileError(
            _("Filen kunne ikke leses. Kontroller at den er en gyldig CSV- eller XLSX-fil.")
        ) from None
    headers = [str(h or "").strip().lower() for h in (dataset.headers or [])]
    required = {"navn", "orgnr", "vertskommune"}
    missing = sorted(required - set(headers))
    if missing:
        raise ImportFileError(_("Filen mangler kolonnene: %(cols)s.") % {"cols": ", ".join(missing)})
    dataset.headers = headers
    # Without a kommuner column the import leaves the kommuner of existing services alone (a new
    # service gets its vertskommune); an empty column would remove every deltakerkommune.
    while len(dataset) and _blank_row(dataset[-1]):  # spreadsheets often end with empty, formatted rows
        del dataset[-1]
    if not len(dataset):
        raise ImportFileError(_("Filen har ingen tjenester, bare overskriftsraden."))
    return dataset


def _dataset(rows):
    """A tablib Dataset of the rows, the first being the header; blank CSV lines are skipped (as tablib does) and
    short rows padded."""
    import tablib

    iterator = iter(rows)
    header = list(next(iterator, None) or [])
    body = [list(row) for row in iterator if row]
    width = max([len(header), *(len(row) for row in body)])
    dataset = tablib.Dataset(headers=header + [None] * (width - len(header)))
    for row in body:
        dataset.append(row + [""] * (width - len(row)))
    return dataset


def _blank_row(row) -> bool:
    return not any(str(v if v is not None else "").strip() for v in row)


def import_services(actor, dataset, *, embete: Embete | None, dry_run: bool = False) -> ImportReport:
    """All or nothing: if any row is bad, nothing is imported and every bad row is reported."""
    if embete is not None:
        require(actor, "organisations.import_services", embete)
    elif not actor.is_superuser:
        require(actor, "organisations.import_services", None)
    resource = ChildWelfareServiceResource(allowed_embete=embete)
    report = ImportReport(dry_run=dry_run)
    with transaction.atomic():
        result = resource.import_data(dataset, dry_run=True, raise_errors=False, use_transactions=True)
    report.errors = _collect_errors(result)
    if report.errors:
        return report  # nothing was imported: the counts stay 0
    if dry_run:
        _count(result, report)
        return report
    with transaction.atomic():
        resource = ChildWelfareServiceResource(allowed_embete=embete)
        result = resource.import_data(dataset, dry_run=False, raise_errors=False, use_transactions=True)
        report.errors = _collect_errors(result)
        if report.errors:  # changed under our feet between the check and the write
            transaction.set_rollback(True)
            return report
        _count(result, report)
        audit.record(
            actor,
            "tjenester.importert",
            embete,
            {"nye": report.created, "oppdaterte": report.updated, "uendrede": report.unchanged},
        )
    return report


def _collect_errors(result) -> list[tuple[int, str]]:
    from django.core.exceptions import NON_FIELD_ERRORS

    labels = {
        "navn": _("navn"),
        "orgnr": _("orgnr"),
        "vertskommune": _("vertskommune"),
        "kommuner": _("kommuner"),
        "epost": _("e-post"),
        "aktiv": _("aktiv"),
    }
    errors: list[tuple[int, str]] = []
    for invalid in result.invalid_rows:
        line = invalid.number + 1  # line 1 is the header
        for key, messages in invalid.error_dict.items():
            for message in messages:
                prefix = "" if key == NON_FIELD_ERRORS else f"{labels.get(key, key)}: "
                errors.append((line, prefix + message))
    for number, row_errors in result.row_errors():
        for err in row_errors:
            errors.append((number + 1, _("Uventet feil: %(e)s") % {"e": err.error}))
    for err in result.base_errors:
        errors.append((0, str(err.error)))
    # one line per problem; the same message can come both from a widget and from the model
    seen, unique = set(), []
    for item in sorted(errors):
        if item not in seen:
            seen.add(item)
            unique.append(item)
    return unique


def _count(result, report: ImportReport) -> None:
    report.created = result.totals.get("new", 0)
    report.updated = result.totals.get("update", 0)
    report.unchanged = result.totals.get("skip", 0)
