from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hearth.api.services import api_token_create
from hearth.people.models import Person


class Command(BaseCommand):
    help = "Create an API token for a person; the token is printed once, as the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="Command line", help="What the token is for.")

    def handle(self, *args: Any, email: str, name: str, **options: Any) -> None:
        try:
            person = Person.objects.get(email__iexact=email)
        except Person.DoesNotExist as missing:
            raise CommandError(f"Nobody has the email {email!r}.") from missing
        token, secret = api_token_create(person=person, name=name)
        self.stderr.write(f"Created token “{token.name}” for {person}; it is not shown again.")
        self.stdout.write(secret)
