"""Intercoder agreement: textbook values, and equality with krippendorff and scikit-learn."""

from __future__ import annotations

import random
import warnings
from collections.abc import Mapping, Sequence

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from hearth.studies.agreement import (
    Coding,
    Disagreement,
    Unit,
    agreement,
    agreement_table,
    cohen_kappa,
    disagreements,
    nominal_alpha,
    sentence_units,
)

# -- Reference: a per-character, per-unit brute force fed to the reference libraries --------


def decision_matrix(
    codings: Sequence[Coding],
    lengths: Mapping[str, int],
    coders: Sequence[str],
    codes: Sequence[str],
    units: Sequence[Unit] | None = None,
    min_overlap: float = 0.0,
) -> np.ndarray:
    """coders x decisions, 1 = applied; decisions ordered code by code, then unit by unit."""
    rows: list[list[int]] = [[] for _ in coders]
    for code in codes:
        for source, length in lengths.items():
            cover = {coder: set() for coder in coders}
            for c in codings:
                if c.code == code and c.source == source and c.coder in cover:
                    cover[c.coder].update(range(c.start, c.end))
            if units is None:
                spans = [(i, i + 1) for i in range(length)]
            else:
                spans = [(u.start, u.end) for u in units if u.source == source]
            for start, end in spans:
                for i, coder in enumerate(coders):
                    n = len(cover[coder] & set(range(start, end)))
                    rows[i].append(int(n > 0 and n >= min_overlap * (end - start)))
    return np.array(rows, dtype=int).reshape(len(coders), -1)


def reference_alpha(matrix: np.ndarray) -> float | None:
    if matrix.size == 0 or len(np.unique(matrix)) < 2:
        return None  # krippendorff raises: "There has to be more than one value in the domain."
    return float(krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"))


def reference_kappa(matrix: np.ndarray) -> float | None:
    if matrix.shape[0] != 2 or matrix.shape[1] == 0:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn warns before answering NaN when undefined
        kappa = float(cohen_kappa_score(matrix[0], matrix[1], labels=[0, 1]))
    return None if np.isnan(kappa) else kappa


def assert_matches_reference(result, matrix: np.ndarray) -> None:  # noqa: ANN001
    assert result.units == matrix.shape[1]
    if matrix.shape[1]:
        unanimous = (matrix == matrix[0]).all(axis=0).mean() * 100
        assert result.percent == pytest.approx(unanimous)
    alpha = reference_alpha(matrix)
    assert (result.alpha is None) == (alpha is None)
    if alpha is not None:
        assert result.alpha == pytest.approx(alpha, abs=1e-9)
    kappa = reference_kappa(matrix)
    assert (result.kappa is None) == (kappa is None)
    if kappa is not None:
        assert result.kappa == pytest.approx(kappa, abs=1e-9)
    assert list(result.applied) == list(matrix.sum(axis=1))


# -- Textbook values -------------------------------------------------------------------------

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: nominal data,
# four observers, twelve units, missing values; alpha = 0.743.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def test_krippendorff_2011_nominal_example() -> None:
    assert nominal_alpha(KRIPPENDORFF_2011) == pytest.approx(0.743, abs=5e-4)
    as_array = np.array([[np.nan if v is None else v for v in row] for row in KRIPPENDORFF_2011])
    reference = krippendorff.alpha(reliability_data=as_array, level_of_measurement="nominal")
    assert nominal_alpha(KRIPPENDORFF_2011) == pytest.approx(reference, abs=1e-12)


def test_nominal_alpha_is_undefined_without_variation() -> None:
    assert nominal_alpha([[1, 1, None], [1, 1, 1]]) is None
    assert nominal_alpha([]) is None
    assert nominal_alpha([[1, None], [None, 2]]) is None  # nothing pairable


def test_cohen_kappa_textbook_table() -> None:
    # 50 items; A and B agree on 20 "yes" and 15 "no": po = 0.7, pe = 0.5, kappa = 0.4.
    assert cohen_kappa([[20, 5], [10, 15]]) == pytest.approx(0.4)
    a = [1] * 25 + [0] * 25
    b = [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15
    assert cohen_kappa_score(a, b) == pytest.approx(0.4)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(2, 5).flatmap(
        lambda coders: st.integers(1, 15).flatmap(
            lambda units: st.lists(
                st.lists(st.one_of(st.none(), st.integers(1, 4)), min_size=units, max_size=units),
                min_size=coders,
                max_size=coders,
            )
        )
    )
)
def test_nominal_alpha_equals_krippendorff(data: list[list[int | None]]) -> None:
    pairable = [
        v
        for u in range(len(data[0]))
        if sum(r[u] is not None for r in data) >= 2
        for r in data
        if (v := r[u]) is not None
    ]
    mine = nominal_alpha(data)
    if len(set(pairable)) < 2:
        assert mine is None
        return
    as_array = np.array([[np.nan if v is None else v for v in row] for row in data], dtype=float)
    reference = krippendorff.alpha(reliability_data=as_array, level_of_measurement="nominal")
    assert mine == pytest.approx(reference, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)), min_size=1, max_size=40))
