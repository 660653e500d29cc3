"""Queue the day-before reminders of training sessions; run it by cron or a systemd timer."""

from __future__ import annotations

import datetime as dt

from hearth.lib.commands import IntervalCommand
from hearth.mentor_development.services.series import training_reminders_send


class Command(IntervalCommand):
    help = "Email each enrolled trainee the day before a training session, with its .ics."

    def send(self, start: dt.datetime, interval: dt.timedelta) -> str:
        sent = training_reminders_send(now=start, interval=interval)
        return f"{sent} training session reminder{'' if sent == 1 else 's'}"
