from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hearth.communities.demo import DEMO_PASSWORD, demo_accounts
from hearth.communities.models import Program
from hearth.demo import seed_all


class Command(BaseCommand):
    help = "Seed the demo school (once) and print its sign-in accounts."

    def handle(self, *args: Any, **options: Any) -> None:
        if not Program.objects.exists():
            self.stdout.write("Seeding the demo school (takes a few seconds) ...")
            seed_all()
        elif not demo_accounts():
            raise CommandError("This database holds data that is not the demo; not seeding it.")
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for account in demo_accounts():
            self.stdout.write(f"  {account.role:<20} {account.email:<42} {account.name}")
