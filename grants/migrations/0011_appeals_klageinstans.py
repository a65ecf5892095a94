"""Issue 17 (H1-appeals): Bufdir is the klageinstans for appeals the statsforvalter does not uphold. The appeal
gets Bufdir's decision (set once), the letters (set once) and the link to a quashed appeal's new handling; the
immutability guard is re-installed with the new columns (audit.immutability.APPEAL)."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from audit import immutability

# The columns as of this migration.
GUARD = immutability.APPEAL.with_columns(
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
        "brev",
        "opphevet_klage_id",
        "bufdir_utfall",
        "bufdir_begrunnelse",
        "bufdir_belop",
        "bufdir_behandlet",
        "bufdir_behandlet_av_id",
        "bufdir_brev",
    ]
)
OLD_GUARD = immutability.APPEAL.with_columns(
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
)


def reinstall(apps, schema_editor):
    immutability.uninstall(schema_editor, [GUARD])
    immutability.install(schema_editor, [GUARD])


def reinstall_old(apps, schema_editor):
    immutability.uninstall(schema_editor, [OLD_GUARD])
    immutability.install(schema_editor, [OLD_GUARD])


class Migration(migrations.Migration):
    dependencies = [
        ("grants", "0010_application_ansvarlig_soker"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # SQLite rebuilds the table for some of these (and drops its triggers): take the guard off first, put it
        # back with every column at the end.
        migrations.RunPython(migrations.RunPython.noop, reinstall_old),
        migrations.AddField(
            model_name="appeal",
            name="brev",
            field=models.FileField(blank=True, max_length=300, upload_to="klager/"),
        ),
        migrations.AddField(
            model_name="appeal",
            name="bufdir_begrunnelse",
            field=models.TextField(
                blank=True,
                max_length=20000,
                validators=[django.core.validators.MaxLengthValidator(20000)],
                verbose_name="Bufdirs begrunnelse",
            ),
        ),
        migrations.AddField(
            model_name="appeal",
            name="bufdir_behandlet",
            field=models.DateTimeField(blank=True, null=True, verbose_name="avgjort av Bufdir"),
        ),
        migrations.AddField(
            model_name="appeal",
            name="bufdir_behandlet_av",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="appeal",
            name="bufdir_belop",
            field=models.DecimalField(
                blank=True, decimal_places=2, max_digits=14, null=True, verbose_name="beløp etter Bufdirs vedtak (kr)"
            ),
        ),
        migrations.AddField(
            model_name="appeal",
            name="bufdir_brev",
            field=models.FileField(blank=True, max_length=300, upload_to="klager/"),
        ),
        migrations.AddField(
            model_name="appeal",
            name="bufdir_utfall",
            field=models.CharField(
                blank=True,
                choices=[
                    ("stadfestet", "Stadfestet"),
                    ("opphevet", "Opphevet – sendt tilbake til statsforvalteren"),
                    ("endret", "Endret"),
                ],
                max_length=20,
                verbose_name="Bufdirs vedtak",
            ),
        ),
        migrations.AddField(
            model_name="appeal",
            name="opphevet_klage",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="ny_behandling",
                to="grants.appeal",
            ),
        ),
        migrations.AddConstraint(
            model_name="appeal",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("bufdir_utfall", ""), ("bufdir_utfall__in", ["stadfestet", "opphevet", "endret"]), _connector="OR"
                ),
                name="appeal_bufdir_outcome_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="appeal",
            constraint=models.CheckConstraint(
                condition=models.Q(("bufdir_utfall", ""), ("utfall", "ikke_medhold"), _connector="OR"),
                name="appeal_bufdir_only_when_forwarded",
            ),
        ),
        migrations.AddConstraint(
            model_name="appeal",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("bufdir_behandlet__isnull", True),
                        ("bufdir_behandlet_av__isnull", True),
                        ("bufdir_belop__isnull", True),
                        ("bufdir_utfall", ""),
                    ),
                    models.Q(
                        models.Q(("bufdir_utfall", ""), _negated=True),
                        ("bufdir_behandlet__isnull", False),
                        ("bufdir_behandlet_av__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="appeal_bufdir_recorded_completely",
            ),
        ),
        migrations.AddConstraint(
            model_name="appeal",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("bufdir_utfall", "endret"), ("bufdir_belop__gte", 0)),
                    models.Q(models.Q(("bufdir_utfall", "endret"), _negated=True), ("bufdir_belop__isnull", True)),
                    _connector="OR",
                ),
                name="appeal_bufdir_amount_only_when_changed",
            ),
        ),
        migrations.RunPython(reinstall, migrations.RunPython.noop),
    ]
