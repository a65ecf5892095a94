"""The reference data: the 10 statsforvalter embeter with their names before and after 2024, the fylker, the
kommuner of SSB's classification 131 and the catalogue of kompetansemiljøer.

The files ship with the project (organisations/data/, see its README.md); settings.REFERENCE_DATA_DIR may point
to a newer classification. Both files are read and checked in full before anything is written, and everything
is written in one transaction: a bad file changes nothing. Kommuner are never deleted: one that is missing from
a newer classification (merged or split) gets gyldig_til and keeps its services, memberships and grants.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from .models import Embete, EmbeteNavn, Fylke, Kommune, Partner

# The date Oslo og Viken (and the other 2019 names) ended: the 2024 regional reform.
NAME_CHANGE_DATE = datetime.date(2024, 1, 1)
FIRST_YEAR_OF_2019_NAMES = datetime.date(2019, 1, 1)

EMBETER_FILE = "embeter.csv"
KOMMUNER_FILE = "kommuner.csv"
EMBETE_COLUMNS = ("embete", "navn", "navn_2019_2023", "fylkesnummer")
# Optional in embeter.csv (older files lack them): the names in nynorsk, used in nynorsk letters and the nynorsk
# interface. Without navn_nynorsk_2019_2023 the 2019–2023 name in nynorsk is navn_nynorsk when the bokmål names are
# the same, else blank (the bokmål name is shown).
EMBETE_OPTIONAL_COLUMNS = ("navn_nynorsk", "navn_nynorsk_2019_2023")
KOMMUNE_COLUMNS = ("kommunenummer", "kommunenavn", "fylkesnummer", "fylke", "embete")
# Optional in kommuner.csv: the date the classification is valid from (the same on every line).
GYLDIG_FRA_COLUMN = "gyldig_fra"
MAX_ERRORS_SHOWN = 25

PARTNER_CATALOGUE = Path(__file__).resolve().parent / "data" / "partnere.csv"


class ReferenceDataError(Exception):
    """The files cannot be loaded. errors: one Norwegian sentence per problem, naming the file and the line."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class LoadStats:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    # The date the loaded classification is valid from: new kommuner start and missing ones end on it.
    gyldig_fra: datetime.date | None = None
    # True when the register had no kommuner before: nothing to compare with.
    first_load: bool = False
    new_kommuner: list[Kommune] = field(default_factory=list)
    renamed: list[tuple[Kommune, str]] = field(default_factory=list)  # (kommune with its new name, old name)
    moved: list[tuple[Kommune, str, str]] = field(default_factory=list)  # (kommune, from, to)
    ended: list[Kommune] = field(default_factory=list)
    restored: list[Kommune] = field(default_factory=list)

    def bump(self, kind: str, model: str) -> None:
        target = self.created if kind == "created" else self.updated
        target[model] = target.get(model, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    @property
    def kommune_changes(self) -> bool:
        return bool(self.new_kommuner or self.renamed or self.moved or self.ended or self.restored)


def _current(obj, name: str, new_value):
    """The stored value to compare with new_value (the id, for a foreign key)."""
    return getattr(obj, f"{name}_id") if hasattr(new_value, "pk") else getattr(obj, name)


def _index(model, *attnames: str) -> dict[tuple, object]:
    """All rows of a model keyed by the values of the lookup fields, loaded with one query."""
    return {tuple(getattr(obj, name) for name in attnames): obj for obj in model.objects.all()}


def _upsert(model, lookup: dict, values: dict, stats: LoadStats, index: dict[tuple, object]):
    """Create or update the row matching lookup. index (from _index, same field order) saves a query per row."""
    key = tuple(getattr(v, "pk", v) for v in lookup.values())
    obj = index.get(key)
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        index[key] = obj
        stats.bump("created", model.__name__)
        return obj
    dirty = {k: v for k, v in values.items() if _current(obj, k, v) != getattr(v, "pk", v)}
    if dirty:
        for k, v in dirty.items():
            setattr(obj, k, v)
        obj.save(update_fields=list(dirty))
        stats.bump("updated", model.__name__)
    return obj


# --- reading and checking the files -----------------------------------------------------------


@dataclass
class _Row:
    line: int
    values: dict[str, str]


def _read_rows(path: Path, columns: tuple[str, ...], errors: list[str]) -> list[_Row] | None:
    """The data lines of a CSV file (UTF-8, optionally with BOM), values stripped. None if the file cannot be used
    at all (the reason is added to errors)."""
    name = path.name
    if not path.is_file():
        where = "" if path.parent.is_dir() else " (mappen finnes ikke)"
        errors.append(f"Fant ikke {name} i {path.parent}{where}.")
        return None
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        errors.append(f"{name}, linje {line}: filen er ikke UTF-8. Lagre den som CSV (UTF-8).")
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            errors.append(f"{name}, linje 1: filen er tom. Første linje skal være overskriften {','.join(columns)}.")
            return None
        header = [h.strip().lower() for h in header]
        missing = [c for c in columns if c not in header]
        if missing:
            for column in missing:
                errors.append(
                    f"{name}, linje 1: mangler kolonnen «{column}» (overskriften er {','.join(header)}; "
                    f"den skal ha {','.join(columns)})."
                )
            return None
        rows = []
        for fields in reader:
            if not any(f.strip() for f in fields):
                continue  # blank lines, as spreadsheets leave them at the end
            line = reader.line_num
            if len(fields) > len(header):
                errors.append(
                    f"{name}, linje {line}: har {len(fields)} felt, men overskriften har {len(header)}. "
                    "Står det et komma i et navn uten anførselstegn rundt?"
                )
                continue
            values = {h: (fields[i].strip() if i < len(fields) else "") for i, h in enumerate(header)}
            rows.append(_Row(line, values))
    except csv.Error as exc:
        errors.append(f"{name}, linje {reader.line_num}: kan ikke leses som CSV ({exc}).")
        return None
    if not rows:
        errors.append(f"{name}: har bare overskriften, ingen data.")
        return None
    return rows


def _require(row: _Row, name: str, columns: tuple[str, ...], errors: list[str]) -> bool:
    ok = True
    for column in columns:
        if not row.values.get(column):
            errors.append(f"{name}, linje {row.line}: mangler verdi i kolonnen «{column}».")
            ok = False
    return ok


def _fits(row: _Row, name: str, columns: dict[str, models.Field], errors: list[str]) -> bool:
    """The names fit the register's columns (the pre_save length check of common.limits would stop the load
    halfway otherwise)."""
    ok = True
    for column, model_field in columns.items():
        length = len(row.values.get(column) or "")
        if length > model_field.max_length:
            errors.append(
                f"{name}, linje {row.line}: «{column}» er {length} tegn; registeret tar høyst {model_field.max_length}."
            )
            ok = False
    return ok


SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FYLKESNUMMER = re.compile(r"^[0-9]{2}$")
KOMMUNENUMMER = re.compile(r"^[0-9]{4}$")


@dataclass
class _EmbeteRow:
    slug: str
    navn: str
    navn_2019_2023: str
    fylker: list[str]
    navn_nynorsk: str = ""
    navn_nynorsk_2019_2023: str = ""


@dataclass
class _KommuneRow:
    line: int
    nummer: str
    navn: str
    fylkesnummer: str
    fylke: str
    embete: str


def _check_embeter(rows: list[_Row], errors: list[str]) -> dict[str, _EmbeteRow]:
    name = EMBETER_FILE
    embeter: dict[str, _EmbeteRow] = {}
    fylke_lines: dict[str, int] = {}
    for row in rows:
        if not _require(row, name, EMBETE_COLUMNS, errors):
            continue
        if not _fits(
            row,
            name,
            {
                "navn": Embete._meta.get_field("navn"),
                "navn_2019_2023": EmbeteNavn._meta.get_field("navn"),
                "navn_nynorsk": Embete._meta.get_field("navn_nynorsk"),
                "navn_nynorsk_2019_2023": EmbeteNavn._meta.get_field("navn_nynorsk"),
            },
            errors,
        ):
            continue
        v = row.values
        if not SLUG.match(v["embete"]):
            errors.append(
                f"{name}, linje {row.line}: kortnavnet «{v['embete']}» kan bare ha små bokstaver a–z, sifre og "
                "bindestrek (f.eks. more-og-romsdal)."
            )
            continue
        if v["embete"] in embeter:
            errors.append(f"{name}, linje {row.line}: embetet «{v['embete']}» står to ganger.")
            continue
        fylker = v["fylkesnummer"].split()
        for nr in fylker:
            if not FYLKESNUMMER.match(nr):
                errors.append(
                    f"{name}, linje {row.line}: fylkesnummeret «{nr}» skal være to siffer "
                    "(flere fylker skilles med mellomrom, f.eks. «55 56»)."
                )
            elif nr in fylke_lines:
                errors.append(
                    f"{name}, linje {row.line}: fylke {nr} er allerede knyttet til et embete "
                    f"på linje {fylke_lines[nr]}."
                )
            else:
                fylke_lines[nr] = row.line
        nynorsk = v.get("navn_nynorsk", "")
        nynorsk_2019 = v.get("navn_nynorsk_2019_2023", "") or (nynorsk if v["navn_2019_2023"] == v["navn"] else "")
        embeter[v["embete"]] = _EmbeteRow(
            v["embete"],
            v["navn"],
            v["navn_2019_2023"],
            fylker,
            navn_nynorsk=nynorsk,
            navn_nynorsk_2019_2023=nynorsk_2019,
        )
    return embeter


def _check_kommuner(rows: list[_Row], embeter: dict[str, _EmbeteRow], errors: list[str]) -> list[_KommuneRow]:
    name = KOMMUNER_FILE
    fylke_embete = {nr: e.slug for e in embeter.values() for nr in e.fylker}
    seen: dict[str, int] = {}
    fylke_names: dict[str, tuple[str, int]] = {}
    kommuner = []
    for row in rows:
        if not _require(row, name, KOMMUNE_COLUMNS, errors):
            continue
        if not _fits(
            row, name, {"kommunenavn": Kommune._meta.get_field("navn"), "fylke": Fylke._meta.get_field("navn")}, errors
        ):
            continue
        v = row.values
        where = f"{name}, linje {row.line}"
        nummer, fylkesnummer, embete = v["kommunenummer"], v["fylkesnummer"], v["embete"]
        ok = True
        if not KOMMUNENUMMER.match(nummer):
            hint = " (en ledende null kan ha forsvunnet i et regneark)" if nummer.isdigit() and len(nummer) == 3 else ""
            errors.append(f"{where}: kommunenummeret «{nummer}» skal være fire siffer, f.eks. 0301{hint}.")
            ok = False
        elif nummer in seen:
            errors.append(f"{where}: kommunenummer {nummer} står også på linje {seen[nummer]}.")
            ok = False
        if not FYLKESNUMMER.match(fylkesnummer):
            errors.append(f"{where}: fylkesnummeret «{fylkesnummer}» skal være to siffer, f.eks. 03.")
            ok = False
        elif fylkesnummer not in fylke_embete:
            errors.append(
                f"{where}: ukjent fylke «{fylkesnummer}»: det er ikke knyttet til noe embete i {EMBETER_FILE} "
                "(kolonnen fylkesnummer)."
            )
            ok = False
        elif KOMMUNENUMMER.match(nummer) and nummer[:2] != fylkesnummer:
            errors.append(
                f"{where}: kommunenummer {nummer} hører ikke til fylke {fylkesnummer} "
                "(de to første sifrene i kommunenummeret er fylkesnummeret)."
            )
            ok = False
        if embete not in embeter:
            errors.append(f"{where}: ukjent embete «{embete}»: det finnes ikke i {EMBETER_FILE}.")
            ok = False
        elif fylkesnummer in fylke_embete and fylke_embete[fylkesnummer] != embete:
            errors.append(
                f"{where}: fylke {fylkesnummer} hører til embetet «{fylke_embete[fylkesnummer]}» i {EMBETER_FILE}, "
                f"ikke «{embete}»."
            )
            ok = False
        if fylkesnummer in fylke_names and fylke_names[fylkesnummer][0] != v["fylke"]:
            first, first_line = fylke_names[fylkesnummer]
            errors.append(
                f"{where}: fylke {fylkesnummer} heter «{first}» på linje {first_line}, men «{v['fylke']}» her."
            )
            ok = False
        fylke_names.setdefault(fylkesnummer, (v["fylke"], row.line))
        if not ok:
            continue
        seen[nummer] = row.line
        kommuner.append(_KommuneRow(row.line, nummer, v["kommunenavn"], fylkesnummer, v["fylke"], embete))
    return kommuner


def _date_in_file(rows: list[_Row], errors: list[str]) -> datetime.date | None:
    """The classification's valid-from date, if kommuner.csv has a gyldig_fra column."""
    if GYLDIG_FRA_COLUMN not in rows[0].values:
        return None
    found: tuple[datetime.date, int] | None = None
    for row in rows:
        value = row.values.get(GYLDIG_FRA_COLUMN, "")
        where = f"{KOMMUNER_FILE}, linje {row.line}"
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            errors.append(f"{where}: «{value}» i kolonnen «{GYLDIG_FRA_COLUMN}» er ikke en dato (ÅÅÅÅ-MM-DD).")
            return None
        if found is None:
            found = (day, row.line)
        elif day != found[0]:
            errors.append(
                f"{where}: «{GYLDIG_FRA_COLUMN}» er {day}, men {found[0]} på linje {found[1]}; "
                "en kommuneinndeling har én dato."
            )
            return None
    return found[0] if found else None


def read_reference_files(embeter_csv: Path, kommuner_csv: Path):
    """Read and check both files. Returns (embeter, kommuner, date in the file or None) or raises
    ReferenceDataError with every problem found."""
    errors: list[str] = []
    embete_rows = _read_rows(Path(embeter_csv), EMBETE_COLUMNS, errors)
    kommune_rows = _read_rows(Path(kommuner_csv), KOMMUNE_COLUMNS, errors)
    embeter = _check_embeter(embete_rows, errors) if embete_rows else {}
    kommuner, day = [], None
    if kommune_rows and embete_rows:
        kommuner = _check_kommuner(kommune_rows, embeter, errors)
        day = _date_in_file(kommune_rows, errors)
    if errors:
        raise ReferenceDataError(errors)
    return embeter, kommuner, day


# --- writing ----------------------------------------------------------------------------------


def load_reference_data(
    embeter_csv: Path | None = None,
    kommuner_csv: Path | None = None,
    *,
    gyldig_fra: datetime.date | None = None,
) -> LoadStats:
    """Load the embeter with name history, the fylker, the kommuner and the partner catalogue. Idempotent.

    The files default to those in settings.REFERENCE_DATA_DIR. gyldig_fra is the date the kommune classification
    is valid from (else the file's gyldig_fra column, else today): kommuner in the register but not in the file end
    on it, kommuner new to the register start on it. A kommune's målform is chosen by staff and never overwritten
    by a reload. Raises ReferenceDataError (nothing written) if a file is missing or malformed.
    """
    base = Path(settings.REFERENCE_DATA_DIR)
    embeter_csv = Path(embeter_csv) if embeter_csv is not None else base / EMBETER_FILE
    kommuner_csv = Path(kommuner_csv) if kommuner_csv is not None else base / KOMMUNER_FILE
    embeter, kommuner, day_in_file = read_reference_files(embeter_csv, kommuner_csv)
    day = gyldig_fra or day_in_file or timezone.localdate()
    with transaction.atomic():
        stats = LoadStats(gyldig_fra=day)
        embete_objs = _write_embeter(embeter, stats)
        _write_kommuner(kommuner, embeter, embete_objs, day, stats)
        _load_partners(stats)
    return stats


def _write_embeter(embeter: dict[str, _EmbeteRow], stats: LoadStats) -> dict[str, Embete]:
    embete_index = _index(Embete, "slug")
    navn_index = _index(EmbeteNavn, "embete_id", "gyldig_fra")
    objs = {}
    for row in embeter.values():
        embete = _upsert(
            Embete, {"slug": row.slug}, {"navn": row.navn, "navn_nynorsk": row.navn_nynorsk}, stats, embete_index
        )
        _upsert(
            EmbeteNavn,
            {"embete": embete, "gyldig_fra": FIRST_YEAR_OF_2019_NAMES},
            {
                "navn": row.navn_2019_2023,
                "navn_nynorsk": row.navn_nynorsk_2019_2023,
                "gyldig_til": NAME_CHANGE_DATE - datetime.timedelta(days=1),
            },
            stats,
            navn_index,
        )
        _upsert(
            EmbeteNavn,
            {"embete": embete, "gyldig_fra": NAME_CHANGE_DATE},
            {"navn": row.navn, "navn_nynorsk": row.navn_nynorsk, "gyldig_til": None},
            stats,
            navn_index,
        )
        objs[row.slug] = embete
    return objs


def _place(fylke: Fylke, embete: Embete) -> str:
    return f"fylke {fylke.nummer} {fylke.navn}, {embete.navn}"


def _write_kommuner(
    rows: list[_KommuneRow],
    embeter: dict[str, _EmbeteRow],
    embete_objs: dict[str, Embete],
    day: datetime.date,
    stats: LoadStats,
) -> None:
    fylke_embete = {nr: embete_objs[e.slug] for e in embeter.values() for nr in e.fylker}
    fylke_index = _index(Fylke, "nummer")
    fylker: dict[str, Fylke] = {}
    for row in rows:
        if row.fylkesnummer not in fylker:
            fylker[row.fylkesnummer] = _upsert(
                Fylke,
                {"nummer": row.fylkesnummer},
                {"navn": row.fylke, "embete": fylke_embete[row.fylkesnummer]},
                stats,
                fylke_index,
            )
    existing = {k.nummer: k for k in Kommune.objects.select_related("fylke", "embete")}
    stats.first_load = not existing
    old_places = {nr: _place(k.fylke, k.embete) for nr, k in existing.items()}
    in_file = set()
    for row in rows:
        in_file.add(row.nummer)
        fylke, embete = fylker[row.fylkesnummer], embete_objs[row.embete]
        kommune = existing.get(row.nummer)
        if kommune is None:
            kommune = Kommune.objects.create(
                nummer=row.nummer,
                navn=row.navn,
                fylke=fylke,
                embete=embete,
                gyldig_fra=None if stats.first_load else day,
            )
            stats.bump("created", "Kommune")
            if not stats.first_load:
                stats.new_kommuner.append(kommune)
            continue
        dirty = []
        if kommune.navn != row.navn:
            stats.renamed.append((kommune, kommune.navn))
            kommune.navn = row.navn
            dirty.append("navn")
        if kommune.fylke_id != fylke.pk or kommune.embete_id != embete.pk:
            kommune.fylke, kommune.embete = fylke, embete
            stats.moved.append((kommune, old_places[row.nummer], _place(fylke, embete)))
            dirty += ["fylke", "embete"]
        if kommune.gyldig_til is not None:
            kommune.gyldig_til = None  # back in the classification
            stats.restored.append(kommune)
            dirty.append("gyldig_til")
        if dirty:
            kommune.save(update_fields=dirty)
            stats.bump("updated", "Kommune")
    missing = sorted(
        (k for nr, k in existing.items() if nr not in in_file and k.gyldig_til is None), key=lambda k: k.nummer
    )
    too_young = [k for k in missing if k.gyldig_fra is not None and k.gyldig_fra >= day]
    if too_young:
        raise ReferenceDataError(
            [
                f"{KOMMUNER_FILE}: kommune {k} mangler i filen, men ble opprettet {k.gyldig_fra:%Y-%m-%d} og kan ikke "
                f"opphøre {day:%Y-%m-%d}. Er dette en eldre kommuneinndeling? Angi riktig dato med --gyldig-fra."
                for k in too_young
            ]
        )
    for kommune in missing:
        kommune.gyldig_til = day
        kommune.save(update_fields=["gyldig_til"])
        stats.ended.append(kommune)
        stats.bump("updated", "Kommune")


def _load_partners(stats: LoadStats) -> None:
    """The catalogue of kompetansemiljøer. Staff may add more; a reload never removes any."""
    index = _index(Partner, "navn")
    with open(PARTNER_CATALOGUE, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            _upsert(Partner, {"navn": row["navn"]}, {"type": row["type"], "region": row["region"]}, stats, index)
