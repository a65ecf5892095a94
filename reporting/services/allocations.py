"""Import of historical allocations (tildelinger) into the award ledger (grants.Award, kilde "import").

The file has one row per award: aar, embete, nettverk, prosjekt, kategori, tildelt_kr and optionally tjenester.
The import is all or nothing: every bad row is reported with its line number and a Norwegian reason, and then
nothing is written. Re-importing the same file changes nothing: each row has a normalised key
(aar|embete|nettverk|prosjekt|kategori, stored in Award.import_nokkel); a known key with a new amount (or new
services) is updated and reported as changed.

Rules (documented for Bufdir in docs/interfaces.md):
- embete: the slug or any name the embete has had (current name and name history), case-insensitive.
- nettverk/prosjekt: matched by name within the embete (case-insensitive, surrounding and repeated spaces
  ignored), created when unknown. A created network is active from 1 January of the first year it has money in
  the file (etablert_aar = that year); a created project gets the row's category.
- An empty prosjekt is money to the network without a project: it counts as money, not as a project.
  An empty nettverk (and prosjekt) is money to the embete that no network can be named for (Award.nettverk
  empty). A project without a network is a bad row: a project always belongs to a network.
- Awards already in Læringsnett that are not in the file are left alone (the import adds and corrects, it never
  deletes). Without a tjenester column the services of existing awards are left alone.

Efficient for large files: a fixed number of queries whatever the number of rows (lookups are loaded once and
kept in memory), bulk inserts and updates, one transaction.
"""

import csv
import datetime
import io
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import require
from audit import services as audit
from common import money as money_bounds
from common import sensitive, spreadsheets
from common.text import clean_name
from common.versioned_cache import figures_changed
from grants.models import Award, AwardSource
from grants.services import money
from networks.models import LearningNetwork, NetworkStatus, NetworkStatusChange
from organisations.models import ChildWelfareService, Embete
from projects.models import Category, DevelopmentProject

REQUIRED_COLUMNS = ("aar", "embete", "nettverk", "prosjekt", "kategori", "tildelt_kr")
OPTIONAL_COLUMNS = ("tjenester",)
FIRST_YEAR = 2000
NAME_MAX = 200
PREVIEW_ROWS = 50
BATCH = 2000
IMPORT_NOTE = "Opprettet ved import av historiske tildelinger."

Progress = Callable[[int, int], None]


def norm(value) -> str:
    """The form names are compared in: trimmed, inner spaces collapsed, case folded (also for æøå)."""
    return " ".join(str(value or "").split()).casefold()


def _clean(value) -> str:
    return " ".join(str(value if value is not None else "").split())


# --- report ------------------------------------------------------------------------------------------


@dataclass
class AllocationReport:
    """What an import did or would do (dry run), or why it did nothing. errors: (line number, reason); line 1 is
    the header row, 0 means the file as a whole. JSON-serialisable through as_dict()/from_dict() (the web UI keeps
    it in the cache between preview, task and status page)."""

    filename: str = ""
    dry_run: bool = False
    errors: list = field(default_factory=list)
    rows: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    networks_created: int = 0
    projects_created: int = 0
    # [{"aar", "embete", "embete_navn", "egeninitiert", "fosterhjem", "prosjekter", "tildelt"}] per year and embete
    totals: list = field(default_factory=list)
    # the first rows of the file as they will be imported: {"linje", "aar", "embete", ..., "status"}
    preview: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        data = asdict(self)
        data["errors"] = [list(e) for e in self.errors]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "AllocationReport":
        report = cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})
        report.errors = [tuple(e) for e in report.errors]
        return report

    def summary_lines(self) -> list[str]:
        """The Norwegian summary printed by import_allocations and shown in the web UI."""
        head = (
            _("Kontroll uten import av %(f)s: %(n)s rader.")
            if self.dry_run
            else _("Import av %(f)s fullført: %(n)s rader.")
        )
        return [
            head % {"f": self.filename or _("filen"), "n": self.rows},
            _("Tildelinger: %(c)s nye, %(u)s endrede, %(s)s uendrede.")
            % {"c": self.created, "u": self.changed, "s": self.unchanged},
            _("Nettverk opprettet: %(n)s. Prosjekter opprettet: %(p)s.")
            % {"n": self.networks_created, "p": self.projects_created},
        ]


