import time

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from demo.load import YEARS, LoadBuilder


class Command(BaseCommand):
    help = (
        "Lager deterministiske syntetiske lastdata for ytelsesmålinger: skala 1 ≈ ett realistisk land over "
        f"{len(YEARS)} år ({YEARS[0]}–{YEARS[-1]}); skala N gir N ganger så mange søknader, tildelinger og rapporter."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="Skala (1 = ett land, 100 = hundre ganger).")
        parser.add_argument("--seed", type=int, default=2026, help="Frø for tilfeldige valg (samme frø = samme data).")

    def handle(self, *args, scale: int, seed: int, **options):
        if scale < 1:
            raise CommandError("--scale må være 1 eller mer.")
        started = time.perf_counter()
        try:
            counts = LoadBuilder(scale, seed, out=self.stdout).build()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        if connection.vendor == "postgresql":
            # Fresh planner statistics: without them PostgreSQL plans for empty tables until autovacuum runs. VACUUM
            # also sets the visibility map, so counts can be index-only scans (not possible inside a transaction).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        elapsed = time.perf_counter() - started
        summary = ", ".join(f"{n} {name}" for name, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Lastdata for skala {scale} laget på {elapsed:.1f} s: {summary}."))
