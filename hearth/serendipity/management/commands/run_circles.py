from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from hearth.serendipity.tasks import tick


class Command(BaseCommand):
    help = "Send the day-before reminders and run the circle rounds that are due (run hourly)."

    def handle(self, *args: Any, **options: Any) -> None:
        reminded, ran = tick()
        self.stdout.write(f"{reminded} circle reminder(s) sent, {ran} round(s) run.")
