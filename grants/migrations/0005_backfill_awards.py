"""Fill the award ledger from decisions made before it existed (amount after upheld appeals)."""

from django.db import migrations


def backfill(apps, schema_editor):
    Decision = apps.get_model("grants", "Decision")
    Award = apps.get_model("grants", "Award")
    for decision in Decision.objects.select_related("soknad__utlysning", "soknad__prosjekt").iterator():
        if Award.objects.filter(vedtak=decision).exists():
            continue
        upheld = (
            decision.klager.filter(nytt_belop__isnull=False, behandlet__isnull=False).order_by("-behandlet").first()
        )
        amount = upheld.nytt_belop if upheld else decision.belop
        if amount <= 0:
            continue
        application = decision.soknad
        award = Award.objects.create(
            vedtak=decision,
            kilde="vedtak",
            aar=application.utlysning.aar,
            embete_id=application.utlysning.embete_id,
            kategori=application.kategori,
            nettverk_id=application.prosjekt.network_id,
            prosjekt_id=application.prosjekt_id,
            belop=amount,
            dato=decision.vedtatt.date(),
        )
        award.tjenester.set(application.tjenester.all())


class Migration(migrations.Migration):
    dependencies = [("grants", "0004_award")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
