from django.db import migrations

SCHEME = "Stimuleringsmidler til kommunale læringsnettverk"


def seed(apps, schema_editor):
    GrantScheme = apps.get_model("grants", "GrantScheme")
    GrantScheme.objects.get_or_create(
        navn=SCHEME,
        defaults={
            "beskrivelse": (
                "Midler over statsbudsjettet som statsforvalteren tildeler kommunale barnevernstjenester for "
                "utviklingsprosjekter i læringsnettverk, innenfor rammen Bufdir setter per kategori."
            )
        },
    )


class Migration(migrations.Migration):
    dependencies = [("grants", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
