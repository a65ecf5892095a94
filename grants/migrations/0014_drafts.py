"""Issue 17 (H6-drafts): the draft's revision counter, so concurrent saves of a draft merge or conflict instead of
silently overwriting each other (grants.drafts)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("grants", "0013_information_requests")]

    operations = [
        migrations.AddField(
            model_name="application",
            name="utkast_revisjon",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="utkastets revisjon"),
        ),
    ]
