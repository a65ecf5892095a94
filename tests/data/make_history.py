"""Build the per-project allocation history 2021–2023 whose totals equal the published tables.

The published tables (reporting/data/publiserte-tildelinger-2021-2023.csv, tables 3-1 and 3-3) give, per embete
and year, the number of projects per category and the money awarded. This script spreads each embete's money
over fictional but believable projects (names from a fixed list, two thirds of the money or so to fosterhjem,
amounts in steps of 25 000 kr) in the embete's networks, so that the totals match exactly. Projects run for
several years, as they do in practice: about half of a year's projects continue the next year.
Nordland 2023 (2 700 000 kr, no projects) becomes two rows with an empty prosjekt (money to networks).

The output is deterministic (no random numbers; weights come from SHA-256 of the names). It writes the same
bytes to two places:
  demo/data/tildelinger-2021-2023.csv    used by seed_demo (demo.history.seed_history)
  tests/data/tildelinger-2021-2023.csv   used by the acceptance tests (tests/reporting/history/)

Regenerate (from the repository root):
  .venv/bin/python tests/data/make_history.py
Check that the committed files are current (exits 1 if not):
  .venv/bin/python tests/data/make_history.py --check
"""

import csv
import hashlib
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = ROOT / "reporting" / "data" / "publiserte-tildelinger-2021-2023.csv"
TARGETS = (ROOT / "demo" / "data" / "tildelinger-2021-2023.csv", ROOT / "tests" / "data" / "tildelinger-2021-2023.csv")
COLUMNS = ("aar", "embete", "nettverk", "prosjekt", "kategori", "tildelt_kr")
STEP = 25_000

# The networks money went to. Where the demo has networks with these names (demo/networks.py), the import
# matches them, so the demo's networks get their history.
NETWORKS = {
    "agder": ["Læringsnettverk Agder 1", "Læringsnettverk Agder 2"],
    "innlandet": ["Læringsnettverk Innlandet 1", "Læringsnettverk Innlandet 2"],
    "more-og-romsdal": ["Læringsnettverk Møre og Romsdal 1", "Læringsnettverk Møre og Romsdal 2"],
    "nordland": ["Læringsnettverk Nordland 1", "Læringsnettverk Nordland 2"],
    "ostfold-buskerud-oslo-akershus": [
        "Læringsnettverk Østfold, Buskerud, Oslo og Akershus 1",
        "Læringsnettverk Østfold, Buskerud, Oslo og Akershus 2",
    ],
    "rogaland": ["Læringsnettverk Rogaland 1", "Læringsnettverk Rogaland 2"],
    "troms-og-finnmark": ["Læringsnettverk Troms og Finnmark 1", "Læringsnettverk Troms og Finnmark 2"],
    "trondelag": [
        "Læringsnettverk Namdal",
        "Læringsnettverk Innherred",
        "Læringsnettverk Trondheimsregionen",
        "Læringsnettverk Fosen",
        "Læringsnettverk Orkdal og Gauldal",
    ],
    "vestfold-og-telemark": ["Læringsnettverk Vestfold", "Læringsnettverk Telemark", "Grenlandsnettverket"],
    "vestland": ["Læringsnettverk Vestland"],
}

PROJECTS = {
    "egeninitiert": [
        "Medvirkning fra første samtale",
        "Felles akuttberedskap på kveld og helg",
        "Høykonflikt – tidlig hjelp til familien",
        "Lederutvikling i små tjenester",
        "PMTO i hele regionen",
        "Barnesamtalen i undersøkelser",
        "Kvalitet i undersøkelsesarbeidet",
        "Minoritetsperspektiv i barnevernet",
        "Tiltak i hjemmet – felles verktøykasse",
        "Ettervern og overgang til voksenlivet",
        "Samarbeid med skole og barnehage",
        "Foreldreveiledning med ICDP",
        "Rus og omsorg – samhandling med NAV",
        "Digital samhandling mellom tjenestene",
        "Traumebevisst praksis",
        "Familieråd som arbeidsform",
        "Tidlig innsats i oppvekstsektoren",
        "Barns stemme i tiltaksplaner",
        "Dokumentasjon i praksis",
        "Vold i nære relasjoner – felles rutiner",
    ],
    "fosterhjem": [
        "Rekruttering av fosterhjem i nære nettverk",
        "Felles modell for oppfølging av fosterhjem",
        "Veiledning av fosterforeldre i gruppe",
        "Fosterhjemsavtalen i praksis",
        "Samvær og tilknytning",
        "Beredskapshjem i regionen",
        "Forsterkede fosterhjem",
        "Interkommunalt fosterhjemsteam",
        "Kompetanseprogram for fosterhjem",
        "Ettervern for ungdom i fosterhjem",
        "Slektsfosterhjem – trygg oppfølging",
        "Stabile fosterhjem – færre flyttinger",
        "Tilsynsførere i fosterhjem",
        "Fosterhjem for ungdom",
        "Besøkshjem og avlastning",
        "Barnets plan i fosterhjemmet",
        "Skolegang for barn i fosterhjem",
        "Fosterforeldre som ressurs",
        "Trygg start i nytt fosterhjem",
        "Samarbeid med Bufetat om fosterhjem",
    ],
}
# Fosterhjem projects get more money on average (about two thirds of the money 2019–2023).
CATEGORY_WEIGHT = {"egeninitiert": 1.0, "fosterhjem": 1.6}
# Money without projects (the published Nordland 2023 quirk): (network index, category, amount).
WITHOUT_PROJECTS = {("nordland", 2023): [(0, "fosterhjem", 1_500_000), (1, "egeninitiert", 1_200_000)]}


