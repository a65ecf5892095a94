"""Benchmark harness (issue 7). Run from the repository root:

    .venv/bin/python bench/run.py --scale 1            # builds lnett_bench_s1 if needed, then measures
    .venv/bin/python bench/run.py --scale 100 --rebuild

Against PostgreSQL (BENCH_DATABASE_URL or postgres://postgres@127.0.0.1:5432/lnett_bench_s<scale>): creates the
database, migrates, runs generate_load_data, makes one login per role, starts gunicorn (3 workers) with the
X-Query-Count header on, logs in as each role and drives wrk (8 connections) at the key pages. Records p50/p95/p99,
requests per second, errors and SQL queries per request; times 200 decision-letter PDFs on one core,
import_allocations of 100 000 rows (time and peak memory) and export_national_summary for 10 years; compares our
application list with the Django admin change list on the same data and page size. Writes
bench/results/<date>-scale<N>[-<label>].json (never overwriting an earlier file: -2, -3 …) and prints
a Markdown table for docs/benchmarks.md.

Needs: PostgreSQL, `wrk` (apt-get install wrk) and GNU time (/usr/bin/time, apt-get install time)."""

import argparse
import csv
import datetime
import http.cookiejar
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
PASSWORD = "Bench-passord-2026"  # noqa: S105 - same as demo.load.BENCH_PASSWORD, throwaway database
YEARS = (2016, 2025)
WARMUP_SECONDS = 3


def sh(args, env, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, cwd=ROOT, check=True, text=True, capture_output=True, **kwargs)


def manage(env, *args) -> str:
    return sh([PYTHON, "manage.py", *args], env).stdout


def django_eval(env, code: str) -> str:
    return manage(env, "shell", "-c", code).strip().splitlines()[-1]


def database(url: str, rebuild: bool) -> bool:
    """Create the database when missing (or rebuild). Returns True when it is new."""
    import psycopg

    parsed = urllib.parse.urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and rebuild:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            return True
    return False


def bench_pages(ids: dict) -> list[tuple[str, str, str]]:
    """(label, role, path) of every page measured; `ids` holds the application, round and annual report used.
    bench/profile_pages.py profiles the same pages."""
    y0, y1 = YEARS
    return [
        ("Startside Bufdir", "bufdir", "/"),
        ("Startside statsforvalter", "statsforvalter", "/"),
        ("Startside tjenesteleder", "tjenesteleder", "/"),
        ("Søknadsliste med filter", "statsforvalter", "/midler/soknader/?kategori=fosterhjem&status=innvilget"),
        ("Søknadsliste (Bufdir, alle)", "bufdir", "/midler/soknader/"),
        ("Søknad", "statsforvalter", f"/midler/soknader/{ids['application']}/"),
        ("Prioriteringstavle", "statsforvalter", f"/midler/utlysninger/{ids['round']}/prioritering/fosterhjem/"),
        ("Nettverkskatalog", "tjenesteleder", "/nettverk/"),
        ("Kunnskapsbank, søk", "tjenesteleder", "/prosjekter/kunnskapsbank/?q=fosterhjem"),
        ("Årsrapport", "statsforvalter", f"/rapportering/aarsrapporter/{ids['annual']}/"),
        ("Nasjonal oversikt, 10 år", "bufdir", f"/rapportering/nasjonalt/?fra_aar={y0}&til_aar={y1}"),
        ("API summary, 10 år", "api", f"/api/v1/summary?year_from={y0}&year_to={y1}"),
        ("Admin: søknader (grunnlinje)", "superbruker", "/admin/grants/application/"),
    ]


class Session:
    """A logged-in browser-like session (cookies + CSRF) against the server under test."""

    def __init__(self, base: str, email: str):
        self.base, self.jar = base, http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        page = self.get("/konto/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"login": email, "password": PASSWORD, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(self.base + "/konto/login/", data=data, headers={"Referer": self.base})
        response = self.opener.open(request)
        if "sessionid" not in self.cookie_header():
            raise SystemExit(f"Innlogging feilet for {email} ({response.geturl()})")

    def get(self, path: str):
        return self.opener.open(self.base + path)

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def wrk(url: str, headers: dict, seconds: int, connections: int) -> dict:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(ROOT / "bench" / "latency.lua")]
    for key, value in headers.items():
        args += ["-H", f"{key}: {value}"]
    out = subprocess.run([*args, url], check=True, text=True, capture_output=True).stdout
    return json.loads(out.split("BENCH ", 1)[1].splitlines()[0])


