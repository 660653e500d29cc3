"""Replace the database and the uploaded files with a backup's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hearth.stewardship.backup import BackupError, backup_restore, restore_plan


class Command(BaseCommand):
    help = (
        "Restore a backup written by `manage.py backup`: FILE is its NAME.sqlite3 or NAME.dump "
        "(it must match this site's database engine); NAME.media.tar beside it, if there, "
        "replaces MEDIA_ROOT. PostgreSQL restores with pg_restore --clean --if-exists "
        "--no-owner in one transaction. Stop the site and its workers first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The backup's .sqlite3 or .dump file.")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Replace the current data; without it, only say what would be replaced.",
        )

    def handle(self, *args: Any, file: Path, yes: bool, **options: Any) -> None:
        try:
            plan = restore_plan(path=file)
            if not yes:
                raise CommandError(
                    f"Not restored. This would replace {plan.describe()}. "
                    "Run again with --yes to go ahead."
                )
            backup_restore(plan=plan)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Replaced {plan.describe()}.")