# --- reading the file -------------------------------------------------------------------------------


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _csv_rows(raw: bytes) -> Iterable[list]:
    text = _decode(raw)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def limits(max_rows: int | None = None, max_seconds: float | None = -1) -> spreadsheets.TableLimits:
    """How much of a file the import reads (common.spreadsheets): settings.ALLOCATION_IMPORT_MAX_ROWS rows (the
    command can raise it), settings.IMPORT_MAX_SECONDS to read and check them (None: no deadline)."""
    return spreadsheets.TableLimits.from_settings(
        settings.ALLOCATION_IMPORT_MAX_ROWS if max_rows is None else max_rows, max_seconds
    )


def is_xlsx(raw: bytes) -> bool:
    """A zip with xl/workbook.xml. Raises a Norwegian ValidationError for a zip bomb (common.uploads.check_zip)."""
    return spreadsheets.is_xlsx(raw)


def check_file(raw: bytes, table_limits: spreadsheets.TableLimits | None = None) -> None:
    """The checks of a workbook that need no database (the upload form runs them before anything is kept): zip
    and XML bombs, too many rows or columns. Raises a Norwegian ValidationError."""
    if raw.startswith(b"PK\x03\x04") and is_xlsx(raw):
        spreadsheets.check_xlsx(raw, table_limits or limits())


def read_table(
    raw: bytes, filename: str, table_limits: spreadsheets.TableLimits | None = None
) -> tuple[list[str], Iterable, list[tuple[int, str]]]:
    """(headers, data rows, file errors). The type is decided by the content: an XLSX workbook, else CSV text
    (comma or semicolon; UTF-8 with or without BOM, or Windows-1252). The rows are read as they are consumed and
    stop with a ValidationError (too many rows or columns, too slow: common.spreadsheets.limit_rows)."""
    table_limits = table_limits or limits()
    deadline = spreadsheets.Deadline(table_limits)
    if not raw or not raw.strip():
        return [], [], [(0, _("Filen er tom."))]
    try:
        if raw.startswith(b"PK\x03\x04"):
            if not is_xlsx(raw):
                return [], [], [(0, _("Filen kunne ikke leses. Last opp en CSV- eller XLSX-fil."))]
            spreadsheets.check_xlsx(raw, table_limits, deadline)
            rows = spreadsheets.xlsx_rows(raw, table_limits, deadline)
        elif b"\x00" in raw[:4096]:
            return [], [], [(0, _("Filen kunne ikke leses. Last opp en CSV- eller XLSX-fil."))]
        else:
            rows = spreadsheets.limit_rows(_csv_rows(raw), table_limits, deadline)
        iterator = iter(rows)
        header = next(iterator)
    except ValidationError as exc:
        return [], [], [(0, message) for message in exc.messages]
    except StopIteration:
        return [], [], [(0, _("Filen er tom."))]
    except Exception:
        return [], [], [(0, _("Filen kunne ikke leses. Last opp en CSV- eller XLSX-fil."))]
    headers = [norm(h).replace("\ufeff", "") for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in headers]
    if missing:
        return headers, [], [(1, _("Filen mangler kolonnene: %(cols)s.") % {"cols": ", ".join(missing)})]
    return headers, iterator, []


# --- parsing one row ---------------------------------------------------------------------------------


def _year(value, errors: list, line: int, this_year: int):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _clean(value)
    if not text:
        errors.append((line, _("aar mangler.")))
        return None
    if not text.isdigit() or not (FIRST_YEAR <= int(text) <= this_year):
        errors.append(
            (line, _("aar «%(v)s» er ikke et gyldig år (%(a)s–%(b)s).") % {"v": text, "a": FIRST_YEAR, "b": this_year})
        )
        return None
    return int(text)


