"""Suggesting codes from a team's own coding, with an honest measure of how far to trust it.

Pure numpy over dataclasses; no Django. The caller embeds the units' text (see embeddings.py)
and passes the vectors in, so this module is testable with any vectors.

The unit of suggestion is a speaker turn (a paragraph where a source has no speakers). A
unit carries code C when a segment of C overlaps it by more than half of the shorter of the
two: most of the segment lies in the unit, or most of the unit lies in the segment. A unit
can carry several codes. Units that carry a code are the training data; units that no
segment touches at all are the ones to suggest codes for. Units a segment touches without
carrying its code (a few words of a long turn) are neither.

The classifier is one-vs-rest logistic regression with an L2 penalty, fitted by Newton's
method: one weight per embedding dimension per code, and a probability per code that is
shown as the suggestion's confidence. A code is suggested when its probability reaches
`threshold` (the three likeliest at most), and it is judged by the same rule.

Trust is measured on units the classifier was not trained on: the sources are split into
folds (seeded); each fold is predicted by a model trained on the other sources' units, never
on turns of the same interview, which resemble each other. Cohen's kappa between the
suggester and the human coding over every (unit, code) present/absent decision, pooled and
per code, comes from agreement.cohen_kappa, as everywhere else in a study. The baseline
always suggests the code most common in the training part, scored the same way.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .agreement import cohen_kappa

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# Chosen on the demo study (held-out kappa): with little coding, probabilities stay near
# each code's base rate, so a bar of 0.5 would suggest almost nothing.
THRESHOLD = 0.3
TOP = 3
L2 = 0.1  # weight of the penalty on the embedding weights (the intercept gets much less)
MIN_UNITS = 20  # coded units needed before a kappa means anything
MIN_TRAIN = 10  # coded units needed before suggesting at all (unmeasured below MIN_UNITS)
MIN_SOURCES = 2  # the held-out units must come from sources the model did not see
FOLDS = 5


@dataclass(frozen=True)
class Unit:
    key: Hashable  # the caller's handle (a turn's id, or source and offsets)
    source: str
    start: int  # [start, end) of the source's text
    end: int
    speaker: str = ""  # "" for a paragraph; a speaker nobody codes gets no suggestions


@dataclass(frozen=True)
class Segment:
    source: str
    start: int
    end: int
    code: str


@dataclass(frozen=True)
class Plan:
    """Which units train the suggester (with their codes) and which get suggestions."""

    coded: tuple[int, ...]  # indices into the units
    labels: tuple[frozenset[str], ...]  # per coded unit
    uncoded: tuple[int, ...]
    codes: tuple[str, ...]  # the codes any coded unit carries, sorted


def _overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    return max(0, min(a_end, b_end) - max(a_start, b_start))


def plan(units: Sequence[Unit], segments: Sequence[Segment], codes: set[str]) -> Plan:
    """Label units with the codes (of `codes`, the active ones) whose segments they hold."""
    by_source: dict[str, list[Segment]] = {}
    for s in segments:
        by_source.setdefault(s.source, []).append(s)
    coded: list[int] = []
    labels: list[frozenset[str]] = []
    touched: list[bool] = []
    for i, u in enumerate(units):
        found: set[str] = set()
        touching = False
        for s in by_source.get(u.source, ()):
            shared = _overlap(u.start, u.end, s.start, s.end)
            if shared <= 0:
                continue
            touching = True
            if s.code in codes and 2 * shared > min(u.end - u.start, s.end - s.start):
                found.add(s.code)
        touched.append(touching)
        if found:
            coded.append(i)
            labels.append(frozenset(found))
    # A speaker whose turns in coded sources were never coded (the interviewer) gets no
    # suggestions; speakers only in uncoded sources do.
    in_coded_sources = {units[i].source for i in coded}
    present = {u.speaker for u in units if u.source in in_coded_sources}
    never = present - {units[i].speaker for i in coded} - {""}
    uncoded = tuple(i for i, u in enumerate(units) if not touched[i] and u.speaker not in never)
    return Plan(
        tuple(coded), tuple(labels), uncoded, tuple(sorted({c for ls in labels for c in ls}))
    )


# -- The classifier ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Model:
    codes: tuple[str, ...]
    weights: FloatArray  # (dimensions + 1) x codes; the last row is the intercept


def _with_intercept(x: npt.NDArray[np.floating]) -> FloatArray:
    return np.hstack([np.asarray(x, dtype=np.float64), np.ones((len(x), 1))])


def _sigmoid(z: FloatArray) -> FloatArray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0))))


def _fit_one(x: FloatArray, y: FloatArray, penalty: FloatArray) -> FloatArray:
    """L2-penalised logistic regression by Newton's method (a handful of steps)."""
    w = np.zeros(x.shape[1])
    for _ in range(50):
        p = _sigmoid(x @ w)
        gradient = x.T @ (p - y) + penalty * w
        hessian = (x.T * (p * (1.0 - p))) @ x + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if float(np.abs(step).max()) < 1e-6:
            break
    return w


