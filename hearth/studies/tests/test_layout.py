"""The coding page's layout and the codebook tree (pure functions)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearth.studies.codetree import CycleError, Node, check_tree, find_cycle, tree_order
from hearth.studies.layout import Span, TurnSpan, blocks

TEXT = "Interviewer: Hello there?\nP01 (00:03): It was good. Really good.\nNotes at the end.\n"


def _turns() -> list[TurnSpan]:
    first = TEXT.index("Hello")
    second = TEXT.index("It was")
    return [
        TurnSpan(0, first, first + len("Hello there?"), "Interviewer"),
        TurnSpan(1, second, second + len("It was good. Really good."), "P01", 3.0),
    ]


def test_blocks_skip_labels_but_keep_other_text() -> None:
    laid = blocks(TEXT, _turns(), [])
    assert [b.key for b in laid] == ["t0", "t1", "end"]
    assert TEXT[laid[2].start : laid[2].end] == "Notes at the end."


def test_pieces_cut_at_segment_boundaries_with_their_codes() -> None:
    start = TEXT.index("good. Really")
    laid = blocks(TEXT, _turns(), [Span(start, start + 4, 7), Span(start, start + 17, 8)])
    pieces = laid[1].pieces
    assert [(p.text, p.codes) for p in pieces] == [
        ("It was ", ()),
        ("good", (7, 8)),
        (". Really good", (8,)),
        (".", ()),
    ]
    assert laid[1].codes == (7, 8)


@given(
    st.lists(
        st.tuples(st.integers(0, len(TEXT)), st.integers(0, len(TEXT)), st.integers(1, 4)),
        max_size=12,
    )
)
def test_pieces_always_spell_out_the_block_exactly(raw: list[tuple[int, int, int]]) -> None:
    spans = [Span(min(a, b), max(a, b), c) for a, b, c in raw if a != b]
    for block in blocks(TEXT, _turns(), spans):
        assert "".join(p.text for p in block.pieces) == TEXT[block.start : block.end]
        for p in block.pieces:
            assert TEXT[p.start : p.end] == p.text
            expected = {s.code for s in spans if s.start <= p.start and p.end <= s.end}
            assert set(p.codes) == expected


def test_withdrawn_turns_have_no_pieces() -> None:
    turns = [*_turns()[:1], TurnSpan(1, 40, 60, "", withdrawn=True)]
    withdrawn = next(b for b in blocks(TEXT, turns, []) if b.key == "t1")
    assert withdrawn.withdrawn and withdrawn.pieces == ()


def test_a_source_without_turns_is_one_block() -> None:
    assert [b.key for b in blocks("Just words.\nMore.", [], [])] == ["g0"]


def test_cycles_are_found_and_named() -> None:
    assert find_cycle({"a": None, "b": "a", "c": "b"}) is None
    loop = find_cycle({"a": "c", "b": "a", "c": "b", "d": None})
    assert loop is not None and loop[0] == loop[-1] and set(loop) == {"a", "b", "c"}
    with pytest.raises(CycleError, match="“a”"):
        check_tree({"a": "a"})


def test_tree_order_puts_parents_first() -> None:
    nodes = [Node(1, None, 1, "B"), Node(2, 1, 0, "child"), Node(3, None, 0, "A")]
    assert tree_order(nodes) == [(3, 0), (1, 0), (2, 1)]
