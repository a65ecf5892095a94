"""Records that never change once written: the audit trail, decisions (vedtak), appeal outcomes, submitted
application and report versions, report reviews and submitted reports. Changes are new rows (a new version,
an appeal), never edits.

Two layers, with the same rules (a `Guard` per table):

1. Database triggers on PostgreSQL and SQLite refuse an UPDATE or DELETE that breaks the rules, whatever code
   sends it (ORM, raw SQL, admin, a bug). Migrations install them with `install()` (audit 0002, grants 0006,
   projects 0003; reversing a migration drops them with `uninstall()`). SQLite drops a table's triggers when a
   later migration rebuilds the table, so `ensure_installed()` (post_migrate) puts back any guard that is
   missing, and the `audit.E001` database check reports one that is absent.
2. Model guards (`ImmutableModel`, `ImmutableQuerySet`): save() on an existing row, delete(), QuerySet.update()
   and QuerySet.delete() raise `ImmutableRecordError` before any SQL is sent.

Both layers raise IntegrityError (ImmutableRecordError is one), so callers and tests handle them alike.

Two narrow exceptions, both scoped to one transaction through a row in the table `integrity_override` that is
inserted and removed inside that transaction (so no other connection ever sees it):

- `backdating()`: the demo and the load generator move the *timestamps* of records they have just made through
  the services (e.g. a decision "made" on 20 May 2024). Only the columns a guard lists as `backdatable` may
  change; outcome, amount, reasons and content never can.
- flush: `manage.py flush` and the test runner's flush empty every table. PostgreSQL does it with TRUNCATE,
  which row triggers do not see; SQLite deletes row by row, so the flush is wrapped (see `_allow_sqlite_flush`)
  to behave like PostgreSQL. Deleting single rows stays refused on both.

In production the app runs as a role that owns nothing (docs/database-roles.md): `manage.py grant_app_role`
(audit.db_roles) gives it no INSERT/UPDATE/DELETE on integrity_override, no UPDATE/DELETE on the tables that only
get new rows, and no TRUNCATE or TRIGGER anywhere; only the owner (migrate, demo, flush) can use the overrides.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, models, transaction

OVERRIDE_TABLE = "integrity_override"
BACKDATE = "backdate"
FLUSH = "flush"
ALL = "*"  # Guard.open_fields: every column may change while the row is open

_backdating = contextvars.ContextVar("laeringsnett_backdating", default=False)
_UNKNOWN = object()  # the new value of a column set by an expression (F(), Case …): cannot be checked in Python


class ImmutableRecordError(IntegrityError):
    """A change to a record that may not change. Raised by the model guards; the triggers raise IntegrityError."""


@dataclass(frozen=True)
class Guard:
    """Which changes to an existing row of `table` are allowed. A column may change only if one of these holds:
    it is `free`; the row is open (`open_sql`/`is_open`) and the column is in `open_fields`; it is in `set_once`
    and still has its empty value; it is `backdatable` inside backdating(); or the change is one of its
    `transitions` {column: {old value: (allowed new values)}}. A row may be deleted only while `delete_sql`
    (`can_delete` in Python) holds; by default never.

    The SQL conditions refer to the old row as OLD (and NEW), are valid on PostgreSQL and SQLite, and must not be
    NULL for an open row (a NULL counts as closed)."""

    table: str
    label: str
    columns: tuple[str, ...] = ()
    free: tuple[str, ...] = ()
    set_once: dict = field(default_factory=dict)
    backdatable: tuple[str, ...] = ()
    open_fields: tuple[str, ...] | str = ()
    open_sql: str = ""
    is_open: Callable[[dict], bool] | None = None
    transitions: dict = field(default_factory=dict)
    delete_sql: str = ""
    can_delete: Callable[[dict], bool] | None = None

    def with_columns(self, columns: Iterable[str]) -> Guard:
        return Guard(**{**self.__dict__, "columns": tuple(columns)})

    # --- the rule in Python ------------------------------------------------------------------------------

    def refused_changes(self, old: dict, new: dict, backdating: bool = False) -> list[str]:
        """The columns whose change from old to new the guard refuses (empty: the change is allowed)."""
        refused = []
        opened = bool(self.is_open and self.is_open(old))
        for name, value in new.items():
            if name not in old or (value is not _UNKNOWN and value == old[name]):
                continue
            if name in self.free:
                continue
            if opened and (self.open_fields == ALL or name in self.open_fields):
                continue
            if name in self.set_once and old[name] == self.set_once[name]:
                continue
            if backdating and name in self.backdatable:
                continue
            if (
                name in self.transitions
                and value is not _UNKNOWN
                and value in self.transitions[name].get(old[name], ())
            ):
                continue
            refused.append(name)
        return refused

    def deletable(self, old: dict) -> bool:
        return bool(self.can_delete and self.can_delete(old))

    # --- the rule in SQL -----------------------------------------------------------------------------------

    def update_condition(self, vendor: str) -> str:
        clauses = []
        for column in self.columns:
            if column in self.free:
                continue
            options = [_same(column, vendor)]
            if self.open_sql and (self.open_fields == ALL or column in self.open_fields):
                options.append(f"({self.open_sql})")
            if column in self.set_once:
                empty = self.set_once[column]
                options.append(f'OLD."{column}" IS NULL' if empty is None else f'OLD."{column}" = {_literal(empty)}')
            if column in self.backdatable:
                options.append(_flag(BACKDATE))
            for old_value, new_values in self.transitions.get(column, {}).items():
                allowed = ", ".join(_literal(v) for v in new_values)
                options.append(f'(OLD."{column}" = {_literal(old_value)} AND NEW."{column}" IN ({allowed}))')
            clauses.append("(" + " OR ".join(options) + ")")
        return " AND ".join(clauses) or "1 = 1"

    def delete_condition(self) -> str:
        return f"({self.delete_sql})" if self.delete_sql else "1 = 0"

    def message(self, operation: str) -> str:
        return f"immutable: {self.label} ({self.table}) cannot be {operation}"


def _same(column: str, vendor: str) -> str:
    if vendor == "postgresql":
        return f'OLD."{column}" IS NOT DISTINCT FROM NEW."{column}"'
    return f'OLD."{column}" IS NEW."{column}"'


def _literal(value) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


# Constant SQL (no values from outside ever reach these statements).
_FLAG_SET = {
    BACKDATE: "EXISTS (SELECT 1 FROM integrity_override WHERE kind = 'backdate')",
    FLUSH: "EXISTS (SELECT 1 FROM integrity_override WHERE kind = 'flush')",
}
_RAISE = {
    BACKDATE: "INSERT INTO integrity_override (kind) VALUES ('backdate')",
    FLUSH: "INSERT INTO integrity_override (kind) VALUES ('flush')",
}
_LOWER = {
    BACKDATE: "DELETE FROM integrity_override WHERE kind = 'backdate'",
    FLUSH: "DELETE FROM integrity_override WHERE kind = 'flush'",
}


def _flag(kind: str) -> str:
    return _FLAG_SET[kind]


# --- installing the triggers ------------------------------------------------------------------------------------


def _names(guard: Guard) -> dict[str, str]:
    return {
        "function": f"integrity_guard_{guard.table}",
        "trigger": f"integrity_guard_{guard.table}",
        "update": f"integrity_guard_{guard.table}_update",
        "delete": f"integrity_guard_{guard.table}_delete",
    }


def trigger_sql(guard: Guard, vendor: str) -> list[str]:
    """The statements that install the guard's triggers (PostgreSQL or SQLite)."""
    names = _names(guard)
    update_ok, delete_ok = guard.update_condition(vendor), guard.delete_condition()
    if vendor == "postgresql":
        return [
            f"""CREATE OR REPLACE FUNCTION {names["function"]}() RETURNS trigger LANGUAGE plpgsql AS $guard$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF NOT COALESCE({delete_ok}, FALSE) THEN
            RAISE EXCEPTION '{guard.message("deleted")}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF NOT COALESCE({update_ok}, FALSE) THEN
        RAISE EXCEPTION '{guard.message("changed")}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$guard$""",
            f'DROP TRIGGER IF EXISTS {names["trigger"]} ON "{guard.table}"',
            f'CREATE TRIGGER {names["trigger"]} BEFORE UPDATE OR DELETE ON "{guard.table}" '
            f"FOR EACH ROW EXECUTE FUNCTION {names['function']}()",
        ]
    if vendor == "sqlite":
        return [
            f'CREATE TRIGGER IF NOT EXISTS {names["update"]} BEFORE UPDATE ON "{guard.table}" FOR EACH ROW '
            f"WHEN NOT COALESCE({update_ok}, 0) "
            f"BEGIN SELECT RAISE(ABORT, '{guard.message('changed')}'); END",
            f'CREATE TRIGGER IF NOT EXISTS {names["delete"]} BEFORE DELETE ON "{guard.table}" FOR EACH ROW '
            f"WHEN NOT COALESCE({delete_ok}, 0) AND NOT {_flag(FLUSH)} "
            f"BEGIN SELECT RAISE(ABORT, '{guard.message('deleted')}'); END",
        ]
    raise NotImplementedError(f"No immutability triggers for the {vendor} database backend.")


