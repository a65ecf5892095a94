"""Load test (issue 8): 50 concurrent users for 5 minutes against gunicorn on loopback, mixed reads and writes
(drafts, saves, submissions, case work, decisions), then every write the clients saw is checked in the database.
Run from the repository root:

    make loadtest                                          # 50 users, 5 minutes (about 6 minutes in all)
    .venv/bin/python bench/load/run.py --users 5 --time 20s   # smoke variant (quick rerun)
    .venv/bin/python bench/load/run.py --reuse-db --users 5 --time 20s   # skip rebuilding the database

Steps:
1. A fresh PostgreSQL database (LOADTEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/lnett_loadtest;
   the name must contain «loadtest», so the benchmark or CI databases can never be dropped by mistake), migrated,
   with `generate_load_data --scale 1` (one country, 242 services, ~70 learning networks, 8 years of grants).
2. plan.py setup: users per role (service users in distinct services over 5 embeter, statsforvalter saksbehandler
   and leder in the same embeter), a published round for this year with the deadline 30 days ahead and this
   year's frames, all through the grants services; then the row counts (the baseline).
3. gunicorn on 127.0.0.1 (see GUNICORN below for the worker choice) with LAERINGSNETT_REQUIRE_MFA=false, as
   bench/run.py does: the load clients cannot answer TOTP prompts, and MFA is a login step, not a per-request
   cost. Celery runs eagerly (no Redis: the Redis fault tests stop and start it on this machine), so each
   receipt and decision letter (PDF) is made inside the request that commits it; e-mail goes to the in-memory
   backend.
4. locust headless: `locust -f bench/load/locustfile.py --headless -u 50 -r 10 -t 5m -s 30 --host …`.
5. plan.py verify: compares the clients' record of every write with the rows written after the baseline.
   Lost write = a client got OK and the row is missing; ghost write = a row no client got OK for (a failed or
   refused request that wrote something anyway); broken = half a write (e.g. a decision without its award).

The run fails (exit 1) on any server error (5xx or no answer), any unexpected 4xx, any lost or ghost write or
broken invariant. Business refusals (frame used up, someone else decided first, draft not complete) are
expected and are counted and shown. Results: bench/results/load-<date>-u<users>-<time>.json and a Markdown
summary on stdout; the raw files (locust CSV, gunicorn log, plan, tally) stay in var/loadtest/<time stamp>/.

Needs: PostgreSQL. locust and gunicorn come with `pip install -e ".[dev]"`."""

import argparse
import datetime
import importlib.util
import json
import os
import platform
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BIN = ROOT / ".venv" / "bin"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/lnett_loadtest"

# gunicorn: 3 processes × 4 threads (gthread). Two cores: at least two processes so both cores run Python despite
# the GIL, one more to cover a process blocked on a long request (a decision renders its PDF letter inline);
# threads overlap the time requests wait on PostgreSQL. 12 requests in flight serve 50 users who think 1–3 s
# between clicks (~20 requests/s) with room to spare; more would only queue on the two cores and hold more
# database connections (one per thread).
GUNICORN = {"workers": 3, "threads": 4, "timeout": 60}


def _bench_run():
    """bench/run.py (issue 7) as a module: database(), manage(), PASSWORD."""
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def seconds(text: str) -> int:
    """'5m' -> 300, '20s' -> 20, '1h' -> 3600, '90' -> 90."""
    units = {"s": 1, "m": 60, "h": 3600}
    return int(text[:-1]) * units[text[-1]] if text[-1] in units else int(text)


def load_sampler(stop: threading.Event, samples: list, interval: float = 10.0) -> None:
    """1-minute load average every `interval` seconds: the machine is shared, this shows how busy it was."""
    while not stop.wait(interval):
        samples.append(round(os.getloadavg()[0], 2))


