"""Issue 17: repayment claims get a letter, an account, a claim date and a waiver; payments against a claim are
recorded as receipts (RepaymentReceipt), and the ledger's «tilbakebetalt» is their sum.

Existing data: a claim's date is the day it was registered; a claim with status betalt gets one receipt of its full
amount on betalt_dato (registered by the one who made the claim); a waived claim has its whole amount waived, on the
day it was registered when no other day is known."""

from decimal import Decimal

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import F, Q
from django.utils import timezone

STATUSES = [
    ("krav_sendt", "Krav sendt"),
    ("delvis_betalt", "Delvis betalt"),
    ("betalt", "Betalt"),
    ("ettergitt", "Ettergitt"),
]


def forwards(apps, schema_editor):
    claims = apps.get_model("grants", "RepaymentClaim")
    receipts = apps.get_model("grants", "RepaymentReceipt")
    for claim in claims.objects.all().iterator():
        registered = timezone.localtime(claim.opprettet).date() if claim.opprettet else claim.forfall
        claim.dato = min(registered, claim.forfall)
        fields = ["dato"]
        if claim.status == "betalt":
            receipts.objects.create(
                krav_id=claim.pk,
                dato=claim.betalt_dato or claim.forfall,
                belop=claim.belop,
                registrert_av_id=claim.opprettet_av_id,
            )
        elif claim.status == "ettergitt":
            claim.ettergitt_belop = claim.belop
            claim.ettergitt_dato = registered
            fields += ["ettergitt_belop", "ettergitt_dato"]
        claim.save(update_fields=fields)


def backwards(apps, schema_editor):
    """Receipts go with the table; a claim paid in part goes back to krav sendt (the old states had no part)."""
    apps.get_model("grants", "RepaymentClaim").objects.filter(status="delvis_betalt").update(status="krav_sendt")


class Migration(migrations.Migration):
    dependencies = [
        ("grants", "0011_appeals_klageinstans"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="repaymentclaim", name="repayment_status_valid"),
        migrations.AlterField(
            model_name="repaymentclaim",
            name="status",
            field=models.CharField(choices=STATUSES, default="krav_sendt", max_length=20, verbose_name="status"),
        ),
        migrations.AddField(
            model_name="repaymentclaim",
            name="brev",
            field=models.FileField(blank=True, max_length=300, upload_to="tilbakebetaling/"),
        ),
        migrations.AddField(
            model_name="repaymentclaim",
            name="dato",
            field=models.DateField(null=True, verbose_name="kravdato"),
        ),
        migrations.AddField(
            model_name="repaymentclaim",
            name="ettergitt_av",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="repaymentclaim",
            name="ettergitt_begrunnelse",
            field=models.TextField(
                blank=True,
                max_length=20000,
                validators=[django.core.validators.MaxLengthValidator(20000)],
                verbose_name="begrunnelse for ettergivelse",
            ),
        ),
        migrations.AddField(
            model_name="repaymentclaim",
            name="ettergitt_belop",
            field=models.DecimalField(
                decimal_places=2, default=Decimal("0"), max_digits=14, verbose_name="ettergitt beløp (kr)"
            ),
        ),
        migrations.AddField(
            model_name="repaymentclaim",
            name="ettergitt_dato",
            field=models.DateField(blank=True, null=True, verbose_name="ettergitt dato"),
        ),
        migrations.AddField(
            model_name="repaymentclaim",
            name="kontonummer",
            field=models.CharField(blank=True, max_length=11, verbose_name="kontonummer for innbetaling"),
        ),
        migrations.AddField(
            model_name="repaymentclaim",
            name="maalform",
            field=models.CharField(default="bokmal", max_length=10),
        ),
        migrations.CreateModel(
            name="RepaymentReceipt",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("dato", models.DateField(verbose_name="innbetalingsdato")),
                ("belop", models.DecimalField(decimal_places=2, max_digits=14, verbose_name="beløp (kr)")),
                ("registrert", models.DateTimeField(auto_now_add=True)),
                (
                    "krav",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="innbetalinger",
                        to="grants.repaymentclaim",
                    ),
                ),
                (
                    "registrert_av",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "verbose_name": "innbetaling",
                "verbose_name_plural": "innbetalinger",
                "ordering": ["krav", "dato", "id"],
                "constraints": [
                    models.CheckConstraint(condition=Q(belop__gt=0), name="repayment_receipt_positive"),
                ],
            },
        ),
        migrations.RunPython(forwards, backwards),
        migrations.AlterField(
            model_name="repaymentclaim",
            name="dato",
            field=models.DateField(default=timezone.localdate, verbose_name="kravdato"),
        ),
        migrations.AddConstraint(
            model_name="repaymentclaim",
            constraint=models.CheckConstraint(
                condition=Q(status__in=["krav_sendt", "delvis_betalt", "betalt", "ettergitt"]),
                name="repayment_status_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="repaymentclaim",
            constraint=models.CheckConstraint(
                condition=Q(ettergitt_belop__gte=0) & Q(ettergitt_belop__lte=F("belop")),
                name="repayment_waived_within_claim",
            ),
        ),
        migrations.AddConstraint(
            model_name="repaymentclaim",
            constraint=models.CheckConstraint(
                condition=~Q(status="ettergitt") | Q(ettergitt_dato__isnull=False),
                name="repayment_waived_has_date",
            ),
        ),
        migrations.AddConstraint(
            model_name="repaymentclaim",
            constraint=models.CheckConstraint(
                condition=Q(kontonummer__regex=r"^([0-9]{11})?$"), name="repayment_account_ok"
            ),
        ),
        migrations.AddConstraint(
            model_name="repaymentclaim",
            constraint=models.CheckConstraint(
                condition=Q(maalform__in=["bokmal", "nynorsk"]), name="repayment_language_valid"
            ),
        ),
    ]
