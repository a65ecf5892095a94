"""The audit trail is append-only: database triggers refuse UPDATE and DELETE on audit_auditevent (PostgreSQL
and SQLite), and a user who has acted can no longer be deleted (PROTECT). See audit.immutability."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from audit import immutability

# The columns as of this migration (a later migration that adds a column re-installs the guard).
GUARDS = [
    immutability.AUDIT_EVENT.with_columns(
        ["id", "tidspunkt", "aktor_id", "rolle", "handling", "content_type_id", "object_id", "objekt", "endringer"]
    ),
]


def install(apps, schema_editor):
    immutability.create_override_table(schema_editor)
    immutability.install(schema_editor, GUARDS)


def uninstall(apps, schema_editor):
    immutability.uninstall(schema_editor, GUARDS)
    immutability.drop_override_table(schema_editor)



class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='aktor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='utført av'),
        ),
        migrations.RunPython(install, uninstall),
    ]
