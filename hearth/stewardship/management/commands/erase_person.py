from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hearth.people.models import Person
from hearth.stewardship.personal_data import person_erase


class Command(BaseCommand):
    help = (
        "Erase a person: anonymise their account, delete their private words, keep counts and "
        "other people's records. Cannot be undone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--yes", action="store_true", help="Really erase; required.")
        parser.add_argument("--by", help="Email of the site admin doing it, for the audit log.")

    def handle(self, *args: Any, email: str, yes: bool, by: str | None, **options: Any) -> None:
        person = self._person(email)
        admin = self._person(by) if by else None
        if admin is not None and not admin.is_superuser:
            raise CommandError(f"{by} is not a site admin.")
        if not yes:
            raise CommandError(
                f"This erases {person} ({person.email}) for good. Run again with --yes to do it."
            )
        try:
            report = person_erase(person=person, by=admin)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write("\n".join(report.lines()))

    def _person(self, email: str) -> Person:
        try:
            return Person.objects.get(email__iexact=email)
        except Person.DoesNotExist as missing:
            raise CommandError(f"Nobody has the email {email!r}.") from missing
