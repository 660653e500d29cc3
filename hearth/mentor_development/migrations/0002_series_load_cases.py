"""Load Hearth's own mentoring cases (program None) from fixtures/cases_v1.json.

Safe to run again: cases are matched by slug and updated in place; responses stay attached.
"""

import json
from pathlib import Path

from django.db import migrations

CASES = Path(__file__).resolve().parent.parent / "fixtures" / "cases_v1.json"


def load_cases(apps, schema_editor):
    MentoringCase = apps.get_model("mentor_development", "MentoringCase")
    library = json.loads(CASES.read_text(encoding="utf-8"))
    for case in library["cases"]:
        fields = {
            "title": case["title"],
            "scenario": case["scenario"],
            "questions": case["questions"],
            "domains": case["domains"],
        }
        # program is NULL, which a unique constraint does not guard on every database: match
        # by slug explicitly so a second run updates rather than duplicates.
        existing = MentoringCase.objects.filter(program__isnull=True, slug=case["slug"]).first()
        if existing is None:
            MentoringCase.objects.create(program=None, slug=case["slug"], **fields)
        else:
            for name, value in fields.items():
                setattr(existing, name, value)
            existing.save()


class Migration(migrations.Migration):
    dependencies = [
        ("mentor_development", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load_cases, migrations.RunPython.noop),
    ]
