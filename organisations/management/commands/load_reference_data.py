from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from organisations.services import load_reference_data


class Command(BaseCommand):
    help = "Laster embeter (med navnehistorikk), fylker og kommuner fra shared/data. Kan kjøres flere ganger."

    def add_arguments(self, parser):
        parser.add_argument("--data-dir", default=str(settings.SHARED_DATA_DIR))

    def handle(self, *args, data_dir, **options):
        base = Path(data_dir)
        embeter, kommuner = base / "embeter.csv", base / "kommuner.csv"
        for path in (embeter, kommuner):
            if not path.exists():
                raise CommandError(f"Fant ikke {path}. Angi mappen med --data-dir.")
        stats = load_reference_data(embeter, kommuner)
        if not stats.changed:
            self.stdout.write("Referansedata er allerede oppdatert; ingenting endret.")
            return
        for label, counts in (("Opprettet", stats.created), ("Oppdatert", stats.updated)):
            for model, n in sorted(counts.items()):
                self.stdout.write(f"{label}: {n} {model}")