def test_cohen_kappa_equals_sklearn(pairs: list[tuple[int, int]]) -> None:
    table = [[sum(1 for p in pairs if p == (i, j)) for j in range(3)] for i in range(3)]
    a, b = zip(*pairs, strict=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = float(cohen_kappa_score(a, b, labels=[0, 1, 2]))
    mine = cohen_kappa(table)
    assert (mine is None) == np.isnan(reference)
    if mine is not None:
        assert mine == pytest.approx(reference, abs=1e-9)


def test_cohen_kappa_undefined_and_ragged() -> None:
    assert cohen_kappa([[7, 0], [0, 0]]) is None
    assert cohen_kappa([[0, 0], [0, 0]]) is None
    with pytest.raises(ValueError, match="square"):
        cohen_kappa([[1, 2], [3]])


def textbook_codings() -> tuple[list[Coding], list[Unit]]:
    """The 2x2 table [[20, 5], [10, 15]] as codings on 50 ten-character turns."""
    units = [Unit("t", 10 * i, 10 * i + 10, f"turn {i}") for i in range(50)]
    codings = []
    for i, unit in enumerate(units):
        a = i < 25
        b = i < 20 or 25 <= i < 35
        for coder, yes in (("ana", a), ("ben", b)):
            if yes:  # a few characters inside the turn: "any overlap" counts the whole turn
                codings.append(Coding(coder, "t", unit.start + 2, unit.start + 5, "stress"))
    return codings, units


def test_unit_level_reproduces_the_textbook_table() -> None:
    codings, units = textbook_codings()
    result = agreement(codings, {"t": 500}, coders=["ana", "ben"], code="stress", units=units)
    assert result.kappa == pytest.approx(0.4)
    assert result.percent == pytest.approx(70.0)
    assert (result.all_coded, result.only_a, result.only_b, result.none_coded) == (20, 5, 10, 15)
    assert result.level == "unit" and result.units == 50
    assert result.uncoded_share == pytest.approx(1 - 35 * 3 / 500)
    assert result.alpha == pytest.approx(
        reference_alpha(decision_matrix(codings, {"t": 500}, ["ana", "ben"], ["stress"], units))
    )


def test_character_level_counts_characters() -> None:
    codings = [
        Coding("ana", "t", 0, 60, "stress"),
        Coding("ben", "t", 20, 80, "stress"),
    ]
    result = agreement(codings, {"t": 100}, coders=["ana", "ben"], code="stress")
    assert (result.all_coded, result.only_a, result.only_b, result.none_coded) == (40, 20, 20, 20)
    assert result.percent == pytest.approx(60.0)
    assert result.uncoded_share == pytest.approx(0.2)
    # po = 0.6, pe = 0.6 * 0.6 + 0.4 * 0.4 = 0.52
    assert result.kappa == pytest.approx((0.6 - 0.52) / (1 - 0.52))


def test_uncoded_text_inflates_agreement_and_is_reported() -> None:
    codings = [Coding("ana", "t", 0, 10, "stress"), Coding("ben", "t", 5, 15, "stress")]
    short = agreement(codings, {"t": 20}, coders=["ana", "ben"], code="stress")
    long = agreement(codings, {"t": 20_000}, coders=["ana", "ben"], code="stress")
    assert long.percent > short.percent
    assert long.uncoded_share == pytest.approx(1 - 15 / 20_000)
    assert short.uncoded_share == pytest.approx(5 / 20)


def test_overlapping_codings_by_one_coder_count_once() -> None:
    twice = [
        Coding("ana", "t", 0, 30, "x"),
        Coding("ana", "t", 10, 40, "x"),
        Coding("ana", "t", 40, 50, "x"),  # touching
        Coding("ben", "t", 0, 50, "x"),
    ]
    result = agreement(twice, {"t": 60}, coders=["ana", "ben"], code="x")
    assert result.applied == (50, 50)
    assert result.all_coded == 50 and result.only_a == 0


def test_min_overlap_is_a_share_of_the_unit() -> None:
    units = [Unit("t", 0, 10)]
    codings = [Coding("ana", "t", 0, 5, "x"), Coding("ben", "t", 0, 10, "x")]

    def coded_by_ana(min_overlap: float) -> bool:
        r = agreement(
            codings,
            {"t": 10},
            coders=["ana", "ben"],
            code="x",
            units=units,
            min_overlap=min_overlap,
        )
        return r.applied[0] == 1

    assert coded_by_ana(0.0) and coded_by_ana(0.5)
    assert not coded_by_ana(0.51)
    with pytest.raises(ValueError, match="fraction"):
        coded_by_ana(1.5)


def test_overall_pools_codes_as_separate_decisions() -> None:
    codings = [
        Coding("ana", "t", 0, 10, "x"),
        Coding("ben", "t", 0, 10, "x"),
        Coding("ana", "t", 10, 20, "y"),
    ]
    rows = agreement_table(codings, {"t": 20}, coders=["ana", "ben"])
    assert [r.code for r in rows] == ["x", "y", None]
    overall = rows[-1]
    assert overall.codes == ("x", "y") and overall.units == 40
    assert overall.all_coded == 10 and overall.only_a == 10 and overall.none_coded == 20
    assert overall.uncoded_share == 0.0  # every character carries some code
    matrix = decision_matrix(codings, {"t": 20}, ["ana", "ben"], ["x", "y"])
    assert_matches_reference(overall, matrix)


def test_explicit_codes_include_unused_ones() -> None:
    codings = [Coding("ana", "t", 0, 10, "x"), Coding("ben", "t", 0, 10, "x")]
    rows = agreement_table(codings, {"t": 20}, coders=["ana", "ben"], codes=["x", "never"])
    never = rows[1]
    assert never.code == "never" and never.percent == 100.0
    assert never.kappa is None and never.alpha is None
    assert "no variation" in never.note
    assert rows[-1].units == 40


def test_no_variation_leaves_kappa_and_alpha_undefined() -> None:
    result = agreement([], {"t": 100}, coders=["ana", "ben", "cy"], code="x")
    assert result.percent == 100.0
    assert result.kappa is None and result.alpha is None
    assert result.uncoded_share == 1.0
    assert "no coder applied" in result.note
    everywhere = [Coding(c, "t", 0, 100, "x") for c in ("ana", "ben")]
    full = agreement(everywhere, {"t": 100}, coders=["ana", "ben"], code="x")
    assert full.kappa is None and full.alpha is None and "every coder" in full.note


def test_a_single_coder_is_refused() -> None:
    with pytest.raises(ValueError, match="at least two coders"):
        agreement([], {"t": 10}, coders=["ana"])
    with pytest.raises(ValueError, match="twice"):
        agreement([], {"t": 10}, coders=["ana", "ana"])


def test_empty_units_give_no_figures() -> None:
    codings = [Coding("ana", "t", 0, 10, "x")]
    result = agreement(codings, {"t": 10}, coders=["ana", "ben"], code="x", units=[])
    assert result.units == 0
    assert result.percent is None and result.kappa is None and result.alpha is None
    assert result.note == "no units to compare"
    nothing = agreement([], {}, coders=["ana", "ben"], code="x")
    assert nothing.units == 0 and nothing.uncoded_share is None
    no_codes = agreement([], {"t": 10}, coders=["ana", "ben"])
    assert no_codes.units == 0 and no_codes.note == "no coder applied any code"


def test_kappa_only_for_two_coders() -> None:
    codings = [Coding("ana", "t", 0, 10, "x"), Coding("ben", "t", 5, 15, "x")]
    result = agreement(codings, {"t": 30}, coders=["ana", "ben", "cy"], code="x")
    assert result.kappa is None and result.only_a is None and result.alpha is not None


def test_bad_offsets_are_refused() -> None:
    with pytest.raises(ValueError, match="ends past its source"):
        agreement([Coding("ana", "t", 0, 11, "x")], {"t": 10}, coders=["ana", "ben"])
    with pytest.raises(ValueError, match="no characters"):
        agreement([Coding("ana", "t", 5, 5, "x")], {"t": 10}, coders=["ana", "ben"])
    with pytest.raises(ValueError, match="outside its source"):
        agreement([], {"t": 10}, coders=["ana", "ben"], units=[Unit("t", 5, 12)])
    with pytest.raises(ValueError, match="length was not given"):
        agreement([], {"t": 10}, coders=["ana", "ben"], units=[Unit("u", 0, 1)])


def test_other_coders_and_sources_are_ignored() -> None:
    codings = [
        Coding("ana", "t", 0, 10, "x"),
        Coding("ben", "t", 0, 10, "x"),
        Coding("cy", "t", 10, 20, "x"),
        Coding("ana", "elsewhere", 0, 999, "x"),
    ]
    result = agreement(codings, {"t": 20}, coders=["ana", "ben"], code="x")
    assert result.percent == 100.0 and result.kappa == pytest.approx(1.0)


# -- Property tests against the reference libraries -----------------------------------------


@st.composite
def scenarios(draw: st.DrawFn) -> tuple:
    lengths = {f"s{i}": draw(st.integers(1, 30)) for i in range(draw(st.integers(1, 2)))}
    coders = [f"c{i}" for i in range(draw(st.integers(2, 4)))]
    codes = ["x", "y", "z"][: draw(st.integers(1, 3))]
    codings = []
    for _ in range(draw(st.integers(0, 12))):
        source = draw(st.sampled_from(sorted(lengths)))
        start = draw(st.integers(0, lengths[source] - 1))
        end = draw(st.integers(start + 1, lengths[source]))
        codings.append(
            Coding(draw(st.sampled_from(coders)), source, start, end, draw(st.sampled_from(codes)))
        )
    units = []
    for source, length in lengths.items():
        for _ in range(draw(st.integers(0, 5))):
            start = draw(st.integers(0, length - 1))
            units.append(Unit(source, start, draw(st.integers(start + 1, length))))
    min_overlap = draw(st.sampled_from([0.0, 0.25, 0.5, 1.0]))
    return codings, lengths, coders, codes, units, min_overlap


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_character_level_equals_reference_libraries(scenario: tuple) -> None:
    codings, lengths, coders, codes, _units, _min_overlap = scenario
    rows = agreement_table(codings, lengths, coders=coders, codes=codes)
    for code, row in zip(codes, rows, strict=False):
        assert_matches_reference(row, decision_matrix(codings, lengths, coders, [code]))
    assert_matches_reference(rows[-1], decision_matrix(codings, lengths, coders, codes))


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_unit_level_equals_reference_libraries(scenario: tuple) -> None:
    codings, lengths, coders, codes, units, min_overlap = scenario
    rows = agreement_table(
        codings, lengths, coders=coders, codes=codes, units=units, min_overlap=min_overlap
    )
    for code, row in zip(codes, rows, strict=False):
        matrix = decision_matrix(codings, lengths, coders, [code], units, min_overlap)
        assert_matches_reference(row, matrix)
    matrix = decision_matrix(codings, lengths, coders, codes, units, min_overlap)
    assert_matches_reference(rows[-1], matrix)


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_uncoded_share_counts_characters_nobody_coded(scenario: tuple) -> None:
    codings, lengths, coders, codes, _units, _min_overlap = scenario
    rows = agreement_table(codings, lengths, coders=coders, codes=codes)
    total = sum(lengths.values())
    for code, row in zip([*codes, None], rows, strict=True):
        wanted = set(codes) if code is None else {code}
        coded = {
            (c.source, i)
            for c in codings
            if c.code in wanted and c.coder in coders
            for i in range(c.start, c.end)
        }
        assert row.uncoded_share == pytest.approx(1 - len(coded) / total)


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_disagreements_are_exactly_the_split_units(scenario: tuple) -> None:
    codings, lengths, coders, codes, units, min_overlap = scenario
    found = disagreements(codings, units, coders, min_overlap=min_overlap)
    expected = set()
    for code in codes:
        for unit in units:
            matrix = decision_matrix(codings, lengths, coders, [code], [unit], min_overlap)
            column = matrix[:, 0]
            if 0 < column.sum() < len(coders):
                by = tuple(c for c, v in zip(coders, column, strict=True) if v)
                expected.add((unit, code, by))
    assert {(d.unit, d.code, d.coded_by) for d in found} == expected
    for d in found:
        assert set(d.coded_by) | set(d.not_coded_by) == set(coders)


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_character_disagreements_cover_every_split_character(scenario: tuple) -> None:
    codings, lengths, coders, codes, _units, _min_overlap = scenario
    found = disagreements(codings, None, coders)
    for code in codes:
        for source, length in lengths.items():
            units = [Unit(source, i, i + 1) for i in range(length)]
            matrix = decision_matrix(codings, {source: length}, coders, [code], units)
            for i in range(length):
                column = matrix[:, i]
                runs = [
                    d
                    for d in found
                    if d.code == code and d.unit.source == source and d.unit.start <= i < d.unit.end
                ]
                if 0 < column.sum() < len(coders):
                    assert len(runs) == 1
                    by = tuple(c for c, v in zip(coders, column, strict=True) if v)
                    assert runs[0].coded_by == by
                else:
                    assert runs == []


def test_disagreement_list_for_reconciliation() -> None:
    units = [Unit("t", 0, 10, "Interviewer"), Unit("t", 10, 20, "P07"), Unit("t", 20, 30, "P07")]
    codings = [
        Coding("ana", "t", 12, 14, "stress"),
        Coding("ben", "t", 15, 18, "stress"),
        Coding("ana", "t", 22, 25, "stress"),
        Coding("ben", "t", 2, 4, "burnout"),
    ]
    found = disagreements(codings, units, ["ana", "ben"])
    assert found == [
        Disagreement(units[0], "burnout", ("ben",), ("ana",)),
        Disagreement(units[2], "stress", ("ana",), ("ben",)),
    ]
    assert disagreements(codings, units, ["ana", "ben"], "burnout") == found[:1]


def test_character_disagreements_merge_runs_with_the_same_coders() -> None:
    codings = [
        Coding("ana", "t", 0, 10, "x"),
        Coding("ben", "t", 5, 20, "x"),
        Coding("cy", "t", 5, 8, "x"),
    ]
    found = disagreements(codings, None, ["ana", "ben", "cy"], "x")
    assert [(d.unit.start, d.unit.end, d.coded_by) for d in found] == [
        (0, 5, ("ana",)),
        (8, 10, ("ana", "ben")),
        (10, 20, ("ben",)),
    ]


# -- Units ----------------------------------------------------------------------------------


def test_sentence_units_keep_exact_offsets() -> None:
    text = (
        "Interviewer: How did Dr. Okafor help? She listened... A lot!\n"
        'P07: "It was good." Really (e.g. on nights).\n\n'
        "  J. Smith said no. So did I. Fine  "
    )
    units = sentence_units("t", text)
    assert [text[u.start : u.end] for u in units] == [
        "Interviewer: How did Dr. Okafor help?",
        "She listened...",
        "A lot!",
        'P07: "It was good."',
        "Really (e.g. on nights).",
        "J. Smith said no.",
        "So did I.",
        "Fine",
    ]
    assert [u.label for u in units][:2] == ["sentence 1", "sentence 2"]
    assert all(u.source == "t" for u in units)


def test_sentence_units_can_ignore_single_line_breaks() -> None:
    text = "A sentence wrapped\nover two lines. Another\n\nNew paragraph"
    joined = [text[u.start : u.end] for u in sentence_units("t", text, line_breaks=False)]
    assert joined == ["A sentence wrapped\nover two lines.", "Another", "New paragraph"]
    split = [text[u.start : u.end] for u in sentence_units("t", text)]
    assert split == ["A sentence wrapped", "over two lines.", "Another", "New paragraph"]


@given(st.text(alphabet="ab .!?\n\t\"')", max_size=60))
def test_sentence_units_are_ordered_trimmed_and_disjoint(text: str) -> None:
    units = sentence_units("t", text)
    previous_end = 0
    for u in units:
        assert previous_end <= u.start < u.end <= len(text)
        piece = text[u.start : u.end]
        assert piece == piece.strip() and "\n" not in piece
        previous_end = u.end
    covered = {i for u in units for i in range(u.start, u.end)}
    assert all(text[i].isspace() for i in range(len(text)) if i not in covered)


def test_sentence_units_feed_agreement() -> None:
    text = "I was tired. Nights were long. Then it got better."
    units = sentence_units("t", text)
    codings = [Coding("ana", "t", 0, 12, "fatigue"), Coding("ben", "t", 2, 29, "fatigue")]
    result = agreement(
        codings, {"t": len(text)}, coders=["ana", "ben"], code="fatigue", units=units
    )
    assert (result.all_coded, result.only_a, result.only_b, result.none_coded) == (1, 0, 1, 1)


# -- Scale ----------------------------------------------------------------------------------


def large_project(seed: int = 7) -> tuple[list[Coding], dict[str, int], list[Unit]]:
    """A 20,000-word transcript: 120,000 characters, 3 coders x 30 codes, ~40 codings each."""
    rng = random.Random(seed)
    length = 120_000
    codings = []
    for coder in ("ana", "ben", "cy"):
        for k in range(30):
            for _ in range(40):
                start = rng.randrange(length - 2_000)
                codings.append(Coding(coder, "t", start, start + rng.randrange(50, 2_000), f"c{k}"))
    units = [Unit("t", i, min(i + 120, length)) for i in range(0, length, 120)]
    return codings, {"t": length}, units


def test_character_and_unit_tables_cover_a_long_transcript() -> None:
    # speed is measured by a benchmark, not here
    codings, lengths, units = large_project()
    rows = agreement_table(codings, lengths, coders=["ana", "ben", "cy"])
    by_unit = agreement_table(codings, lengths, coders=["ana", "ben", "cy"], units=units)
    assert len(rows) == 31 and rows[-1].units == 120_000 * 30
    assert rows[-1].alpha is not None
    assert len(by_unit) == 31 and by_unit[-1].units == len(units) * 30


def test_character_level_matches_reference_on_a_long_transcript() -> None:
    codings, lengths, _units = large_project(seed=11)
    coders = ["ana", "ben"]
    result = agreement(codings, lengths, coders=coders, code="c3")
    mine = [c for c in codings if c.code == "c3" and c.coder in coders]
    matrix = np.zeros((2, lengths["t"]), dtype=int)
    for c in mine:
        matrix[coders.index(c.coder), c.start : c.end] = 1
    assert_matches_reference(result, matrix)