def _amount(value, errors: list, line: int):
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = repr(value)
    else:
        text = _clean(value)
    if not text:
        errors.append((line, _("tildelt_kr mangler.")))
        return None
    if text.isdigit() and not money_bounds.too_large(Decimal(text)):
        return Decimal(text)  # the common case, whole kroner; anything else is parsed (and bounded) by money()
    text = text.removesuffix("kr").strip()
    try:
        return money(text, "tildelt_kr", "tildelt_kr")
    except ValidationError as exc:
        compact = text.replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            Decimal(compact)
        except InvalidOperation:
            errors.append((line, _("tildelt_kr «%(v)s» er ikke et tall i hele kroner.") % {"v": text}))
        else:
            errors.extend((line, m) for m in exc.messages)
        return None


@dataclass(slots=True)
class _Row:
    line: int
    aar: int
    embete_id: int
    slug: str
    nettverk: str  # display form (trimmed)
    prosjekt: str
    kategori: str
    belop: Decimal
    tjenester: tuple | None  # service ids; None when the file has no tjenester column
    key: str
    nettverk_norm: str = ""
    prosjekt_norm: str = ""


class _Lookups:
    """Everything the rows are checked against, loaded with a fixed number of queries."""

    def __init__(self, with_services: bool):
        self.embeter: dict[str, Embete] = {}
        ambiguous: set[str] = set()
        self.by_pk = {e.pk: e for e in Embete.objects.prefetch_related("navnehistorikk")}
        for e in self.by_pk.values():
            for name in (e.slug, e.navn, *(entry.navn for entry in e.navnehistorikk.all())):
                self._add_embete(norm(name), e, ambiguous)
        for name in ambiguous:
            self.embeter.pop(name, None)
        self.services_by_orgnr: dict[str, tuple[int, int]] = {}
        self.services_by_name: dict[str, list[tuple[int, int]]] = defaultdict(list)
        if with_services:
            for pk, orgnr, navn, embete_id in ChildWelfareService.objects.values_list(
                "pk", "orgnr", "navn", "vertskommune__embete_id"
            ):
                self.services_by_orgnr[orgnr] = (pk, embete_id)
                self.services_by_name[norm(navn)].append((pk, embete_id))

    def _add_embete(self, name: str, embete: Embete, ambiguous: set) -> None:
        known = self.embeter.get(name)
        if known is not None and known.pk != embete.pk:
            ambiguous.add(name)
        self.embeter[name] = embete


def _services(value, embete_id: int, lookups: _Lookups, errors: list, line: int) -> tuple:
    ids = []
    for part in str(value if value is not None else "").split(";"):
        name = _clean(part)
        if not name:
            continue
        digits = name.replace(" ", "")
        if digits.isdigit() and len(digits) == 9:
            found = lookups.services_by_orgnr.get(digits)
            if found is None:
                errors.append((line, _("Ukjent tjeneste med organisasjonsnummer %(v)s.") % {"v": digits}))
                continue
        else:
            matches = lookups.services_by_name.get(norm(name), [])
            if not matches:
                errors.append((line, _("Ukjent tjeneste «%(v)s».") % {"v": name}))
                continue
            if len(matches) > 1:
                errors.append((line, _("Flere tjenester heter «%(v)s»: bruk organisasjonsnummeret.") % {"v": name}))
                continue
            found = matches[0]
        if found[1] != embete_id:
            errors.append((line, _("Tjenesten «%(v)s» hører til et annet embete.") % {"v": name}))
            continue
        if found[0] not in ids:
            ids.append(found[0])
    return tuple(sorted(ids))