def _hash(*parts) -> int:
    return int.from_bytes(hashlib.sha256("|".join(map(str, parts)).encode()).digest()[:8], "big")


def _weight(*parts) -> float:
    return 0.75 + (_hash(*parts) % 1000) / 2000  # 0.75–1.25


def _split(total: int, weights: list[float]) -> list[int]:
    """Whole steps of 25 000 kr in proportion to the weights (largest remainder), at least one step each."""
    units = total // STEP
    assert units * STEP == total, total
    assert units >= len(weights), (total, weights)
    spare = units - len(weights)
    exact = [spare * w / sum(weights) for w in weights]
    shares = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[: spare - sum(shares)]:
        shares[i] += 1
    return [(s + 1) * STEP for s in shares]


def _published() -> list[dict]:
    with open(PUBLISHED, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def build_rows() -> list[dict]:
    table = {(int(r["aar"]), r["embete"]): r for r in _published()}
    years = sorted({y for y, _e in table})
    rows: list[dict] = []
    for slug in sorted({e for _y, e in table}):
        networks = NETWORKS[slug]
        offset = sorted(NETWORKS).index(slug) * 3  # each embete starts elsewhere in the name lists
        running: dict[str, list[tuple[str, str]]] = {c: [] for c in PROJECTS}  # (project, network) per category
        used = {c: 0 for c in PROJECTS}
        for year in years:
            published = table[(year, slug)]
            counts = {
                "egeninitiert": int(published["egeninitierte_prosjekter"]),
                "fosterhjem": int(published["fosterhjemsprosjekter"]),
            }
            total = int(published["tildelt_kr"])
            if (slug, year) in WITHOUT_PROJECTS:
                plan = WITHOUT_PROJECTS[(slug, year)]
                assert sum(a for _i, _c, a in plan) == total and not any(counts.values())
                for i, kategori, amount in plan:
                    rows.append(_row(year, slug, networks[i], "", kategori, amount))
                continue
            projects: list[tuple[str, str, str]] = []  # (kategori, project, network)
            for kategori, n in counts.items():
                keep = running[kategori][: min(len(running[kategori]), (n + 1) // 2)]
                while len(keep) < n:
                    pool = PROJECTS[kategori]
                    name = pool[(offset + used[kategori]) % len(pool)]
                    used[kategori] += 1
                    network = networks[_hash(slug, name) % len(networks)]
                    keep.append((name, network))
                running[kategori] = keep
                projects.extend((kategori, name, network) for name, network in keep)
            weights = [CATEGORY_WEIGHT[k] * _weight(slug, year, name) for k, name, _n in projects]
            for (kategori, name, network), amount in zip(projects, _split(total, weights), strict=True):
                rows.append(_row(year, slug, network, name, kategori, amount))
    rows.sort(key=lambda r: (r["aar"], r["embete"], r["nettverk"], r["kategori"], r["prosjekt"]))
    return rows


def _row(year, slug, network, project, kategori, amount) -> dict:
    return {
        "aar": year,
        "embete": slug,
        "nettverk": network,
        "prosjekt": project,
        "kategori": kategori,
        "tildelt_kr": amount,
    }


def render() -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(build_rows())
    return out.getvalue().encode("utf-8")


def main(argv: list[str]) -> int:
    data = render()
    if "--check" in argv:
        stale = [str(p) for p in TARGETS if not p.exists() or p.read_bytes() != data]
        if stale:
            print("Utdatert (kjør tests/data/make_history.py):", ", ".join(stale))
            return 1
        print("Historikkfilene er oppdatert.")
        return 0
    count = data.count(b"\n") - 1
    for path in TARGETS:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"Skrev {path.relative_to(ROOT)} ({count} rader)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
