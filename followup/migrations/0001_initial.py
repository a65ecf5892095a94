"""The follow-up models, taken over from `projects` (issue 16) with their tables (db_table = the old names), so
the database is not touched: state only. The content types of the moved models are relabelled from `projects`
to `followup`, so audit events (AuditEvent.content_type) and permissions that point at them keep resolving to
the same rows: nothing stores the app label as a string."""

import audit.immutability
import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MOVED = (
    "reportingrequirement",
    "postponement",
    "reportreminder",
    "progressreport",
    "reportspending",
    "reportparticipant",
    "selfassessment",
    "reportversion",
    "reportreview",
)


def relabel(source: str, target: str):
    def run(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        db = schema_editor.connection.alias
        for model in MOVED:
            if not ContentType.objects.using(db).filter(app_label=target, model=model).exists():
                ContentType.objects.using(db).filter(app_label=source, model=model).update(app_label=target)

    return run


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("grants", "0008_text_length_limits"),
        ("organisations", "0002_kommune_gyldighetsperiode"),
        ("projects", "0007_move_followup_out"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ReportingRequirement",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "type",
                            models.CharField(
                                choices=[("aarlig", "Årlig rapport"), ("slutt", "Sluttrapport")],
                                max_length=10,
                                verbose_name="type",
                            ),
                        ),
                        ("aar", models.PositiveSmallIntegerField(verbose_name="tilskuddsår")),
                        ("frist", models.DateField(verbose_name="frist")),
                        ("opprinnelig_frist", models.DateField(verbose_name="opprinnelig frist")),
                        ("levert", models.BooleanField(default=False, editable=False, verbose_name="levert")),
                        ("opprettet", models.DateTimeField(auto_now_add=True)),
                        (
                            "prosjekt",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="rapportkrav",
                                to="projects.developmentproject",
                            ),
                        ),
                        (
                            "vedtak",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="rapportkrav",
                                to="grants.decision",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "rapporteringskrav",
                        "verbose_name_plural": "rapporteringskrav",
                        "db_table": "projects_reportingrequirement",
                        "ordering": ["frist", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="ProgressReport",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("utkast", "Utkast"),
                                    ("sendt_inn", "Sendt inn"),
                                    ("returnert", "Returnert for endring"),
                                    ("godkjent", "Godkjent"),
                                ],
                                default="utkast",
                                max_length=20,
                                verbose_name="status",
                            ),
                        ),
                        (
                            "aktiviteter",
                            models.TextField(
                                blank=True,
                                max_length=20000,
                                validators=[django.core.validators.MaxLengthValidator(20000)],
                                verbose_name="gjennomførte aktiviteter",
                            ),
                        ),
                        (
                            "avvik",
                            models.TextField(
                                blank=True,
                                max_length=20000,
                                validators=[django.core.validators.MaxLengthValidator(20000)],
                                verbose_name="avvik fra plan",
                            ),
                        ),
                        (
                            "resultater",
                            models.TextField(
                                blank=True,
                                max_length=20000,
                                validators=[django.core.validators.MaxLengthValidator(20000)],
                                verbose_name="resultater",
                            ),
                        ),
                        (
                            "partnerinvolvering",
                            models.TextField(
                                blank=True,
                                max_length=20000,
                                validators=[django.core.validators.MaxLengthValidator(20000)],
                                verbose_name="partnernes bidrag",
                            ),
                        ),
                        (
                            "neste_aar",
                            models.TextField(
                                blank=True,
                                max_length=20000,
                                validators=[django.core.validators.MaxLengthValidator(20000)],
                                verbose_name="planer for neste år",
                            ),
                        ),
                        (
                            "fritekst",
                            models.TextField(
                                blank=True,
                                max_length=20000,
                                validators=[django.core.validators.MaxLengthValidator(20000)],
                                verbose_name="annet",
                            ),
                        ),
                        (
                            "forklaring_overforbruk",
                            models.TextField(
                                blank=True,
                                max_length=20000,
                                validators=[django.core.validators.MaxLengthValidator(20000)],
                                verbose_name="forklaring på forbruk ut over tildelingen",
                            ),
                        ),
                        (
                            "tildelt",
                            models.DecimalField(
                                decimal_places=2, default=0, max_digits=14, verbose_name="tildelt (kr)"
                            ),
                        ),
                        (
                            "brukt_total",
                            models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name="brukt (kr)"),
                        ),
                        (
                            "ubrukt",
                            models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name="ubrukt (kr)"),
                        ),
                        ("versjon", models.PositiveIntegerField(default=0)),
                        ("opprettet", models.DateTimeField(auto_now_add=True)),
                        ("endret", models.DateTimeField(auto_now=True)),
                        ("sendt_inn", models.DateTimeField(blank=True, null=True, verbose_name="sendt inn")),
                        ("godkjent", models.DateTimeField(blank=True, null=True, verbose_name="godkjent")),
                        (
                            "opprettet_av",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "krav",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="rapport",
                                to="followup.reportingrequirement",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "rapport",
                        "verbose_name_plural": "rapporter",
                        "db_table": "projects_progressreport",
                        "ordering": ["-opprettet"],
                    },
                    bases=(audit.immutability.ImmutableModel, models.Model),
                ),
                migrations.CreateModel(
                    name="Postponement",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("ny_frist", models.DateField(verbose_name="ønsket ny frist")),
                        (
                            "begrunnelse",
                            models.TextField(
                                max_length=5000,
                                validators=[django.core.validators.MaxLengthValidator(5000)],
                                verbose_name="begrunnelse",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("venter", "Venter på svar"),
                                    ("innvilget", "Innvilget"),
                                    ("avslatt", "Avslått"),
                                ],
                                default="venter",
                                max_length=10,
                                verbose_name="status",
                            ),
                        ),
                        ("bedt", models.DateTimeField(auto_now_add=True)),
                        (
                            "svar",
                            models.TextField(
                                blank=True,
                                max_length=5000,
                                validators=[django.core.validators.MaxLengthValidator(5000)],
                                verbose_name="svar",
                            ),
                        ),
                        ("behandlet", models.DateTimeField(blank=True, null=True)),
                        (
                            "bedt_av",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
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
                            "krav",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="utsettelser",
                                to="followup.reportingrequirement",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "utsettelse",
                        "verbose_name_plural": "utsettelser",
                        "db_table": "projects_postponement",
                        "ordering": ["-bedt"],
                    },
                ),
                migrations.CreateModel(
                    name="ReportParticipant",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "antall_ansatte",
                            models.PositiveIntegerField(default=0, verbose_name="antall ansatte involvert"),
                        ),
                        (
                            "rapport",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="deltakere",
                                to="followup.progressreport",
                            ),
                        ),
                        (
                            "tjeneste",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="organisations.childwelfareservice",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "projects_reportparticipant",
                        "ordering": ["rapport", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="ReportReminder",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "slag",
                            models.CharField(
                                choices=[
                                    ("30", "30 dager før fristen"),
                                    ("7", "7 dager før fristen"),
                                    ("forfalt", "Dagen etter fristen"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("frist", models.DateField()),
                        ("mottakere", models.JSONField(default=list)),
                        ("sendt", models.DateTimeField(blank=True, null=True)),
                        ("opprettet", models.DateTimeField(auto_now_add=True)),
                        (
                            "krav",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="paminnelser",
                                to="followup.reportingrequirement",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "projects_reportreminder",
                        "ordering": ["krav", "opprettet"],
                    },
                ),
                migrations.CreateModel(
                    name="ReportReview",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("versjon", models.PositiveIntegerField()),
                        (
                            "utfall",
                            models.CharField(
                                choices=[("godkjent", "Godkjent"), ("returnert", "Returnert")],
                                max_length=10,
                                verbose_name="utfall",
                            ),
                        ),
                        (
                            "kommentar",
                            models.TextField(
                                blank=True,
                                max_length=20000,
                                validators=[django.core.validators.MaxLengthValidator(20000)],
                                verbose_name="kommentar",
                            ),
                        ),
                        ("tidspunkt", models.DateTimeField(auto_now_add=True)),
                        (
                            "rapport",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="vurderinger",
                                to="followup.progressreport",
                            ),
                        ),
                        (
                            "vurdert_av",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "projects_reportreview",
                        "ordering": ["rapport", "tidspunkt"],
                    },
                    bases=(audit.immutability.ImmutableModel, models.Model),
                ),
                migrations.CreateModel(
                    name="ReportSpending",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("type", models.CharField(max_length=20, verbose_name="budsjettpost")),
                        (
                            "budsjett",
                            models.DecimalField(
                                decimal_places=2, default=0, max_digits=14, verbose_name="budsjett (kr)"
                            ),
                        ),
                        (
                            "brukt",
                            models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name="brukt (kr)"),
                        ),
                        ("kommentar", models.CharField(blank=True, max_length=300, verbose_name="kommentar")),
                        (
                            "rapport",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="forbruk",
                                to="followup.progressreport",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "forbruk",
                        "verbose_name_plural": "forbruk",
                        "db_table": "projects_reportspending",
                        "ordering": ["rapport", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="ReportVersion",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("versjon", models.PositiveIntegerField()),
                        ("innhold", models.JSONField()),
                        ("sendt_inn", models.DateTimeField()),
                        (
                            "rapport",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="versjoner",
                                to="followup.progressreport",
                            ),
                        ),
                        (
                            "sendt_inn_av",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "projects_reportversion",
                        "ordering": ["rapport", "versjon"],
                    },
                    bases=(audit.immutability.ImmutableModel, models.Model),
                ),
                migrations.CreateModel(
                    name="SelfAssessment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("utsagn", models.CharField(max_length=30)),
                        (
                            "svar",
                            models.CharField(
                                choices=[
                                    ("stor", "I stor grad"),
                                    ("noen", "I noen grad"),
                                    ("liten", "I liten grad"),
                                    ("ikke", "Ikke i det hele tatt"),
                                    ("vet_ikke", "Vet ikke"),
                                ],
                                max_length=10,
                                verbose_name="svar",
                            ),
                        ),
                        (
                            "rapport",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="egenvurdering",
                                to="followup.progressreport",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "projects_selfassessment",
                        "ordering": ["rapport", "id"],
                    },
                ),
                migrations.AddIndex(
                    model_name="reportingrequirement",
                    index=models.Index(fields=["frist"], name="requirement_deadline_idx"),
                ),
                migrations.AddIndex(
                    model_name="reportingrequirement",
                    index=models.Index(
                        condition=models.Q(("levert", False)), fields=["frist"], name="requirement_open_idx"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="reportingrequirement",
                    constraint=models.UniqueConstraint(fields=("vedtak", "type"), name="requirement_one_per_kind"),
                ),
                migrations.AddConstraint(
                    model_name="reportingrequirement",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("type__in", ["aarlig", "slutt"])), name="requirement_kind_valid"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="reportingrequirement",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("frist__gte", models.F("opprinnelig_frist"))),
                        name="requirement_not_earlier",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="progressreport",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("status__in", ["utkast", "sendt_inn", "returnert", "godkjent"])),
                        name="report_status_valid",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="progressreport",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("tildelt__gte", 0), ("brukt_total__gte", 0), ("ubrukt__gte", 0)),
                        name="report_amounts_ok",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="progressreport",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("status", "utkast"), ("sendt_inn__isnull", False), _connector="OR"),
                        name="report_submitted_has_time",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="progressreport",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "godkjent"), _negated=True),
                            ("godkjent__isnull", False),
                            _connector="OR",
                        ),
                        name="report_approved_has_time",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="postponement",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("status__in", ["venter", "innvilget", "avslatt"])),
                        name="postponement_status_valid",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="postponement",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("status", "venter")), fields=("krav",), name="postponement_one_pending"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="postponement",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("status", "venter"), ("behandlet__isnull", False), _connector="OR"),
                        name="postponement_decided_has_time",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="reportparticipant",
                    constraint=models.UniqueConstraint(fields=("rapport", "tjeneste"), name="reportparticipant_once"),
                ),
                migrations.AddConstraint(
                    model_name="reportreminder",
                    constraint=models.UniqueConstraint(
                        fields=("krav", "slag", "frist"), name="reminder_once_per_deadline"
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
                    constraint=models.UniqueConstraint(fields=("rapport", "versjon"), name="review_once_per_version"),
                ),
                migrations.AddConstraint(
                    model_name="reportreview",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("utfall__in", ["godkjent", "returnert"])), name="review_outcome_valid"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="reportreview",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("utfall", "godkjent"), models.Q(("kommentar", ""), _negated=True), _connector="OR"
                        ),
                        name="review_return_has_comment",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="reportspending",
                    constraint=models.UniqueConstraint(fields=("rapport", "type"), name="spending_one_per_line"),
                ),
                migrations.AddConstraint(
                    model_name="reportspending",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("budsjett__gte", 0), ("brukt__gte", 0)), name="spending_non_negative"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="reportversion",
                    constraint=models.UniqueConstraint(fields=("rapport", "versjon"), name="reportversion_unique"),
                ),
                migrations.AddConstraint(
                    model_name="reportversion",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("versjon__gte", 1)), name="reportversion_number_positive"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="selfassessment",
                    constraint=models.UniqueConstraint(fields=("rapport", "utsagn"), name="selfassessment_once"),
                ),
                migrations.AddConstraint(
                    model_name="selfassessment",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("svar__in", ["stor", "noen", "liten", "ikke", "vet_ikke"])),
                        name="selfassessment_scale_valid",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(relabel("projects", "followup"), relabel("followup", "projects")),
    ]
