"""The application's database role (issue 20, item 5; docs/database-roles.md): migrations run as the owner, the app
as a role that owns nothing. `manage.py grant_app_role ROLE` (audit.db_roles) gives that role exactly the app's
rights. Connected as it, the database guards cannot be bypassed: no ALTER TABLE … DISABLE TRIGGER, no TRUNCATE of
the audit trail, no INSERT into integrity_override (the backdating switch), no UPDATE/DELETE of the append-only
tables, no new triggers; yet the app's ordinary writes (outbox rows, sessions, audit events) work.

PostgreSQL only (roles and grants); CI runs it on PostgreSQL. The test database is the suite's own; the role is
cluster-wide, so it gets a unique name per run and is dropped afterwards."""

import io
import secrets
import uuid

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from audit import db_roles
from audit.models import AuditEvent
from common.models import OutboxMessage

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="database roles and grants are PostgreSQL's; set DATABASE_URL=postgres://… to run (CI does)",
)


@pytest.fixture
def app_role(transactional_db):
    """A fresh LOGIN role with the app's rights (granted by the command, run as the owner) and a connection as it
    (psycopg, as the services would connect with the app's DATABASE_URL)."""
    name = f"lnett_app_test_{uuid.uuid4().hex[:12]}"
    password = secrets.token_urlsafe(16)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE \"{name}\" LOGIN PASSWORD '{password}'")
    app = None
    try:
        call_command("grant_app_role", name, stdout=io.StringIO())
        db = connection.settings_dict
        app = psycopg.connect(
            host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, dbname=db["NAME"], user=name, password=password
        )
        yield name, app
    finally:
        if app is not None:
            app.close()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP OWNED BY "{name}"')
            cursor.execute(f'DROP ROLE "{name}"')


def as_app(app, sql: str, params=()):
    """Run `sql` as the app role in a transaction of its own; the rows it returns."""
    with app.transaction(), app.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def refused(app, sql: str) -> str:
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as info:
        as_app(app, sql)
    return str(info.value)


def test_the_app_role_cannot_switch_off_or_bypass_the_guards(app_role):
    role, app = app_role
    assert as_app(app, "SELECT current_user") == [(role,)]
    assert "must be owner" in refused(app, "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL")
    assert "permission denied" in refused(app, "TRUNCATE audit_auditevent")
    # The reported attack: raise the backdating switch, then move a decision's date.
    assert "permission denied" in refused(app, "INSERT INTO integrity_override (kind) VALUES ('backdate')")
    assert "permission denied" in refused(app, "DELETE FROM integrity_override")
    for table in db_roles.append_only_tables():
        assert "permission denied" in refused(app, f"UPDATE {table} SET id = id"), table  # noqa: S608
        assert "permission denied" in refused(app, f"DELETE FROM {table}"), table  # noqa: S608
        assert "permission denied" in refused(app, f"TRUNCATE {table}"), table
    assert "permission denied" in refused(
        app,
        "CREATE TRIGGER sneaky BEFORE UPDATE ON grants_decision FOR EACH ROW "
        "EXECUTE FUNCTION suppress_redundant_updates_trigger()",
    )
    assert "must be owner" in refused(app, "ALTER TABLE grants_decision DISABLE TRIGGER ALL")
    migration = "INSERT INTO django_migrations (app, name, applied) VALUES ('x', 'y', now())"
    assert "permission denied" in refused(app, migration)
    assert "permission denied" in refused(app, "CREATE TABLE mine (id int)")
    with connection.cursor() as cursor:  # and it owns nothing
        cursor.execute("SELECT count(*) FROM pg_tables WHERE tableowner = %s", [role])
        assert cursor.fetchone()[0] == 0


def test_the_app_role_does_the_apps_own_writes(app_role):
    role, app = app_role
    # Rows as the app writes them: an outbox message (identity column), its update and deletion, an audit event.
    (message_id,) = as_app(
        app,
        "INSERT INTO common_outboxmessage (oppgave, argumenter, nokkelargumenter, opprettet, forsok, siste_feil, "
        "ganger_sendt) VALUES ('laeringsnett.ping', '[]', '{}', now(), 0, '', 0) RETURNING id",
    )[0]
    as_app(app, "SELECT id FROM common_outboxmessage WHERE id = %s FOR UPDATE", [message_id])
    as_app(app, "UPDATE common_outboxmessage SET utfort = now() WHERE id = %s", [message_id])
    assert OutboxMessage.objects.get(pk=message_id).utfort is not None
    as_app(app, "DELETE FROM common_outboxmessage WHERE id = %s", [message_id])
    assert not OutboxMessage.objects.filter(pk=message_id).exists()
    (event_id,) = as_app(
        app,
        "INSERT INTO audit_auditevent (tidspunkt, rolle, handling, object_id, objekt, endringer) "
        "VALUES (now(), '', 'test.rolle', '', 'databaserolle', '{}') RETURNING id",
    )[0]
    assert AuditEvent.objects.get(pk=event_id).handling == "test.rolle"
    as_app(
        app,
        "INSERT INTO django_session (session_key, session_data, expire_date) VALUES ('k', 'd', now()); "
        "UPDATE django_session SET session_data = 'e' WHERE session_key = 'k'; "
        "DELETE FROM django_session WHERE session_key = 'k'",
    )


def test_running_the_grants_again_changes_nothing_and_the_owner_is_refused(app_role):
    role, app = app_role
    first = db_roles.grant_statements(role)
    call_command("grant_app_role", role, stdout=io.StringIO())
    assert db_roles.grant_statements(role) == first
    assert "permission denied" in refused(app, "TRUNCATE audit_auditevent")
    owner = connection.settings_dict["USER"]
    with pytest.raises(CommandError) as info:
        call_command("grant_app_role", owner)
    assert info.value.returncode == 2
    with pytest.raises(CommandError, match="finnes ikke"):
        call_command("grant_app_role", f"finnes_ikke_{uuid.uuid4().hex[:8]}")