def _parse(headers: list[str], rows: Iterable, lookups: _Lookups, errors: list):
    """Check every row; return the good ones (the caller imports nothing if errors is not empty)."""
    index = {name: headers.index(name) for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if name in headers}
    width = max(index.values()) + 1
    has_services = "tjenester" in index
    this_year = timezone.localdate().year
    categories = set(Category.values)
    seen_keys: dict[str, int] = {}
    project_kind: dict[tuple, tuple[str, int]] = {}
    parsed: list[_Row] = []
    for number, raw in enumerate(rows, start=2):
        values = list(raw) + [None] * (width - len(raw)) if len(raw) < width else raw
        if not any(v is not None and str(v).strip() for v in values):
            continue  # blank lines (spreadsheets often end with some)
        row_errors: list[tuple[int, str]] = []
        aar = _year(values[index["aar"]], row_errors, number, this_year)
        embete_text = _clean(values[index["embete"]])
        embete = lookups.embeter.get(norm(embete_text)) if embete_text else None
        if not embete_text:
            row_errors.append((number, _("embete mangler.")))
        elif embete is None:
            row_errors.append((number, _("Ukjent embete «%(v)s».") % {"v": embete_text}))
        kategori = norm(values[index["kategori"]])
        if not kategori:
            row_errors.append((number, _("kategori mangler.")))
        elif kategori not in categories:
            row_errors.append(
                (
                    number,
                    _("Ugyldig kategori «%(v)s»: bruk egeninitiert eller fosterhjem.")
                    % {"v": _clean(values[index["kategori"]])},
                )
            )
        belop = _amount(values[index["tildelt_kr"]], row_errors, number)
        # Names as every other path stores them (common.text): no bidi controls or invisible characters.
        nettverk = clean_name(values[index["nettverk"]])
        prosjekt = clean_name(values[index["prosjekt"]])
        for label, text in (("nettverk", nettverk), ("prosjekt", prosjekt)):
            if len(text) > NAME_MAX:
                row_errors.append((number, _("%(l)s er for langt (høyst %(n)s tegn).") % {"l": label, "n": NAME_MAX}))
            if sensitive.contains_identity_number(text):
                row_errors.append((number, f"{label}: {sensitive.MESSAGE}"))
        if prosjekt and not nettverk:
            row_errors.append(
                (number, _("Prosjektet «%(p)s» mangler nettverk: et prosjekt hører til et nettverk.") % {"p": prosjekt})
            )
        tjenester = None
        if has_services and embete is not None:
            tjenester = _services(values[index["tjenester"]], embete.pk, lookups, row_errors, number)
        if not row_errors:
            key = f"{aar}|{embete.slug}|{norm(nettverk)}|{norm(prosjekt)}|{kategori}"
            first = seen_keys.get(key)
            if first is not None:
                row_errors.append(
                    (
                        number,
                        _("Dublett: samme aar, embete, nettverk, prosjekt og kategori som linje %(n)s.") % {"n": first},
                    )
                )
            else:
                seen_keys[key] = number
            if prosjekt:
                pkey = (embete.pk, norm(nettverk), norm(prosjekt))
                kind = project_kind.setdefault(pkey, (kategori, number))
                if kind[0] != kategori:
                    row_errors.append(
                        (
                            number,
                            _("Prosjektet «%(p)s» har kategori %(k)s på linje %(n)s; et prosjekt har én kategori.")
                            % {"p": prosjekt, "k": kind[0], "n": kind[1]},
                        )
                    )
        if row_errors:
            errors.extend(row_errors)
            continue
        parsed.append(
            _Row(
                number,
                aar,
                embete.pk,
                embete.slug,
                nettverk,
                prosjekt,
                kategori,
                belop,
                tjenester,
                key,
                norm(nettverk),
                norm(prosjekt),
            )
        )
    return parsed, has_services


# --- the import --------------------------------------------------------------------------------------


def _totals(parsed: list[_Row], embeter: dict[int, Embete]) -> list[dict]:
    money_by = defaultdict(Decimal)
    projects_by: dict[tuple, set] = defaultdict(set)
    for r in parsed:
        cell = (r.aar, r.embete_id)
        money_by[cell] += r.belop
        if r.prosjekt and r.belop > 0:
            projects_by[(*cell, r.kategori)].add((r.nettverk_norm, r.prosjekt_norm))
    out = []
    for aar, embete_id in sorted(money_by, key=lambda c: (c[0], embeter[c[1]].slug)):
        egen = len(projects_by.get((aar, embete_id, Category.EGENINITIERT), ()))
        foster = len(projects_by.get((aar, embete_id, Category.FOSTERHJEM), ()))
        out.append(
            {
                "aar": aar,
                "embete": embeter[embete_id].slug,
                "embete_navn": embeter[embete_id].name_in_year(aar),
                "egeninitiert": egen,
                "fosterhjem": foster,
                "prosjekter": egen + foster,
                "tildelt": str(money_by[(aar, embete_id)]),
            }
        )
    return out