def train(
    x: npt.NDArray[np.floating],
    labels: Sequence[frozenset[str]],
    codes: Sequence[str],
    *,
    l2: float = L2,
) -> Model:
    """One logistic regression per code on the units' vectors (one row per unit)."""
    design = _with_intercept(x)
    penalty = np.full(design.shape[1], l2)
    penalty[-1] = 1e-4  # keeps the intercept finite when a code is on every unit or none
    weights = np.zeros((design.shape[1], len(codes)))
    for j, code in enumerate(codes):
        y = np.array([code in ls for ls in labels], dtype=np.float64)
        weights[:, j] = _fit_one(design, y, penalty)
    return Model(tuple(codes), weights)


def probabilities(model: Model, x: npt.NDArray[np.floating]) -> FloatArray:
    """units x codes: the probability that the team would apply each code."""
    if len(x) == 0:
        return np.zeros((0, len(model.codes)))
    return _sigmoid(_with_intercept(x) @ model.weights)


def decide(proba: FloatArray, *, threshold: float = THRESHOLD, top: int = TOP) -> BoolArray:
    """units x codes: suggested or not (probability at least `threshold`, `top` at most)."""
    chosen = proba >= threshold
    if proba.shape[1] > top:
        rank = np.argsort(-proba, axis=1, kind="stable")
        beyond = np.zeros_like(chosen)
        np.put_along_axis(beyond, rank[:, top:], True, axis=1)
        chosen &= ~beyond
    return np.asarray(chosen)


@dataclass(frozen=True)
class Suggestion:
    unit: int  # index into the units
    code: str
    confidence: float


def suggest(
    model: Model,
    x: npt.NDArray[np.floating],
    units: Sequence[int],
    *,
    threshold: float = THRESHOLD,
    top: int = TOP,
) -> list[Suggestion]:
    """Suggestions for the given units (rows of `x`), likeliest code first per unit."""
    proba = probabilities(model, x)
    chosen = decide(proba, threshold=threshold, top=top)
    found = []
    for row, unit in enumerate(units):
        for j in np.argsort(-proba[row], kind="stable"):
            if chosen[row, j]:
                found.append(Suggestion(unit, model.codes[j], float(proba[row, j])))
    return found


# -- Held-out agreement ------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeFigures:
    code: str
    kappa: float | None
    human: int  # held-out units the humans coded with it
    suggested: int  # held-out units the suggester gave it
    both: int


@dataclass(frozen=True)
class Evaluation:
    units: int  # held-out units scored (each once, by a model that did not see its source)
    sources: int
    folds: int
    kappa: float | None
    baseline_kappa: float | None
    baseline_code: str | None  # the commonest code overall; each fold uses its training part's
    per_code: tuple[CodeFigures, ...]
    note: str = ""  # why there is no kappa


