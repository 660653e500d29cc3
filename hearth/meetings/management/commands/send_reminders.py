"""Queue the reminder emails of the coming interval; run it by cron or a systemd timer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from hearth.meetings.reminders import reminders_send, window_start


class Command(BaseCommand):
    help = "Queue meeting reminders, agenda prompts, action item reminders and overdue nudges."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval-minutes",
            type=int,
            default=60,
            help="How often this command runs; each run covers that much time (default: 60).",
        )

    def handle(self, *args: Any, interval_minutes: int, **options: Any) -> None:
        if interval_minutes <= 0:
            raise CommandError("--interval-minutes must be greater than zero.")
        interval = dt.timedelta(minutes=interval_minutes)
        start = window_start(timezone.now(), interval)
        report = reminders_send(now=start, interval=interval)
        self.stdout.write(
            f"Window {start:%Y-%m-%d %H:%M} UTC + {interval_minutes} min: "
            f"{report.meeting_reminders} meeting reminders, "
            f"{report.agenda_prompts} agenda prompts, "
            f"{report.action_item_reminders} action item reminders, "
            f"{report.overdue_nudges} overdue nudges."
        )
