"""How a source is laid out for coding: blocks (speaker turns and the text between them) cut
into pieces at every coded-segment boundary, each piece knowing which codes cover it.

Pure Python; no Django. A piece's text is exactly ``text[start:end]``, so the browser can map
a selection back to offsets: the piece's start plus the offset within its text node.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class TurnSpan:
    index: int
    start: int
    end: int
    speaker: str = ""
    begins_at: float | None = None
    withdrawn: bool = False
    label: str = ""  # the speaker as written in the text, when it differs from `speaker`


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    code: int  # the code's id


@dataclass(frozen=True)
class Piece:
    start: int
    end: int
    text: str
    codes: tuple[int, ...]  # ids of the codes covering it, in the order first applied


@dataclass(frozen=True)
class Block:
    key: str  # "t4" for turn 4, "g4" for text before turn 4 that is not its label
    start: int
    end: int
    speaker: str
    begins_at: float | None
    withdrawn: bool
    pieces: tuple[Piece, ...]

    @property
    def codes(self) -> tuple[int, ...]:
        """Codes applied anywhere in the block, each once."""
        return tuple(dict.fromkeys(c for p in self.pieces for c in p.codes))

    @property
    def is_turn(self) -> bool:
        return self.key.startswith("t")


_TIME = re.compile(r"[\[(]?(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?[\])]?")


def _only_label(gap: str, speaker: str) -> bool:
    """Is the text between two turns just the next turn's label (and a time stamp)?"""
    rest = _TIME.sub(" ", gap)
    if speaker:
        rest = rest.replace(speaker, " ", 1)
    return not re.sub(r"[\s:\[\]()\-–—]", "", rest)


def blocks(text: str, turns: Sequence[TurnSpan], spans: Sequence[Span]) -> list[Block]:
    """The source as blocks in text order; a source without turns is one block."""
    ranges: list[tuple[str, int, int, TurnSpan | None]] = []
    if not turns:
        if text.strip():
            ranges.append(("g0", 0, len(text), None))
    else:
        at = 0
        for turn in sorted(turns, key=lambda t: t.start):
            gap = text[at : turn.start]
            if gap.strip() and not _only_label(gap, turn.label or turn.speaker):
                lead = len(gap) - len(gap.lstrip())
                ranges.append((f"g{turn.index}", at + lead, at + len(gap.rstrip()), None))
            ranges.append((f"t{turn.index}", turn.start, turn.end, turn))
            at = turn.end
        tail = text[at:]
        if tail.strip():
            lead = len(tail) - len(tail.lstrip())
            ranges.append(("end", at + lead, at + len(tail.rstrip()), None))
    cuts = _Cuts(spans)
    return [
        Block(
            key=key,
            start=start,
            end=end,
            speaker=turn.speaker if turn else "",
            begins_at=turn.begins_at if turn else None,
            withdrawn=bool(turn and turn.withdrawn),
            pieces=() if turn and turn.withdrawn else cuts.pieces(text, start, end),
        )
        for key, start, end, turn in ranges
    ]


class _Cuts:
    """Every segment boundary, and the codes covering each stretch between two boundaries."""

    def __init__(self, spans: Sequence[Span]) -> None:
        points = sorted({p for s in spans for p in (s.start, s.end)})
        self.points = points
        # codes[i]: codes covering [points[i], points[i + 1]); built by a sweep.
        starting: dict[int, list[Span]] = {}
        ending: dict[int, list[Span]] = {}
        for s in sorted(spans, key=lambda s: (s.start, s.end)):
            starting.setdefault(s.start, []).append(s)
            ending.setdefault(s.end, []).append(s)
        open_: dict[int, int] = {}  # code -> how many spans of it are open
        order: dict[int, int] = {}  # code -> when first opened, for a stable order
        self.codes: list[tuple[int, ...]] = []
        for p in points:
            for s in ending.get(p, []):
                open_[s.code] -= 1
                if not open_[s.code]:
                    del open_[s.code]
            for s in starting.get(p, []):
                open_[s.code] = open_.get(s.code, 0) + 1
                order.setdefault(s.code, len(order))
            self.codes.append(tuple(sorted(open_, key=order.__getitem__)))

    def covering(self, offset: int) -> tuple[int, ...]:
        i = bisect_right(self.points, offset) - 1
        return self.codes[i] if i >= 0 else ()

    def pieces(self, text: str, start: int, end: int) -> tuple[Piece, ...]:
        inside = self.points[bisect_right(self.points, start) : bisect_right(self.points, end - 1)]
        bounds = [start, *inside, end]
        return tuple(
            Piece(a, b, text[a:b], self.covering(a))
            for a, b in zip(bounds, bounds[1:], strict=False)
            if b > a
        )
