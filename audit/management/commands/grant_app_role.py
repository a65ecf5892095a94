"""python manage.py grant_app_role ROLLE [--print]

Run as the owner of the tables (the role `migrate` runs as), after every `migrate`: gives the application's role
(which owns nothing) exactly what the app needs on PostgreSQL and no more (audit.db_roles, docs/database-roles.md):
SELECT/INSERT/UPDATE/DELETE on the tables, except only SELECT on integrity_override and django_migrations and only
SELECT/INSERT on the append-only tables (the audit trail, submitted versions, reviews); USAGE on the sequences;
never TRUNCATE, TRIGGER, REFERENCES or ownership. Idempotent. --print shows the statements without running them.
Exit codes: 0 done; 2 not PostgreSQL, or the role is missing or unfit (superuser, owner, member of the owner).
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction

from audit import db_roles


class Command(BaseCommand):
    help = "Gir applikasjonens databaserolle (som ikke eier noe) akkurat de rettighetene appen trenger (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("role", metavar="ROLLE", help="Rollen web, arbeidere og beat kobler til som.")
        parser.add_argument("--database", default="default")
        parser.add_argument("--print", action="store_true", help="Vis setningene uten å kjøre dem.")

    def handle(self, *args, role, database, print: bool, **options):
        connection = connections[database]
        if connection.vendor != "postgresql":
            raise CommandError("grant_app_role gjelder bare PostgreSQL.", returncode=2)
        problems = db_roles.problems(role, database)
        if problems:
            raise CommandError(" ".join(problems), returncode=2)
        statements = db_roles.grant_statements(role, database)
        if print:
            self.stdout.write(";\n".join(statements) + ";")
            return
        with transaction.atomic(using=database), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        append_only = db_roles.append_only_tables()
        self.stdout.write(
            f"Rollen «{role}» har fått appens rettigheter på {sum(' ON TABLE ' in s for s in statements)} tabeller "
            f"(bare lesing: {', '.join(db_roles.READ_ONLY)}; bare lesing og innsetting: {', '.join(append_only)})."
        )
