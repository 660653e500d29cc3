"""Intercoder agreement: percent agreement, Cohen's kappa and Krippendorff's alpha.

Pure Python and numpy over dataclasses; no Django. A coding is a code applied by one coder to
the characters [start, end) of a source's fixed plain text (REFI-QDA's PlainTextSelection).

Every figure rests on binary decisions: for each unit and code, did each coder apply the code
or not? A unit is either a caller's span (a speaker turn, a sentence) or, at the character
level (``units=None``), every character of every source, as NVivo and QualCoder report it.
"Overall" pools the decisions of all codes, code by code, as NVivo does: each (unit, code)
pair is one decision, so 30 codes over 100 turns are 3,000 decisions.

The unit rule: coder X coded unit U with code C when X's codings of C (merged, so overlapping
codings are not counted twice) cover more than zero characters of U and at least
``min_overlap`` (a fraction, 0 to 1) of U's characters. The default, 0, is "any overlap".

Undefined figures are None, never NaN: kappa and alpha when there is no variation (every
decision was "not applied" by everyone, or "applied" by everyone; the note says which),
kappa unless there are exactly two coders, and everything when there are no units.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

Level = Literal["unit", "character"]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Coding:
    coder: str
    source: str
    start: int  # character offsets into the source's plain text, [start, end)
    end: int
    code: str


@dataclass(frozen=True)
class Unit:
    source: str
    start: int
    end: int
    label: str = ""  # "Interviewer", "sentence 4": shown in the reconciliation view


@dataclass(frozen=True)
class Agreement:
    code: str | None  # None: all of `codes` pooled (overall)
    coders: tuple[str, ...]
    level: Level
    units: int  # decisions compared: units (or characters) x codes
    percent: float | None  # 0-100: decisions on which every coder agreed
    kappa: float | None  # Cohen's; two coders only
    alpha: float | None  # Krippendorff's, nominal
    uncoded_share: float | None  # 0-1: characters no coder coded with the code (overall: any)
    all_coded: int  # decisions where every coder applied the code
    none_coded: int  # decisions where no coder did; these inflate percent agreement
    only_a: int | None  # two coders: applied by coders[0] alone
    only_b: int | None  # two coders: applied by coders[1] alone
    applied: tuple[int, ...]  # per coder, decisions where they applied the code
    codes: tuple[str, ...]  # the codes whose decisions are counted
    note: str = ""  # why a figure is None


@dataclass(frozen=True)
class Disagreement:
    unit: Unit  # at the character level, a maximal run on which the same coders applied it
    code: str
    coded_by: tuple[str, ...]
    not_coded_by: tuple[str, ...]


# -- Reference statistics over plain tables ------------------------------------------------


def cohen_kappa(table: Sequence[Sequence[int]]) -> float | None:
    """Cohen's kappa from a square agreement table (rows: coder A, columns: coder B).

    None when chance agreement is 1 (both coders used one and the same category throughout).
    """
    size = len(table)
    if any(len(row) != size for row in table):
        raise ValueError("the agreement table must be square")
    total = sum(sum(row) for row in table)
    if total == 0:
        return None
    observed = sum(table[i][i] for i in range(size))
    rows = [sum(row) for row in table]
    cols = [sum(table[i][j] for i in range(size)) for j in range(size)]
    expected = sum(r * c for r, c in zip(rows, cols, strict=True))  # x total^2
    if expected == total * total:
        return None
    return (observed * total - expected) / (total * total - expected)


def nominal_alpha(data: Sequence[Sequence[Hashable | None]]) -> float | None:
    """Krippendorff's alpha, nominal, from a coders x units table; None marks a missing value.

    Units with fewer than two values are not pairable and are left out, as Krippendorff says.
    None when fewer than two pairable values remain or all of them are the same.
    """
    if not data:
        return None
    width = len(data[0])
    if any(len(row) != width for row in data):
        raise ValueError("every coder needs a value (or None) for every unit")
    coincidence: defaultdict[tuple[Hashable, Hashable], float] = defaultdict(float)
    for u in range(width):
        counts = Counter(row[u] for row in data if row[u] is not None)
        m = sum(counts.values())
        if m < 2:
            continue  # a lone value has nothing to be compared with
        for c, n_c in counts.items():
            for k, n_k in counts.items():
                pairs = n_c * (n_k - 1) if c == k else n_c * n_k
                coincidence[c, k] += pairs / (m - 1)
    marginals: defaultdict[Hashable, float] = defaultdict(float)
    for (c, _k), o in coincidence.items():
        marginals[c] += o
    n = sum(marginals.values())
    disagreeing = sum(o for (c, k), o in coincidence.items() if c != k)
    by_chance = n * n - sum(v * v for v in marginals.values())
    if n < 2 or by_chance <= 1e-9:
        return None
    return 1.0 - (n - 1) * disagreeing / by_chance


def _binary_kappa(decisions: int, both: int, neither: int, a: int, b: int) -> float | None:
    """Cohen's kappa of two coders' binary decisions, in exact integer arithmetic."""
    if decisions == 0:
        return None
    expected = a * b + (decisions - a) * (decisions - b)  # x decisions^2
    if expected == decisions * decisions:
        return None
    observed = (both + neither) * decisions
    return (observed - expected) / (decisions * decisions - expected)


def _binary_alpha(histogram: Sequence[int], coders: int) -> float | None:
    """Krippendorff's nominal alpha when every coder decided every unit (no missing values).

    histogram[k] is the number of decisions that exactly k coders applied. A decision with k
    of m coders applying contributes k(m - k)/(m - 1) disagreeing pairs each way.
    """
    m = coders
    values = sum(histogram) * m
    applied = sum(k * h for k, h in enumerate(histogram))
    not_applied = values - applied
    if applied == 0 or not_applied == 0:
        return None
    disagreeing = sum(h * k * (m - k) for k, h in enumerate(histogram))  # x (m - 1)
    return 1.0 - (values - 1) * disagreeing / ((m - 1) * applied * not_applied)


# -- Units ---------------------------------------------------------------------------------

# A sentence ends at . ! ? or an ellipsis, with any closing quotes or brackets, before a space.
_SENTENCE_END = re.compile(r"""(?:[.!?]+|…)["'”’)\]]*(?=\s|$)""")
# Words whose full stop does not end a sentence ("Dr. Okafor", "e.g. this").
_ABBREVIATIONS = frozenset(
    {"dr", "mr", "mrs", "ms", "mx", "prof", "st", "vs", "e.g", "i.e", "jr", "sr", "fig", "cf"}
)
_BLANK_LINE = re.compile(r"\n[ \t\f\v]*\n\s*")
_LINE_BREAK = re.compile(r"\n")


