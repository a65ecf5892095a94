import datetime

from django.db import migrations

GUIDELINES = [
    {
        "navn": "Retningslinjer 2018",
        "gyldig_fra": datetime.date(2018, 1, 1),
        "kunnskapspartner_paakrevd": True,
        "kommuneledelse_paakrevd": True,
        "oppvekst_tillatt": False,
        "beskrivelse": (
            "Egeninitierte prosjekter må ha en kunnskapspartner eller Bufetat som samarbeidspartner. "
            "Kommuneledelsen skal være representert i styringsgruppen."
        ),
    },
    {
        "navn": "Retningslinjer 2021",
        "gyldig_fra": datetime.date(2021, 1, 1),
        "kunnskapspartner_paakrevd": False,
        "kommuneledelse_paakrevd": False,
        "oppvekst_tillatt": True,
        "beskrivelse": (
            "Kunnskapspartner for egeninitierte prosjekter og kommuneledelse i styringsgruppen er anbefalt, "
            "ikke påkrevd. Andre oppveksttjenester kan inviteres inn i nettverkene."
        ),
    },
]

THEMES = [
    "Oppfølging av fosterhjem",
    "Opplæring og kompetanseutvikling",
    "Lederutvikling",
    "Utvikling av lokale tiltak",
    "Høykonflikt",
    "Medvirkning",
    "Minoriteter",
    "Akuttberedskap",
    "Foreldreveiledning",
    "Rekruttering av fosterhjem",
]


def seed(apps, schema_editor):
    GuidelineVersion = apps.get_model("networks", "GuidelineVersion")
    Theme = apps.get_model("networks", "Theme")
    for g in GUIDELINES:
        GuidelineVersion.objects.update_or_create(gyldig_fra=g["gyldig_fra"], defaults=g)
    for name in THEMES:
        Theme.objects.update_or_create(navn=name, defaults={"kontrollert": True})


class Migration(migrations.Migration):
    dependencies = [("networks", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
