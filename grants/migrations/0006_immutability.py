"""Decisions, appeal outcomes and submitted application versions are immutable (database triggers, after the
constraints: SQLite rebuilds a table to add a constraint), and more invariants as constraints. See
audit.immutability."""

from django.conf import settings
from django.db import migrations, models

from audit import immutability

# The columns as of this migration (a later migration that adds a column re-installs the guard).
GUARDS = [
    immutability.DECISION.with_columns(
        [
            "id",
            "soknad_id",
            "ramme_id",
            "utfall",
            "belop",
            "begrunnelse",
            "vilkaar",
            "rapportfrist",
            "klagefrist",
            "vedtatt_av_id",
            "vedtatt",
            "saksnummer",
            "brev",
            "maalform",
        ]
    ),
    immutability.APPEAL.with_columns(
        [
            "id",
            "vedtak_id",
            "begrunnelse",
            "innsendt",
            "innsendt_av_id",
            "utfall",
            "utfall_begrunnelse",
            "nytt_belop",
            "behandlet",
            "behandlet_av_id",
        ]
    ),
    immutability.APPLICATION_VERSION.with_columns(
        ["id", "soknad_id", "nummer", "innhold", "opprettet", "opprettet_av_id", "kommentar"]
    ),
]


def install(apps, schema_editor):
    immutability.install(schema_editor, GUARDS)


def uninstall(apps, schema_editor):
    immutability.uninstall(schema_editor, GUARDS)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_immutable_audit_trail"),
        ("grants", "0005_backfill_awards"),
        ("networks", "0002_seed_guidelines_and_themes"),
        ("organisations", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="appeal",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("utfall", ""), ("utfall__in", ["medhold", "delvis_medhold", "ikke_medhold"]), _connector="OR"
                ),
                name="appeal_outcome_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="appeal",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("behandlet__isnull", True),
                        ("behandlet_av__isnull", True),
                        ("nytt_belop__isnull", True),
                        ("utfall", ""),
                    ),
                    models.Q(
                        models.Q(("utfall", ""), _negated=True),
                        ("behandlet__isnull", False),
                        ("behandlet_av__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="appeal_outcome_recorded_completely",
            ),
        ),
        migrations.AddConstraint(
            model_name="appeal",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("nytt_belop__isnull", True), ("utfall__in", ["medhold", "delvis_medhold"]), _connector="OR"
                ),
                name="appeal_new_amount_only_when_upheld",
            ),
        ),
        migrations.AddConstraint(
            model_name="appeal",
            constraint=models.UniqueConstraint(
                condition=models.Q(("utfall", "")), fields=("vedtak",), name="appeal_one_open_per_decision"
            ),
        ),
        migrations.AddConstraint(
            model_name="applicationround",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["utkast", "publisert", "avsluttet"])), name="round_status_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="applicationround",
            constraint=models.CheckConstraint(
                condition=models.Q(("status", "utkast"), ("publisert__isnull", False), _connector="OR"),
                name="round_published_has_time",
            ),
        ),
        migrations.AddConstraint(
            model_name="applicationversion",
            constraint=models.CheckConstraint(
                condition=models.Q(("nummer__gte", 1)), name="applicationversion_number_positive"
            ),
        ),
        migrations.AddConstraint(
            model_name="assessment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("anbefaling", ""), ("anbefaling__in", ["innvilge", "delvis", "avslaa"]), _connector="OR"
                ),
                name="assessment_recommendation_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="criterion",
            constraint=models.CheckConstraint(condition=models.Q(("vekt__gte", 1)), name="criterion_weight_positive"),
        ),
        migrations.AddConstraint(
            model_name="decision",
            constraint=models.CheckConstraint(
                condition=models.Q(("utfall", "avslatt"), ("belop__gt", 0), _connector="OR"),
                name="decision_award_positive",
            ),
        ),
        migrations.AddConstraint(
            model_name="decision",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("utfall", "avslatt"), _negated=True), ("rapportfrist__isnull", True), _connector="OR"
                ),
                name="decision_rejection_has_no_report_deadline",
            ),
        ),
        migrations.AddConstraint(
            model_name="decision",
            constraint=models.CheckConstraint(
                condition=models.Q(("maalform__in", ["bokmal", "nynorsk"])), name="decision_language_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="frameadjustment",
            constraint=models.CheckConstraint(
                condition=models.Q(("fra_belop__gte", 0), ("til_belop__gte", 0)), name="frameadjustment_non_negative"
            ),
        ),
        migrations.AddConstraint(
            model_name="repaymentclaim",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["krav_sendt", "betalt", "ettergitt"])), name="repayment_status_valid"
            ),
        ),
        migrations.RunPython(install, uninstall),
    ]
