from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hearth.studies import exchange, refiqda
from hearth.studies.models import Study


class Command(BaseCommand):
    help = (
        "Write a study as a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA or QualCoder; "
        "the file is checked against the REFI-QDA schema before it is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("study_id", type=int, help="The study's id (see its address).")
        parser.add_argument("out", type=Path, help="Where to write the .qdpx file.")

    def handle(self, *args: Any, **options: Any) -> None:
        study = Study.objects.filter(pk=options["study_id"]).first()
        if study is None:
            raise CommandError(f"No study has the id {options['study_id']}.")
        try:
            data = exchange.study_export_qdpx(study)
        except refiqda.ExchangeError as error:
            raise CommandError(str(error)) from error
        out: Path = options["out"]
        try:
            out.write_bytes(data)
        except OSError as error:
            raise CommandError(f"Cannot write {out}: {error.strerror}.") from error
        self.stdout.write(f"Wrote {out} ({len(data):,} bytes): {exchange.import_summary(study)}.")
