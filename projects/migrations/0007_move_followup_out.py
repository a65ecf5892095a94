"""The follow-up models (reporting requirements, reminders, postponements, progress reports with their parts,
versions and reviews) move to the `followup` app (issue 16). State only: the tables stay where they are, with
their data, constraints and immutability triggers (installed by 0003, keyed on table names); followup/0001
takes them over under the same table names (db_table)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0006_text_length_limits"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="progressreport",
                    name="krav",
                ),
                migrations.RemoveField(
                    model_name="progressreport",
                    name="opprettet_av",
                ),
                migrations.RemoveField(
                    model_name="reportreview",
                    name="rapport",
                ),
                migrations.RemoveField(
                    model_name="reportparticipant",
                    name="rapport",
                ),
                migrations.RemoveField(
                    model_name="reportspending",
                    name="rapport",
                ),
                migrations.RemoveField(
                    model_name="reportversion",
                    name="rapport",
                ),
                migrations.RemoveField(
                    model_name="selfassessment",
                    name="rapport",
                ),
                migrations.RemoveField(
                    model_name="reportingrequirement",
                    name="prosjekt",
                ),
                migrations.RemoveField(
                    model_name="reportingrequirement",
                    name="vedtak",
                ),
                migrations.RemoveField(
                    model_name="reportreminder",
                    name="krav",
                ),
                migrations.RemoveField(
                    model_name="reportparticipant",
                    name="tjeneste",
                ),
                migrations.RemoveField(
                    model_name="reportreview",
                    name="vurdert_av",
                ),
                migrations.RemoveField(
                    model_name="reportversion",
                    name="sendt_inn_av",
                ),
                migrations.DeleteModel(
                    name="Postponement",
                ),
                migrations.DeleteModel(
                    name="ReportSpending",
                ),
                migrations.DeleteModel(
                    name="ProgressReport",
                ),
                migrations.DeleteModel(
                    name="SelfAssessment",
                ),
                migrations.DeleteModel(
                    name="ReportingRequirement",
                ),
                migrations.DeleteModel(
                    name="ReportReminder",
                ),
                migrations.DeleteModel(
                    name="ReportParticipant",
                ),
                migrations.DeleteModel(
                    name="ReportReview",
                ),
                migrations.DeleteModel(
                    name="ReportVersion",
                ),
            ],
            database_operations=[],
        ),
    ]
