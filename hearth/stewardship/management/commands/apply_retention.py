"""Delete what the retention settings no longer allow; run it daily by cron or systemd timer."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hearth.stewardship.retention import retention_apply


class Command(BaseCommand):
    help = (
        "Delete private meeting notes older than RETENTION_PRIVATE_NOTES_DAYS and the audio of "
        "study recordings older than RETENTION_RECORDINGS_DAYS (transcripts stay; the study's "
        "audit trail records it). Empty or 0 keeps forever. Schedule it daily, e.g. with cron: "
        "`15 3 * * * cd /srv/hearth && .venv/bin/python manage.py apply_retention`, or a "
        "systemd timer (OnCalendar=daily), or enqueue "
        "hearth.stewardship.tasks.apply_retention_task."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be deleted; change nothing."
        )

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        for line in retention_apply(dry_run=dry_run).lines():
            self.stdout.write(line)
