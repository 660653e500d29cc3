"""Management commands that cron or a systemd timer runs every few minutes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone


def window_start(now: dt.datetime, interval: dt.timedelta) -> dt.datetime:
    """Round down to a whole interval, so hourly runs a few seconds late still tile exactly."""
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return epoch + ((now - epoch) // interval) * interval


class IntervalCommand(BaseCommand):
    """Each run covers the half-open window [start, start + interval), start rounded down to
    a whole interval: adjacent runs neither double up nor leave a gap."""

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
        summary = self.send(start, interval)
        self.stdout.write(f"Window {start:%Y-%m-%d %H:%M} UTC + {interval_minutes} min: {summary}.")

    def send(self, start: dt.datetime, interval: dt.timedelta) -> str:
        """Send what falls in the window; say what was sent, for the log."""
        raise NotImplementedError
