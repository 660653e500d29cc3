from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from hearth.pulse.services import reminders_send


class Command(BaseCommand):
    help = "Remind mentors who have not answered a check-in that closes within three days."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{reminders_send()} check-in reminder(s) queued.")
