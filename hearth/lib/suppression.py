"""The small-cell rule: one helper every page, export and API uses to hide small groups.

From the design doc: a cell with fewer than k respondents (k = 5; 3 for mentee feedback)
shows "too few to show"; when one cell of a breakdown is hidden, the next smallest is hidden
too so the total cannot reveal it; a series over time shows a wave only when that wave alone
reaches k; counts of flagged people show "none", "fewer than 5" or the number.

Pure Python (no Django) so the rule is the same wherever it is applied.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

DEFAULT_K = 5
MENTEE_FEEDBACK_K = 3

TOO_FEW = "too few to show"
HIDDEN_TO_PROTECT = "hidden so a smaller cell cannot be worked out"


@dataclass(frozen=True)
class Cell:
    """One group's result after suppression.

    A hidden cell carries neither its value nor its count (both None), so no page, export or
    API can leak a small group by accident. A shown cell with 0 respondents is simply empty
    (no data), not a hidden cell.
    """

    key: str
    respondents: int | None
    value: float | None
    shown: bool
    reason: str

    @property
    def empty(self) -> bool:
        return self.respondents == 0

    def as_public_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "respondents": self.respondents,
            "value": self.value,
            "shown": self.shown,
            "reason": self.reason,
        }


def _check_k(k: int) -> None:
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")


def _primary(key: str, respondents: int, value: float | None, k: int) -> Cell:
    if respondents < 0:
        raise ValueError(f"cell {key!r} has a negative number of respondents ({respondents})")
    if respondents == 0:
        # Nobody to identify: an empty cell shows as no data, whatever value was passed.
        return Cell(key=key, respondents=0, value=None, shown=True, reason="")
    if respondents < k:
        return Cell(key=key, respondents=None, value=None, shown=False, reason=TOO_FEW)
    return Cell(key=key, respondents=respondents, value=value, shown=True, reason="")


def suppress_breakdown(
    cells: Mapping[str, tuple[int, float | None]],
    k: int = DEFAULT_K,
    total_shown: bool = True,
) -> list[Cell]:
    """Apply the small-cell rule to one breakdown (e.g. a measure by community).

    `cells` maps each key to (respondents, value). Primary suppression hides every non-empty
    cell with fewer than k respondents. Complementary suppression: when the total is shown,
    a single hidden cell could be recovered as total minus the shown cells, so the next
    smallest shown non-empty cell (ties broken by key, for the same answer every time) is
    hidden too. Two or more hidden cells already protect each other.

    If a hidden cell is the only non-empty cell there is nothing left to hide beside it; then
    the total equals that cell and is itself below k, so the caller hides the total by
    applying the same rule to it. Cells come back in the order given.
    """
    _check_k(k)
    result = {
        key: _primary(key, respondents, value, k) for key, (respondents, value) in cells.items()
    }

    def hidden_count() -> int:
        return sum(1 for cell in result.values() if not cell.shown)

    if total_shown and hidden_count() > 0:
        while hidden_count() == 1:
            candidates = sorted(
                (cell for cell in result.values() if cell.shown and not cell.empty),
                key=lambda cell: (cell.respondents or 0, cell.key),
            )
            if not candidates:
                break
            smallest = candidates[0]
            result[smallest.key] = Cell(
                key=smallest.key,
                respondents=None,
                value=None,
                shown=False,
                reason=HIDDEN_TO_PROTECT,
            )
    return list(result.values())


def suppress_series(
    waves: Sequence[tuple[str, int, float | None]],
    k: int = DEFAULT_K,
) -> list[Cell]:
    """A series over time (label, respondents, value): each wave shows only if it alone
    reaches k.

    There is no complementary step across waves: waves are separate groups of answers with
    no shown total to subtract from.
    """
    _check_k(k)
    return [_primary(label, respondents, value, k) for label, respondents, value in waves]


def flagged_count_label(count: int, k: int = DEFAULT_K) -> str:
    """How many people are flagged, without pointing at one or two of them."""
    _check_k(k)
    if count < 0:
        raise ValueError(f"count cannot be negative ({count})")
    if count == 0:
        return "none"
    if count < k:
        return f"fewer than {k}"
    return str(count)
