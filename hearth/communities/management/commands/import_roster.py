from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hearth.communities import roster
from hearth.communities.models import Program


class Command(BaseCommand):
    help = (
        "Check a roster file (CSV or XLSX) against a program and print what it would change "
        "and every error; with --commit, import it all or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("program", help="The program's slug, for example md-lc.")
        parser.add_argument("file", type=Path, help="A .csv (UTF-8) or .xlsx roster file.")
        parser.add_argument(
            "--commit", action="store_true", help="Write the import; without it nothing changes."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        program = Program.objects.filter(slug=options["program"]).first()
        if program is None:
            raise CommandError(f"No program has the slug {options['program']!r}.")
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from error
        try:
            plan = roster.roster_plan(
                program=program, table=roster.read_table(filename=path.name, content=content)
            )
            self._report(plan, verbose=options["verbosity"] > 1)
            if plan.errors:
                raise CommandError(f"{len(plan.errors)} errors; nothing written.")
            if not plan.create and not plan.update:
                self.stdout.write("Nothing to import: Hearth already matches the file.")
                return
            if not options["commit"]:
                self.stdout.write("Nothing written: run again with --commit to import.")
                return
            upload = roster.roster_upload(
                program=program, uploaded_by=None, filename=path.name, content=content
            )
            done = roster.roster_apply(roster_import=upload)
        except roster.RosterFileError as error:
            raise CommandError(str(error)) from error
        except roster.RosterInvalid as invalid:
            # The database changed since the check above; report what the write found.
            self._report(invalid.plan, verbose=False)
            raise CommandError(f"{len(invalid.plan.errors)} errors; nothing written.") from invalid
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {path.name}: {len(done.create)} created, {len(done.update)} updated, "
                f"{len(done.unchanged)} unchanged."
            )
        )

    def _report(self, plan: roster.RosterPlan, *, verbose: bool) -> None:
        counts = plan.counts()
        self.stdout.write(
            f"To create: {counts['create']}, to update: {counts['update']}, "
            f"unchanged: {counts['unchanged']}, errors: {counts['errors']}"
        )
        if verbose:
            for row in plan.create + plan.update:
                what = "; ".join(str(c) for c in row.changes) or "no field changes"
                where = f"; joins {row.placement}" if row.placement else ""
                self.stdout.write(f"  row {row.row}: {row.action} {row.label}: {what}{where}")
        for error in plan.errors:
            self.stdout.write(str(error))
