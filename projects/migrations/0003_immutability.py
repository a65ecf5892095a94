"""Submitted reports, their versions and reviews are immutable (database triggers, after the constraints: SQLite
rebuilds a table to add a constraint), and more invariants as constraints. See audit.immutability."""

from django.conf import settings
from django.db import migrations, models

from audit import immutability

# The columns as of this migration (a later migration that adds a column re-installs the guard).
GUARDS = [
    immutability.PROGRESS_REPORT.with_columns(
        [
            "id",
            "krav_id",
            "status",
            "aktiviteter",
            "avvik",
            "resultater",
            "partnerinvolvering",
            "neste_aar",
            "fritekst",
            "forklaring_overforbruk",
            "tildelt",
            "brukt_total",
            "ubrukt",
            "versjon",
            "opprettet_av_id",
            "opprettet",
            "endret",
            "sendt_inn",
            "godkjent",
        ]
    ),
    immutability.REPORT_VERSION.with_columns(
        ["id", "rapport_id", "versjon", "innhold", "sendt_inn", "sendt_inn_av_id"]
    ),
    immutability.REPORT_REVIEW.with_columns(
        ["id", "rapport_id", "versjon", "utfall", "kommentar", "vurdert_av_id", "tidspunkt"]
    ),
    immutability.REPORT_SPENDING.with_columns(["id", "rapport_id", "type", "budsjett", "brukt", "kommentar"]),
    immutability.REPORT_PARTICIPANT.with_columns(["id", "rapport_id", "tjeneste_id", "antall_ansatte"]),
    immutability.SELF_ASSESSMENT.with_columns(["id", "rapport_id", "utsagn", "svar"]),
]


def install(apps, schema_editor):
    immutability.install(schema_editor, GUARDS)


def uninstall(apps, schema_editor):
    immutability.uninstall(schema_editor, GUARDS)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_immutable_audit_trail"),
        ("networks", "0002_seed_guidelines_and_themes"),
        ("organisations", "0001_initial"),
        ("projects", "0002_reporting_outputs_partners"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="developmentproject",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "fase__in",
                        ["kompetanseheving", "modellutvikling", "pilot", "implementering", "spredning", "avsluttet"],
                    )
                ),
                name="project_phase_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="developmentproject",
            constraint=models.CheckConstraint(
                condition=models.Q(("orientering__in", ["tiltaksutvikling", "kompetanseutvikling", "begge"])),
                name="project_orientation_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="phasechange",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "fase__in",
                        ["kompetanseheving", "modellutvikling", "pilot", "implementering", "spredning", "avsluttet"],
                    )
                ),
                name="phasechange_phase_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="reportreminder",
            constraint=models.CheckConstraint(
                condition=models.Q(("slag__in", ["30", "7", "forfalt"])), name="reminder_kind_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="reportreview",
            constraint=models.CheckConstraint(
                condition=models.Q(("utfall__in", ["godkjent", "returnert"])), name="review_outcome_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="reportversion",
            constraint=models.CheckConstraint(
                condition=models.Q(("versjon__gte", 1)), name="reportversion_number_positive"
            ),
        ),
        migrations.RunPython(install, uninstall),
    ]
