from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hearth.communities.models import Program
from hearth.people.models import Person, Role
from hearth.studies import exchange


class Command(BaseCommand):
    help = (
        "Import a REFI-QDA project (.qdpx) or a Dedoose excerpt export (.xlsx) as a new "
        "study; prints the new study's id as the last line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="A .qdpx project or a Dedoose .xlsx export.")
        parser.add_argument("--program", help="The program's slug (default: the oldest program).")
        parser.add_argument(
            "--by",
            help="Email of the person who imports and leads the study (default: the "
            "program's first director, else the first superuser).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from error
        program = self._program(options["program"])
        by = self._person(options["by"], program)
        self.stdout.write(f"Program: {program.name} ({program.slug}); importing as {by.email}.")
        try:
            study = exchange.study_import_file(
                program=program, by=by, data=data, filename=path.name
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"Imported “{study.title}”: {exchange.import_summary(study)}.")
        self.stdout.write(str(study.pk))

    def _program(self, slug: str | None) -> Program:
        if slug:
            found = Program.objects.filter(slug=slug).first()
            if found is None:
                raise CommandError(f"No program has the slug {slug!r}.")
            return found
        oldest = Program.objects.order_by("pk").first()
        if oldest is None:
            raise CommandError("There is no program yet: create one first.")
        return oldest

    def _person(self, email: str | None, program: Program) -> Person:
        if email:
            found = Person.objects.filter(email__iexact=email.strip(), is_active=True).first()
            if found is None:
                raise CommandError(f"No active person has the address {email}.")
            return found
        person = (
            Person.objects.filter(
                role_grants__program=program,
                role_grants__role=Role.PROGRAM_DIRECTOR,
                is_active=True,
            )
            .order_by("role_grants__pk")
            .first()
            or Person.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        )
        if person is None:
            raise CommandError(
                f"{program.name} has no director and the site no superuser: pass --by EMAIL."
            )
        return person