def sentence_units(source: str, text: str, *, line_breaks: bool = True) -> list[Unit]:
    """Split text into sentences with exact offsets; surrounding white space is left out.

    A sentence ends at . ! ? or an ellipsis followed by white space (not after "Dr.", "e.g."
    or a single initial), and at every line break (``line_breaks``, right for transcripts and
    documents whose paragraphs are lines) or only at blank lines (for hard-wrapped PDF text).
    """
    breaks = _LINE_BREAK if line_breaks else _BLANK_LINE
    units: list[Unit] = []
    block_start = 0
    for block_end, next_start in [(m.start(), m.end()) for m in breaks.finditer(text)] + [
        (len(text), len(text))
    ]:
        start = block_start
        for end_mark in _SENTENCE_END.finditer(text, block_start, block_end):
            if end_mark.group().startswith(".") and _is_abbreviation(text, end_mark.start()):
                continue
            _add_sentence(units, source, text, start, end_mark.end())
            start = end_mark.end()
        _add_sentence(units, source, text, start, block_end)
        block_start = next_start
    return units


def _is_abbreviation(text: str, dot: int) -> bool:
    word_start = dot
    while word_start > 0 and (text[word_start - 1].isalpha() or text[word_start - 1] == "."):
        word_start -= 1
    word = text[word_start:dot]
    initial = len(word) == 1 and word.isupper() and word != "I"  # "so did I." ends one
    return initial or word.lower() in _ABBREVIATIONS


def _add_sentence(units: list[Unit], source: str, text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        units.append(Unit(source, start, end, f"sentence {len(units) + 1}"))


# -- Interval arithmetic -------------------------------------------------------------------


@dataclass(frozen=True)
class _Spans:
    """Sorted, disjoint, non-touching [start, end) spans of one coder, code and source."""

    starts: IntArray
    ends: IntArray

    @property
    def total(self) -> int:
        return int((self.ends - self.starts).sum())

    def covered(self, starts: IntArray, ends: IntArray) -> IntArray:
        """Characters of each [starts[i], ends[i]) that these spans cover."""
        return self._covered_before(ends) - self._covered_before(starts)

    def _covered_before(self, x: IntArray) -> IntArray:
        if len(self.starts) == 0:
            return np.zeros(len(x), dtype=np.int64)
        before = np.concatenate(([0], np.cumsum(self.ends - self.starts)))
        whole = np.searchsorted(self.ends, x, side="right")  # spans ending at or before x
        nxt = np.minimum(whole, len(self.starts) - 1)
        partial = np.where(whole < len(self.starts), np.maximum(x - self.starts[nxt], 0), 0)
        return before[whole] + partial


def _merge(spans: list[tuple[int, int]]) -> _Spans:
    spans.sort()
    starts: list[int] = []
    ends: list[int] = []
    for start, end in spans:
        if ends and start <= ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return _Spans(np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64))