def measure_pages(base: str, pages: list[tuple[str, str, str]], sessions: dict, token: str, seconds, connections):
    rows = []
    for label, role, path in pages:
        started = time.perf_counter()
        if role == "api":
            headers = {"Authorization": f"Bearer {token}"}
            request = urllib.request.Request(base + path, headers=headers)
            first = urllib.request.urlopen(request)
        else:
            headers = {"Cookie": sessions[role].cookie_header()}
            first = sessions[role].get(path)
        status, queries = first.status, first.headers.get("X-Query-Count")
        first.read()
        cold_ms = round((time.perf_counter() - started) * 1000, 1)
        # Warm-up, not measured: every gunicorn worker fills its own cache (locmem here; production shares Redis),
        # so the measurement is the steady state. The first request above is the cold cost ("første_ms").
        wrk(base + path, headers, WARMUP_SECONDS, connections)
        figures = wrk(base + path, headers, seconds, connections)
        rows.append(
            {
                "side": label,
                "rolle": role,
                "url": path,
                "status": status,
                "sql": int(queries or 0),
                "forste_ms": cold_ms,
                **figures,
            }
        )
        print(
            f"  {label:<40} p50 {figures['p50_ms']:7.1f}  p95 {figures['p95_ms']:7.1f}  p99 {figures['p99_ms']:7.1f} ms"
            f"  {figures['rps']:7.1f}/s  feil {figures['errors']}  sql {queries}",
            flush=True,
        )
    return rows