def kappa_of(human: BoolArray, machine: BoolArray) -> float | None:
    """Cohen's kappa of two sets of present/absent decisions (any shape, compared cell by
    cell), through the study's own agreement.cohen_kappa."""
    h, m = np.asarray(human, dtype=bool).ravel(), np.asarray(machine, dtype=bool).ravel()
    both = int((h & m).sum())
    only_h = int((h & ~m).sum())
    only_m = int((~h & m).sum())
    neither = int((~h & ~m).sum())
    return cohen_kappa([[both, only_h], [only_m, neither]])


def source_folds(sources: Sequence[str], *, folds: int = FOLDS, seed: int = 0) -> list[list[str]]:
    """The distinct sources shuffled (seeded) and dealt into at most `folds` folds."""
    distinct = sorted(set(sources))
    random.Random(seed).shuffle(distinct)
    k = min(folds, len(distinct))
    return [distinct[i::k] for i in range(k)]


def too_little(units: int, sources: int) -> str:
    """The plain reason there is no kappa yet, or ""."""
    if sources < MIN_SOURCES:
        return (
            f"Code at least {MIN_SOURCES} sources before the suggester can be checked on one "
            "it has not seen."
        )
    if units < MIN_UNITS:
        return (
            f"Only {units} coded turn{'s' if units != 1 else ''} so far: code at least "
            f"{MIN_UNITS} before its agreement with you means anything."
        )
    return ""


def evaluate(
    x: npt.NDArray[np.floating],
    labels: Sequence[frozenset[str]],
    sources: Sequence[str],
    *,
    folds: int = FOLDS,
    seed: int = 0,
    threshold: float = THRESHOLD,
    top: int = TOP,
    l2: float = L2,
) -> Evaluation:
    """Held-out kappa of the suggester and of the commonest-code baseline, split by source.

    `x`, `labels` and `sources` describe the coded units, one row each."""
    codes = tuple(sorted({c for ls in labels for c in ls}))
    distinct = len(set(sources))
    counts = Counter(c for ls in labels for c in ls)
    commonest = min(counts, key=lambda c: (-counts[c], c)) if counts else None
    note = too_little(len(labels), distinct)
    if note:
        return Evaluation(len(labels), distinct, 0, None, None, commonest, (), note)
    human = np.array([[c in ls for c in codes] for ls in labels], dtype=bool)
    machine = np.zeros_like(human)
    baseline = np.zeros_like(human)
    split = source_folds(sources, folds=folds, seed=seed)
    for held in split:
        held_set = set(held)
        test = np.array([s in held_set for s in sources])
        train_idx = np.flatnonzero(~test)
        train_labels = [labels[int(i)] for i in train_idx]
        train_codes = tuple(sorted({c for ls in train_labels for c in ls}))
        model = train(x[train_idx], train_labels, train_codes, l2=l2)
        chosen = decide(probabilities(model, x[test]), threshold=threshold, top=top)
        columns = np.array([codes.index(c) for c in train_codes], dtype=np.int64)
        machine[np.ix_(np.flatnonzero(test), columns)] = chosen
        fold_counts = Counter(c for ls in train_labels for c in ls)
        fold_commonest = min(fold_counts, key=lambda c: (-fold_counts[c], c))
        baseline[test, codes.index(fold_commonest)] = True
    per_code = tuple(
        CodeFigures(
            code,
            kappa_of(human[:, j], machine[:, j]),
            int(human[:, j].sum()),
            int(machine[:, j].sum()),
            int((human[:, j] & machine[:, j]).sum()),
        )
        for j, code in enumerate(codes)
    )
    return Evaluation(
        units=len(labels),
        sources=distinct,
        folds=len(split),
        kappa=kappa_of(human, machine),
        baseline_kappa=kappa_of(human, baseline),
        baseline_code=commonest,
        per_code=per_code,
    )