def _depth_runs(spans: Sequence[_Spans], length: int) -> tuple[IntArray, IntArray]:
    """Cut [0, length) at every span boundary; return run boundaries and coders per run.

    Run i is [bounds[i], bounds[i + 1]) and depth[i] coders cover all of it. Runs may be
    empty where boundaries coincide; they weigh nothing.
    """
    starts = np.concatenate([s.starts for s in spans] + [np.array([0], dtype=np.int64)])
    ends = np.concatenate([s.ends for s in spans] + [np.array([length], dtype=np.int64)])
    bounds = np.concatenate((starts, ends))
    steps = np.concatenate((np.ones(len(starts), dtype=np.int64), -np.ones(len(ends), np.int64)))
    steps[len(starts) - 1] = 0  # the sentinels at 0 and `length` only mark the ends
    steps[-1] = 0
    order = np.argsort(bounds, kind="stable")
    bounds = bounds[order]
    depth = np.cumsum(steps[order])
    return bounds, depth[:-1]


# -- Indexing codings ----------------------------------------------------------------------

# code -> source -> one _Spans per coder (in the order of `coders`)
_Index = dict[str, dict[str, list[_Spans]]]


def _check_coders(coders: Sequence[str]) -> tuple[str, ...]:
    chosen = tuple(coders)
    if len(set(chosen)) != len(chosen):
        raise ValueError(f"a coder is listed twice: {', '.join(chosen)}")
    if len(chosen) < 2:
        raise ValueError("agreement needs at least two coders")
    return chosen


def _index(
    codings: Iterable[Coding], lengths: Mapping[str, int] | None, coders: tuple[str, ...]
) -> _Index:
    """Merge each coder's codings per code and source; codings on other sources are ignored."""
    position = {coder: i for i, coder in enumerate(coders)}
    raw: defaultdict[str, defaultdict[str, list[list[tuple[int, int]]]]] = defaultdict(
        lambda: defaultdict(lambda: [[] for _ in coders])
    )
    for c in codings:
        if c.coder not in position or (lengths is not None and c.source not in lengths):
            continue
        if c.start < 0 or c.end <= c.start:
            raise ValueError(f"{c} has no characters: start must be >= 0 and below end")
        if lengths is not None and c.end > lengths[c.source]:
            raise ValueError(f"{c} ends past its source ({lengths[c.source]} characters)")
        raw[c.code][c.source][position[c.coder]].append((c.start, c.end))
    return {
        code: {source: [_merge(spans) for spans in per_coder] for source, per_coder in by.items()}
        for code, by in raw.items()
    }


def _check_units(units: Sequence[Unit], lengths: Mapping[str, int]) -> None:
    for u in units:
        if u.source not in lengths:
            raise ValueError(f"{u} is on a source whose length was not given")
        if u.start < 0 or u.end <= u.start or u.end > lengths[u.source]:
            raise ValueError(f"{u} is empty or outside its source ({lengths[u.source]} chars)")


# -- Counting decisions --------------------------------------------------------------------


@dataclass
class _Counts:
    histogram: IntArray  # [k] = decisions that exactly k coders applied
    applied: IntArray  # [i] = decisions coder i applied
    uncoded_chars: int  # characters no coder covered

    def __add__(self, other: _Counts) -> _Counts:
        return _Counts(
            self.histogram + other.histogram,
            self.applied + other.applied,
            self.uncoded_chars + other.uncoded_chars,
        )


def _character_counts(
    by_source: Mapping[str, list[_Spans]], lengths: Mapping[str, int], m: int
) -> _Counts:
    histogram = np.zeros(m + 1, dtype=np.int64)
    applied = np.zeros(m, dtype=np.int64)
    for source, length in lengths.items():
        spans = by_source.get(source)
        if spans is None:
            histogram[0] += length  # nobody coded this source with the code
            continue
        bounds, depth = _depth_runs(spans, length)
        histogram += np.bincount(depth, weights=np.diff(bounds), minlength=m + 1).astype(np.int64)
        applied += np.array([s.total for s in spans], dtype=np.int64)
    return _Counts(histogram, applied, int(histogram[0]))


