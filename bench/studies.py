"""Benchmark the coding workflow on a long interview against a short one, in one process.

    python bench/studies.py [--words 20000] [--baseline-words 1000] [--segments 300] [--seed S]

A synthetic interview of --words words (about two hours of talk: turns of 20 to 80 words,
alternating interviewer and participant, as WebVTT with a cue per turn) is parsed, imported
into a fresh in-memory SQLite database through the services, and coded by two coders with
--segments segments each (random spans inside participant turns, one of the six starter codes,
the second coder agreeing on about two thirds). The baseline does the same with
--baseline-words words and proportionally fewer segments. Timed, median of several runs each:

  parse      importers.parse_source on the VTT bytes
  render     GET of the coding page through Django's test client (all of the coder's
             segments highlighted), and its size in bytes
  save       POST of one new coded segment with HX-Request (what the browser sends): the
             write plus the fragments sent back
  agreement  selectors.agreement_view for both coders at turn, sentence and character level

The last line is one JSON object; the lines before it are for people.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DATABASE_URL"] = "sqlite:///:memory:"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from hearth.people.models import Role, RoleGrant  # noqa: E402
from hearth.studies import selectors, services  # noqa: E402
from hearth.studies.importers import parse_source  # noqa: E402
from hearth.studies.models import Source, StudyMember  # noqa: E402
from hearth.testing import PASSWORD, build_school, make_person  # noqa: E402

WORDS = [
    *[
        "the",
        "group",
        "mentor",
        "learners",
        "week",
        "time",
        "meeting",
        "house",
        "really",
        "think",
        "feel",
        "because",
    ],
    *[
        "students",
        "clinic",
        "service",
        "year",
        "first",
        "family",
        "support",
        "talk",
        "listen",
        "help",
        "hard",
        "good",
    ],
    *[
        "always",
        "sometimes",
        "never",
        "wanted",
        "about",
        "career",
        "match",
        "patients",
        "teaching",
        "residents",
    ],
    *[
        "night",
        "call",
        "home",
        "energy",
        "belong",
        "purpose",
        "worry",
        "crisis",
        "thanks",
        "proud",
        "learned",
        "change",
    ],
    *["started", "every", "often", "with", "from"],
]


def transcript(words: int, rng: random.Random) -> bytes:
    """A WebVTT interview of about `words` words, a cue per turn."""
    lines = ["WEBVTT", ""]
    at = 0.0
    written = 0
    turn = 0
    while written < words:
        n = min(rng.randint(20, 80), words - written) if turn % 2 else rng.randint(6, 18)
        sentence: list[str] = []
        for i in range(n):
            word = rng.choice(WORDS)
            sentence.append(word.capitalize() if i == 0 or sentence[-1].endswith(".") else word)
            if i % 11 == 10 or i == n - 1:
                sentence[-1] += "."
        seconds = n * 0.4
        lines += [
            f"{_stamp(at)} --> {_stamp(at + seconds)}",
            f"<v {'P01' if turn % 2 else 'Interviewer'}>{' '.join(sentence)}",
            "",
        ]
        at += seconds + 0.5
        written += n
        turn += 1
    return "\n".join(lines).encode()


def _stamp(seconds: float) -> str:
    whole = int(seconds)
    millis = int(seconds % 1 * 1000)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}.{millis:03d}"


def median_seconds(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(world: dict, words: int, segments: int, rng: random.Random) -> dict[str, float]:
    data = transcript(words, rng)
    parse = median_seconds(lambda: parse_source("long.vtt", data), 5)
    parsed = parse_source("long.vtt", data)
    study = world["study"]
    participant = world["participant"]
    source = services.source_import(
        study=study,
        by=world["lead"],
        title=f"Interview of {words} words",
        parsed=parsed,
        participant=participant,
        speakers={"P01": participant},
    )
    codes = list(study.codebook.codes.all())
    spoken = [t for t in source.turns.all() if t.participant_id]
    for _ in range(segments):
        turn = rng.choice(spoken)
        start = rng.randint(turn.start, max(turn.start, turn.end - 30))
        end = min(turn.end, start + rng.randint(20, 200))
        code = rng.choice(codes)
        services.segments_add(
            source=source, coder=world["lead"], start=start, end=end, codes=[code]
        )
        other = code if rng.random() < 0.67 else rng.choice(codes)
        services.segments_add(
            source=source, coder=world["coder"], start=start, end=end, codes=[other]
        )
    client: Client = world["client"]
    url = reverse("source_code", args=[source.pk])
    client.get(url)
    render = median_seconds(lambda: client.get(url), 5)
    size = len(client.get(url).content)

    def save() -> None:
        turn = rng.choice(spoken)
        start = rng.randint(turn.start, max(turn.start, turn.end - 10))
        response = client.post(
            reverse("segment_add", args=[source.pk]),
            {"start": start, "end": min(turn.end, start + 40), "codes": [rng.choice(codes).pk]},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200, response.content[:200]

    saving = median_seconds(save, 10)
    coders = selectors.coding_members(study)
    sources = [Source.objects.get(pk=source.pk)]

    def compare(unit: str) -> Callable[[], object]:
        return lambda: selectors.agreement_view(study, coders=coders, sources=sources, unit=unit)

    agreement = {
        unit: median_seconds(compare(unit), 3) for unit in ("turn", "sentence", "character")
    }
    return {
        "words": words,
        "turns": source.turns.count(),
        "segments": source.segments.count(),
        "parse_s": parse,
        "render_s": render,
        "render_bytes": size,
        "save_s": saving,
        **{f"agreement_{unit}_s": seconds for unit, seconds in agreement.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=20_000)
    parser.add_argument("--baseline-words", type=int, default=1_000)
    parser.add_argument("--segments", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    setup_test_environment()
    call_command("migrate", verbosity=0)
    school = build_school()
    lead = school.evaluator
    coder = make_person("Cora Coder")
    RoleGrant.objects.create(person=coder, role=Role.EVALUATOR, program=school.program)
    study = services.study_create(
        program=school.program, by=lead, title="Bench", research_question="How fast?"
    )
    services.member_add(study=study, by=lead, email=coder.email, role="coder")
    participant = services.participant_add(
        study=study, by=lead, pseudonym="P01", consent_given_on=timezone.localdate()
    )
    client = Client()
    client.login(email=lead.email, password=PASSWORD)
    assert StudyMember.objects.filter(study=study, person=lead).exists()
    world = {
        "study": study,
        "lead": lead,
        "coder": coder,
        "participant": participant,
        "client": client,
    }
    rng = random.Random(args.seed)
    small_segments = max(1, args.segments * args.baseline_words // args.words)
    baseline = measure(world, args.baseline_words, small_segments, rng)
    long = measure(world, args.words, args.segments, rng)
    for label, figures in (("baseline", baseline), ("long", long)):
        print(
            f"{label:>8}: {figures['words']:>6} words, {figures['turns']} turns, "
            f"{figures['segments']} segments | parse {figures['parse_s'] * 1000:.0f} ms, "
            f"page {figures['render_s'] * 1000:.0f} ms ({figures['render_bytes'] / 1024:.0f} KiB), "
            f"save {figures['save_s'] * 1000:.0f} ms, agreement turn/sentence/char "
            + "/".join(
                f"{figures[f'agreement_{unit}_s'] * 1000:.0f}"
                for unit in ("turn", "sentence", "character")
            )
            + " ms"
        )
    ratio = {
        key: long[key] / baseline[key] for key in long if key.endswith("_s") and baseline[key] > 0
    }
    print("long / baseline: " + ", ".join(f"{k} x{v:.1f}" for k, v in ratio.items()))
    print(json.dumps({"baseline": baseline, "long": long, "ratio": ratio}, sort_keys=True))


if __name__ == "__main__":
    main()