def import_allocations(
    actor,
    raw: bytes,
    filename: str = "",
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    table_limits: spreadsheets.TableLimits | None = None,
) -> AllocationReport:
    """Check the file and, unless dry_run or any row is bad, import it in one transaction.

    actor is the user importing (must be Bufdir or a superuser), or None for an operator on the server
    (the management command and the demo seed). progress(done, total) is called while writing. table_limits:
    how much is read (default limits(): the settings)."""
    if actor is not None:
        require(actor, "reporting.import_allocations")
    started = timezone.now()
    report = AllocationReport(filename=filename, dry_run=dry_run)
    headers, rows, file_errors = read_table(raw, filename, table_limits)
    if file_errors:
        report.errors = file_errors
        return report
    lookups = _Lookups(with_services="tjenester" in headers)
    errors: list[tuple[int, str]] = []
    try:
        parsed, has_services = _parse(headers, rows, lookups, errors)
    except ValidationError as exc:  # too many rows or columns, or too slow (common.spreadsheets.limit_rows)
        report.errors = [(0, message) for message in exc.messages]
        return report
    except Exception:  # a broken workbook or CSV quoting that cannot be read to the end
        report.errors = [(0, _("Filen kunne ikke leses helt. Kontroller at den er en gyldig CSV- eller XLSX-fil."))]
        return report
    report.rows = len(parsed) + len({line for line, _m in errors})
    if errors:
        report.errors = errors
        return report
    if not parsed:
        report.errors = [(0, _("Filen har ingen rader med tildelinger, bare overskriftsraden."))]
        return report
    report.totals = _totals(parsed, lookups.by_pk)
    try:
        with transaction.atomic():
            _apply(actor, parsed, has_services, report, dry_run, progress)
            if report.errors:
                transaction.set_rollback(True)
    except IntegrityError:
        report.errors = [
            (0, _("Noen andre endret de samme tildelingene samtidig. Ingenting er importert; prøv igjen."))
        ]
        report.created = report.changed = report.unchanged = report.networks_created = report.projects_created = 0
    report.seconds = round((timezone.now() - started).total_seconds(), 2)
    return report


