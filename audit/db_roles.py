"""The application's database role on PostgreSQL (docs/database-roles.md): migrations run as the owner of the
tables; the web app, the workers and beat run as a role that owns nothing and may only read and write rows as the
app does. Then the immutability triggers (audit.immutability) and the override table cannot be switched off with
the app's own credentials: no ALTER TABLE … DISABLE TRIGGER (only an owner may), no TRUNCATE, no TRIGGER, no
INSERT into integrity_override, no UPDATE or DELETE on the append-only tables (the audit trail …).

`grant_statements()` gives the GRANTs; `manage.py grant_app_role ROLE` runs them as the owner after every migrate."""

from django.db import connections

from .immutability import OVERRIDE_TABLE, guarded

#: Tables the app only reads: the override switch (only the owner's demo and flush use it) and the migration log.
READ_ONLY = (OVERRIDE_TABLE, "django_migrations")


def append_only_tables() -> list[str]:
    """Guarded tables whose rows never change nor go away once written (for the app: backdating is the owner's):
    the app may insert and read them, never update or delete."""
    return sorted(
        guard.table
        for _model, guard, _migration in guarded()
        if not (guard.free or guard.open_fields or guard.set_once or guard.transitions or guard.delete_sql)
    )


def privileges(tables: list[str]) -> dict[str, tuple[str, ...]]:
    """Table -> the privileges the app role gets on it."""
    append_only = set(append_only_tables())
    result = {}
    for table in tables:
        if table in READ_ONLY:
            result[table] = ("SELECT",)
        elif table in append_only:
            result[table] = ("SELECT", "INSERT")
        else:
            result[table] = ("SELECT", "INSERT", "UPDATE", "DELETE")
    return result


def grant_statements(role: str, using: str = "default") -> list[str]:
    """The statements that give `role` exactly the app's rights in this database (all earlier grants to it on the
    schema's tables and sequences are revoked first, so running them again is safe)."""
    connection = connections[using]
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database(), current_schema()")
        database, schema = cursor.fetchone()
    tables = sorted(connection.introspection.table_names(include_views=False))
    statements = [
        f"GRANT CONNECT ON DATABASE {q(database)} TO {q(role)}",
        f"GRANT USAGE ON SCHEMA {q(schema)} TO {q(role)}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {q(schema)} FROM {q(role)}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {q(schema)} FROM {q(role)}",
        f"REVOKE CREATE ON SCHEMA {q(schema)} FROM {q(role)}",
    ]
    for table, rights in privileges(tables).items():
        statements.append(f"GRANT {', '.join(rights)} ON TABLE {q(schema)}.{q(table)} TO {q(role)}")
    statements.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {q(schema)} TO {q(role)}")
    return statements


def problems(role: str, using: str = "default") -> list[str]:
    """Why `role` must not be the app's role: it does not exist, may log in as superuser, bypasses row security,
    or owns (or is a member of a role that owns) tables here. Empty when it is fit."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls, rolcreaterole FROM pg_roles WHERE rolname = %s", [role])
        row = cursor.fetchone()
        if row is None:
            return [f"Rollen «{role}» finnes ikke (CREATE ROLE først, se docs/database-roles.md)."]
        found = []
        if row[0]:
            found.append(f"Rollen «{role}» er superbruker.")
        if row[1]:
            found.append(f"Rollen «{role}» har BYPASSRLS.")
        if row[2]:
            found.append(f"Rollen «{role}» kan opprette roller (CREATEROLE).")
        cursor.execute(
            "SELECT count(*) FROM pg_tables "
            "WHERE schemaname = current_schema() AND pg_has_role(%s, tableowner, 'USAGE')",
            [role],
        )
        if cursor.fetchone()[0]:
            found.append(f"Rollen «{role}» eier tabeller i databasen (eller er medlem av eierrollen).")
        cursor.execute("SELECT pg_has_role(%s, current_user, 'MEMBER')", [role])
        if cursor.fetchone()[0]:
            found.append(f"Rollen «{role}» er den samme som, eller medlem av, rollen migreringene kjører som.")
    return found
