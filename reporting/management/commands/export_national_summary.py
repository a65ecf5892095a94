"""python manage.py export_national_summary --year YYYY [--format csv|csv-excel|json|xlsx] [--output PATH]

One row per embete (slug) and a total row (embete "totalt") with the columns aar, embete,
egeninitierte_prosjekter, fosterhjemsprosjekter, prosjekter_totalt, tildelt_kr (whole kroner), in the format of
the published tables. Without --output the table goes to stdout (csv and json; xlsx needs --output).
Exit codes: 0 written; 2 wrong arguments or the output cannot be written.
"""

import csv
import io
import json
from pathlib import Path

import tablib
from django.core.management.base import BaseCommand, CommandError

from common import exports
from reporting.selectors.national import published_rows

COLUMNS = ("aar", "embete", "egeninitierte_prosjekter", "fosterhjemsprosjekter", "prosjekter_totalt", "tildelt_kr")


def render(rows: list[dict], fmt: str) -> bytes:
    if fmt == "json":
        return (json.dumps(rows, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if fmt in ("xlsx", exports.EXCEL_CSV):  # the one export writer: money formats, CSV for Excel
        dataset = tablib.Dataset(headers=list(COLUMNS), title="Tildelinger")
        for row in rows:
            dataset.append([row[c] for c in COLUMNS])
        body = exports.render(dataset, fmt)[1]
        return body if isinstance(body, bytes) else body.encode("utf-8")
    # csv: plain UTF-8 with "\n", line for line as the published table (reporting/data), for diffs
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


class Command(BaseCommand):
    help = "Skriver den nasjonale oversikten over prosjekter og tildelte midler per embete for ett år."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, metavar="ÅÅÅÅ", help="Året oversikten gjelder.")
        parser.add_argument(
            "--format", choices=("csv", exports.EXCEL_CSV, "json", "xlsx"), default="csv", help="Standard: csv."
        )
        parser.add_argument("--output", metavar="FIL", help="Skriv til filen i stedet for til standard ut.")

    def handle(self, *args, year, format, output, **options):
        if not 2000 <= year <= 2100:
            raise CommandError("--year må være et årstall mellom 2000 og 2100.", returncode=2)
        if format == "xlsx" and not output:
            raise CommandError("XLSX krever --output FIL.", returncode=2)
        rows = [{c: row[c] for c in COLUMNS} for row in published_rows(year)]
        data = render(rows, format)
        if not output:
            self.stdout.write(data.decode("utf-8"), ending="")
            return
        try:
            Path(output).write_bytes(data)
        except OSError as exc:
            raise CommandError(f"Kan ikke skrive {output}: {exc.strerror or exc}.", returncode=2) from None
        self.stderr.write(f"Skrev {len(rows) - 1} embeter og totalrad for {year} til {output}.")
