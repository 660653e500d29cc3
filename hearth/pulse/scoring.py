"""Scoring for the mentor pulse: item bank, theme scores, reliability and trend.

Pure Python on purpose (no Django) so the rules can be tested, reused in exports and
read by someone checking the arithmetic without knowing the rest of Hearth.
"""

from __future__ import annotations

import json
import operator
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any, TypeAlias, cast

# Rosso and colleagues' pathways to meaningful work; a theme may name none (e.g. "harmed").
PATHWAYS = frozenset({"individuation", "contribution", "self-connection", "unification"})

# Each theme needs at least this many items: one statement is a question, not a scale.
MINIMUM_ITEMS_PER_THEME = 2

DEFAULT_ITEM_BANK_PATH = Path(__file__).parent / "fixtures" / "pulse_items_v1.json"
# Learners rate their mentoring on six competency domains; each item also has the mentor's
# self-rating wording, which the mentor-development pillar asks.
COMPETENCY_BANK_PATH = Path(__file__).parent / "fixtures" / "mentoring_competencies_v1.json"

# One response's scored answers, theme by theme and item by item in bank order: each a whole
# number on its theme's direction, or None when unanswered.
ScoredItems: TypeAlias = tuple[int | None, ...]


@dataclass(frozen=True)
class Item:
    key: str
    theme: str
    text: str
    # A reverse item is worded against its theme, so agreement counts as a low score.
    reverse: bool
    # The same statement as the mentor rates themself (competency bank only).
    self_text: str = ""


@dataclass(frozen=True)
class Theme:
    key: str
    label: str
    pathways: tuple[str, ...]
    # A negative theme ("I am harmed") is one where a high score is bad news.
    negative: bool


@dataclass(frozen=True)
class ItemBank:
    version: int
    name: str
    notice: str
    scale_min: int
    scale_max: int
    labels: tuple[str, ...]
    free_text: str
    themes: tuple[Theme, ...]
    items: tuple[Item, ...]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ItemBank:
        """Build and validate a bank; a ValueError names the first problem found."""
        if not isinstance(data, Mapping):
            raise ValueError("item bank must be a JSON object")
        version = _required(data, "version", int, "item bank")
        name = _required_text(data, "name", "item bank")
        notice = _required_text(data, "notice", "item bank")
        # A bank without a free-text question asks none (mentee feedback: words identify).
        free_text = _required_text(data, "free_text", "item bank") if "free_text" in data else ""

        scale = _required(data, "scale", Mapping, "item bank")
        scale_min = _required(scale, "min", int, "scale")
        scale_max = _required(scale, "max", int, "scale")
        if scale_min >= scale_max:
            raise ValueError(f"scale is wrong: min {scale_min} must be below max {scale_max}")
        labels = tuple(_required(scale, "labels", list, "scale"))
        points = scale_max - scale_min + 1
        if len(labels) != points:
            raise ValueError(
                f"scale is wrong: {points} points from {scale_min} to {scale_max} "
                f"but {len(labels)} labels"
            )
        if not all(isinstance(label, str) and label.strip() for label in labels):
            raise ValueError("scale is wrong: every label must be non-empty text")

        themes = tuple(
            _theme_from_dict(raw) for raw in _required(data, "themes", list, "item bank")
        )
        if not themes:
            raise ValueError("item bank has no themes")
        _reject_duplicates("theme", [theme.key for theme in themes])

        items = tuple(_item_from_dict(raw) for raw in _required(data, "items", list, "item bank"))
        _reject_duplicates("item", [item.key for item in items])
        theme_keys = {theme.key for theme in themes}
        for item in items:
            if item.theme not in theme_keys:
                raise ValueError(f"item {item.key!r} has unknown theme {item.theme!r}")
        for theme in themes:
            count = sum(1 for item in items if item.theme == theme.key)
            if count < MINIMUM_ITEMS_PER_THEME:
                raise ValueError(
                    f"theme {theme.key!r} has fewer than {MINIMUM_ITEMS_PER_THEME} items ({count})"
                )

        return cls(
            version=version,
            name=name,
            notice=notice,
            scale_min=scale_min,
            scale_max=scale_max,
            labels=labels,
            free_text=free_text,
            themes=themes,
            items=items,
        )

    def theme(self, key: str) -> Theme:
        for theme in self.themes:
            if theme.key == key:
                return theme
        raise KeyError(key)

    def item(self, key: str) -> Item:
        for item in self.items:
            if item.key == key:
                return item
        raise KeyError(key)

    def items_for(self, theme_key: str) -> tuple[Item, ...]:
        """The theme's items in bank order, so columns line up across respondents."""
        return self._items_by_theme.get(theme_key, ())

    # Worked out once per bank: every response is scored against them.
    @cached_property
    def _items_by_theme(self) -> dict[str, tuple[Item, ...]]:
        return {
            theme.key: tuple(item for item in self.items if item.theme == theme.key)
            for theme in self.themes
        }

    @cached_property
    def _item_keys(self) -> frozenset[str]:
        return frozenset(item.key for item in self.items)

    @cached_property
    def scorer(self) -> Scorer:
        """The bank compiled for scoring many responses."""
        return Scorer(self)


