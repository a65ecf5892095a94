"""Indexes for the knowledge bank: projects by name (its order), and trigram indexes for its free-text search
(PostgreSQL only).

Django's icontains becomes UPPER(column::text) LIKE UPPER('%term%') on PostgreSQL, which no B-tree index can
answer: every search read every project and output. pg_trgm GIN indexes on exactly those expressions let the
planner answer the LIKE from the index (docs/benchmarks.md). SQLite (the embedded default) has no such index type
and keeps scanning, which is fast at its scale; there this migration does nothing."""

from django.db import migrations, models

INDEXES = (
    ("projects_project_navn_trgm", "projects_developmentproject", "navn"),
    ("projects_project_beskrivelse_trgm", "projects_developmentproject", "beskrivelse"),
    ("projects_output_tittel_trgm", "projects_output", "tittel"),
    ("projects_output_beskrivelse_trgm", "projects_output", "beskrivelse"),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("projects", "0003_immutability")]

    operations = [
        migrations.AddIndex(
            model_name="developmentproject", index=models.Index(fields=["navn", "id"], name="project_name_idx")
        ),
        migrations.RunPython(create, drop, elidable=False),
    ]
