from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterator
from typing import IO, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRefresh

from hearth.lib.http import AuthenticatedRequest
from hearth.lib.uploads import accepts_upload
from hearth.people.permissions import (
    get_source_for_member,
    get_study_coder,
    get_study_lead,
    get_study_member,
)

from . import transcripts
from .models import JobStatus, Participant, Source, SourceKind, Transcription, Turn

CHUNK = 64 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class RecordingForm(forms.Form):
    file = forms.FileField(
        label="Recording",
        help_text="WAV, MP3, M4A, OGG, FLAC or WEBM; at most "
        f"{transcripts.MAX_AUDIO_BYTES // 1024 // 1024} MB.",
        widget=forms.ClearableFileInput(
            attrs={"accept": "audio/*,video/webm," + ",".join(transcripts.AUDIO_SUFFIXES)}
        ),
    )
    title = forms.CharField(
        max_length=200,
        required=False,
        help_text="Leave empty to use the file's name.",
    )
    participant = forms.ModelChoiceField(
        queryset=Participant.objects.none(),
        required=False,
        label="Participant interviewed",
        empty_label="A group, or no one in particular",
    )

    def __init__(self, *args: Any, participants: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = participants  # type: ignore[attr-defined]


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = int(seconds)
    return (
        f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"
    )


def _recording(user: Any, pk: int) -> Source:
    source = get_source_for_member(user, pk)
    if source.kind != SourceKind.AUDIO or not source.audio:
        raise Http404("Not found.")
    return source


@login_required
@accepts_upload(transcripts.MAX_AUDIO_BYTES)
def recording_upload(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = get_study_lead(request.user, pk)
    study = member.study
    people = study.participants.filter(withdrawn_at__isnull=True)
    form = RecordingForm(request.POST or None, request.FILES or None, participants=people)
    if request.method == "POST" and form.is_valid():
        try:
            source = transcripts.recording_upload(
                study=study,
                by=request.user,
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                participant=form.cleaned_data["participant"],
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, f"“{source.title}” is uploaded.")
            return redirect("recording", source.pk)
    return render(
        request,
        "studies/recording_upload.html",
        {"study": study, "member": member, "form": form, "models": transcripts.site_models()},
        status=400 if form.errors else 200,
    )


def _turn_rows(source: Source) -> list[Turn]:
    """The turns with their words, time and how many codings lock their words."""
    turns = list(source.turns.select_related("participant").order_by("index"))
    spans = list(source.segments.values_list("start", "end"))
    for t in turns:
        t.words = source.text[t.start : t.end]  # type: ignore[attr-defined]
        t.clock = _clock(t.begins_at)  # type: ignore[attr-defined]
        t.locked = sum(1 for s, e in spans if s < t.end and e > t.start)  # type: ignore[attr-defined]
    return turns


@vary_on_headers("HX-Request")
@login_required
def recording(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    source = _recording(request.user, pk)
    member = get_study_member(request.user, source.study_id)
    job = Transcription.objects.filter(source=source).first()
    if job is not None:
        job = transcripts.transcription_stop_if_silent(job=job)
    active = job is not None and job.status in (JobStatus.QUEUED, JobStatus.RUNNING)
    context = {
        "study": source.study,
        "member": member,
        "source": source,
        "job": job,
        "active": active,
        "models": transcripts.site_models(),
    }
    if request.htmx and request.headers.get("HX-Target") == "recording-status":
        if not active:
            return HttpResponseClientRefresh()  # the transcript replaces the progress bar
        return render(request, "studies/recording_detail.html#status", context)
    context["turns"] = _turn_rows(source) if job is None or job.status == JobStatus.DONE else []
    return render(request, "studies/recording_detail.html", context)


@require_POST
@login_required
def recording_transcribe(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    source = _recording(request.user, pk)
    get_study_lead(request.user, source.study_id)
    job = Transcription.objects.filter(source=source).first()
    if job is None:
        job = Transcription.objects.create(
            source=source, model_key="", status=JobStatus.WAITING, requested_by=request.user
        )
    try:
        transcripts.transcription_start(
            job=job, by=request.user, model_key=request.POST.get("model", "")
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("recording", source.pk)


def _turn_context(source: Source, turn: Turn, member: Any) -> dict[str, Any]:
    row = next(t for t in _turn_rows(source) if t.pk == turn.pk)
    return {"study": source.study, "member": member, "source": source, "turn": row}


@login_required
def turn_edit(request: AuthenticatedRequest, pk: int, turn_pk: int) -> HttpResponse:
    source = _recording(request.user, pk)
    member = get_study_coder(request.user, source.study_id)
    turn = source.turns.filter(pk=turn_pk).first()
    if turn is None:
        raise Http404("Not found.")
    context = _turn_context(source, turn, member)
    if request.method == "POST":
        try:
            transcripts.transcript_turn_edit(
                turn=turn,
                by=request.user,
                speaker=request.POST.get("speaker", ""),
                text=request.POST.get("text", context["turn"].words),
            )
        except ValidationError as error:
            context.update(error=" ".join(error.messages), speaker=request.POST.get("speaker"))
            if not request.htmx:
                messages.error(request, context["error"])
                return redirect("recording", source.pk)
            return render(request, "studies/recording_detail.html#turn-form", context)
        if not request.htmx:
            return redirect("recording", source.pk)
        source.refresh_from_db()
        turn.refresh_from_db()
        return render(
            request, "studies/recording_detail.html#turn", _turn_context(source, turn, member)
        )
    if request.GET.get("cancel"):
        return render(request, "studies/recording_detail.html#turn", context)
    return render(request, "studies/recording_detail.html#turn-form", context)


def _chunks(handle: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    with handle:
        handle.seek(start)
        while length > 0:
            block = handle.read(min(CHUNK, length))
            if not block:
                return
            length -= len(block)
            yield block


@login_required
def recording_audio(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    source = _recording(request.user, pk)
    size = source.audio.size
    kind = mimetypes.guess_type(source.audio.name)[0] or "application/octet-stream"
    if kind == "audio/x-wav":
        kind = "audio/wav"
    start, end = 0, size - 1
    status = 200
    match = _RANGE.match(request.headers.get("Range", "").strip())
    if match and (match[1] or match[2]):
        if match[1]:
            start = int(match[1])
            end = min(int(match[2]), size - 1) if match[2] else size - 1
        else:  # the last n bytes
            start = max(0, size - int(match[2]))
        if start >= size or end < start:
            refused = HttpResponse(status=416)
            refused["Content-Range"] = f"bytes */{size}"
            return refused
        status = 206
    response = StreamingHttpResponse(
        _chunks(source.audio.storage.open(source.audio.name, "rb"), start, end - start + 1),
        status=status,
        content_type=kind,
    )
    response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, no-store"
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    return response