def _apply(actor, parsed: list[_Row], has_services: bool, report: AllocationReport, dry_run: bool, progress):
    embete_ids = {r.embete_id for r in parsed}
    years = {r.aar for r in parsed}
    # Existing imported awards of these years, their services, and the networks and projects of these embeter.
    existing: dict[str, tuple[int, Decimal]] = {
        key: (pk, belop)
        for pk, key, belop in Award.objects.filter(kilde=AwardSource.IMPORT, aar__in=years).values_list(
            "pk", "import_nokkel", "belop"
        )
    }
    existing_services: dict[int, set] = defaultdict(set)
    if has_services:
        through = Award.tjenester.through
        for award_id, service_id in through.objects.filter(
            award__kilde=AwardSource.IMPORT, award__aar__in=years
        ).values_list("award_id", "childwelfareservice_id"):
            existing_services[award_id].add(service_id)
    networks: dict[tuple, int] = {}
    for pk, embete_id, navn in (
        LearningNetwork.objects.filter(embete_id__in=embete_ids).order_by("-pk").values_list("pk", "embete_id", "navn")
    ):
        networks[(embete_id, norm(navn))] = pk  # the oldest wins if two differ only in case
    projects: dict[tuple, tuple[int, str, str]] = {}
    for pk, network_id, navn, kategori in (
        DevelopmentProject.objects.filter(network__embete_id__in=embete_ids)
        .order_by("-pk")
        .values_list("pk", "network_id", "navn", "kategori")
    ):
        projects[(network_id, norm(navn))] = (pk, kategori, navn)

    new_rows: list[_Row] = []
    updates: list[tuple[int, _Row]] = []
    new_networks: dict[tuple, list] = {}  # (embete_id, norm name) -> [display name, first year]
    new_projects: dict[tuple, list] = {}  # (embete_id, norm network, norm project) -> [display name, kategori]
    preview_status: dict[int, str] = {}
    for r in parsed:
        known = existing.get(r.key)
        if known is not None:
            pk, belop = known
            services_changed = has_services and set(r.tjenester) != existing_services.get(pk, set())
            if belop != r.belop or services_changed:
                updates.append((pk, r))
                preview_status[r.line] = "endret"
            else:
                report.unchanged += 1
                preview_status[r.line] = "uendret"
            continue
        new_rows.append(r)
        preview_status[r.line] = "ny"
        if not r.nettverk:
            continue
        nkey = (r.embete_id, r.nettverk_norm)
        network_id = networks.get(nkey)
        if network_id is None:
            entry = new_networks.setdefault(nkey, [r.nettverk, r.aar])
            entry[1] = min(entry[1], r.aar)
        if r.prosjekt:
            project = projects.get((network_id, r.prosjekt_norm)) if network_id is not None else None
            if project is None:
                new_projects.setdefault((*nkey, r.prosjekt_norm), [r.prosjekt, r.kategori])
            elif project[1] != r.kategori:
                report.errors.append(
                    (
                        r.line,
                        _("Prosjektet «%(p)s» er registrert med kategori %(k)s i Læringsnett, men raden sier %(r)s.")
                        % {"p": project[2], "k": project[1], "r": r.kategori},
                    )
                )
    report.preview = [
        {
            "linje": r.line,
            "aar": r.aar,
            "embete": r.slug,
            "nettverk": r.nettverk,
            "prosjekt": r.prosjekt,
            "kategori": r.kategori,
            "tildelt": str(r.belop),
            "tjenester": len(r.tjenester or ()),
            "status": preview_status[r.line],
        }
        for r in parsed[:PREVIEW_ROWS]
    ]
    if report.errors:
        report.unchanged = 0
        return
    report.created = len(new_rows)
    report.changed = len(updates)
    report.networks_created = len(new_networks)
    report.projects_created = len(new_projects)
    if dry_run:
        return

    total = len(new_rows) + len(updates) + len(new_networks) + len(new_projects)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total)

    # networks and their first status
    created_networks = LearningNetwork.objects.bulk_create(
        [
            LearningNetwork(
                embete_id=embete_id,
                navn=name,
                etablert_aar=year,
                status=NetworkStatus.AKTIV,
                status_fra=datetime.date(year, 1, 1),
                beskrivelse=IMPORT_NOTE,
            )
            for (embete_id, _n), (name, year) in new_networks.items()
        ],
        batch_size=BATCH,
    )
    for key, network in zip(new_networks, created_networks, strict=True):
        networks[key] = network.pk
    NetworkStatusChange.objects.bulk_create(
        [
            NetworkStatusChange(network=n, status=n.status, fra_dato=n.status_fra, endret_av=actor)
            for n in created_networks
        ],
        batch_size=BATCH,
    )
    tick(len(created_networks))
    # projects
    created_projects = DevelopmentProject.objects.bulk_create(
        [
            DevelopmentProject(network_id=networks[(e, n)], navn=name, kategori=kategori, beskrivelse=IMPORT_NOTE)
            for (e, n, _p), (name, kategori) in new_projects.items()
        ],
        batch_size=BATCH,
    )
    for (e, n, p), project in zip(new_projects, created_projects, strict=True):
        projects[(networks[(e, n)], p)] = (project.pk, project.kategori, project.navn)
    tick(len(created_projects))
    # new awards, in batches (the progress indicator moves per batch)
    through = Award.tjenester.through
    for start in range(0, len(new_rows), BATCH):
        chunk = new_rows[start : start + BATCH]
        awards = []
        for r in chunk:
            network_id = networks[(r.embete_id, r.nettverk_norm)] if r.nettverk else None
            project_id = projects[(network_id, r.prosjekt_norm)][0] if r.prosjekt else None
            awards.append(
                Award(
                    aar=r.aar,
                    embete_id=r.embete_id,
                    kategori=r.kategori,
                    nettverk_id=network_id,
                    prosjekt_id=project_id,
                    belop=r.belop,
                    kilde=AwardSource.IMPORT,
                    import_nokkel=r.key,
                )
            )
        Award.objects.bulk_create(awards)
        if has_services:
            through.objects.bulk_create(
                [
                    through(award_id=a.pk, childwelfareservice_id=s)
                    for a, r in zip(awards, chunk, strict=True)
                    for s in r.tjenester
                ]
            )
        tick(len(chunk))
    # changed awards
    now = timezone.now()
    for start in range(0, len(updates), BATCH):
        chunk = updates[start : start + BATCH]
        Award.objects.bulk_update(
            [Award(pk=pk, belop=r.belop, endret=now) for pk, r in chunk], ["belop", "endret"], batch_size=BATCH
        )
        if has_services:
            ids = [pk for pk, _r in chunk]
            through.objects.filter(award_id__in=ids).delete()
            through.objects.bulk_create(
                [through(award_id=pk, childwelfareservice_id=s) for pk, r in chunk for s in r.tjenester]
            )
        tick(len(chunk))
    # bulk writes send no model signals: invalidate the cached national figures explicitly (common.versioned_cache)
    figures_changed()
    if created_networks or created_projects or new_rows or updates:
        audit.record(
            actor,
            "tildelinger.importert",
            None,
            {
                "fil": report.filename,
                "nye": report.created,
                "endrede": report.changed,
                "uendrede": report.unchanged,
                "nettverk_opprettet": report.networks_created,
                "prosjekter_opprettet": report.projects_created,
            },
        )
    if progress:
        progress(total, total)


