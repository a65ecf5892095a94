"""python manage.py export_personal_data (--email E-POST | --id ID) [--out FIL] [--omtaler]

Everything Læringsnett stores about one user, as JSON (format «laeringsnett-personopplysninger», version 1):
to FIL with a readable summary on standard out, or without --out to standard out. For the data controller
answering a request for access (GDPR art. 15) or data portability (art. 20). The export is recorded in the
audit trail. --omtaler adds where free text in cases and the audit trail mentions the person's name, e-mail
or phone (kept in the cases; to be assessed by hand).
Exit codes: 0 written; 2 wrong arguments, no such user, or the file cannot be written.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from privacy import services
from privacy.selectors import export_json, mentions, summary_text

from ._privacy_args import add_user_arguments, find_user


class Command(BaseCommand):
    help = "Skriver ut alle personopplysninger Læringsnett har om én bruker, som JSON."

    def add_arguments(self, parser):
        add_user_arguments(parser)
        parser.add_argument("--out", metavar="FIL", help="Skriv JSON til filen (og et sammendrag til standard ut).")
        parser.add_argument(
            "--omtaler", action="store_true", help="Ta med hvor fritekst og revisjonsspor nevner personen."
        )

    def handle(self, *args, email, id, out, omtaler, **options):
        user = find_user(email, id)
        document = services.export_personal_data(None, user, channel="kommando")
        if omtaler:
            document["omtaler"] = mentions(user)
        data = export_json(document)
        if not out:
            self.stdout.write(data.decode("utf-8"), ending="")
            return
        try:
            Path(out).write_bytes(data)
        except OSError as exc:
            raise CommandError(f"Kan ikke skrive {out}: {exc.strerror or exc}.", returncode=2) from None
        self.stdout.write(summary_text(document))
        if omtaler:
            self.stdout.write(f"Omtaler i fritekst og revisjonsspor: {len(document['omtaler'])}.")
        self.stdout.write(f"Skrev {len(data)} byte til {out}.")