def drop_sql(guard: Guard, vendor: str) -> list[str]:
    names = _names(guard)
    if vendor == "postgresql":
        return [
            f'DROP TRIGGER IF EXISTS {names["trigger"]} ON "{guard.table}"',
            f"DROP FUNCTION IF EXISTS {names['function']}()",
        ]
    return [f"DROP TRIGGER IF EXISTS {names['update']}", f"DROP TRIGGER IF EXISTS {names['delete']}"]


def create_override_table(schema_editor) -> None:
    schema_editor.execute(f"CREATE TABLE IF NOT EXISTS {OVERRIDE_TABLE} (kind varchar(20) NOT NULL)")


def drop_override_table(schema_editor) -> None:
    schema_editor.execute(f"DROP TABLE IF EXISTS {OVERRIDE_TABLE}")


def install(schema_editor, guards: Iterable[Guard]) -> None:
    """For migrations (RunPython): install the guards' triggers on this connection's backend."""
    _execute(schema_editor.connection, [s for g in guards for s in trigger_sql(g, schema_editor.connection.vendor)])


def uninstall(schema_editor, guards: Iterable[Guard]) -> None:
    _execute(schema_editor.connection, [s for g in guards for s in drop_sql(g, schema_editor.connection.vendor)])


def _execute(connection, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def installed(connection, guard: Guard) -> bool:
    """Whether the guard's triggers exist in the database."""
    names = _names(guard)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = %s AND c.relname = %s AND NOT t.tgisinternal",
                [names["trigger"], guard.table],
            )
            return cursor.fetchone()[0] == 1
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s AND name IN (%s, %s)",
            [guard.table, names["update"], names["delete"]],
        )
        return cursor.fetchone()[0] == 2


