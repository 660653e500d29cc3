"""Queue the reminder emails of the coming interval; run it by cron or a systemd timer."""

from __future__ import annotations

import datetime as dt

from hearth.lib.commands import IntervalCommand
from hearth.meetings.reminders import reminders_send


class Command(IntervalCommand):
    help = "Queue meeting reminders, agenda prompts, action item reminders and overdue nudges."

    def send(self, start: dt.datetime, interval: dt.timedelta) -> str:
        report = reminders_send(now=start, interval=interval)
        return (
            f"{report.meeting_reminders} meeting reminders, "
            f"{report.agenda_prompts} agenda prompts, "
            f"{report.action_item_reminders} action item reminders, "
            f"{report.overdue_nudges} overdue nudges"
        )
