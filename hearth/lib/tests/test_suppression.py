"""The small-cell rule, case by case."""

from __future__ import annotations

import pytest

from hearth.lib.suppression import (
    HIDDEN_TO_PROTECT,
    MENTEE_FEEDBACK_K,
    TOO_FEW,
    Cell,
    flagged_count_label,
    suppress_breakdown,
    suppress_series,
)


def hidden(cells: list[Cell]) -> dict[str, str]:
    return {cell.key: cell.reason for cell in cells if not cell.shown}


def test_big_cells_are_shown_unchanged() -> None:
    cells = suppress_breakdown({"a": (10, 4.2), "b": (5, 3.0)})
    assert cells == [
        Cell(key="a", respondents=10, value=4.2, shown=True, reason=""),
        Cell(key="b", respondents=5, value=3.0, shown=True, reason=""),
    ]


def test_one_small_cell_hides_the_next_smallest_too() -> None:
    cells = suppress_breakdown({"a": (10, 4.2), "b": (3, 3.1), "c": (8, 4.0), "d": (6, 3.5)})
    assert hidden(cells) == {"b": TOO_FEW, "d": HIDDEN_TO_PROTECT}
    assert [cell.key for cell in cells] == ["a", "b", "c", "d"]  # order kept
    assert all(cell.value is None for cell in cells if not cell.shown)
    assert {cell.key: cell.value for cell in cells if cell.shown} == {"a": 4.2, "c": 4.0}


def test_ties_for_next_smallest_are_broken_by_key() -> None:
    cells = suppress_breakdown({"c": (7, 1.0), "a": (3, 2.0), "b": (7, 3.0)})
    assert hidden(cells) == {"a": TOO_FEW, "b": HIDDEN_TO_PROTECT}


def test_two_small_cells_protect_each_other() -> None:
    cells = suppress_breakdown({"a": (2, 1.0), "b": (4, 2.0), "c": (9, 3.0)})
    assert hidden(cells) == {"a": TOO_FEW, "b": TOO_FEW}


def test_all_small_cells_are_all_hidden() -> None:
    cells = suppress_breakdown({"a": (1, 1.0), "b": (2, 2.0), "c": (4, 3.0)})
    assert hidden(cells) == {"a": TOO_FEW, "b": TOO_FEW, "c": TOO_FEW}


def test_a_breakdown_of_one_cell() -> None:
    # Nothing to hide beside it; the total equals this cell and is hidden by the same rule.
    assert hidden(suppress_breakdown({"only": (3, 2.0)})) == {"only": TOO_FEW}
    assert hidden(suppress_breakdown({"only": (8, 2.0)})) == {}


def test_empty_cells_show_no_data_and_do_not_count_as_hidden() -> None:
    cells = suppress_breakdown({"a": (0, 9.9), "b": (3, 2.0), "c": (6, 3.0), "d": (9, 4.0)})
    assert hidden(cells) == {"b": TOO_FEW, "c": HIDDEN_TO_PROTECT}
    assert cells[0] == Cell(key="a", respondents=0, value=None, shown=True, reason="")
    assert cells[0].empty


def test_an_empty_cell_is_never_used_to_protect_a_small_one() -> None:
    cells = suppress_breakdown({"a": (0, None), "b": (3, 2.0), "c": (0, None)})
    assert hidden(cells) == {"b": TOO_FEW}


def test_no_complementary_step_when_the_total_is_not_shown() -> None:
    cells = suppress_breakdown({"a": (10, 4.2), "b": (3, 3.1), "c": (8, 4.0)}, total_shown=False)
    assert hidden(cells) == {"b": TOO_FEW}


def test_mentee_feedback_uses_k_3() -> None:
    assert MENTEE_FEEDBACK_K == 3
    cells = suppress_breakdown({"a": (3, 4.0), "b": (2, 3.0), "c": (5, 5.0)}, k=3)
    assert hidden(cells) == {"b": TOO_FEW, "a": HIDDEN_TO_PROTECT}
    assert hidden(suppress_breakdown({"a": (3, 4.0), "b": (4, 3.0)}, k=3)) == {}


def test_hidden_cells_carry_no_count_even_in_their_public_form() -> None:
    small, big = suppress_breakdown({"a": (2, 1.0), "b": (6, 2.0), "c": (7, 3.0)})[:2]
    assert small.as_public_dict() == {
        "key": "a",
        "respondents": None,
        "value": None,
        "shown": False,
        "reason": TOO_FEW,
    }
    assert big.as_public_dict()["respondents"] is None  # hidden to protect "a"
    shown = suppress_breakdown({"c": (7, 3.0)})[0]
    assert shown.as_public_dict() == {
        "key": "c",
        "respondents": 7,
        "value": 3.0,
        "shown": True,
        "reason": "",
    }


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="cell 'a' has a negative number"):
        suppress_breakdown({"a": (-1, None)})
    with pytest.raises(ValueError, match="k must be at least 1"):
        suppress_breakdown({"a": (3, None)}, k=0)


def test_series_shows_each_wave_only_when_it_alone_reaches_k() -> None:
    waves = [("2024 spring", 6, 3.5), ("2024 fall", 4, 3.9), ("2025 spring", 0, None)]
    cells = suppress_series(waves)
    assert cells == [
        Cell(key="2024 spring", respondents=6, value=3.5, shown=True, reason=""),
        Cell(key="2024 fall", respondents=None, value=None, shown=False, reason=TOO_FEW),
        Cell(key="2025 spring", respondents=0, value=None, shown=True, reason=""),
    ]
    # No complementary hiding across time.
    assert hidden(suppress_series([("a", 2, 1.0), ("b", 5, 2.0)])) == {"a": TOO_FEW}
    assert hidden(suppress_series([("a", 3, 1.0), ("b", 2, 2.0)], k=3)) == {"b": TOO_FEW}


@pytest.mark.parametrize(
    ("count", "k", "label"),
    [
        (0, 5, "none"),
        (1, 5, "fewer than 5"),
        (4, 5, "fewer than 5"),
        (5, 5, "5"),
        (12, 5, "12"),
        (0, 3, "none"),
        (2, 3, "fewer than 3"),
        (3, 3, "3"),
    ],
)
def test_flagged_count_labels(count: int, k: int, label: str) -> None:
    assert flagged_count_label(count, k) == label


def test_flagged_count_cannot_be_negative() -> None:
    with pytest.raises(ValueError, match="negative"):
        flagged_count_label(-1)