# --- which tables are guarded, and since which migration ------------------------------------------------------

GUARDED = (
    # (model, guard, migration that installs it)
    ("audit.AuditEvent", "AUDIT_EVENT", "audit.0002_immutable_audit_trail"),
    ("grants.Decision", "DECISION", "grants.0006_immutability"),
    ("grants.Appeal", "APPEAL", "grants.0006_immutability"),
    ("grants.ApplicationVersion", "APPLICATION_VERSION", "grants.0006_immutability"),
    ("followup.ProgressReport", "PROGRESS_REPORT", "projects.0003_immutability"),
    ("followup.ReportVersion", "REPORT_VERSION", "projects.0003_immutability"),
    ("followup.ReportReview", "REPORT_REVIEW", "projects.0003_immutability"),
    ("followup.ReportSpending", "REPORT_SPENDING", "projects.0003_immutability"),
    ("followup.ReportParticipant", "REPORT_PARTICIPANT", "projects.0003_immutability"),
    ("followup.SelfAssessment", "SELF_ASSESSMENT", "projects.0003_immutability"),
    ("followup.ChangeNotice", "CHANGE_NOTICE", "followup.0002_change_notices"),
    ("followup.BudgetMove", "BUDGET_MOVE", "followup.0002_change_notices"),
)


def guarded() -> list[tuple[type[models.Model], Guard, str]]:
    """(model, guard with the model's current columns, migration) for every guarded table."""
    from django.apps import apps

    result = []
    for label, guard_name, migration in GUARDED:
        model = apps.get_model(label)
        guard = globals()[guard_name].with_columns(f.column for f in model._meta.concrete_fields)
        result.append((model, guard, migration))
    return result


def missing_guards(connection) -> list[Guard]:
    """Guards whose migration is applied but whose triggers are absent (e.g. SQLite rebuilt the table)."""
    from django.db.migrations.recorder import MigrationRecorder

    if connection.vendor not in ("postgresql", "sqlite"):
        return []
    tables = set(connection.introspection.table_names())
    if OVERRIDE_TABLE not in tables:
        return []
    applied = MigrationRecorder(connection).applied_migrations()
    return [
        guard
        for _model, guard, migration in guarded()
        if guard.table in tables and tuple(migration.split(".")) in applied and not installed(connection, guard)
    ]


