"""Issue 17 (H4-information): the status «venter på opplysninger», requests for information and case messages
(grants.information)."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

STATUSES = [
    ("utkast", "Utkast"),
    ("sendt_inn", "Sendt inn"),
    ("under_behandling", "Under behandling"),
    ("venter_opplysninger", "Venter på opplysninger"),
    ("innvilget", "Innvilget"),
    ("delvis_innvilget", "Delvis innvilget"),
    ("avslatt", "Avslått"),
    ("trukket", "Trukket"),
]


def _text(**kwargs):
    return models.TextField(max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000)], **kwargs)


class Migration(migrations.Migration):
    dependencies = [
        ("grants", "0012_repayments"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="application", name="application_status_valid"),
        migrations.AlterField(
            model_name="application",
            name="status",
            field=models.CharField(choices=STATUSES, default="utkast", max_length=20, verbose_name="status"),
        ),
        migrations.AlterField(
            model_name="decision",
            name="utfall",
            field=models.CharField(choices=STATUSES, max_length=20, verbose_name="utfall"),
        ),
        migrations.AddConstraint(
            model_name="application",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", [value for value, _label in STATUSES])),
                name="application_status_valid",
            ),
        ),
        migrations.CreateModel(
            name="InformationRequest",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("melding", _text(verbose_name="hva trenger dere?")),
                ("frist", models.DateField(verbose_name="svarfrist")),
                ("sendt", models.DateTimeField(auto_now_add=True, verbose_name="sendt")),
                ("svar", _text(blank=True, verbose_name="svar")),
                ("besvart", models.DateTimeField(blank=True, null=True, verbose_name="besvart")),
                (
                    "soknad",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="opplysningsbehov",
                        to="grants.application",
                    ),
                ),
                (
                    "sendt_av",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "besvart_av",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "versjon",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="grants.applicationversion",
                    ),
                ),
            ],
            options={
                "verbose_name": "anmodning om opplysninger",
                "verbose_name_plural": "anmodninger om opplysninger",
                "ordering": ["soknad", "sendt", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("besvart__isnull", True)),
                        fields=("soknad",),
                        name="informationrequest_one_open",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("besvart__isnull", True),
                                ("besvart_av__isnull", True),
                                ("svar", ""),
                                ("versjon__isnull", True),
                            ),
                            models.Q(
                                ("besvart__isnull", False), ("besvart_av__isnull", False), ("versjon__isnull", False)
                            ),
                            _connector="OR",
                        ),
                        name="informationrequest_answer_complete",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="CaseMessage",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("fra_statsforvalter", models.BooleanField(verbose_name="fra statsforvalteren")),
                ("tekst", _text(verbose_name="melding")),
                ("sendt", models.DateTimeField(auto_now_add=True, verbose_name="sendt")),
                (
                    "soknad",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="saksmeldinger",
                        to="grants.application",
                    ),
                ),
                (
                    "avsender",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "verbose_name": "melding i saken",
                "verbose_name_plural": "meldinger i saken",
                "ordering": ["soknad", "sendt", "id"],
            },
        ),
    ]
