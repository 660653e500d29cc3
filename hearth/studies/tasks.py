"""Transcription runs as a background task; the recording page polls its progress."""

from __future__ import annotations

from django_tasks import task


@task()
def transcribe_task(transcription_id: int) -> str:
    """Transcribe one queued recording; returns the status it ends in."""
    from .transcripts import transcription_run

    return transcription_run(transcription_id).status


@task()
def suggester_run_task(run_id: int) -> str:
    """Train the code suggester for one queued run; returns the status it ends in."""
    from .suggestions import suggester_run_execute

    return suggester_run_execute(run_id).status
