"""FiguresVersion, taken over from reporting with the caching mechanism (common.versioned_cache, issue 16) and its
table (db_table = the old name), so the database is not touched: state only. Its content type is relabelled from
`reporting` to `common`, so the permissions that point at it keep their rows."""

from django.db import migrations, models


def relabel(source: str, target: str):
    def run(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        db = schema_editor.connection.alias
        if not ContentType.objects.using(db).filter(app_label=target, model="figuresversion").exists():
            ContentType.objects.using(db).filter(app_label=source, model="figuresversion").update(app_label=target)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("common", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="FiguresVersion",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("navn", models.CharField(max_length=40, unique=True)),
                        ("versjon", models.BigIntegerField(default=0)),
                    ],
                    options={
                        "verbose_name": "versjon av tall",
                        "verbose_name_plural": "versjoner av tall",
                        "db_table": "reporting_figuresversion",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(relabel("reporting", "common"), relabel("common", "reporting"), elidable=True),
    ]
