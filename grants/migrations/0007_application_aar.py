"""Application.aar: the round's year on the application, backfilled from the round, with the index the
application list sorts by (newest year first, then reference)."""

import django.db.models.expressions
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def backfill(apps, schema_editor):
    Application = apps.get_model("grants", "Application")
    ApplicationRound = apps.get_model("grants", "ApplicationRound")
    Application.objects.update(aar=Subquery(ApplicationRound.objects.filter(pk=OuterRef("utlysning_id")).values("aar")))


class Migration(migrations.Migration):
    dependencies = [("grants", "0006_immutability")]

    operations = [
        migrations.AddField(
            model_name="application",
            name="aar",
            field=models.PositiveSmallIntegerField(editable=False, null=True, verbose_name="år"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="application",
            name="aar",
            field=models.PositiveSmallIntegerField(editable=False, verbose_name="år"),
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                django.db.models.expressions.OrderBy(django.db.models.expressions.F("aar"), descending=True),
                models.F("referanse"),
                models.F("id"),
                condition=models.Q(("status", "utkast"), _negated=True),
                name="application_list_idx",
            ),
        ),
    ]