def _unit_coded(
    spans: Sequence[_Spans], starts: IntArray, ends: IntArray, min_overlap: float
) -> npt.NDArray[np.bool_]:
    """coders x units: did the coder's spans cover enough of the unit?"""
    need = np.maximum(min_overlap * (ends - starts), 1e-9)  # always more than zero characters
    return np.array([s.covered(starts, ends) >= need for s in spans], dtype=bool).reshape(
        len(spans), len(starts)
    )


def _unit_counts(
    by_source: Mapping[str, list[_Spans]],
    units_by_source: Mapping[str, tuple[IntArray, IntArray]],
    m: int,
    min_overlap: float,
) -> _Counts:
    histogram = np.zeros(m + 1, dtype=np.int64)
    applied = np.zeros(m, dtype=np.int64)
    for source, (starts, ends) in units_by_source.items():
        spans = by_source.get(source)
        if spans is None:
            histogram[0] += len(starts)
            continue
        coded = _unit_coded(spans, starts, ends, min_overlap)
        histogram += np.bincount(coded.sum(axis=0), minlength=m + 1)
        applied += coded.sum(axis=1)
    return _Counts(histogram, applied, 0)


def _units_by_source(units: Sequence[Unit]) -> dict[str, tuple[IntArray, IntArray]]:
    grouped: defaultdict[str, list[Unit]] = defaultdict(list)
    for u in units:
        grouped[u.source].append(u)
    return {
        source: (
            np.array([u.start for u in us], dtype=np.int64),
            np.array([u.end for u in us], dtype=np.int64),
        )
        for source, us in grouped.items()
    }


def _uncoded_any(index: _Index, codes: Sequence[str], lengths: Mapping[str, int]) -> int:
    """Characters that no coder coded with any of the codes."""
    uncoded = 0
    for source, length in lengths.items():
        spans = [s for code in codes for s in index.get(code, {}).get(source, [])]
        if not spans:
            uncoded += length
            continue
        bounds, depth = _depth_runs(spans, length)
        uncoded += int(np.diff(bounds)[depth == 0].sum())
    return uncoded


def _result(
    counts: _Counts,
    *,
    code: str | None,
    codes: tuple[str, ...],
    coders: tuple[str, ...],
    level: Level,
    characters: int,
) -> Agreement:
    m = len(coders)
    hist = [int(h) for h in counts.histogram]
    applied = tuple(int(a) for a in counts.applied)
    decisions = sum(hist)
    all_coded, none_coded = hist[m], hist[0]
    two = m == 2
    only_a = applied[0] - all_coded if two else None
    only_b = applied[1] - all_coded if two else None
    note = ""
    if code is None and not codes:
        note = "no coder applied any code"
    elif decisions == 0:
        note = "no units to compare"
    elif none_coded == decisions:
        note = "no variation: no coder applied the code, so kappa and alpha are undefined"
    elif all_coded == decisions:
        note = "no variation: every coder applied the code throughout; kappa and alpha undefined"
    return Agreement(
        code=code,
        coders=coders,
        level=level,
        units=decisions,
        percent=100.0 * (all_coded + none_coded) / decisions if decisions else None,
        kappa=(
            _binary_kappa(decisions, all_coded, none_coded, applied[0], applied[1]) if two else None
        ),
        alpha=_binary_alpha(hist, m),
        uncoded_share=counts.uncoded_chars / characters if characters else None,
        all_coded=all_coded,
        none_coded=none_coded,
        only_a=only_a,
        only_b=only_b,
        applied=applied,
        codes=codes,
        note=note,
    )


# -- Public API ----------------------------------------------------------------------------