def timed(env, args: list[str]) -> dict:
    """Run a manage.py command under GNU time: wall seconds and peak memory (MB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        started = time.perf_counter()
        result = subprocess.run(
            ["/usr/bin/time", "-v", "-o", report.name, PYTHON, "manage.py", *args],
            env=env,
            cwd=ROOT,
            text=True,
            capture_output=True,
        )
        elapsed = time.perf_counter() - started
        peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report.read())
    return {
        "kommando": "manage.py " + " ".join(args),
        "sekunder": round(elapsed, 2),
        "topp_minne_mb": round(int(peak.group(1)) / 1024, 1) if peak else None,
        "exit": result.returncode,
        "utdata": (result.stdout + result.stderr)[-400:],
    }


def allocations_file(path: Path, rows: int) -> None:
    rng = random.Random(100_000)
    slugs = [
        "agder",
        "innlandet",
        "more-og-romsdal",
        "nordland",
        "ostfold-buskerud-oslo-akershus",
        "rogaland",
        "troms-og-finnmark",
        "trondelag",
        "vestfold-og-telemark",
        "vestland",
    ]
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["aar", "embete", "nettverk", "prosjekt", "kategori", "tildelt_kr"])
        for i in range(rows):
            slug = slugs[i % 10]
            writer.writerow(
                [
                    2006 + (i // 10) % 10,
                    slug,
                    f"Importnettverk {slug} {i % 40}",
                    f"Importprosjekt {i}",
                    ("egeninitiert", "fosterhjem")[i % 2],
                    rng.randrange(50_000, 900_000, 1000),
                ]
            )


def pdf_batch(env) -> dict:
    code = (
        "import time, os\n"
        "os.sched_setaffinity(0, {0})\n"
        "from grants.models import Decision\n"
        "from grants.letters import render_decision_letter\n"
        "ds = list(Decision.objects.select_related('soknad__utlysning__embete', 'soknad__prosjekt__network')"
        ".prefetch_related('soknad__tjenester__vertskommune').order_by('pk')[:200])\n"
        "render_decision_letter(ds[0])\n"
        "t = time.perf_counter()\n"
        "for d in ds: render_decision_letter(d)\n"
        "e = time.perf_counter() - t\n"
        "print(f'{len(ds)} {e:.3f}')"
    )
    count, seconds = django_eval(env, code).split()
    return {"brev": int(count), "sekunder": float(seconds), "ms_per_brev": round(1000 * float(seconds) / int(count), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true", help="slett og bygg databasen på nytt")
    parser.add_argument("--seconds", type=int, default=10, help="varighet per side")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--skip-import", action="store_true", help="hopp over import_allocations av 100 000 rader")
    parser.add_argument(
        "--label", default="", help="legges til filnavnet, f.eks. «foer»: bench/results/<dato>-scale<N>-<label>.json"
    )
    options = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk mangler: apt-get install wrk")

    url = os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/lnett_bench_s{options.scale}")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "LAERINGSNETT_ENV": "embedded",
        "LAERINGSNETT_REQUIRE_MFA": "false",
        "LAERINGSNETT_QUERY_COUNT_HEADER": "true",
        "DEBUG": "false",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "API_RATE": "1000000/min",  # the load generator is one user; production keeps its per-user limit
    }
    env.pop("REDIS_URL", None)
    results: dict = {
        "dato": datetime.date.today().isoformat(),
        "skala": options.scale,
        "maskin": {"cpu": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()},
        "oppsett": {"gunicorn_workers": options.workers, "wrk_connections": options.connections},
    }
    if database(url, options.rebuild):
        print(f"Bygger lastdata for skala {options.scale} …", flush=True)
        manage(env, "migrate", "--noinput", "-v0")
        started = time.perf_counter()
        print(manage(env, "generate_load_data", "--scale", str(options.scale)).strip().splitlines()[-1], flush=True)
        results["generate_load_data_sekunder"] = round(time.perf_counter() - started, 1)
    logins = json.loads(
        django_eval(env, "import json; from demo.load import ensure_bench_users as f; print(json.dumps(f()))")
    )
    ids = json.loads(
        django_eval(
            env,
            "import json\n"
            "from grants.models import Application, ApplicationRound\n"
            "from accounts.models import User\n"
            "from reporting.models import AnnualReport\n"
            "a = Application.objects.filter(utlysning__embete__slug='vestland').order_by('-pk').first()\n"
            "r = ApplicationRound.objects.filter(embete__slug='vestland').order_by('-aar').first()\n"
            f"u = User.objects.get(email='{logins['statsforvalter']}')\n"
            "y, _ = AnnualReport.objects.get_or_create(embete=r.embete, aar=r.aar, defaults={'opprettet_av': u})\n"
            "print(json.dumps({'application': a.pk, 'round': r.pk, 'annual': y.pk}))",
        )
    )
    token = django_eval(
        env,
        "from accounts.models import User\nfrom api.services import create_token\n"
        f"u = User.objects.get(email='{logins['bufdir']}')\n"
        "u.active_role = u.roller.get()\n"
        "print(create_token(u, 'bench')[1])",
    )

    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "config.wsgi:application",
            "-w",
            str(options.workers),
            "-b",
            f"127.0.0.1:{options.port}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{options.port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        sessions = {role: Session(base, email) for role, email in logins.items()}
        pages = bench_pages(ids)
        print(f"Måler {len(pages)} sider, {options.seconds} s hver, {options.connections} samtidige klienter:")
        results["sider"] = measure_pages(base, pages, sessions, token, options.seconds, options.connections)
    finally:
        server.terminate()
        server.wait(timeout=30)

    by_label = {row["side"]: row for row in results["sider"]}
    ours, admin = by_label["Søknadsliste (Bufdir, alle)"], by_label["Admin: søknader (grunnlinje)"]
    results["soknadsliste_mot_admin"] = round(ours["rps"] / admin["rps"], 2) if admin["rps"] else None
    print("Vedtaksbrev …", flush=True)
    results["vedtaksbrev"] = pdf_batch(env)
    print("export_national_summary for 10 år …", flush=True)
    started = time.perf_counter()
    for year in range(YEARS[0], YEARS[1] + 1):
        manage(env, "export_national_summary", "--year", str(year), "--format", "csv")
    results["export_national_summary_10_aar_sekunder"] = round(time.perf_counter() - started, 2)
    if not options.skip_import:
        print("import_allocations av 100 000 rader …", flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "tildelinger-100000.csv"
            allocations_file(path, 100_000)
            # 100 000 rows is over the default limit (ALLOCATION_IMPORT_MAX_ROWS, 20 000): the operator raises it
            results["import_allocations_100000"] = timed(
                env, ["import_allocations", str(path), "--maks-rader", "100000"]
            )
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    out = out_dir / f"{results['dato']}-scale{options.scale}{'-' + options.label if options.label else ''}.json"
    if out.exists():  # never overwrite an earlier run of the same day (committed figures): number the new one
        out = next(
            out.with_name(f"{out.stem}-{n}.json")
            for n in range(2, 100)
            if not out.with_name(f"{out.stem}-{n}.json").exists()
        )
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nResultater: {out.relative_to(ROOT)}")
    print(markdown(results))


def markdown(results: dict) -> str:
    lines = [
        f"Skala {results['skala']}, {results['dato']}, {results['maskin']['cpu']} kjerner, "
        f"gunicorn {results['oppsett']['gunicorn_workers']} workers, {results['oppsett']['wrk_connections']} klienter",
        "",
        "| Side | Rolle | første ms | p50 ms | p95 ms | p99 ms | req/s | feil | SQL/req |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in results["sider"]:
        lines.append(
            f"| {row['side']} | {row['rolle']} | {row.get('forste_ms', '–')} "
            f"| {row['p50_ms']:.1f} | {row['p95_ms']:.1f} | {row['p99_ms']:.1f} "
            f"| {row['rps']:.1f} | {row['errors']} | {row['sql']} |"
        )
    lines += [
        "",
        f"- Søknadsliste mot admin (req/s): {results.get('soknadsliste_mot_admin')}×",
        f"- Vedtaksbrev: {results['vedtaksbrev']['ms_per_brev']} ms per brev ({results['vedtaksbrev']['brev']} brev)",
        f"- export_national_summary, 10 år: {results['export_national_summary_10_aar_sekunder']} s",
    ]
    if "import_allocations_100000" in results:
        imp = results["import_allocations_100000"]
        lines.append(
            f"- import_allocations 100 000 rader: {imp['sekunder']} s, topp {imp['topp_minne_mb']} MB, "
            f"exit {imp['exit']}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
