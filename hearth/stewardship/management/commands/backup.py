"""Back up the database and the uploaded files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hearth.stewardship.backup import BackupError, backup_create, describe_written


class Command(BaseCommand):
    help = (
        "Back up the database and MEDIA_ROOT as two files side by side: NAME.sqlite3 (SQLite, "
        "copied with the online backup API, safe while the site is running) or NAME.dump "
        "(PostgreSQL, pg_dump --format=custom), and NAME.media.tar (uploaded files: study "
        "recordings, photos). Default NAME: BACKUP_DIR/hearth-<UTC timestamp>. Restore with "
        "`manage.py restore NAME.sqlite3|NAME.dump`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "out",
            nargs="?",
            type=Path,
            help="The database file to write (its .media.tar goes beside it), or a folder.",
        )

    def handle(self, *args: Any, out: Path | None, **options: Any) -> None:
        try:
            written = backup_create(out=out)
        except BackupError as error:
            raise CommandError(str(error)) from error
        for line in describe_written(written):
            self.stdout.write(line)
