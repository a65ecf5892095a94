"""python manage.py anonymise_user (--email E-POST | --id ID) [--yes | --dry-run]

Anonymises a user who has left (privacy.services.anonymise_user): name, e-mail and phone become a
pseudonym («Anonymisert bruker ID», anonymisert-ID@anonymisert.invalid), login is disabled, roles end,
second factors, sessions, external logins, API keys and unused invitations are deleted and contact-person
details are removed, all in one transaction. The user row stays, so decisions, reports and the audit trail
keep pointing at the same id. Prints exactly what will be changed first (the same work done in a transaction
that is rolled back); without --yes it asks (or, when not run from a terminal, stops). --dry-run only prints
that and changes nothing. Running it again on an anonymised user changes nothing.

Keep the printed id: after restoring a backup taken before the anonymisation, run the command again with --id.
Exit codes: 0 anonymised (or already anonymised); 1 refused or not confirmed, nothing changed; 2 wrong
arguments or no such user.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from privacy import services
from privacy.selectors import anonymisation_plan, is_anonymised, mentions

from ._privacy_args import add_user_arguments, find_user


class Command(BaseCommand):
    help = "Anonymiserer en bruker som har sluttet. Vedtak, rapporter og revisjonsspor beholdes."

    def add_arguments(self, parser):
        add_user_arguments(parser)
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--yes", action="store_true", help="Ikke spør om bekreftelse.")
        mode.add_argument(
            "--dry-run", action="store_true", help="Vis bare hva som ville blitt endret. Ingenting endres."
        )

    def handle(self, *args, email, id, yes, dry_run, **options):
        user = find_user(email, id)
        if is_anonymised(user) and not dry_run:
            result = services.anonymise_user(None, user)
            if not result.changed:
                self.stdout.write(f"Bruker {user.pk} er allerede anonymisert. Ingenting er endret.")
                return
            self.stdout.write(f"Bruker {user.pk} var anonymisert; rester er fjernet.")
            return
        plan = anonymisation_plan(user)
        self.stdout.write(f"Bruker {user.pk}: {user.get_full_name() or '–'} <{user.email}>")
        for blocker in plan.blockers:
            self.stderr.write(f"Stopper: {blocker}")
        if plan.blockers:
            raise CommandError("Ingenting er endret.", returncode=1)
        for warning in plan.warnings:
            self.stdout.write(f"Merk: {warning}")
        found = mentions(user)
        if found:
            self.stdout.write(
                f"Fritekst og revisjonsspor nevner personen {len(found)} steder. Disse beholdes (saksdokumenter, "
                "arkivplikt); vurder dem for hånd (export_personal_data --omtaler viser hvor)."
            )
        preview = services.anonymise_user(None, user, dry_run=True)
        if preview.changes:
            self.stdout.write("Dette vil bli endret:")
            for line in preview.changes:
                self.stdout.write(f"  - {line}")
        else:
            self.stdout.write("Ingenting vil bli endret.")
        if dry_run:
            self.stdout.write("Prøvekjøring: ingenting er endret.")
            return
        if not yes:
            if not sys.stdin.isatty():
                raise CommandError("Ingenting er endret. Bekreft med --yes.", returncode=1)
            answer = input("Skriv «ja» for å anonymisere: ")
            if answer.strip().lower() != "ja":
                raise CommandError("Avbrutt. Ingenting er endret.", returncode=1)
        try:
            result = services.anonymise_user(None, user)
        except services.AnonymisationRefused as exc:
            for message in exc.messages:
                self.stderr.write(f"Stopper: {message}")
            raise CommandError("Ingenting er endret.", returncode=1) from None
        user = result.user
        self.stdout.write(f"Bruker {user.pk} er anonymisert som «{user.get_full_name()}» ({user.email}).")
        done = ", ".join(f"{key.replace('_', ' ')}: {value}" for key, value in result.counts.items() if value)
        if done:
            self.stdout.write(f"Endret: {done}.")
        self.stdout.write(
            f"Ta vare på id {user.pk} i saken. Tilbakeføres en sikkerhetskopi fra før i dag, kjør "
            f"«manage.py anonymise_user --id {user.pk} --yes» på nytt."
        )
