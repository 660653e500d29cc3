"""Retention: private meeting notes and study recordings kept only as long as the site says."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.files.storage import Storage
from django.db import transaction
from django.utils import timezone

from hearth.meetings.models import Note, NoteVisibility
from hearth.studies.models import JobStatus, Source, StudyEvent

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetentionReport:
    notes_days: int
    recordings_days: int
    private_notes: int = 0
    recordings: int = 0
    untranscribed: int = 0  # of `recordings`, those deleted before a transcript was finished
    dry_run: bool = False

    def as_dict(self) -> dict[str, int | bool]:
        return asdict(self)

    def lines(self) -> list[str]:
        verb = "Would delete" if self.dry_run else "Deleted"
        lines = []
        if self.notes_days:
            lines.append(
                f"{verb} {self.private_notes} private meeting notes not edited for "
                f"{self.notes_days} days."
            )
        else:
            lines.append("Private meeting notes are kept forever (RETENTION_PRIVATE_NOTES_DAYS).")
        if self.recordings_days:
            line = (
                f"{verb} the audio of {self.recordings} study recordings uploaded more than "
                f"{self.recordings_days} days ago; their transcripts are kept."
            )
            if self.untranscribed:
                line += f" {self.untranscribed} of them had no finished transcript."
            lines.append(line)
        else:
            lines.append("Study recordings are kept forever (RETENTION_RECORDINGS_DAYS).")
        return lines


def _delete_files_after_commit(storage: Storage, names: list[str]) -> None:
    # Files are not transactional: remove them only once the rows saying so are committed.
    def delete() -> None:
        for name in names:
            try:
                storage.delete(name)
            except OSError:
                logger.exception("Could not delete the recording file %s", name)

    transaction.on_commit(delete)


@transaction.atomic
def retention_apply(*, now: dt.datetime | None = None, dry_run: bool = False) -> RetentionReport:
    """Delete private notes and recordings' audio older than the retention settings."""
    now = now or timezone.now()
    notes_days = settings.RETENTION_PRIVATE_NOTES_DAYS
    recordings_days = settings.RETENTION_RECORDINGS_DAYS
    private_notes = recordings = untranscribed = 0

    if notes_days:
        cutoff = now - dt.timedelta(days=notes_days)
        # A recent conflicting version keeps its original alive (deleting it would cascade).
        old = (
            Note.objects.filter(visibility=NoteVisibility.PRIVATE, updated_at__lt=cutoff)
            .exclude(conflicts__updated_at__gte=cutoff)
            .values_list("pk", flat=True)
        )
        ids = set(old)
        ids |= set(Note.objects.filter(conflict_of__in=ids).values_list("pk", flat=True))
        private_notes = len(ids)
        if not dry_run and ids:
            Note.objects.filter(pk__in=ids).delete()
            # The history keeps every version's text; retention must reach it too.
            Note.history.model.objects.filter(id__in=ids).delete()

    if recordings_days:
        cutoff = now - dt.timedelta(days=recordings_days)
        sources = list(
            Source.objects.filter(imported_at__lt=cutoff)
            .exclude(audio="")
            .select_related("study", "transcription")
            .order_by("pk")
        )
        recordings = len(sources)
        for source in sources:
            job = getattr(source, "transcription", None)
            transcribed = job is not None and job.status == JobStatus.DONE
            untranscribed += not transcribed
            if dry_run:
                continue
            storage, name = source.audio.storage, source.audio.name
            source.audio = ""
            source.save(update_fields=["audio"])
            _delete_files_after_commit(storage, [name])
            StudyEvent.objects.create(
                study=source.study,
                actor=None,
                kind="retention",
                message=(
                    f"The audio of “{source.title}” was deleted {recordings_days} days after "
                    "upload, as this site's retention setting requires; "
                    + ("its transcript is kept." if transcribed else "it was never transcribed.")
                )[:400],
            )

    return RetentionReport(
        notes_days=notes_days,
        recordings_days=recordings_days,
        private_notes=private_notes,
        recordings=recordings,
        untranscribed=untranscribed,
        dry_run=dry_run,
    )
