"""Change notices (endringsmeldinger, issue 17): ChangeNotice and its BudgetMove rows, and their immutability
guards (audit.immutability: CHANGE_NOTICE, BUDGET_MOVE): a sent notice never changes, its decision is recorded
once, and a budget move never changes."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import audit.immutability
from audit import immutability

# The columns as of this migration (a later migration that adds a column re-installs the guard).
GUARDS = [
    immutability.CHANGE_NOTICE.with_columns(
        [
            "id",
            "soknad_id",
            "type",
            "beskrivelse",
            "ny_sluttdato",
            "forventet_ubrukt",
            "for_endring",
            "status",
            "sendt_av_id",
            "innsendt",
            "svar",
            "behandlet_av_id",
            "behandlet",
            "virkning",
        ]
    ),
    immutability.BUDGET_MOVE.with_columns(["id", "melding_id", "fra_post", "til_post", "belop"]),
]


def install(apps, schema_editor):
    immutability.install(schema_editor, GUARDS)


def uninstall(apps, schema_editor):
    immutability.uninstall(schema_editor, GUARDS)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_immutable_audit_trail"),
        ("followup", "0001_initial"),
        ("grants", "0010_application_ansvarlig_soker"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ChangeNotice",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "type",
                    models.CharField(
                        choices=[
                            ("forsinkelse", "Forsinkelse (ny sluttdato)"),
                            ("innhold", "Endring av innhold"),
                            ("omdisponering", "Omdisponering mellom budsjettposter"),
                            ("avsluttes", "Prosjektet avsluttes tidligere"),
                            ("ubrukt", "Forventet ubrukte midler"),
                        ],
                        max_length=20,
                        verbose_name="type endring",
                    ),
                ),
                (
                    "beskrivelse",
                    models.TextField(
                        max_length=5000,
                        validators=[django.core.validators.MaxLengthValidator(5000)],
                        verbose_name="beskrivelse av endringen",
                    ),
                ),
                ("ny_sluttdato", models.DateField(blank=True, null=True, verbose_name="ny sluttdato")),
                (
                    "forventet_ubrukt",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=14,
                        null=True,
                        verbose_name="forventet ubrukt beløp (kr)",
                    ),
                ),
                ("for_endring", models.JSONField(default=dict, editable=False)),
                (
                    "status",
                    models.CharField(
                        choices=[("sendt", "Venter på svar"), ("godkjent", "Godkjent"), ("avslatt", "Avslått")],
                        default="sendt",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("innsendt", models.DateTimeField(auto_now_add=True, verbose_name="sendt")),
                (
                    "svar",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[django.core.validators.MaxLengthValidator(5000)],
                        verbose_name="begrunnelse for svaret",
                    ),
                ),
                ("behandlet", models.DateTimeField(blank=True, null=True, verbose_name="behandlet")),
                ("virkning", models.JSONField(default=dict, editable=False)),
                (
                    "behandlet_av",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "sendt_av",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "soknad",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="endringsmeldinger",
                        to="grants.application",
                    ),
                ),
            ],
            options={
                "verbose_name": "endringsmelding",
                "verbose_name_plural": "endringsmeldinger",
                "ordering": ["-innsendt", "-id"],
                "indexes": [models.Index(fields=["status", "innsendt"], name="changenotice_status_idx")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("type__in", ["forsinkelse", "innhold", "omdisponering", "avsluttes", "ubrukt"])
                        ),
                        name="changenotice_kind_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["sendt", "godkjent", "avslatt"])),
                        name="changenotice_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("status", "sendt"),
                            models.Q(("behandlet__isnull", False), ("behandlet_av__isnull", False)),
                            _connector="OR",
                        ),
                        name="changenotice_decided_has_time",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "avslatt"), _negated=True),
                            models.Q(("svar", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="changenotice_rejection_has_reason",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("forventet_ubrukt__isnull", True), ("forventet_ubrukt__gt", 0), _connector="OR"
                        ),
                        name="changenotice_unspent_positive",
                    ),
                ],
            },
            bases=(audit.immutability.ImmutableModel, models.Model),
        ),
        migrations.CreateModel(
            name="BudgetMove",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("fra_post", models.CharField(max_length=20, verbose_name="fra budsjettpost")),
                ("til_post", models.CharField(max_length=20, verbose_name="til budsjettpost")),
                ("belop", models.DecimalField(decimal_places=2, max_digits=14, verbose_name="beløp (kr)")),
                (
                    "melding",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="flyttinger",
                        to="followup.changenotice",
                    ),
                ),
            ],
            options={
                "verbose_name": "flytting i budsjettet",
                "verbose_name_plural": "flyttinger i budsjettet",
                "ordering": ["melding", "id"],
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("belop__gt", 0)), name="budgetmove_positive"),
                    models.CheckConstraint(
                        condition=models.Q(("fra_post", models.F("til_post")), _negated=True),
                        name="budgetmove_two_lines",
                    ),
                ],
            },
            bases=(audit.immutability.ImmutableModel, models.Model),
        ),
        migrations.RunPython(install, uninstall),
    ]
