"""Issue 17, the rules of the round: structured required attachments (RequiredDocument, Attachment.krav), rolling
rounds (ApplicationRound.rullerende) and whether a draft registered its own project (Application.nytt_prosjekt).

Existing rounds keep their free-text dokumentkrav and get no requirements (a running round is not made stricter
after the fact); existing rounds are not rolling. Existing drafts: nytt_prosjekt is set where the draft is the only
application of a project that was registered within a minute of it (what create_application did)."""

import datetime

import django.db.models.deletion
from django.db import migrations, models


def mark_projects_made_by_drafts(apps, schema_editor):
    Application = apps.get_model("grants", "Application")
    for application in Application.objects.filter(status="utkast").select_related("prosjekt"):
        project = application.prosjekt
        created = getattr(project, "opprettet", None)
        if created is None or Application.objects.filter(prosjekt=project).exclude(pk=application.pk).exists():
            continue
        if abs(application.opprettet - created) <= datetime.timedelta(minutes=1):
            Application.objects.filter(pk=application.pk).update(nytt_prosjekt=True)


class Migration(migrations.Migration):
    dependencies = [("grants", "0014_drafts")]

    operations = [
        migrations.AddField(
            model_name="applicationround",
            name="rullerende",
            field=models.BooleanField(
                default=False,
                help_text="Ellers fattes vedtak først etter søknadsfristen, når alle søknadene kan sammenlignes.",
                verbose_name="søknadene avgjøres fortløpende (rullerende)",
            ),
        ),
        migrations.AddField(
            model_name="application",
            name="nytt_prosjekt",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.CreateModel(
            name="RequiredDocument",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("navn", models.CharField(max_length=200, verbose_name="dokument")),
                ("rekkefolge", models.PositiveSmallIntegerField(default=0)),
                (
                    "utlysning",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="vedleggskrav",
                        to="grants.applicationround",
                    ),
                ),
            ],
            options={
                "verbose_name": "vedleggskrav",
                "verbose_name_plural": "vedleggskrav",
                "ordering": ["utlysning", "rekkefolge", "id"],
                "constraints": [models.UniqueConstraint(fields=("utlysning", "navn"), name="requireddocument_once")],
            },
        ),
        migrations.AddField(
            model_name="attachment",
            name="krav",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="vedlegg",
                to="grants.requireddocument",
                verbose_name="oppfyller vedleggskravet",
            ),
        ),
        migrations.RunPython(mark_projects_made_by_drafts, migrations.RunPython.noop),
    ]