def _required(data: Mapping[str, Any], field: str, kind: Any, where: str) -> Any:
    if field not in data:
        raise ValueError(f"{where} is missing {field!r}")
    value = data[field]
    # bool is a subclass of int; true/false in the JSON is a typo, not a number.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"{where} field {field!r} has the wrong type")
    return value


def _required_text(data: Mapping[str, Any], field: str, where: str) -> str:
    value: str = _required(data, field, str, where)
    if not value.strip():
        raise ValueError(f"{where} field {field!r} is empty")
    return value


def _reject_duplicates(kind: str, keys: Sequence[str]) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise ValueError(f"duplicate {kind} key {key!r}")
        seen.add(key)


def _theme_from_dict(raw: Any) -> Theme:
    if not isinstance(raw, Mapping):
        raise ValueError("each theme must be a JSON object")
    key = _required_text(raw, "key", "theme")
    where = f"theme {key!r}"
    pathways = tuple(_required(raw, "pathways", list, where))
    for pathway in pathways:
        if pathway not in PATHWAYS:
            raise ValueError(f"{where} has unknown pathway {pathway!r}")
    return Theme(
        key=key,
        label=_required_text(raw, "label", where),
        pathways=pathways,
        negative=_required(raw, "negative", bool, where),
    )


def _item_from_dict(raw: Any) -> Item:
    if not isinstance(raw, Mapping):
        raise ValueError("each item must be a JSON object")
    key = _required_text(raw, "key", "item")
    where = f"item {key!r}"
    return Item(
        key=key,
        theme=_required_text(raw, "theme", where),
        text=_required_text(raw, "text", where),
        reverse=_required(raw, "reverse", bool, where),
        self_text=_required_text(raw, "self_text", where) if "self_text" in raw else "",
    )


def load_item_bank(path: str | Path = DEFAULT_ITEM_BANK_PATH) -> ItemBank:
    """Read and validate an item bank JSON file (the shipped v1 bank by default).

    The shipped banks are read once per process and shared: their files do not change while
    it runs, and an ItemBank is immutable. Any other file is read on every call.
    """
    if Path(path) in _SHIPPED_BANKS:
        return _shipped_bank(Path(path))
    return _read_item_bank(path)


_SHIPPED_BANKS = frozenset({DEFAULT_ITEM_BANK_PATH, COMPETENCY_BANK_PATH})


@cache
def _shipped_bank(path: Path) -> ItemBank:
    return _read_item_bank(path)


def _read_item_bank(path: str | Path) -> ItemBank:
    with open(path, encoding="utf-8") as handle:
        return ItemBank.from_dict(json.load(handle))


def load_competency_bank() -> ItemBank:
    """The mentoring-competency items: mentee wording as `text`, mentor's as `self_text`."""
    return load_item_bank(COMPETENCY_BANK_PATH)


