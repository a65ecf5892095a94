"""python manage.py import_allocations FILE [--dry-run]: historical allocations into the award ledger.

Exit codes: 0 imported (or, with --dry-run, the file is in order); 1 the file has errors and nothing was
imported (every bad row is listed on stderr with its line number); 2 wrong arguments or the file cannot be opened.
At most ALLOCATION_IMPORT_MAX_ROWS rows (20 000) unless --maks-rader N says more (the benchmark imports 100 000).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reporting.services.allocations import import_allocations, limits


def error_lines(report) -> list[str]:
    return [f"Linje {line}: {message}" if line else message for line, message in report.errors]


class Command(BaseCommand):
    help = (
        "Importerer historiske tildelinger fra CSV eller XLSX (kolonner: aar, embete, nettverk, prosjekt, "
        "kategori, tildelt_kr og valgfritt tjenester). Alt eller ingenting; kan kjøres flere ganger."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FIL", help="CSV- eller XLSX-fil med tildelinger.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Kontroller filen og vis hva som ville skjedd, uten å importere."
        )
        parser.add_argument(
            "--maks-rader",
            type=int,
            default=None,
            metavar="N",
            help="Største antall rader filen kan ha (standard: ALLOCATION_IMPORT_MAX_ROWS, 20 000).",
        )

    def handle(self, *args, file, dry_run, maks_rader, **options):
        if maks_rader is not None and maks_rader < 1:
            raise CommandError("--maks-rader må være minst 1.", returncode=2)
        path = Path(file)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Kan ikke lese {path}: {exc.strerror or exc}.", returncode=2) from None
        # The operator's own command: no reading deadline (Ctrl-C stops it), the row limit can be raised.
        table_limits = limits(maks_rader, max_seconds=None)
        report = import_allocations(None, raw, path.name, dry_run=dry_run, table_limits=table_limits)
        if not report.ok:
            for line in error_lines(report):
                self.stderr.write(line)
            n = len(report.errors)
            raise CommandError(f"Ingenting er importert: {n} feil i filen.", returncode=1)
        for line in report.summary_lines():
            self.stdout.write(line)
        if dry_run:
            self.stdout.write("Ingenting er importert (--dry-run).")
        else:
            self.stdout.write(f"Tid: {report.seconds:.2f} s.".replace(".", ",", 1))
