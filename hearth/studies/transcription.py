"""Offline speech-to-text: decode a recording, transcribe it, score a transcript.

Pure Python; no Django. PyAV and faster-whisper come with the optional extra
`hearth[studies-ml]` and are imported only when used, so a site without it still runs. The
engine sits behind the small `Transcriber` protocol: the pinned Whisper weights of
`weights.py` ("tiny.en", "base") or a site's own CTranslate2 model folder.
"""

from __future__ import annotations

import importlib.util
import io
import os
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from .weights import WHISPER_MODELS, WeightsError, model_folder

RATE = 16_000  # Whisper listens at 16 kHz, mono
NO_MODEL = ("", "none", "off")  # settings meaning "no transcription on this site"
LABELS = {
    "tiny.en": "Whisper tiny.en (fast, English only)",
    "base": "Whisper base (slower, more accurate)",
}


class AudioError(ValueError):
    """The file is not a recording we can read; the message says why."""


@dataclass(frozen=True)
class TimedSegment:
    start: float  # seconds into the recording
    end: float
    text: str


class Transcriber(Protocol):
    def transcribe(
        self, samples: np.ndarray, on_progress: Callable[[float], None]
    ) -> list[TimedSegment]: ...


@dataclass(frozen=True)
class ModelChoice:
    key: str  # what Transcription.model_key stores: "tiny.en", "base" or a folder path
    label: str


def decode_audio(source: str | Path | bytes) -> tuple[np.ndarray, float]:
    """The recording as 16 kHz mono float32 samples, and its length in seconds."""
    import av

    opened = io.BytesIO(source) if isinstance(source, bytes) else str(source)
    chunks: list[np.ndarray] = []
    try:
        with av.open(opened, mode="r") as container:
            if not container.streams.audio:
                raise AudioError(
                    "the file is not a recording Hearth can read (it has no sound in it)"
                )
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
    except AudioError:
        raise
    except (av.error.FFmpegError, ValueError, OSError) as error:
        raise AudioError(f"the file is not a recording Hearth can read ({_why(error)})") from error
    samples = np.concatenate(chunks).astype(np.float32, copy=False) if chunks else np.zeros(0)
    if samples.size == 0:
        raise AudioError("the recording is empty")
    return samples.astype(np.float32, copy=False), samples.size / RATE


# The first bytes of each container Hearth takes: enough to refuse a document renamed .mp3
# on a site without PyAV, which checks more.
AUDIO_SIGNATURES = "WAV, MP3, M4A, Ogg, FLAC or WebM"
SIGNATURE_BYTES = 12


def check_audio_signature(head: bytes) -> None:
    """Raise AudioError unless `head`, a file's first bytes, opens a container Hearth takes."""
    wav = head[:4] in (b"RIFF", b"RIFX", b"RF64") and head[8:12] == b"WAVE"
    mp3 = head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)
    mp4 = head[4:8] == b"ftyp"
    other = head[:4] in (b"OggS", b"fLaC", b"\x1a\x45\xdf\xa3")
    if not (wav or mp3 or mp4 or other):
        raise AudioError(
            "the file is not a recording Hearth can read (its first bytes are not those of "
            f"{AUDIO_SIGNATURES})"
        )


def probe_audio(source: str | Path | bytes) -> None:
    """Raise AudioError unless the file opens and its first sound decodes (a quick check
    at upload; the whole file is decoded when it is transcribed)."""
    import av

    opened = io.BytesIO(source) if isinstance(source, bytes) else str(source)
    try:
        with av.open(opened, mode="r") as container:
            if not container.streams.audio:
                raise AudioError(
                    "the file is not a recording Hearth can read (it has no sound in it)"
                )
            if next(container.decode(container.streams.audio[0]), None) is None:
                raise AudioError("the recording is empty")
    except AudioError:
        raise
    except (av.error.FFmpegError, ValueError, OSError) as error:
        raise AudioError(f"the file is not a recording Hearth can read ({_why(error)})") from error


def _why(error: Exception) -> str:
    reason = getattr(error, "strerror", None) or str(error)
    return str(reason).strip().rstrip(".").lower()


@dataclass(frozen=True)
class TimedTurn:
    start: int  # offsets of the words in the transcript's text, [start, end)
    end: int
    begins_at: float
    ends_at: float


SENTENCE_END = (".", "?", "!", "…")


