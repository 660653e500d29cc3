"""Test recordings: real speech from espeak-ng, and tones written with the standard library."""

from __future__ import annotations

import io
import math
import struct
import subprocess
import wave
from pathlib import Path

INTERVIEW = (
    "I have mentored in the learning community for three years now. Every other week my "
    "group meets over lunch, and we talk about what went well on the wards. The students ask "
    "about residency applications and about difficult patients. What I value most is "
    "watching them support each other."
)


def speak(text: str, path: Path, *, voice: str = "en-us", speed: int = 150) -> Path:
    """Say `text` with espeak-ng into a WAV file (22 kHz mono, as espeak writes it)."""
    subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(path), text],
        check=True,
        capture_output=True,
    )
    return path


def tone_wav(seconds: float = 1.0, rate: int = 8000) -> bytes:
    """A quiet 440 Hz tone: a valid recording with no speech in it."""

    frames = b"".join(
        struct.pack("<h", int(3000 * math.sin(2 * math.pi * 440 * i / rate)))
        for i in range(int(seconds * rate))
    )
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return out.getvalue()
