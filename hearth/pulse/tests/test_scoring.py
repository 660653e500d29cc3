"""The pulse's arithmetic, checked against examples worked out by hand."""

from __future__ import annotations

import copy
import dataclasses
import enum
import json
import random
import re
import statistics
from pathlib import Path
from typing import Any

import pytest

from hearth.pulse.scoring import (
    COMPETENCY_BANK_PATH,
    DEFAULT_ITEM_BANK_PATH,
    ItemBank,
    cronbach_alpha,
    load_competency_bank,
    load_item_bank,
    scale_reliability,
    score_item,
    theme_scores,
    trend,
)


def small_bank_dict() -> dict[str, Any]:
    """A two-theme bank: "pair" has 2 items, "four" has 4 (one reverse in each)."""
    return {
        "version": 1,
        "name": "Test bank",
        "notice": "Not a validated instrument.",
        "scale": {"min": 1, "max": 5, "labels": ["SD", "D", "N", "A", "SA"]},
        "free_text": "Anything else?",
        "themes": [
            {"key": "pair", "label": "Pair", "pathways": ["unification"], "negative": False},
            {"key": "four", "label": "Four", "pathways": [], "negative": True},
        ],
        "items": [
            {"key": "pair_1", "theme": "pair", "text": "One.", "reverse": False},
            {"key": "pair_2", "theme": "pair", "text": "Two.", "reverse": True},
            {"key": "four_1", "theme": "four", "text": "One.", "reverse": False},
            {"key": "four_2", "theme": "four", "text": "Two.", "reverse": False},
            {"key": "four_3", "theme": "four", "text": "Three.", "reverse": False},
            {"key": "four_4", "theme": "four", "text": "Four.", "reverse": True},
        ],
    }


@pytest.fixture
def bank() -> ItemBank:
    return load_item_bank()


@pytest.fixture
def small_bank() -> ItemBank:
    return ItemBank.from_dict(small_bank_dict())


# --- the shipped item bank ---------------------------------------------------------------


def test_real_fixture_loads_with_notice_and_enough_items_per_theme(bank: ItemBank) -> None:
    assert bank.version == 1
    assert bank.notice == (
        "These items were written for Hearth. They are not a validated instrument."
    )
    assert (bank.scale_min, bank.scale_max) == (1, 5)
    assert len(bank.labels) == 5
    assert bank.free_text == "What made this mentoring meaningful or hard lately?"
    assert [theme.key for theme in bank.themes] == [
        "professional",
        "connected",
        "rejuvenated",
        "contributing",
        "honored",
        "harmed",
    ]
    assert len(bank.items) == 18
    for theme in bank.themes:
        items = bank.items_for(theme.key)
        assert len(items) >= 2
        assert any(item.reverse for item in items), theme.key
    assert bank.theme("harmed").negative is True
    assert bank.theme("harmed").pathways == ()
    assert [theme.key for theme in bank.themes if theme.negative] == ["harmed"]
    assert bank.theme("honored").pathways == ("individuation", "contribution")


def test_real_fixture_is_the_default_path() -> None:
    with open(DEFAULT_ITEM_BANK_PATH, encoding="utf-8") as handle:
        assert ItemBank.from_dict(json.load(handle)) == load_item_bank()


# --- item bank validation: every error names the problem ---------------------------------