def score_item(value: int, item: Item, bank: ItemBank) -> float:
    """The answer on the theme's direction: reverse items map v to min + max - v."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not bank.scale_min <= value <= bank.scale_max
    ):
        raise ValueError(
            f"answer {value!r} to item {item.key!r} is outside the scale "
            f"{bank.scale_min}-{bank.scale_max}"
        )
    if item.reverse:
        return float(bank.scale_min + bank.scale_max - value)
    return float(value)


def theme_scores(answers: Mapping[str, int | None], bank: ItemBank) -> dict[str, float | None]:
    """Mean scored answer per theme for one response.

    The half-answered rule: a theme scores only when at least half its items were answered
    (answered * 2 >= items). Fewer than half gives None, because one answer out of three is
    too thin to stand for the theme. Unanswered items (missing or None) are left out of the
    mean rather than counted as a neutral answer. An answer to an item the bank does not have
    raises ValueError: it means the response and the bank have drifted apart.
    """
    scorer = bank.scorer
    return scorer.means(scorer.score(answers))


class Scorer:
    """An item bank compiled once for scoring many responses, one pass each.

    A response is scored into whole numbers (`ScoredItems`); theme means and reliability are
    both drawn from those, so a response is scored once however many figures use it. The
    rules are `theme_scores`' and `scale_reliability`'s, with the same results to the bit.
    """

    def __init__(self, bank: ItemBank) -> None:
        self.bank = bank
        self.themes = tuple(theme.key for theme in bank.themes)
        self._themes: dict[str, _CompiledItems] = {}
        start = 0
        for key in self.themes:
            items = bank.items_for(key)
            self._themes[key] = _compile(items, start, bank)
            start += len(items)
        self._all = _compile(
            tuple(item for key in self.themes for item in bank.items_for(key)), 0, bank
        )
        self._spans = tuple(
            (key, theme.span, len(theme.keys)) for key, theme in self._themes.items()
        )

    def score(
        self, answers: Mapping[str, int | None], *, ignore_unknown: bool = False
    ) -> ScoredItems:
        """Every item's scored answer. An answer off the scale raises ValueError, and so does
        an answer to an item the bank does not have (as in `theme_scores`) unless ignored (as
        `scale_reliability` ignores it)."""
        if not ignore_unknown:
            self._reject_unknown(answers)
        return self._all.score(answers, self.bank)

    def theme_score(self, answers: Mapping[str, int | None], key: str) -> float | None:
        """`theme_scores(answers, bank).get(key)`, scoring that theme's items only."""
        self._reject_unknown(answers)
        theme = self._themes.get(key)
        if theme is None:
            return None
        return _theme_mean(theme.score(answers, self.bank))

    def means(self, scored: ScoredItems) -> dict[str, float | None]:
        """Each theme's mean under the half-answered rule (see `theme_scores`)."""
        if None not in scored:
            # Everything answered, as a submitted check-in is: no rule to apply.
            whole = cast("tuple[int, ...]", scored)
            return {key: sum(whole[span]) / size for key, span, size in self._spans}
        return {key: _theme_mean(scored[theme.span]) for key, theme in self._themes.items()}

    def reliability(
        self, responses: Sequence[ScoredItems], minimum_responses: int = 30
    ) -> dict[str, float | None]:
        """Cronbach's alpha of each theme over scored responses (see `scale_reliability`)."""
        if len(responses) < minimum_responses:
            return dict.fromkeys(self.themes)
        reliability: dict[str, float | None] = {}
        for key, theme in self._themes.items():
            # Listwise deletion, as `cronbach_alpha` does it.
            span = theme.span
            complete = [row for scored in responses if None not in (row := scored[span])]
            reliability[key] = _whole_alpha(cast("list[tuple[int, ...]]", complete))
        return reliability

    def _reject_unknown(self, answers: Mapping[str, int | None]) -> None:
        known = self.bank._item_keys
        if not known.issuperset(answers):
            unknown = next(key for key in answers if key not in known)
            raise ValueError(f"answer to unknown item {unknown!r}")


_WHOLE_OR_NONE = frozenset({int, type(None)})


@dataclass(frozen=True)
class _CompiledItems:
    """Some items of a bank, in order, with what each answer scores."""

    keys: tuple[str, ...]
    tables: tuple[dict[int | None, int | None], ...]
    items: tuple[Item, ...]
    span: slice  # where they sit in `ScoredItems`

    def score(self, answers: Mapping[str, int | None], bank: ItemBank) -> ScoredItems:
        raw = list(map(answers.get, self.keys))
        # Whole numbers on the scale are looked up; the type check comes first because True
        # and 3.0 would find 1 and 3 in a table.
        if _WHOLE_OR_NONE.issuperset(map(type, raw)):
            try:
                return tuple(map(operator.getitem, self.tables, raw))
            except KeyError:
                pass
        # Something unusual (an int subclass, or an answer to refuse): `score_item` decides,
        # and names the first wrong answer in bank order.
        return tuple(
            None if value is None else int(score_item(value, item, bank))
            for value, item in zip(raw, self.items, strict=True)
        )


