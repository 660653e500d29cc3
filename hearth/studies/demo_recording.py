"""The demo's recorded interview: uploaded and transcribed for real when a model is installed
(it then waits, as a site's would, when none is)."""

from __future__ import annotations

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from hearth.people.models import Person

from . import services, transcripts
from .models import JobStatus, Source, Study
from .transcription import words_of

RECORDING = Path(__file__).parent / "demo_audio" / "follow-up-interview.ogg"
PSEUDONYM = "M02"
# What the interviewer asks in the recording (see demo_audio/make.py), to label their turns
# the way an evaluator would after listening.
QUESTIONS = (
    "Thank you for talking with me. What has the learning community meant to you?",
    "Has anything been difficult?",
)


def _asks(words: str) -> bool:
    heard = set(words_of(words))
    return any(len(heard & set(words_of(q))) >= 0.6 * len(set(words_of(q))) for q in QUESTIONS)


def seed_recording(study: Study, lead: Person) -> Source:
    # A follow-up with a mentor interviewed before, so the study's participants stay six.
    participant = study.participants.get(pseudonym=PSEUDONYM)
    source = transcripts.recording_upload(
        study=study,
        by=lead,
        upload=SimpleUploadedFile(RECORDING.name, RECORDING.read_bytes()),
        title=f"Interview {PSEUDONYM} — follow-up, recorded",
        participant=participant,
        enqueue=False,
    )
    job = transcripts.transcription_run(source.transcription.pk)
    if job.status != JobStatus.DONE:
        return source  # no model on this machine: the recording waits, as on a real site
    source.refresh_from_db()
    # Reviewed as the lead would: the recording names no one, so nothing is replaced.
    proposal = services.deidentification_proposal(source)
    services.source_deidentify(source=source, by=lead, replacements=proposal.replacements)
    source.refresh_from_db()
    for turn in source.turns.order_by("index"):
        words = source.text[turn.start : turn.end]
        transcripts.transcript_turn_edit(
            turn=turn, by=lead, speaker="Interviewer" if _asks(words) else PSEUDONYM, text=words
        )
    return source
