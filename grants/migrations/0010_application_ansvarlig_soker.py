"""Application.ansvarlig_soker (issue 17): the lead applicant. Existing applications get the service that created
them: the creator's (opprettet_av) service role that was valid when the application was made and is among the
applying services; else any service role of the creator among them; else, as before the field existed, the applying
service with the lowest id."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q


def lead_of(application, RoleAssignment) -> int | None:
    applying = sorted(application.tjenester.values_list("id", flat=True))
    if not applying:
        return None
    created_on = application.opprettet.date()
    roles = RoleAssignment.objects.filter(user_id=application.opprettet_av_id, tjeneste_id__in=applying)
    at_the_time = roles.filter(
        Q(gyldig_fra__lte=created_on), Q(gyldig_til__isnull=True) | Q(gyldig_til__gte=created_on)
    )
    for candidates in (at_the_time, roles):
        found = candidates.order_by("gyldig_fra", "id").values_list("tjeneste_id", flat=True).first()
        if found is not None:
            return found
    return applying[0]


def fill_lead_applicant(apps, schema_editor):
    Application = apps.get_model("grants", "Application")
    RoleAssignment = apps.get_model("accounts", "RoleAssignment")
    for application in Application.objects.filter(ansvarlig_soker__isnull=True).iterator():
        lead = lead_of(application, RoleAssignment)
        if lead is not None:
            Application.objects.filter(pk=application.pk).update(ansvarlig_soker_id=lead)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("grants", "0009_round_tittel_nynorsk"),
        ("organisations", "0003_embete_navn_nynorsk"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="ansvarlig_soker",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organisations.childwelfareservice",
                verbose_name="Ansvarlig søker",
            ),
        ),
        migrations.RunPython(fill_lead_applicant, migrations.RunPython.noop),
    ]