def ensure_installed(sender=None, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate: put back guards whose triggers a table rebuild removed."""
    connection = connections[using]
    guards = missing_guards(connection)
    if guards:
        _execute(connection, [s for g in guards for s in trigger_sql(g, connection.vendor)])


# --- the two overrides --------------------------------------------------------------------------------------------


@contextmanager
def backdating(using: str = DEFAULT_DB_ALIAS):
    """Demo and load-test data only: inside this block the timestamps a guard lists as backdatable (e.g. when a
    decision was made) may be moved; nothing else may change. The permission lives in its own savepoint and
    ends with the block (or is rolled back with it)."""
    connection = connections[using]
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute(_RAISE[BACKDATE])
        token = _backdating.set(True)
        try:
            yield
        finally:
            _backdating.reset(token)
        with connection.cursor() as cursor:
            cursor.execute(_LOWER[BACKDATE])


def _allow_sqlite_flush() -> None:
    """Wrap SQLite's flush (DELETE FROM every table) so that it may empty the guarded tables, as TRUNCATE does on
    PostgreSQL. Only the flush statements run with the flag; it is removed in the same transaction."""
    from django.conf import settings

    if not any(db.get("ENGINE") == "django.db.backends.sqlite3" for db in settings.DATABASES.values()):
        return
    from django.db.backends.sqlite3.base import DatabaseOperations

    original = DatabaseOperations.execute_sql_flush
    if getattr(original, "_integrity_wrapped", False):
        return

    def execute_sql_flush(self, sql_list):
        if sql_list and OVERRIDE_TABLE in self.connection.introspection.table_names():
            sql_list = [_RAISE[FLUSH] + ";", *sql_list, _LOWER[FLUSH] + ";"]
        return original(self, sql_list)

    execute_sql_flush._integrity_wrapped = True
    DatabaseOperations.execute_sql_flush = execute_sql_flush


# --- model guards -----------------------------------------------------------------------------------------------


def _attname_map(model) -> dict[str, str]:
    """{attname or field name: column} for the model's concrete fields."""
    result = {}
    for f in model._meta.concrete_fields:
        result[f.attname] = f.column
        result[f.name] = f.column
    return result


class ImmutableQuerySet(models.QuerySet):
    """update() and delete() follow the model's guard, checked row by row before any SQL is sent."""

    def update(self, **kwargs):
        guard = self.model.integrity_guard
        columns = _attname_map(self.model)
        new = {}
        for name, value in kwargs.items():
            column = columns.get(name, name)
            new[column] = _UNKNOWN if hasattr(value, "resolve_expression") else _db_value(self.model, name, value)
        attnames = {f.column: f.attname for f in self.model._meta.concrete_fields}
        for row in self.values(*attnames.values()):
            old = {column: row[attname] for column, attname in attnames.items()}
            refused = guard.refused_changes(old, {**old, **new}, _backdating.get())
            if refused:
                raise ImmutableRecordError(_refusal(guard, refused))
        return super().update(**kwargs)

    update.alters_data = True

    def delete(self):
        guard = self.model.integrity_guard
        attnames = {f.column: f.attname for f in self.model._meta.concrete_fields}
        for row in self.values(*attnames.values()):
            if not guard.deletable({column: row[attname] for column, attname in attnames.items()}):
                raise ImmutableRecordError(guard.message("deleted"))
        return super().delete()

    delete.alters_data = True
    delete.queryset_only = True


def _db_value(model, name, value):
    """A value as it is stored, for comparison with values(): model instances become their primary key."""
    if isinstance(value, models.Model):
        return value.pk
    field_ = model._meta.get_field(name)
    if isinstance(field_, models.FileField):
        return getattr(value, "name", value) or ""
    return value


def _refusal(guard: Guard, columns: list[str]) -> str:
    return f"{guard.message('changed')}: {', '.join(sorted(columns))}"


class ImmutableModel:
    """Mixin for models with an `integrity_guard`: save() of an existing row and delete() follow the guard."""

    integrity_guard: Guard  # each model also sets `objects = ImmutableQuerySet.as_manager()`

    def _stored_row(self) -> dict | None:
        fields_ = self._meta.concrete_fields
        row = type(self)._base_manager.filter(pk=self.pk).values(*(f.attname for f in fields_)).first()
        return None if row is None else {f.column: row[f.attname] for f in fields_}

    def save(self, *args, **kwargs):
        if not self._state.adding and self.pk is not None:
            old = self._stored_row()
            if old is not None:
                update_fields = kwargs.get("update_fields")
                fields_ = [
                    f
                    for f in self._meta.concrete_fields
                    if update_fields is None or f.name in update_fields or f.attname in update_fields
                ]
                new = {**old}
                for f in fields_:
                    if getattr(f, "auto_now", False):
                        continue  # set by pre_save; the guard lists such columns as free
                    new[f.column] = _db_value(type(self), f.name, getattr(self, f.attname))
                refused = self.integrity_guard.refused_changes(old, new, _backdating.get())
                if refused:
                    raise ImmutableRecordError(_refusal(self.integrity_guard, refused))
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        old = self._stored_row() if self.pk is not None else None
        if old is not None and not self.integrity_guard.deletable(old):
            raise ImmutableRecordError(self.integrity_guard.message("deleted"))
        return super().delete(*args, **kwargs)


# --- the guards ---------------------------------------------------------------------------------------------------

AUDIT_EVENT = Guard("audit_auditevent", "the audit trail")

DECISION = Guard(
    "grants_decision",
    "a decision",
    # The letter is attached once, after the decision (grants.tasks.deliver_decision); a rejection that is
    # appealed with an amount gets its frame once (grants.services.resolve_appeal).
    set_once={"brev": "", "ramme_id": None},
    backdatable=("vedtatt", "klagefrist"),
)

APPEAL = Guard(
    "grants_appeal",
    "an appeal",
    # The appeal as filed never changes; its outcome is recorded once (utfall '' -> an outcome). Bufdir's decision
    # on a forwarded appeal is recorded once, and each letter is attached once (grants.appeals, grants.tasks_appeals).
    open_fields=("utfall", "utfall_begrunnelse", "nytt_belop", "behandlet", "behandlet_av_id"),
    open_sql="OLD.\"utfall\" = ''",
    is_open=lambda row: row["utfall"] == "",
    set_once={
        "brev": "",
        "bufdir_brev": "",
        "bufdir_utfall": "",
        "bufdir_begrunnelse": "",
        "bufdir_belop": None,
        "bufdir_behandlet": None,
        "bufdir_behandlet_av_id": None,
    },
)

APPLICATION_VERSION = Guard("grants_applicationversion", "a submitted application version")

REPORT_VERSION = Guard("projects_reportversion", "a submitted report version", backdatable=("sendt_inn",))

REPORT_REVIEW = Guard("projects_reportreview", "a report review", backdatable=("tidspunkt",))

EDITABLE_REPORT = ("utkast", "returnert")

PROGRESS_REPORT = Guard(
    "projects_progressreport",
    "a submitted report",
    # Drafts and returned reports are edited freely. Sent in: only the review changes the status (returned or
    # approved) and stamps the approval once; approved: nothing changes.
    free=("endret",),
    open_fields=ALL,
    open_sql="OLD.\"status\" IN ('utkast', 'returnert')",
    is_open=lambda row: row["status"] in EDITABLE_REPORT,
    set_once={"godkjent": None},
    backdatable=("sendt_inn", "godkjent"),
    transitions={"status": {"sendt_inn": ("returnert", "godkjent")}},
    delete_sql='OLD."status" = \'utkast\' AND OLD."versjon" = 0',
    can_delete=lambda row: row["status"] == "utkast" and row["versjon"] == 0,
)


def report_part(table: str, label: str) -> Guard:
    """A row of a report (spending, staff, self-assessment): changes only while the report is a draft or returned.
    Database only (the services edit these rows only after checking the report's status)."""
    parent_open = (
        'COALESCE((SELECT p."status" FROM projects_progressreport p WHERE p."id" = OLD."rapport_id") '
        "IN ('utkast', 'returnert'), TRUE)"
    )
    return Guard(table, label, open_fields=ALL, open_sql=parent_open, delete_sql=parent_open)


REPORT_SPENDING = report_part("projects_reportspending", "spending in a submitted report")
REPORT_PARTICIPANT = report_part("projects_reportparticipant", "staff numbers in a submitted report")
SELF_ASSESSMENT = report_part("projects_selfassessment", "the self-assessment in a submitted report")

CHANGE_NOTICE = Guard(
    "followup_changenotice",
    "a change notice",
    # The notice as sent never changes; the statsforvalter's decision is recorded once (status 'sendt' -> decided).
    open_fields=("status", "svar", "behandlet", "behandlet_av_id", "virkning"),
    open_sql="OLD.\"status\" = 'sendt'",
    is_open=lambda row: row["status"] == "sendt",
    backdatable=("innsendt", "behandlet"),
)

BUDGET_MOVE = Guard("followup_budgetmove", "a budget move in a change notice")
