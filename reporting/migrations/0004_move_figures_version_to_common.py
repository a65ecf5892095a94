"""FiguresVersion moves to common with the caching mechanism (common.versioned_cache, issue 16): removed from
reporting's migration state only; common/0002 takes it over with its table (reporting_figuresversion), so the
database is not touched."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0003_text_length_limits"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="FiguresVersion")],
            database_operations=[],
        ),
    ]
