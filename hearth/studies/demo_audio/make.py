"""Make the demo's recorded interview: two espeak-ng voices, pauses between turns, Ogg Opus.

python hearth/studies/demo_audio/make.py   (needs espeak-ng and PyAV; see SOURCE.md)
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import av
import numpy as np

RATE = 24_000
PAUSE = 1.8  # seconds of silence between turns
TURNS = [
    ("en-us", "Thank you for talking with me. What has the learning community meant to you?"),
    (
        "en-gb",
        "It has been the best part of my week. My group meets every other Tuesday, and the "
        "students bring whatever is on their minds, from exams to a hard night on call.",
    ),
    ("en-us", "Has anything been difficult?"),
    (
        "en-gb",
        "Finding the time. The meetings are not counted in my clinical schedule, so I often "
        "stay late to finish my notes. Still, I would not give it up.",
    ),
]
OUT = Path(__file__).with_name("follow-up-interview.ogg")


def _speech(voice: str, text: str, folder: Path) -> np.ndarray:
    wav = folder / "turn.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(wav), text], check=True)
    resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
    chunks = []
    with av.open(str(wav)) as container:
        for frame in container.decode(audio=0):
            chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
    chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    return np.concatenate(chunks)


def main() -> None:
    silence = np.zeros(int(PAUSE * RATE), dtype=np.float32)
    with tempfile.TemporaryDirectory() as tmp:
        parts = [silence[: RATE // 4]]
        for voice, text in TURNS:
            parts += [_speech(voice, text, Path(tmp)), silence]
    samples = np.concatenate(parts).astype(np.float32)
    with av.open(str(OUT), "w", format="ogg") as out:
        stream = out.add_stream("libopus", rate=RATE, layout="mono")
        stream.bit_rate = 24_000
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="flt", layout="mono")
        frame.sample_rate = RATE
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    print(f"{OUT.name}: {samples.size / RATE:.1f} s, {OUT.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