def _compile(items: tuple[Item, ...], start: int, bank: ItemBank) -> _CompiledItems:
    low, high = bank.scale_min, bank.scale_max
    # Answer -> scored answer, for a forward and a reverse item; None stays None.
    forward: dict[int | None, int | None] = {None: None}
    backward: dict[int | None, int | None] = {None: None}
    for value in range(low, high + 1):
        forward[value] = value
        backward[value] = low + high - value
    return _CompiledItems(
        keys=tuple(item.key for item in items),
        tables=tuple(backward if item.reverse else forward for item in items),
        items=items,
        span=slice(start, start + len(items)),
    )


def _theme_mean(values: Sequence[int | None]) -> float | None:
    """The half-answered rule over one theme's scored answers. Whole numbers sum exactly, so
    the one division gives the float `statistics.fmean` gives."""
    answered = [value for value in values if value is not None]
    if not answered or len(answered) * 2 < len(values):
        return None
    return sum(answered) / len(answered)


def cronbach_alpha(rows: Sequence[Sequence[float | None]]) -> float | None:
    """Cronbach's alpha: k/(k-1) * (1 - sum of item variances / variance of totals).

    Rows are respondents and columns the items of one scale. Sample variances (n - 1) are
    used throughout. Rows with any missing value are dropped (listwise deletion) so every
    variance is over the same people. None when there are fewer than 2 items, fewer than 2
    complete rows, or no spread in the totals, where alpha is undefined.
    """
    complete: list[list[float]] = []
    for row in rows:
        present = [float(value) for value in row if value is not None]
        if len(present) == len(row):
            complete.append(present)
    if len(complete) < 2:
        return None
    item_count = len(complete[0])
    if any(len(row) != item_count for row in complete):
        raise ValueError("every row must have the same number of items")
    if item_count < 2:
        return None
    total_variance = _variance([sum(row) for row in complete])
    if total_variance == 0:
        return None
    item_variance = sum(
        _variance([row[column] for row in complete]) for column in range(item_count)
    )
    return item_count / (item_count - 1) * (1 - item_variance / total_variance)


def _variance(values: Sequence[float]) -> float:
    """Sample variance (n - 1), as `statistics.variance` gives it, faster: answers are whole
    numbers, whose sums are exact, so one division rounds once (it works in fractions)."""
    if all(float(value).is_integer() for value in values):
        return _whole_variance([int(value) for value in values])
    return statistics.variance(values)


def _whole_variance(values: Sequence[int]) -> float:
    count = len(values)
    total = sum(values)
    squares = sum(map(operator.mul, values, values))
    return (count * squares - total * total) / (count * (count - 1))


def _whole_alpha(complete: Sequence[Sequence[int]]) -> float | None:
    """`cronbach_alpha` of complete rows of whole numbers, without its checks and conversions:
    the same arithmetic in the same order, so the same float."""
    if len(complete) < 2:
        return None
    item_count = len(complete[0])
    if item_count < 2:
        return None
    total_variance = _whole_variance([sum(row) for row in complete])
    if total_variance == 0:
        return None
    item_variance = sum(_whole_variance(column) for column in zip(*complete, strict=True))
    return item_count / (item_count - 1) * (1 - item_variance / total_variance)


def scale_reliability(
    responses: Sequence[Mapping[str, int | None]],
    bank: ItemBank,
    minimum_responses: int = 30,
) -> dict[str, float | None]:
    """Cronbach's alpha of each theme over scored items.

    Every theme is None below `minimum_responses`: alpha from a handful of people swings
    too much to report, and the pulse is anonymous enough that few responses are also few
    people.
    """
    if len(responses) < minimum_responses:
        return {theme.key: None for theme in bank.themes}
    scorer = bank.scorer
    scored = [scorer.score(response, ignore_unknown=True) for response in responses]
    return scorer.reliability(scored, minimum_responses=minimum_responses)


def trend(series: Sequence[tuple[str, float | None]]) -> float | None:
    """Least-squares slope per step of the series, over the points that have values.

    x is each point's position in the whole series, so a wave with no value leaves a gap
    rather than pulling later waves closer. None with fewer than 3 values: two points always
    make a line and say nothing about a trend.
    """
    points = [
        (float(position), value)
        for position, (_label, value) in enumerate(series)
        if value is not None
    ]
    if len(points) < 3:
        return None
    mean_x = statistics.fmean(x for x, _ in points)
    mean_y = statistics.fmean(y for _, y in points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread
