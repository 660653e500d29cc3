from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hearth.people.models import Person
from hearth.stewardship.personal_data import person_export


class Command(BaseCommand):
    help = "Write everything Hearth holds about a person as JSON (to a file, or to stdout)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("out", nargs="?", help="File to write; stdout when left out.")

    def handle(self, *args: Any, email: str, out: str | None, **options: Any) -> None:
        try:
            person = Person.objects.get(email__iexact=email)
        except Person.DoesNotExist as missing:
            raise CommandError(f"Nobody has the email {email!r}.") from missing
        text = json.dumps(person_export(person), indent=2, ensure_ascii=False)
        if out is None:
            self.stdout.write(text)
            return
        try:
            Path(out).write_text(text + "\n", encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Could not write {out}: {error.strerror}.") from error
        self.stderr.write(f"Wrote the data of {person} to {out}.")