def _percentile(histogram: dict, share: float) -> float:
    """From locust's response-time histogram {rounded ms: count}."""
    total = sum(histogram.values())
    if not total:
        return 0.0
    seen = 0
    for ms, count in sorted((float(k), v) for k, v in histogram.items()):
        seen += count
        if seen >= share * total:
            return ms
    return 0.0


def locust_stats(path: Path, seconds: float) -> dict:
    """Per request name and in total: count, failures, p50/p95/p99/max and requests per second. From locust's JSON
    (written at exit, after the stop timeout, so it holds every request; the CSV is written earlier)."""
    rows, everything = {}, Counter()
    for entry in json.loads(path.read_text(encoding="utf-8")):
        histogram = Counter({float(k): v for k, v in entry["response_times"].items()})
        everything.update(histogram)
        rows[f"{entry['method']} {entry['name']}"] = {
            "requests": entry["num_requests"],
            "failures": entry["num_failures"],
            "histogram": histogram,
            "max_ms": round(entry["max_response_time"] or 0, 1),
        }
    rows["Totalt"] = {
        "requests": sum(r["requests"] for r in rows.values()),
        "failures": sum(r["failures"] for r in rows.values()),
        "histogram": everything,
        "max_ms": max((r["max_ms"] for r in rows.values()), default=0),
    }
    for row in rows.values():
        histogram = row.pop("histogram")
        row.update({f"p{p}_ms": _percentile(histogram, p / 100) for p in (50, 95, 99)})
        row["rps"] = round(row["requests"] / seconds, 2) if seconds else 0
    return rows


def cpu_snapshot(server_pid: int, url: str) -> dict:
    """CPU seconds so far: the whole machine (busy and idle), gunicorn (master and workers), the PostgreSQL backends
    connected to the load-test database, and reaped children of this process (locust, once it has exited)."""
    import resource

    import psutil
    import psycopg

    def cpu(proc) -> float:
        try:
            t = proc.cpu_times()
            return t.user + t.system
        except psutil.Error:
            return 0.0

    master = psutil.Process(server_pid)
    name = urllib.parse.urlparse(url).path.lstrip("/")
    admin = urllib.parse.urlparse(url)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        pids = [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (name,))]
    machine = psutil.cpu_times()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "machine_busy": sum(machine) - machine.idle - getattr(machine, "iowait", 0.0),
        "machine_all": sum(machine),
        "gunicorn": cpu(master) + sum(cpu(p) for p in master.children(recursive=True)),
        "postgres": {pid: cpu(psutil.Process(pid)) for pid in pids if psutil.pid_exists(pid)},
        "children": children.ru_utime + children.ru_stime,
    }


