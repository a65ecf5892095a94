"""Time the benchmark pages in one process, without gunicorn or wrk, and show where the time goes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lnett_bench_s100 \\
        .venv/bin/python bench/profile_pages.py [--repeat 10] [--only tavle] [--sql] [--profile]

Runs against a database built by bench/run.py (load data and bench users). For each page: the median and
slowest of `--repeat` requests (after one warm-up request), the SQL time inside them and the number of
statements, and the CPU time of this process (Python without the database; steadier than wall-clock
time on a busy machine). `--sql` prints the slowest statements of the last request; `--profile` prints a cProfile
summary of one request (PROFILE_SORT=tottime to sort by own time). `--cold` empties the cache before each
request: what a page costs when its figures, filter options and rows are not cached (the first request after a
change). Use it to find the cause of a slow page before
and after a change; the figures for docs/benchmarks.md come from bench/run.py under concurrency.
"""

import argparse
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LAERINGSNETT_ENV", "embedded")
os.environ.setdefault("LAERINGSNETT_REQUIRE_MFA", "false")
os.environ.setdefault("DEBUG", "false")


def bench_pages(ids: dict) -> list[tuple[str, str, str]]:
    """The pages of bench/run.py (loaded from its file, as bench/load/run.py does), without the API (a token)."""
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [page for page in module.bench_pages(ids) if page[1] != "api"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--only", action="append", help="bare sider med dette i navnet, f.eks. «tavle» (kan gjentas)")
    parser.add_argument("--sql", action="store_true", help="vis de tregeste SQL-setningene")
    parser.add_argument(
        "--cold", action="store_true", help="tøm cachen før hver forespørsel (det en side koster første gang)"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile av én forespørsel (mest kumulativ tid)")
    options = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from demo.load import ensure_bench_users
    from grants.models import Application, ApplicationRound
    from reporting.models import AnnualReport

    settings.ALLOWED_HOSTS = ["*"]
    logins = ensure_bench_users()
    a = Application.objects.filter(utlysning__embete__slug="vestland").order_by("-pk").first()
    r = ApplicationRound.objects.filter(embete__slug="vestland").order_by("-aar").first()
    sf = User.objects.get(email=logins["statsforvalter"])
    annual, _ = AnnualReport.objects.get_or_create(embete=r.embete, aar=r.aar, defaults={"opprettet_av": sf})
    ids = {"application": a.pk, "round": r.pk, "annual": annual.pk}
    clients = {}
    for role, email in logins.items():
        client = Client()
        client.force_login(User.objects.get(email=email))
        clients[role] = client

    for name, role, path in bench_pages(ids):
        if options.only and not any(o.lower() in name.lower() for o in options.only):
            continue
        client = clients[role]
        assert client.get(path).status_code == 200, (name, path)
        times, cpu_times, sql_times = [], [], []
        for _ in range(options.repeat):
            with CaptureQueriesContext(connection) as ctx:
                if options.cold:
                    cache.clear()
                started, cpu = time.perf_counter(), time.process_time()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
                cpu_times.append((time.process_time() - cpu) * 1000)
            sql_times.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
            assert response.status_code == 200
        print(
            f"{name:30} median {statistics.median(times):7.1f} ms  maks {max(times):7.1f} ms  "
            f"Python-CPU {statistics.median(cpu_times):7.1f} ms  "
            f"SQL {statistics.median(sql_times):7.1f} ms i {len(ctx.captured_queries)} setninger",
            flush=True,
        )
        if options.sql:
            for q in sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:5]:
                print(f"    {float(q['time']) * 1000:7.1f} ms  {q['sql'][:600]}")
        if options.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(client.get, path)
            pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(40)


if __name__ == "__main__":
    main()
