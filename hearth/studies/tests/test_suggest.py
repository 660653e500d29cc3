"""The code suggester's algorithm: labelling units, the classifier, and held-out agreement."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from hearth.studies import suggest
from hearth.studies.suggest import Segment, Unit


def clusters(centres: dict[str, np.ndarray], per: int, rng: np.random.Generator, noise: float):
    """Unit vectors scattered around each centre, labelled with the centre's code."""
    rows, labels = [], []
    for code, centre in centres.items():
        for _ in range(per):
            v = centre + noise * rng.standard_normal(len(centre))
            rows.append(v / np.linalg.norm(v))
            labels.append(frozenset({code}))
    return np.array(rows, dtype=np.float32), labels


def axes(dim: int = 16) -> dict[str, np.ndarray]:
    eye = np.eye(dim)
    return {"belonging": eye[0], "harm": eye[1]}


def test_the_classifier_learns_a_separable_problem_with_confident_probabilities():
    rng = np.random.default_rng(1)
    x, labels = clusters(axes(), 15, rng, noise=0.2)
    model = suggest.train(x, labels, ["belonging", "harm"])
    new, truth = clusters(axes(), 5, rng, noise=0.2)
    proba = suggest.probabilities(model, new)
    predicted = [model.codes[j] for j in proba.argmax(axis=1)]
    assert predicted == [next(iter(t)) for t in truth]
    assert proba.max(axis=1).min() > 0.8
    assert proba.min(axis=1).max() < 0.2


def test_decide_keeps_codes_over_the_threshold_and_three_at_most():
    proba = np.array([[0.9, 0.8, 0.7, 0.6, 0.1], [0.2, 0.34, 0.35, 0.0, 0.0]])
    chosen = suggest.decide(proba, threshold=0.35, top=3)
    assert chosen.tolist() == [
        [True, True, True, False, False],
        [False, False, True, False, False],
    ]


def test_units_carry_codes_whose_segments_they_mostly_hold():
    text_units = [
        Unit(0, "s", 0, 100, "participant"),  # a long turn
        Unit(1, "s", 100, 120, "interviewer"),
        Unit(2, "s", 120, 200, "participant"),
        Unit(3, "s", 200, 300, "participant"),
        Unit(4, "t", 0, 50, "participant"),
        Unit(5, "t", 50, 60, "interviewer"),
    ]
    segments = [
        Segment("s", 10, 30, "a"),  # a few words inside unit 0: most of the segment is there
        Segment("s", 118, 190, "b"),  # most of unit 2 (70 of its 80 characters)
        Segment("s", 150, 203, "c"),  # in unit 2 mostly; 3 characters of unit 3 (touched only)
        Segment("s", 0, 100, "retired"),  # a code no longer active is not learned
    ]
    plan = suggest.plan(text_units, segments, {"a", "b", "c"})
    assert plan.coded == (0, 2)
    assert plan.labels == (frozenset({"a"}), frozenset({"b", "c"}))
    assert plan.codes == ("a", "b", "c")
    # Unit 1 (the interviewer's question) is touched by "b"; unit 3 by a sliver of "c".
    # Unit 5 is untouched but its speaker is never coded, so only unit 4 gets suggestions.
    assert plan.uncoded == (4,)


def test_source_folds_are_seeded_disjoint_and_cover_every_source():
    sources = ["a", "b", "c", "d", "e", "f", "g"] * 3
    folds = suggest.source_folds(sources, folds=3, seed=7)
    assert folds == suggest.source_folds(sources, folds=3, seed=7)
    flat = [s for fold in folds for s in fold]
    assert sorted(flat) == ["a", "b", "c", "d", "e", "f", "g"]
    assert len(folds) == 3
    assert len(suggest.source_folds(["a", "b"], folds=5)) == 2


def test_kappa_of_equals_scikit_learns():
    rng = np.random.default_rng(3)
    for _ in range(20):
        human = rng.random((30, 4)) < 0.3
        machine = rng.random((30, 4)) < 0.4
        expected = cohen_kappa_score(human.ravel(), machine.ravel())
        assert suggest.kappa_of(human, machine) == pytest.approx(expected)


