import argparse
import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from organisations.reference_data import EMBETER_FILE, KOMMUNER_FILE, MAX_ERRORS_SHOWN, ReferenceDataError
from organisations.services import load_reference_data

FIX = "Rett filen, eller angi en annen mappe med --data-dir (standard: organisations/data i prosjektet)."


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"«{value}» er ikke en dato; skriv ÅÅÅÅ-MM-DD, f.eks. 2027-01-01.") from None


def _kommune(k) -> str:
    return f"{k.nummer} {k.navn}"


class Command(BaseCommand):
    help = (
        "Laster embeter (med navnehistorikk), fylker og kommuner (SSB-klassifikasjon 131) fra prosjektets "
        "referansedata (organisations/data) eller --data-dir, og partnerkatalogen. Kan kjøres flere ganger. "
        "Med en nyere kommuneinndeling skrives det ut hvilke kommuner som er nye, har endret navn eller er opphørt; "
        "opphørte kommuner beholdes med «gyldig til»."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            default=str(settings.REFERENCE_DATA_DIR),
            help=f"Mappe med {EMBETER_FILE} og {KOMMUNER_FILE} (standard: {settings.REFERENCE_DATA_DIR}).",
        )
        parser.add_argument(
            "--gyldig-fra",
            type=_date,
            default=None,
            help=(
                "Datoen kommuneinndelingen gjelder fra (ÅÅÅÅ-MM-DD): kommuner som mangler i filen, opphører da, "
                "og nye kommuner gjelder fra da. Standard: kolonnen gyldig_fra i kommuner.csv, ellers i dag."
            ),
        )

    def handle(self, *args, data_dir, gyldig_fra, **options):
        base = Path(data_dir)
        try:
            stats = load_reference_data(base / EMBETER_FILE, base / KOMMUNER_FILE, gyldig_fra=gyldig_fra)
        except ReferenceDataError as exc:
            shown = exc.errors[:MAX_ERRORS_SHOWN]
            more = len(exc.errors) - len(shown)
            lines = ["Referansedataene er ikke lastet; ingenting er endret.", *shown]
            if more:
                lines.append(f"… og {more} feil til.")
            lines.append(FIX)
            raise CommandError("\n".join(lines)) from None
        if not stats.changed:
            self.stdout.write("Referansedata er allerede oppdatert; ingenting endret.")
            return
        if stats.kommune_changes:
            self._report_kommuner(stats)
        for label, counts in (("Opprettet", stats.created), ("Oppdatert", stats.updated)):
            for model, n in sorted(counts.items()):
                self.stdout.write(f"{label}: {n} {model}")

    def _report_kommuner(self, stats):
        day = f"{stats.gyldig_fra:%Y-%m-%d}"
        sections = [
            ("Nye kommuner", [_kommune(k) for k in stats.new_kommuner]),
            ("Endret navn", [f"{k.nummer} {old} → {k.navn}" for k, old in stats.renamed]),
            ("Flyttet til annet fylke eller embete", [f"{_kommune(k)}: {a} → {b}" for k, a, b in stats.moved]),
            (f"Opphørt fra {day}", [_kommune(k) for k in stats.ended]),
            ("Gjeninnført (ikke lenger opphørt)", [_kommune(k) for k in stats.restored]),
        ]
        self.stdout.write(f"Endringer i kommuneinndelingen (gyldig fra {day}):")
        for title, items in sections:
            if items:
                self.stdout.write(f"{title} ({len(items)}):")
                for item in items:
                    self.stdout.write(f"  {item}")
        self.stdout.write(
            f"Til sammen: {len(stats.new_kommuner)} nye, {len(stats.renamed)} med nytt navn, "
            f"{len(stats.moved)} flyttet, {len(stats.ended)} opphørt, {len(stats.restored)} gjeninnført."
        )