def cpu_used(before: dict, after: dict, wall: float) -> dict:
    """What the run cost in CPU seconds, and how much of the (shared) machine was ours. PostgreSQL counts the
    backends open at the end (connections kept up to CONN_MAX_AGE; one closed during the run is missed): a floor."""
    postgres = sum(v - before["postgres"].get(pid, 0.0) for pid, v in after["postgres"].items())
    ours = {
        "gunicorn": after["gunicorn"] - before["gunicorn"],
        "postgres_minst": postgres,
        "locust": after["children"] - before["children"],
    }
    busy = after["machine_busy"] - before["machine_busy"]
    capacity = (after["machine_all"] - before["machine_all"]) or 1.0
    return {
        **{f"{k}_sekunder": round(v, 1) for k, v in ours.items()},
        "maskinen_opptatt_sekunder": round(busy, 1),
        "maskinens_kapasitet_sekunder": round(capacity, 1),
        "andel_brukt_av_andre_prosesser": round(max(busy - sum(ours.values()), 0.0) / capacity, 2),
        "veggtid_sekunder": wall,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--time", default="5m", help="varighet (locust -t), f.eks. 5m eller 20s")
    parser.add_argument("--staff", type=int, help="antall statsforvalterbrukere (standard: en av fem)")
    parser.add_argument("--embeter", type=int, default=5)
    parser.add_argument("--frame", default="800000", help="ramme per embete og kategori i år (kr)")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--reuse-db", action="store_true", help="bruk databasen som den er hvis den finnes")
    parser.add_argument("--no-results", action="store_true", help="ikke skriv bench/results/load-*.json")
    options = parser.parse_args()
    staff = options.staff if options.staff is not None else max(1, round(options.users / 5))
    service = options.users - staff
    bench = _bench_run()

    url = os.environ.get("LOADTEST_DATABASE_URL", DEFAULT_URL)
    name = urllib.parse.urlparse(url).path.lstrip("/")
    if "loadtest" not in name:
        raise SystemExit(f"Databasenavnet må inneholde «loadtest» (fikk «{name}»): den slettes og bygges på nytt.")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "LAERINGSNETT_ENV": "embedded",
        "LAERINGSNETT_REQUIRE_MFA": "false",
        "DEBUG": "false",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }
    for key in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        env.pop(key, None)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    work = ROOT / "var" / "loadtest" / stamp
    work.mkdir(parents=True, exist_ok=True)
    results: dict = {
        "dato": datetime.date.today().isoformat(),
        "kommando": "python bench/load/run.py " + " ".join(sys.argv[1:]),
        "maskin": {
            "cpu": os.cpu_count(),
            "python": platform.python_version(),
            "system": platform.platform(),
            "merknad": "Delt maskin: 2 kjerner, samtidig med andre testkjøringer. Lastgenerator (locust), gunicorn "
            "og PostgreSQL på samme maskin.",
            "load_for": round(os.getloadavg()[0], 2),
        },
        "oppsett": {
            "brukere": options.users,
            "tjenestebrukere": service,
            "statsforvalterbrukere": staff,
            "embeter": options.embeter,
            "spawn_rate": options.spawn_rate,
            "varighet": options.time,
            "gunicorn": {**GUNICORN, "worker_class": "gthread"},
            "mfa": "LAERINGSNETT_REQUIRE_MFA=false",
            "celery": "eager (ingen Redis)",
            "database": name,
            "ramme_per_kategori": options.frame,
        },
    }

    fresh = bench.database(url, rebuild=not options.reuse_db)
    if fresh:
        print(f"Bygger {name}: migrate og generate_load_data --scale 1 …", flush=True)
        started = time.perf_counter()
        bench.manage(env, "migrate", "--noinput", "-v0")
        print(bench.manage(env, "generate_load_data", "--scale", "1").strip().splitlines()[-1], flush=True)
        results["oppbygging_sekunder"] = round(time.perf_counter() - started, 1)
    plan_file, tally_file = work / "plan.json", work / "tally.json"
    subprocess.run(
        [
            str(BIN / "python"),
            str(HERE / "plan.py"),
            "setup",
            f"--service-users={service}",
            f"--staff-users={staff}",
            f"--embeter={options.embeter}",
            f"--frame={options.frame}",
            f"--password={bench.PASSWORD}",
            f"--out={plan_file}",
        ],
        env=env,
        cwd=ROOT,
        check=True,
    )
    plan = json.loads(plan_file.read_text(encoding="utf-8"))
    print(
        f"Plan: {len(plan['service_users'])} tjenestebrukere, {len(plan['staff_users'])} statsforvaltere, "
        f"utlysninger {plan['rounds']}",
        flush=True,
    )

    base = f"http://127.0.0.1:{options.port}"
    log = open(work / "gunicorn.log", "w")  # noqa: SIM115 - closed after the server stops
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "config.wsgi:application",
            "--worker-class=gthread",
            f"--workers={GUNICORN['workers']}",
            f"--threads={GUNICORN['threads']}",
            f"--timeout={GUNICORN['timeout']}",
            f"--bind=127.0.0.1:{options.port}",
            "--log-level=warning",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    stop, samples = threading.Event(), []
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=5)
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit(f"gunicorn svarer ikke; se {work / 'gunicorn.log'}")
        sampler = threading.Thread(target=load_sampler, args=(stop, samples), daemon=True)
        sampler.start()
        command = [
            str(BIN / "locust"),
            "-f",
            str(HERE / "locustfile.py"),
            "--headless",
            "-u",
            str(options.users),
            "-r",
            str(options.spawn_rate),
            "-t",
            options.time,
            "-s",
            "30",
            "--host",
            base,
            "--csv",
            str(work / "locust"),
            "--json-file",
            str(work / "locust"),
            "--only-summary",
            "--logfile",
            str(work / "locust.log"),
        ]
        results["locust_kommando"] = " ".join(
            c if not c.startswith(str(ROOT)) else os.path.relpath(c, ROOT) for c in command
        )
        print(f"Kjører: {results['locust_kommando']}", flush=True)
        started, cpu_before = time.perf_counter(), cpu_snapshot(server.pid, url)
        locust = subprocess.run(
            command,
            env={**env, "LOADTEST_PLAN": str(plan_file), "LOADTEST_TALLY": str(tally_file), "LOADTEST_TAG": stamp},
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        results["locust_sekunder"] = round(time.perf_counter() - started, 1)
        results["cpu"] = cpu_used(cpu_before, cpu_snapshot(server.pid, url), results["locust_sekunder"])
        results["locust_exit"] = locust.returncode
        (work / "locust.out").write_text(locust.stdout + locust.stderr, encoding="utf-8")
    finally:
        stop.set()
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    results["maskin"]["load_under"] = samples
    results["maskin"]["load_etter"] = round(os.getloadavg()[0], 2)

    if not tally_file.exists():
        print((work / "locust.out").read_text(encoding="utf-8")[-3000:])
        raise SystemExit("locust skrev ingen tally; se " + str(work))
    tally = json.loads(tally_file.read_text(encoding="utf-8"))
    results["forespørsler"] = locust_stats(work / "locust.json", seconds(options.time))
    requests = results["forespørsler"]["Totalt"]["requests"]
    if requests:
        results["cpu"]["gunicorn_ms_per_forespørsel"] = round(1000 * results["cpu"]["gunicorn_sekunder"] / requests, 1)
    verify_file = work / "verify.json"
    subprocess.run(
        [
            str(BIN / "python"),
            str(HERE / "plan.py"),
            "verify",
            f"--plan={plan_file}",
            f"--tally={tally_file}",
            f"--out={verify_file}",
        ],
        env=env,
        cwd=ROOT,
        check=True,
    )
    check = json.loads(verify_file.read_text(encoding="utf-8"))
    server_log = (work / "gunicorn.log").read_text(encoding="utf-8", errors="replace")
    results["innlogginger"] = tally["logins"]
    results["skrivinger_per_slag"] = {
        kind: {
            "ok": sum(1 for e in tally["writes"] if e["kind"] == kind and e["ok"]),
            "avvist_eller_feilet": sum(1 for e in tally["writes"] if e["kind"] == kind and not e["ok"]),
        }
        for kind in sorted({e["kind"] for e in tally["writes"]})
    }
    results["forretningsavvisninger"] = dict(sorted(tally["refusals"].items()))
    results["serverfeil"] = {
        "antall": len(tally["server_errors"]),
        "detaljer": tally["server_errors"][:50],
        "tracebacks_i_gunicorn_logg": server_log.count("Traceback"),
        "internal_server_error_i_gunicorn_logg": server_log.count("Internal Server Error"),
        "worker_timeouts": server_log.count("WORKER TIMEOUT"),
    }
    results["uventede_svar"] = {"antall": len(tally["unexpected"]), "detaljer": tally["unexpected"][:50]}
    results["kontroll"] = check
    passed = (
        not tally["server_errors"]
        and not tally["unexpected"]
        and check["ok"]
        and results["serverfeil"]["tracebacks_i_gunicorn_logg"] == 0
        and results["serverfeil"]["internal_server_error_i_gunicorn_logg"] == 0
        and tally["logins"] == options.users
    )
    results["bestatt"] = passed
    results["arbeidsmappe"] = str(work.relative_to(ROOT))
    if not options.no_results:
        out = ROOT / "bench" / "results" / f"load-{results['dato']}-u{options.users}-{options.time}.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"\nResultater: {out.relative_to(ROOT)}")
    print(markdown(results))
    return 0 if passed else 1


def markdown(results: dict) -> str:
    total = results["forespørsler"].get("Totalt", {})
    setup = results["oppsett"]
    check = results["kontroll"]
    cpu = results.get("cpu", {})
    lines = [
        f"Lasttest {results['dato']}: {setup['brukere']} brukere ({setup['tjenestebrukere']} i tjenester, "
        f"{setup['statsforvalterbrukere']} hos statsforvalteren) i {setup['varighet']}, gunicorn "
        f"{setup['gunicorn']['workers']}×{setup['gunicorn']['threads']} gthread, {results['maskin']['cpu']} kjerner "
        f"(delt maskin, load {results['maskin']['load_for']} før, maks {max(results['maskin']['load_under'] or [0])} "
        "under)",
        "",
        f"- Forespørsler: {total.get('requests')} ({total.get('rps')}/s), feil {total.get('failures')}, "
        f"p50 {total.get('p50_ms')} ms, p95 {total.get('p95_ms')} ms, p99 {total.get('p99_ms')} ms",
        f"- CPU: gunicorn {cpu.get('gunicorn_sekunder')} s ({cpu.get('gunicorn_ms_per_forespørsel')} ms per "
        f"forespørsel), PostgreSQL minst {cpu.get('postgres_minst_sekunder')} s, "
        f"locust {cpu.get('locust_sekunder')} s; "
        f"andre prosesser brukte {round(100 * cpu.get('andel_brukt_av_andre_prosesser', 0))} % av maskinen",
        f"- Serverfeil (5xx/ingen svar): {results['serverfeil']['antall']}, tracebacks i serverloggen: "
        f"{results['serverfeil']['tracebacks_i_gunicorn_logg']}; uventede 4xx: {results['uventede_svar']['antall']}",
        f"- Tapte skrivinger: {len(check['tapte_skrivinger'])}, spøkelsesskrivinger: "
        f"{len(check['spokelsesskrivinger'])}, brudd på invarianter: {len(check['brudd'])}",
        f"- Bestått: {'ja' if results['bestatt'] else 'NEI'}",
        "",
        "| Skriving | OK | avvist/feilet |",
        "|---|---:|---:|",
    ]
    for kind, n in results["skrivinger_per_slag"].items():
        lines.append(f"| {kind} | {n['ok']} | {n['avvist_eller_feilet']} |")
    lines += ["", "| Tabell | før | etter | nye |", "|---|---:|---:|---:|"]
    for table, n in check["rader"].items():
        lines.append(f"| {table} | {n['for']} | {n['etter']} | {n['nye']} |")
    lines += ["", "| Forespørsel | antall | feil | p50 ms | p95 ms | p99 ms |", "|---|---:|---:|---:|---:|---:|"]
    for label, row in results["forespørsler"].items():
        lines.append(
            f"| {label} | {row['requests']} | {row['failures']} | {row['p50_ms']:.0f} | {row['p95_ms']:.0f} "
            f"| {row['p99_ms']:.0f} |"
        )
    if results["forretningsavvisninger"]:
        lines += ["", "Forretningsavvisninger (forventet, ikke feil):"]
        lines += [f"- {reason}: {n}" for reason, n in results["forretningsavvisninger"].items()]
    for key, label in (("tapte_skrivinger", "Tapt"), ("spokelsesskrivinger", "Spøkelse"), ("brudd", "Brudd")):
        lines += [f"- {label}: {x}" for x in check[key][:20]]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