# --- imports waiting for confirmation in the web UI ----------------------------------------------------
# The uploaded file is kept under MEDIA_ROOT (outside the web root; MEDIA_URL is never routed) while the user
# looks at the preview, and removed when the import has run, failed or been cancelled. The state (owner,
# preview report, progress) lives in the Django cache under the import id, shared with the Celery worker.

PENDING_DIR = "tildelingsimport"
PENDING_TTL = 24 * 60 * 60
STATE_KEY = "tildelingsimport:{}"


def pending_path(import_id: str, filename: str):
    suffix = ".xlsx" if filename.lower().endswith(".xlsx") else ".csv"
    return Path(settings.MEDIA_ROOT) / PENDING_DIR / f"{import_id}{suffix}"


def get_state(import_id: str) -> dict | None:
    return cache.get(STATE_KEY.format(import_id))


def set_state(import_id: str, state: dict) -> None:
    cache.set(STATE_KEY.format(import_id), state, PENDING_TTL)


def update_state(import_id: str, **changes) -> dict | None:
    state = get_state(import_id)
    if state is not None:
        state.update(changes)
        set_state(import_id, state)
    return state


def check_upload(actor, raw: bytes, filename: str, role_id: int | None) -> tuple[str, dict]:
    """Store an uploaded file and check it (dry run). Returns (import id, state). A file with errors is removed at
    once (it cannot be imported); its report stays for the preview."""
    require(actor, "reporting.import_allocations")
    _remove_stale_files()
    import_id = uuid.uuid4().hex
    report = import_allocations(actor, raw, filename, dry_run=True)
    path = pending_path(import_id, filename)
    if report.ok:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)
    state = {
        "user_id": actor.pk,
        "role_id": role_id,
        "filename": filename,
        "path": str(path) if report.ok else "",
        "status": "kontrollert" if report.ok else "feil",
        "done": 0,
        "total": 0,
        "report": report.as_dict(),
    }
    set_state(import_id, state)
    return import_id, state


def discard_file(state: dict) -> None:
    if state.get("path"):
        Path(state["path"]).unlink(missing_ok=True)


def _remove_stale_files() -> None:
    """Files whose state has expired from the cache (a preview nobody confirmed) are not kept."""
    folder = Path(settings.MEDIA_ROOT) / PENDING_DIR
    if not folder.is_dir():
        return
    limit = time.time() - PENDING_TTL
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            pass