def agreement_table(
    codings: Iterable[Coding],
    lengths: Mapping[str, int],
    *,
    coders: Sequence[str],
    units: Sequence[Unit] | None = None,
    min_overlap: float = 0.0,
    codes: Sequence[str] | None = None,
) -> list[Agreement]:
    """One Agreement per code, in the order of `codes`, then the overall one (code None).

    `lengths` names the sources compared and their lengths in characters; codings on other
    sources and by other coders are ignored. `units` None compares characters. `codes`
    defaults to every code the chosen coders used on those sources, sorted.
    """
    chosen = _check_coders(coders)
    if not 0.0 <= min_overlap <= 1.0:
        raise ValueError("min_overlap is a fraction of the unit, from 0 to 1")
    index = _index(codings, lengths, chosen)
    code_list = tuple(sorted(index) if codes is None else codes)
    if len(set(code_list)) != len(code_list):
        raise ValueError("a code is listed twice")
    m = len(chosen)
    characters = sum(lengths.values())
    level: Level = "character" if units is None else "unit"
    grouped = None
    if units is not None:
        _check_units(units, lengths)
        grouped = _units_by_source(units)

    rows: list[Agreement] = []
    total = _Counts(np.zeros(m + 1, dtype=np.int64), np.zeros(m, dtype=np.int64), 0)
    for code in code_list:
        by_source = index.get(code, {})
        chars = _character_counts(by_source, lengths, m)
        if grouped is None:
            counts = chars
        else:
            counts = _unit_counts(by_source, grouped, m, min_overlap)
            counts.uncoded_chars = chars.uncoded_chars
        total = total + counts
        rows.append(
            _result(
                counts, code=code, codes=(code,), coders=chosen, level=level, characters=characters
            )
        )
    total.uncoded_chars = _uncoded_any(index, code_list, lengths)
    rows.append(
        _result(
            total, code=None, codes=code_list, coders=chosen, level=level, characters=characters
        )
    )
    return rows


def agreement(
    codings: Iterable[Coding],
    lengths: Mapping[str, int],
    *,
    coders: Sequence[str],
    code: str | None = None,
    units: Sequence[Unit] | None = None,
    min_overlap: float = 0.0,
    codes: Sequence[str] | None = None,
) -> Agreement:
    """Agreement on one code, or overall (code None: `codes` pooled, as in agreement_table)."""
    if code is not None:
        codes = (code,)
    rows = agreement_table(
        codings, lengths, coders=coders, units=units, min_overlap=min_overlap, codes=codes
    )
    return rows[0] if code is not None else rows[-1]


def disagreements(
    codings: Iterable[Coding],
    units: Sequence[Unit] | None,
    coders: Sequence[str],
    code: str | None = None,
    *,
    min_overlap: float = 0.0,
) -> list[Disagreement]:
    """Units on which the coders split over a code (None: every code), for reconciliation.

    With `units` None, each maximal run of characters that some but not all coders coded is
    reported as a unit of its own. Ordered by source, position, then code.
    """
    chosen = _check_coders(coders)
    index = _index(codings, None, chosen)
    codes = sorted(index) if code is None else [code]
    found: list[Disagreement] = []
    for c in codes:
        for source, spans in index.get(c, {}).items():
            if units is None:
                found += _character_disagreements(spans, source, c, chosen)
                continue
            mine = [u for u in units if u.source == source]
            starts = np.array([u.start for u in mine], dtype=np.int64)
            ends = np.array([u.end for u in mine], dtype=np.int64)
            coded = _unit_coded(spans, starts, ends, min_overlap)
            for j in np.flatnonzero(coded.any(axis=0) & ~coded.all(axis=0)):
                found.append(_disagreement(mine[j], c, chosen, coded[:, j]))
    found.sort(key=lambda d: (d.unit.source, d.unit.start, d.unit.end, d.code))
    return found


def _character_disagreements(
    spans: list[_Spans], source: str, code: str, coders: tuple[str, ...]
) -> list[Disagreement]:
    length = max((int(s.ends[-1]) for s in spans if len(s.ends)), default=0)
    bounds, depth = _depth_runs(spans, length)
    found: list[Disagreement] = []
    split = np.flatnonzero((depth > 0) & (depth < len(coders)) & (np.diff(bounds) > 0))
    for i in split:
        start, end = int(bounds[i]), int(bounds[i + 1])
        # Who covers the run: any character of it tells, as the run has one depth throughout.
        probe = np.array([start], dtype=np.int64)
        coded = np.array([s.covered(probe, probe + 1)[0] > 0 for s in spans])
        unit = Unit(source, start, end)
        if found and found[-1].unit.end == start and found[-1].coded_by == _names(coders, coded):
            unit = Unit(source, found[-1].unit.start, end)  # same coders, a boundary inside
            found.pop()
        found.append(_disagreement(unit, code, coders, coded))
    return found


def _names(coders: tuple[str, ...], coded: npt.NDArray[np.bool_]) -> tuple[str, ...]:
    return tuple(c for c, yes in zip(coders, coded, strict=True) if yes)


def _disagreement(
    unit: Unit, code: str, coders: tuple[str, ...], coded: npt.NDArray[np.bool_]
) -> Disagreement:
    return Disagreement(unit, code, _names(coders, coded), _names(coders, ~coded))