def _study(rng: np.random.Generator, sources: int = 6, per: int = 6, noise: float = 0.3):
    xs, labels, source_of = [], [], []
    for s in range(sources):
        x, ls = clusters(axes(), per // 2, rng, noise)
        xs.append(x)
        labels += ls
        source_of += [f"source {s}"] * len(ls)
    return np.vstack(xs), labels, source_of


def test_held_out_kappa_is_computed_source_by_source_and_equals_scikit_learns():
    rng = np.random.default_rng(5)
    x, labels, sources = _study(rng)
    codes = ("belonging", "harm")
    result = suggest.evaluate(x, labels, sources, folds=3, seed=2)
    # Redo it by hand: each fold predicted by a model trained on the other sources only.
    human = np.array([[c in ls for c in codes] for ls in labels])
    machine = np.zeros_like(human)
    baseline = np.zeros_like(human)
    for fold in suggest.source_folds(sources, folds=3, seed=2):
        test = np.array([s in fold for s in sources])
        train_labels = [labels[i] for i in np.flatnonzero(~test)]
        model = suggest.train(x[~test], train_labels, codes)
        machine[test] = suggest.decide(suggest.probabilities(model, x[test]))
        counts = {c: sum(c in ls for ls in train_labels) for c in codes}
        commonest = min(codes, key=lambda c: (-counts[c], c))
        baseline[test, codes.index(commonest)] = True
    assert result.folds == 3
    assert result.units == len(labels) == 36
    assert result.kappa == pytest.approx(cohen_kappa_score(human.ravel(), machine.ravel()))
    assert result.baseline_kappa == pytest.approx(
        cohen_kappa_score(human.ravel(), baseline.ravel())
    )
    for j, figures in enumerate(result.per_code):
        assert figures.code == codes[j]
        assert figures.human == human[:, j].sum()
        assert figures.kappa == pytest.approx(cohen_kappa_score(human[:, j], machine[:, j]))
    # Learnable: the suggester agrees well and beats always suggesting one code.
    assert result.kappa > 0.8
    assert result.baseline_kappa is not None and result.baseline_kappa < result.kappa


def test_held_out_units_never_share_a_source_with_the_training_units():
    # Two interviews in which the same words mean opposite codes: a model that saw turns of
    # the held-out interview would agree with it; one that did not, disagrees.
    rng = np.random.default_rng(8)
    centres = axes()
    xa, la = clusters(centres, 6, rng, 0.1)
    xb, lb = clusters({"belonging": centres["harm"], "harm": centres["belonging"]}, 6, rng, 0.1)
    x = np.vstack([xa, xb])
    result = suggest.evaluate(x, la + lb, ["a"] * 12 + ["b"] * 12, folds=2)
    assert result.kappa is not None and result.kappa < 0


def test_too_little_coding_gives_no_kappa_and_says_why():
    rng = np.random.default_rng(2)
    x, labels, sources = _study(rng, sources=3, per=6)  # 18 units
    few = suggest.evaluate(x, labels, sources)
    assert few.kappa is None and few.baseline_kappa is None
    assert "Only 18 coded turns so far" in few.note
    x, labels, _ = _study(rng, sources=4, per=6)
    one = suggest.evaluate(x, labels, ["only"] * len(labels))
    assert one.kappa is None
    assert "at least 2 sources" in one.note


def test_suggestions_rank_codes_and_carry_their_confidence():
    rng = np.random.default_rng(4)
    x, labels = clusters(axes(), 10, rng, 0.2)
    model = suggest.train(x, labels, ["belonging", "harm"])
    new, _ = clusters(axes(), 1, rng, 0.2)
    made = suggest.suggest(model, new, [7, 9])
    assert [(s.unit, s.code) for s in made] == [(7, "belonging"), (9, "harm")]
    assert all(0.8 < s.confidence <= 1 for s in made)
