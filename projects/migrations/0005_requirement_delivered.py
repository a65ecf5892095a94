"""ReportingRequirement.levert (the report is sent in or approved), backfilled from the reports, and a partial
index on the deadline of the open requirements (the start pages' deadline and overdue lists); a partial index on
the names of the projects listed in the knowledge bank."""

from django.db import migrations, models
from django.db.models import Exists, OuterRef


def backfill(apps, schema_editor):
    ReportingRequirement = apps.get_model("projects", "ReportingRequirement")
    ProgressReport = apps.get_model("projects", "ProgressReport")
    delivered = ProgressReport.objects.filter(krav_id=OuterRef("pk"), status__in=["sendt_inn", "godkjent"])
    ReportingRequirement.objects.update(levert=Exists(delivered))


class Migration(migrations.Migration):
    dependencies = [("projects", "0004_knowledge_bank_indexes")]

    operations = [
        migrations.AddField(
            model_name="reportingrequirement",
            name="levert",
            field=models.BooleanField(default=False, editable=False, verbose_name="levert"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="reportingrequirement",
            index=models.Index(
                condition=models.Q(("levert", False)), fields=["frist"], name="requirement_open_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="developmentproject",
            index=models.Index(
                condition=models.Q(("i_kunnskapsbanken", True)), fields=["navn", "id"], name="project_listed_name_idx"
            ),
        ),
    ]