def lay_out(segments: Sequence[TimedSegment], *, pause: float = 2.0) -> tuple[str, list[TimedTurn]]:
    """The transcript's text, one turn per line. Whisper cuts segments mid-sentence and
    knows no speakers, so a segment joins the turn before it unless that turn ended a
    sentence or a pause of `pause` seconds lies between them."""
    groups: list[list[TimedSegment]] = []
    for segment in segments:
        last = groups[-1][-1] if groups else None
        if last is None or last.text.endswith(SENTENCE_END) or segment.start - last.end >= pause:
            groups.append([segment])
        else:
            groups[-1].append(segment)
    lines: list[str] = []
    turns: list[TimedTurn] = []
    at = 0
    for group in groups:
        words = " ".join(" ".join(s.text.split()) for s in group)
        turns.append(TimedTurn(at, at + len(words), group[0].start, group[-1].end))
        lines.append(words)
        at += len(words) + 1
    return "\n".join(lines), turns


class WhisperTranscriber:
    """faster-whisper (CTranslate2, int8 on the CPU) over a verified model folder."""

    def __init__(self, folder: Path, *, threads: int | None = None) -> None:
        self.folder = folder
        self.threads = threads or os.cpu_count() or 1

    @property
    def model(self) -> Any:
        return _load_whisper(str(self.folder), self.threads)

    def transcribe(
        self, samples: np.ndarray, on_progress: Callable[[float], None]
    ) -> list[TimedSegment]:
        duration = samples.size / RATE
        pieces, _info = self.model.transcribe(samples, beam_size=5)
        segments = []
        for piece in pieces:  # a generator: each segment is decoded as it is read
            text = piece.text.strip()
            if text:
                segments.append(TimedSegment(round(piece.start, 2), round(piece.end, 2), text))
            on_progress(min(1.0, piece.end / duration) if duration else 1.0)
        on_progress(1.0)
        return segments


@lru_cache(maxsize=2)
def _load_whisper(folder: str, threads: int) -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a folder never needs the internet
    from faster_whisper import WhisperModel

    return WhisperModel(folder, device="cpu", compute_type="int8", cpu_threads=threads)


def engine_installed() -> bool:
    return importlib.util.find_spec("faster_whisper") is not None and (
        importlib.util.find_spec("av") is not None
    )


def site_folder_problem(folder: Path) -> str:
    """Why a site's own model folder cannot be used ("" when it can)."""
    if not folder.is_dir():
        return f"the model folder {folder} does not exist"
    if not (folder / "model.bin").is_file():
        return f"the model folder {folder} has no model.bin"
    return ""


def available_models(setting: str) -> list[ModelChoice]:
    """The models this site can transcribe with, the configured one first; none when the
    setting turns transcription off or the extra is not installed. Hashes are checked at
    load time, not here."""
    setting = setting.strip()
    if setting.lower() in NO_MODEL or not engine_installed():
        return []
    if setting not in WHISPER_MODELS:
        folder = Path(setting)
        if site_folder_problem(folder):
            return []
        return [ModelChoice(setting, f"the site's own model ({folder.name})")]
    installed = [w for w in WHISPER_MODELS.values() if w.installed]
    installed.sort(key=lambda w: w.key != setting)
    return [ModelChoice(w.key, LABELS.get(w.key, w.description)) for w in installed]


def transcriber_for(setting: str, cache: Path) -> Transcriber | None:
    """The engine for a model setting; None when it is not installed. A pinned model whose
    files do not match their hashes raises WeightsError and is never loaded."""
    setting = setting.strip()
    if setting.lower() in NO_MODEL or not engine_installed():
        return None
    weights = WHISPER_MODELS.get(setting)
    if weights is not None:
        if not weights.installed:
            return None
        return WhisperTranscriber(model_folder(weights, cache))
    problem = site_folder_problem(Path(setting))
    if problem:
        raise WeightsError(f"The transcription model cannot be used: {problem}.")
    return WhisperTranscriber(Path(setting))


# -- Word error rate --------------------------------------------------------------------------


def words_of(text: str) -> list[str]:
    """Lower-case words without punctuation; "learning-community" is two words."""
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text)


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / words of the reference."""
    ref, hyp = words_of(reference), words_of(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return _edit_distance(ref, hyp) / len(ref)


def _edit_distance(a: Sequence[str], b: Sequence[str]) -> int:
    row = list(range(len(b) + 1))
    for i, word in enumerate(a, start=1):
        diagonal, row[0] = row[0], i
        for j, other in enumerate(b, start=1):
            diagonal, row[j] = (
                row[j],
                min(row[j] + 1, row[j - 1] + 1, diagonal + (word != other)),
            )
    return row[-1]
