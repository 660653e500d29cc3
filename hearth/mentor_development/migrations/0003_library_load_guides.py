"""Load Hearth's own guides (program None) from fixtures/guides_v1/*.md.

Safe to run again: guides are matched by slug and updated in place.
"""

from django.db import migrations

from hearth.mentor_development.guide_files import upsert_guides


def load_guides(apps, schema_editor):
    upsert_guides(apps.get_model("mentor_development", "Guide"))


class Migration(migrations.Migration):
    dependencies = [
        ("mentor_development", "0002_series_load_cases"),
    ]

    operations = [
        migrations.RunPython(load_guides, migrations.RunPython.noop),
    ]