def broken(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(small_bank_dict())
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["items"][0].update(theme="nowhere"), "item 'pair_1' has unknown theme"),
        (lambda d: d["items"].pop(1), "theme 'pair' has fewer than 2 items"),
        (lambda d: d["items"][1].update(key="pair_1"), "duplicate item key 'pair_1'"),
        (lambda d: d["themes"][1].update(key="pair"), "duplicate theme key 'pair'"),
        (lambda d: d["scale"].update(min=5), "scale is wrong: min 5 must be below max 5"),
        (lambda d: d["scale"]["labels"].pop(), "scale is wrong: 5 points from 1 to 5 but 4"),
        (lambda d: d["scale"].update(max=True), "scale field 'max' has the wrong type"),
        (lambda d: d.pop("notice"), "item bank is missing 'notice'"),
        (lambda d: d["items"][2].pop("reverse"), "item 'four_1' is missing 'reverse'"),
        (lambda d: d["items"][2].update(text=" "), "item 'four_1' field 'text' is empty"),
        (lambda d: d["themes"][0].update(pathways=["joy"]), "unknown pathway 'joy'"),
        (lambda d: d.update(themes=[], items=[]), "item bank has no themes"),
    ],
)
def test_item_bank_validation_names_the_problem(change: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ItemBank.from_dict(broken(change))


# --- scoring single items and themes -----------------------------------------------------


def test_reverse_items_map_v_to_min_plus_max_minus_v(small_bank: ItemBank) -> None:
    forward, reverse = small_bank.items_for("pair")
    assert [score_item(v, forward, small_bank) for v in range(1, 6)] == [1, 2, 3, 4, 5]
    assert [score_item(v, reverse, small_bank) for v in range(1, 6)] == [5, 4, 3, 2, 1]


@pytest.mark.parametrize("value", [0, 6, -1, True])
def test_answers_outside_the_scale_name_the_item(small_bank: ItemBank, value: int) -> None:
    with pytest.raises(ValueError, match="item 'pair_2' is outside the scale 1-5"):
        score_item(value, small_bank.item("pair_2"), small_bank)


def test_theme_means_on_the_real_bank(bank: ItemBank) -> None:
    answers: dict[str, int | None] = {
        # professional: 4, 5 and reversed 2 -> 4; mean (4 + 5 + 4) / 3 = 13/3
        "professional_1": 4,
        "professional_2": 5,
        "professional_3": 2,
        # connected: 3 and reversed 5 -> 1; two of three answered; mean (3 + 1) / 2 = 2
        "connected_1": 3,
        "connected_3": 5,
        # rejuvenated: one of three answered -> fewer than half -> None
        "rejuvenated_1": 5,
        # honored: one answer, one explicit None -> None
        "honored_1": 4,
        "honored_2": None,
        # harmed: 5, 4 and reversed 1 -> 5; mean 14/3 (high = more harm)
        "harmed_1": 5,
        "harmed_2": 4,
        "harmed_3": 1,
    }
    scores = theme_scores(answers, bank)
    assert scores == {
        "professional": pytest.approx(13 / 3),
        "connected": 2.0,
        "rejuvenated": None,
        "contributing": None,
        "honored": None,
        "harmed": pytest.approx(14 / 3),
    }


def test_half_answered_rule(small_bank: ItemBank) -> None:
    # pair (2 items): one answered is exactly half -> scored; reverse 2 -> 4
    assert theme_scores({"pair_2": 2}, small_bank)["pair"] == 4.0
    # four (4 items): one answered is fewer than half -> None
    assert theme_scores({"four_1": 3}, small_bank)["four"] is None
    # two of four is half -> scored; 3 and reversed 5 -> 1; mean 2
    assert theme_scores({"four_1": 3, "four_4": 5}, small_bank)["four"] == 2.0
    # nothing answered -> None
    assert theme_scores({}, small_bank) == {"pair": None, "four": None}


def test_theme_scores_reject_unknown_items_and_bad_values(small_bank: ItemBank) -> None:
    with pytest.raises(ValueError, match="unknown item 'stray'"):
        theme_scores({"stray": 3}, small_bank)
    with pytest.raises(ValueError, match="item 'four_3'"):
        theme_scores({"four_3": 9}, small_bank)


# --- Cronbach's alpha --------------------------------------------------------------------

# Hand computation for KNOWN_ROWS (k = 3 items, n = 5 respondents, sample variances /(n-1)):
#   item 1: 1,2,3,4,5  mean 3    squared deviations 4+1+0+1+4            = 10   var 10/4  = 2.5
#   item 2: 2,3,3,4,5  mean 3.4  squared deviations 1.96+.16+.16+.36+2.56 = 5.2  var 5.2/4 = 1.3
#   item 3: 3,3,4,5,5  mean 4    squared deviations 1+1+0+1+1            = 4    var 4/4   = 1.0
#   sum of item variances = 2.5 + 1.3 + 1.0 = 4.8
#   totals: 6,8,10,13,15  mean 10.4
#     squared deviations 19.36+5.76+0.16+6.76+21.16 = 53.2   var 53.2/4 = 13.3
#   alpha = 3/2 * (1 - 4.8/13.3) = 1.5 * 8.5/13.3 = 12.75/13.3 = 255/266 ~= 0.958647
KNOWN_ROWS = [[1, 2, 3], [2, 3, 3], [3, 3, 4], [4, 4, 5], [5, 5, 5]]
KNOWN_ALPHA = 255 / 266


def test_alpha_matches_the_hand_computed_value() -> None:
    assert cronbach_alpha(KNOWN_ROWS) == pytest.approx(KNOWN_ALPHA, abs=1e-12)
    assert round(KNOWN_ALPHA, 6) == 0.958647


def test_alpha_on_a_second_hand_example() -> None:
    # k = 2: item 1: 1,2,3 var 1; item 2: 2,1,3 mean 2 var (0+1+1)/2 = 1
    # totals 3,3,6 mean 4 var (1+1+4)/2 = 3; alpha = 2/1 * (1 - 2/3) = 2/3
    assert cronbach_alpha([[1, 2], [2, 1], [3, 3]]) == pytest.approx(2 / 3)


def test_alpha_drops_rows_with_missing_values() -> None:
    rows = [*KNOWN_ROWS, [None, 1, 1], [5, None, 1]]
    assert cronbach_alpha(rows) == pytest.approx(KNOWN_ALPHA)


@pytest.mark.parametrize(
    "rows",
    [
        [],
        [[1], [2], [3]],  # one item
        [[1, 2, 3]],  # one complete row
        [[1, 2, 3], [2, None, 3], [None, 1, 1]],  # one complete row after dropping
        [[3, 3], [3, 3], [3, 3]],  # no spread in the totals
        [[1, 3], [3, 1], [2, 2]],  # totals all 4: spread in items, none in totals
    ],
)
def test_alpha_is_none_when_undefined(rows: list[list[float | None]]) -> None:
    assert cronbach_alpha(rows) is None


def test_alpha_rejects_ragged_rows() -> None:
    with pytest.raises(ValueError, match="same number of items"):
        cronbach_alpha([[1, 2], [2, 3, 4]])


# --- reliability per theme ---------------------------------------------------------------


def professional_answers(scored: list[int]) -> dict[str, int | None]:
    # professional_3 is reversed on a 1-5 scale, so the raw answer is 6 - scored.
    return {
        "professional_1": scored[0],
        "professional_2": scored[1],
        "professional_3": 6 - scored[2],
    }


def test_reliability_is_none_below_the_minimum(bank: ItemBank) -> None:
    responses = [professional_answers(row) for row in KNOWN_ROWS * 6][:29]
    assert scale_reliability(responses, bank) == {theme.key: None for theme in bank.themes}


def test_reliability_uses_scored_items_per_theme(bank: ItemBank) -> None:
    # Six copies of the hand example (30 responses): item and total sums of squares both grow
    # sixfold over the same n - 1, so their ratio, and alpha, is unchanged at 255/266.
    responses = [professional_answers(row) for row in KNOWN_ROWS * 6]
    assert len(responses) == 30
    reliability = scale_reliability(responses, bank)
    assert reliability["professional"] == pytest.approx(KNOWN_ALPHA)
    # Nobody answered the other themes: no complete rows, no alpha.
    assert all(reliability[key] is None for key in reliability if key != "professional")


def test_reliability_minimum_can_be_lowered(bank: ItemBank) -> None:
    responses = [professional_answers(row) for row in KNOWN_ROWS]
    reliability = scale_reliability(responses, bank, minimum_responses=5)
    assert reliability["professional"] == pytest.approx(KNOWN_ALPHA)


# --- trend -------------------------------------------------------------------------------


def test_trend_slope_sign() -> None:
    assert trend([("w1", 1.0), ("w2", 2.0), ("w3", 3.0)]) == pytest.approx(1.0)
    falling = trend([("w1", 4.5), ("w2", 4.0), ("w3", 3.0), ("w4", 3.2)])
    assert falling is not None and falling < 0
    assert trend([("w1", 3.0), ("w2", 3.0), ("w3", 3.0)]) == 0.0


def test_trend_keeps_gaps_in_time() -> None:
    # x = 0, 2, 3 (the missing wave keeps its place); y = 1, 3, 4
    # means 5/3 and 8/3; Sxy = (25 + 1 + 16)/9, Sxx = (25 + 1 + 16)/9 -> slope 1
    # (closing the gap, x = 0, 1, 2, would give 1.5)
    series = [("a", 1.0), ("b", None), ("c", 3.0), ("d", 4.0)]
    assert trend(series) == pytest.approx(1.0)


def test_trend_needs_three_values() -> None:
    assert trend([]) is None
    assert trend([("a", 1.0), ("b", 2.0)]) is None
    assert trend([("a", 1.0), ("b", None), ("c", 2.0)]) is None


def test_alpha_of_whole_answers_is_exactly_the_textbook_computation() -> None:
    import random
    import statistics

    generator = random.Random(7)
    rows = [[generator.randint(1, 5) for _ in range(4)] for _ in range(300)]
    items = [statistics.variance([row[i] for row in rows]) for i in range(4)]
    totals = statistics.variance([sum(row) for row in rows])
    assert cronbach_alpha(rows) == 4 / 3 * (1 - sum(items) / totals)


# --- the compiled scorer: the same results as the rules written out -----------------------


def textbook_theme_scores(
    answers: dict[str, int | None], bank: ItemBank
) -> dict[str, float | None]:
    """The half-answered rule item by item, as `theme_scores` was first written."""
    scores: dict[str, float | None] = {}
    for theme in bank.themes:
        items = bank.items_for(theme.key)
        scored = [
            score_item(value, item, bank)
            for item in items
            if (value := answers.get(item.key)) is not None
        ]
        enough = scored and len(scored) * 2 >= len(items)
        scores[theme.key] = statistics.fmean(scored) if enough else None
    return scores


def textbook_reliability(
    responses: list[dict[str, int | None]], bank: ItemBank
) -> dict[str, float | None]:
    """Each theme's alpha over rows scored item by item, as `scale_reliability` was first
    written."""
    return {
        theme.key: cronbach_alpha(
            [
                [
                    None
                    if (value := response.get(item.key)) is None
                    else score_item(value, item, bank)
                    for item in bank.items_for(theme.key)
                ]
                for response in responses
            ]
        )
        for theme in bank.themes
    }


def random_responses(bank: ItemBank, count: int, seed: int) -> list[dict[str, int | None]]:
    """Answers on the scale, with some items left out and some answered None."""
    generator = random.Random(seed)
    responses: list[dict[str, int | None]] = []
    for _ in range(count):
        response: dict[str, int | None] = {}
        for item in bank.items:
            roll = generator.random()
            if roll < 0.08:
                continue
            response[item.key] = (
                None if roll < 0.12 else generator.randint(bank.scale_min, bank.scale_max)
            )
        responses.append(response)
    return responses


@pytest.mark.parametrize("bank_path", [DEFAULT_ITEM_BANK_PATH, COMPETENCY_BANK_PATH])
def test_theme_scores_equal_the_textbook_rule_to_the_bit(bank_path: Any) -> None:
    bank = load_item_bank(bank_path)
    responses = random_responses(bank, 600, seed=11)
    responses.append({item.key: bank.scale_max for item in bank.items})  # all answered
    responses.append({})
    for answers in responses:
        assert theme_scores(answers, bank) == textbook_theme_scores(answers, bank)
        for theme in bank.themes:
            expected = textbook_theme_scores(answers, bank)[theme.key]
            assert bank.scorer.theme_score(answers, theme.key) == expected
    assert bank.scorer.theme_score({}, "nowhere") is None


@pytest.mark.parametrize("bank_path", [DEFAULT_ITEM_BANK_PATH, COMPETENCY_BANK_PATH])
def test_reliability_equals_the_textbook_alpha_to_the_bit(bank_path: Any) -> None:
    bank = load_item_bank(bank_path)
    # Some missing answers, so listwise deletion drops different rows in each theme.
    responses = random_responses(bank, 400, seed=5)
    reliability = scale_reliability(responses, bank)
    assert reliability == textbook_reliability(responses, bank)
    assert all(alpha is not None for alpha in reliability.values())
    scored = [bank.scorer.score(answers) for answers in responses]
    assert bank.scorer.reliability(scored) == reliability
    assert bank.scorer.reliability(scored[:29]) == dict.fromkeys(reliability)


def test_theme_means_come_from_the_scored_items(small_bank: ItemBank) -> None:
    scorer = small_bank.scorer
    # Theme by theme in bank order; pair_2 and four_4 are reversed.
    scored = scorer.score({"pair_1": 2, "pair_2": 1, "four_1": 3, "four_4": 5})
    assert scored == (2, 5, 3, None, None, 1)
    assert scorer.means(scored) == {"pair": 3.5, "four": 2.0}


@pytest.mark.parametrize("value", [True, False, 0, 6, 3.0, "3"])
def test_the_scorer_refuses_what_score_item_refuses(small_bank: ItemBank, value: Any) -> None:
    message = f"answer {value!r} to item 'pair_2' is outside the scale 1-5"
    answers = {"pair_1": 3, "pair_2": value, "four_1": 3}
    with pytest.raises(ValueError, match=re.escape(message)):
        theme_scores(answers, small_bank)
    with pytest.raises(ValueError, match=re.escape(message)):
        small_bank.scorer.theme_score(answers, "pair")
    with pytest.raises(ValueError, match=re.escape(message)):
        scale_reliability([answers], small_bank, minimum_responses=1)


def test_the_first_wrong_answer_in_bank_order_is_named(small_bank: ItemBank) -> None:
    with pytest.raises(ValueError, match="item 'pair_2'"):
        theme_scores({"four_1": 9, "pair_2": 9, "pair_1": 3}, small_bank)


def test_unknown_items_raise_for_theme_scores_but_not_for_reliability(
    small_bank: ItemBank,
) -> None:
    answers: dict[str, int | None] = {"pair_1": 3, "pair_2": 2, "stray": 3}
    with pytest.raises(ValueError, match="answer to unknown item 'stray'"):
        theme_scores(answers, small_bank)
    with pytest.raises(ValueError, match="answer to unknown item 'stray'"):
        small_bank.scorer.theme_score(answers, "pair")
    rows: list[dict[str, int | None]] = [
        answers,
        {"pair_1": 1, "pair_2": 4},
        {"pair_1": 5, "pair_2": 2},
    ]
    assert scale_reliability(rows, small_bank, minimum_responses=1) == textbook_reliability(
        rows, small_bank
    )


def test_whole_numbers_of_another_int_type_still_score(small_bank: ItemBank) -> None:
    class Answer(enum.IntEnum):
        AGREE = 4

    # pair_2 is reversed: 4 scores 2.
    assert theme_scores({"pair_1": Answer.AGREE, "pair_2": Answer.AGREE}, small_bank) == {
        "pair": 3.0,
        "four": None,
    }


# --- the shipped banks are read once ------------------------------------------------------


def test_shipped_banks_are_read_once_and_cannot_be_changed() -> None:
    assert load_item_bank() is load_item_bank(DEFAULT_ITEM_BANK_PATH)
    assert load_competency_bank() is load_competency_bank()
    with pytest.raises(dataclasses.FrozenInstanceError):
        load_item_bank().scale_max = 7  # type: ignore[misc]


def test_other_bank_files_are_read_on_every_call(tmp_path: Path) -> None:
    path = tmp_path / "bank.json"
    path.write_text(json.dumps(small_bank_dict()), encoding="utf-8")
    assert load_item_bank(path).name == "Test bank"
    path.write_text(json.dumps({**small_bank_dict(), "name": "Renamed"}), encoding="utf-8")
    assert load_item_bank(path).name == "Renamed"
