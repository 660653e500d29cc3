"""Mentee–mentor pairing for a mentoring round: fit scores, then a maximum-fit or a stable matching.

Pure Python over dataclasses; no Django. The "fit" policy is a min-cost flow (OR-Tools), proven
optimal; the "stable" policy is mentee-proposing deferred acceptance, many-to-one as in the
residency match. Pairs live in flat numpy arrays so 500,000 candidate pairs stay cheap.
"""

from __future__ import annotations

import heapq
import math
import re
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Literal

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from .engine import ordinal

POLICIES = ("fit", "stable")
SIMILAR_STATEMENTS = 0.1  # cosine below this is noise, not worth a reason
_INT64_SAFE = 2**62

Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Person:
    """One participant of a mentoring round, either side."""

    id: str
    name: str
    capacity: int = 1  # how many mentees a mentor takes; 1 for mentees
    department: str = ""
    division: str = ""
    rank: int = 0  # 0 learner, 1 resident/fellow, 2 instructor, 3 assistant, 4 associate, 5 full
    tags: frozenset[str] = frozenset()  # interests
    statement: str = ""  # "what I hope to get from mentoring"
    preferences: tuple[str, ...] = ()  # ids on the other side, best first


@dataclass(frozen=True)
class Rules:
    outside_division: bool = False  # hard: divisions must differ (when both are known)
    senior_mentor: bool = False  # hard: mentor rank above mentee rank
    tag_weight: int = 50  # points of the 0–100 fit from tag overlap (Jaccard)
    text_weight: int = 30  # points from statement similarity (TF-IDF cosine)
    preference_weight: int = 20  # points from ranked preferences of both sides
    candidates: int = 50  # keep only the best N mentors per mentee; 0 keeps all


@dataclass(frozen=True)
class Fit:
    score: int  # 0–100
    reasons: tuple[str, ...]  # plain sentences, biggest contribution first


@dataclass(frozen=True)
class PairingProblem:
    mentees: tuple[str, ...]
    capacities: Mapping[str, int]  # mentor id -> load cap
    scores: Mapping[tuple[str, str], int]  # (mentee, mentor) -> fit >= 0; absent = not allowed
    # Explicit ranks come first; the other acceptable partners follow by score desc, then id.
    mentee_preferences: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    mentor_preferences: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    fixed: Mapping[str, str] = field(default_factory=dict)  # mentee -> mentor, kept (re-match)
    time_limit: float = 10.0  # both algorithms are exact and polynomial; kept for parity


@dataclass(frozen=True)
class PairingResult:
    policy: str  # "fit" | "stable"
    status: str  # "optimal" | "feasible"
    pairs: Mapping[str, str]  # mentee -> mentor, fixed pairs included
    objective: int  # sum of fit scores of the pairs
    bound: int  # proven upper bound of the maximum total fit
    blocking_pairs: int
    unmatched: tuple[str, ...]  # mentees left without a mentor
    seconds: float


# --- fit scores -------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+")
_STOP_WORDS = frozenset(  # common English words carry no similarity
    _WORD.findall(
        """a about all also am an and any are as at be been being but by can could do does for
    from get got had has have having he her here him his how i if in into is it its just like
    me more most my of on or our out over she so some such than that the their them then there
    these they this those through to too up us very want was we were what when where which while
    who will with would you your"""
    )
)


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if len(w) > 1 and w not in _STOP_WORDS]


def _tfidf(statements: Sequence[str]) -> list[dict[str, float]]:
    """Unit-length TF-IDF vectors (sublinear tf, smoothed idf) over all statements of the round."""
    counts = [Counter(_words(s)) for s in statements]
    docs = sum(1 for c in counts if c)
    df: Counter[str] = Counter()
    for c in counts:
        df.update(c.keys())
    vectors = []
    for c in counts:
        raw = {
            w: (1 + math.log(k)) * (math.log((1 + docs) / (1 + df[w])) + 1) for w, k in c.items()
        }
        norm = math.sqrt(sum(v * v for v in raw.values()))
        vectors.append({w: v / norm for w, v in raw.items()} if norm else {})
    return vectors


def _allowed(mentee: Person, mentor: Person, rules: Rules) -> bool:
    if mentee.id == mentor.id:
        return False
    if rules.outside_division and mentee.division and mentee.division == mentor.division:
        return False
    return not (rules.senior_mentor and mentor.rank <= mentee.rank)


def _check_unique(people: Sequence[Person], side: str) -> None:
    seen: set[str] = set()
    for p in people:
        if p.id in seen:
            raise ValueError(f"{side} id {p.id!r} appears twice")
        seen.add(p.id)


def _rank_maps(people: Sequence[Person], others: Sequence[Person]) -> list[dict[str, int]]:
    """Per person: other-side id -> 0-based rank, first mention wins, unknown ids dropped."""
    known = {p.id for p in others}
    maps = []
    for p in people:
        ranks: dict[str, int] = {}
        for other in p.preferences:
            if other in known and other not in ranks:
                ranks[other] = len(ranks)
        maps.append(ranks)
    return maps


@dataclass
class _Round:
    """What every mentee's scoring needs: the mentors, weights and inverted indexes."""

    mentors: Sequence[Person]
    rules: Rules
    scale: dict[str, float]  # component -> points at full strength
    mentor_ranks: list[dict[str, int]]  # mentor j: mentee id -> 0-based rank
    tag_postings: dict[str, list[int]]  # tag -> mentors j
    word_postings: dict[str, list[tuple[int, float]]]  # word -> (mentor j, tf-idf)
    chosen_by: dict[str, list[tuple[int, int]]]  # mentee id -> (mentor j, rank)
    mentor_index: dict[str, int]


@dataclass
class _Signals:
    """One mentee's overlap with the mentors it shares anything with, keyed by mentor j."""

    mentee: Person
    shared: dict[int, int]  # tags in common
    cosine: dict[int, float]
    mine: dict[int, int]  # the mentee's rank of mentor j
    theirs: dict[int, int]  # mentor j's rank of the mentee
    choices: int  # length of the mentee's usable preference list


def fit_scores(
    mentees: Sequence[Person], mentors: Sequence[Person], rules: Rules
) -> dict[tuple[str, str], Fit]:
    """Fit 0–100 of each allowed (mentee id, mentor id), the best `rules.candidates` per mentee."""
    _check_unique(mentees, "mentee")
    _check_unique(mentors, "mentor")
    if rules.candidates < 0:
        raise ValueError("candidates must be >= 0")

    mentee_ranks = _rank_maps(mentees, mentors)
    mentor_ranks = _rank_maps(mentors, mentees)
    vectors = _tfidf([p.statement for p in (*mentees, *mentors)])
    mentee_vectors, mentor_vectors = vectors[: len(mentees)], vectors[len(mentees) :]

    # A component with no data anywhere would cap every score below 100; drop its weight.
    has_data = {
        "tags": any(p.tags for p in mentees) and any(p.tags for p in mentors),
        "text": any(mentee_vectors) and any(mentor_vectors),
        "preferences": any(mentee_ranks) or any(mentor_ranks),
    }
    weights = {
        "tags": max(rules.tag_weight, 0),
        "text": max(rules.text_weight, 0),
        "preferences": max(rules.preference_weight, 0),
    }
    total = sum(w for k, w in weights.items() if has_data[k])
    scale = {k: 100 * w / total if total and has_data[k] else 0.0 for k, w in weights.items()}

    # Inverted indexes: a mentee only visits the mentors it shares something with.
    tag_postings: dict[str, list[int]] = {}
    for j, mentor in enumerate(mentors):
        for tag in mentor.tags:
            tag_postings.setdefault(tag, []).append(j)
    word_postings: dict[str, list[tuple[int, float]]] = {}
    for j, vector in enumerate(mentor_vectors):
        for word, value in vector.items():
            word_postings.setdefault(word, []).append((j, value))
    chosen_by: dict[str, list[tuple[int, int]]] = {}
    for j, ranks in enumerate(mentor_ranks):
        for mentee_id, r in ranks.items():
            chosen_by.setdefault(mentee_id, []).append((j, r))
    round_ = _Round(
        mentors=mentors,
        rules=rules,
        scale=scale,
        mentor_ranks=mentor_ranks,
        tag_postings=tag_postings,
        word_postings=word_postings,
        chosen_by=chosen_by,
        mentor_index={p.id: j for j, p in enumerate(mentors)},
    )

    fits: dict[tuple[str, str], Fit] = {}
    for i, mentee in enumerate(mentees):
        signals = _signals(round_, mentee, mentee_vectors[i], mentee_ranks[i])
        for j, parts in _best_mentors(round_, signals, offset=i):
            fits[(mentee.id, mentors[j].id)] = Fit(
                score=min(100, math.floor(sum(parts.values()) + 0.5)),
                reasons=_reasons(signals, mentors[j], j, parts),
            )
    return fits


def _signals(
    round_: _Round, mentee: Person, vector: Mapping[str, float], ranks: Mapping[str, int]
) -> _Signals:
    shared: dict[int, int] = {}
    if round_.scale["tags"]:
        for tag in mentee.tags:
            for j in round_.tag_postings.get(tag, ()):
                shared[j] = shared.get(j, 0) + 1
    cosine: dict[int, float] = {}
    if round_.scale["text"]:
        for word, value in vector.items():
            for j, other in round_.word_postings.get(word, ()):
                cosine[j] = cosine.get(j, 0.0) + value * other
    mine: dict[int, int] = {}
    theirs: dict[int, int] = {}
    if round_.scale["preferences"]:
        mine = {round_.mentor_index[m]: r for m, r in ranks.items()}
        theirs = dict(round_.chosen_by.get(mentee.id, ()))
    return _Signals(mentee, shared, cosine, mine, theirs, choices=len(ranks))


def _points(round_: _Round, signals: _Signals, j: int) -> dict[str, float]:
    """Each component's contribution to the 0–100 fit of the mentee with mentor j."""
    scale = round_.scale
    parts = {"tags": 0.0, "text": 0.0, "preferences": 0.0}
    if j in signals.shared:
        common = signals.shared[j]
        union = len(signals.mentee.tags) + len(round_.mentors[j].tags) - common
        parts["tags"] = scale["tags"] * common / union
    if j in signals.cosine:
        parts["text"] = scale["text"] * min(signals.cosine[j], 1.0)
    if j in signals.mine or j in signals.theirs:
        # First choice counts fully, the last of n choices 1/n; unranked counts nothing.
        mine = 1 - signals.mine[j] / signals.choices if j in signals.mine else 0.0
        theirs = 1 - signals.theirs[j] / len(round_.mentor_ranks[j]) if j in signals.theirs else 0.0
        parts["preferences"] = scale["preferences"] * (mine + theirs) / 2
    return parts


def _best_mentors(
    round_: _Round, signals: _Signals, offset: int
) -> list[tuple[int, dict[str, float]]]:
    """The allowed mentors with the highest fit (ties by id), up to `candidates`."""
    mentors, rules = round_.mentors, round_.rules
    mentee = signals.mentee
    near = {*signals.shared, *signals.cosine, *signals.mine, *signals.theirs}
    scored = [
        (sum(parts.values()), mentors[j].id, j, parts)
        for j in near
        if _allowed(mentee, mentors[j], rules)
        for parts in (_points(round_, signals, j),)
    ]
    limit = rules.candidates or len(mentors)
    best = heapq.nsmallest(limit, scored, key=lambda t: (-t[0], t[1]))
    kept = [(j, parts) for _, _, j, parts in best]
    if len(kept) < limit and mentors:
        # Mentors with nothing in common still make acceptable pairs (fit 0). Each mentee starts
        # at a different offset so these fall-backs do not all land on the same few mentors.
        taken = {j for j, _ in kept}
        start = (offset * limit) % len(mentors)
        for step in range(len(mentors)):
            j = (start + step) % len(mentors)
            if j not in taken and _allowed(mentee, mentors[j], rules):
                kept.append((j, _points(round_, signals, j)))
                if len(kept) == limit:
                    break
    return kept


def _reasons(
    signals: _Signals, mentor: Person, j: int, parts: Mapping[str, float]
) -> tuple[str, ...]:
    said: list[tuple[float, str]] = []
    if parts["tags"]:
        common = sorted(signals.mentee.tags & mentor.tags)
        noun = "interest" if len(common) == 1 else "interests"
        said.append((parts["tags"], f"shares {len(common)} {noun}: {', '.join(common)}"))
    cosine = signals.cosine.get(j, 0.0)
    if parts["text"] and cosine >= SIMILAR_STATEMENTS:
        said.append((parts["text"], f"statements are similar ({min(cosine, 1.0):.2f})"))
    if parts["preferences"]:
        if j in signals.mine:
            said.append(
                (parts["preferences"], f"ranked this mentor {ordinal(signals.mine[j] + 1)}")
            )
        if j in signals.theirs:
            rank = ordinal(signals.theirs[j] + 1)
            said.append((parts["preferences"], f"this mentor ranked them {rank}"))
    # Biggest contribution first; the sort is stable, so ties keep the order above.
    return tuple(text for _, text in sorted(said, key=lambda t: -t[0]))


def pairing_problem(
    mentees: Sequence[Person],
    mentors: Sequence[Person],
    fits: Mapping[tuple[str, str], Fit],
    *,
    fixed: Mapping[str, str] | None = None,
    time_limit: float = 10.0,
) -> PairingProblem:
    """The matching input for a round: fit scores, capacities and both sides' ranked choices."""
    return PairingProblem(
        mentees=tuple(p.id for p in mentees),
        capacities={p.id: p.capacity for p in mentors},
        scores={pair: fit.score for pair, fit in fits.items()},
        mentee_preferences={p.id: p.preferences for p in mentees if p.preferences},
        mentor_preferences={p.id: p.preferences for p in mentors if p.preferences},
        fixed=dict(fixed or {}),
        time_limit=time_limit,
    )


# --- matching ---------------------------------------------------------------------------------


@dataclass
class _Pairs:
    """Acceptable pairs as parallel arrays (index k), with both sides' ranks.

    The matchers see only the pairs of mentees that are not fixed (`_open_pairs`): a fixed
    mentee cannot move, so it never proposes nor blocks, and its seat is off its mentor's list.
    """

    mentees: tuple[str, ...]
    mentors: list[str]
    mentee: Ints  # mentee index of pair k
    mentor: Ints  # mentor index of pair k
    score: Ints
    mentee_rank: Ints  # 0 = the mentee's first choice among its acceptable mentors
    mentor_rank: Ints  # 0 = the mentor's first choice among its acceptable mentees
    seats: Ints  # per mentor, capacity left after the fixed pairs
    fixed: npt.NDArray[np.bool_]  # per mentee
    fixed_mentor: Ints  # per mentee, -1 when not fixed
    fixed_score: int  # fit of the fixed pairs (0 for a fixed pair outside `scores`)


def _index(ids: Sequence[str], side: str) -> dict[str, int]:
    index = {x: i for i, x in enumerate(ids)}
    if len(index) != len(ids):
        raise ValueError(f"{side} ids must be unique")
    return index


def _ranks(owner: Ints, keys: tuple[Ints, ...], groups: int) -> Ints:
    """Per pair, its place in its owner's list ordered by `keys` (>= 0, most significant last)."""
    # One packed int64 sorts several times faster than np.lexsort over four columns.
    packed, span = owner, max(groups, 1)
    for key in reversed(keys):
        size = int(key.max()) + 1 if len(key) else 1
        span *= size
        if span >= _INT64_SAFE:
            order = np.lexsort((*keys, owner))
            break
        packed = packed * size + key
    else:
        order = np.argsort(packed)
    counts = np.bincount(owner, minlength=groups)
    starts = np.cumsum(counts) - counts
    rank = np.empty(len(owner), dtype=np.int64)
    rank[order] = np.arange(len(owner), dtype=np.int64) - starts[owner[order]]
    return rank


def _codes(mentee: Ints, mentor: Ints, mentors: int) -> tuple[Ints, Ints, int]:
    """Pairs as sorted single integers, to find listed pairs by binary search."""
    width = max(mentors, 1)
    code = mentee * width + mentor
    order = np.argsort(code)
    return code[order], order, width


def _explicit(
    choices: Mapping[str, tuple[str, ...]],
    owners: Mapping[str, int],
    others: Mapping[str, int],
    owner_is_mentee: bool,
    codes: tuple[Ints, Ints, int] | None,
    pairs: int,
) -> Ints:
    """Per pair, its position in the owner's explicit list; after every listed one when not."""
    longest = max((len(ranked) for ranked in choices.values()), default=0)
    position = np.full(pairs, longest, dtype=np.int64)
    if codes is None:
        return position
    sorted_codes, code_order, width = codes
    wanted: list[int] = []
    places: list[int] = []
    for owner_id, ranked in choices.items():
        owner = owners.get(owner_id)
        if owner is None:
            continue
        for place, other_id in enumerate(ranked):
            other = others.get(other_id)
            if other is not None:
                mentee, mentor = (owner, other) if owner_is_mentee else (other, owner)
                wanted.append(mentee * width + mentor)
                places.append(place)
    if not wanted or not pairs:
        return position
    query = np.asarray(wanted, dtype=np.int64)
    found = np.searchsorted(sorted_codes, query)
    found[found == pairs] = 0
    hit = sorted_codes[found] == query  # only acceptable pairs count
    np.minimum.at(position, code_order[found[hit]], np.asarray(places, dtype=np.int64)[hit])
    return position


def _all_pairs(problem: PairingProblem) -> _Pairs:
    """Every acceptable pair with both sides' ranks."""
    mentees = tuple(problem.mentees)
    mentee_index = _index(mentees, "mentee")
    mentors = list(problem.capacities)
    mentor_index = _index(mentors, "mentor")
    count = len(problem.scores)
    try:  # map() keeps the per-pair work in C
        mentee = np.fromiter(
            map(mentee_index.__getitem__, map(itemgetter(0), problem.scores)), np.int64, count
        )
        mentor = np.fromiter(
            map(mentor_index.__getitem__, map(itemgetter(1), problem.scores)), np.int64, count
        )
    except KeyError as error:
        raise ValueError(f"scores name {error.args[0]!r}, not a mentee or mentor") from None
    score = np.fromiter(problem.scores.values(), np.int64, count)
    if len(score) and score.min() < 0:
        raise ValueError("scores must be >= 0")
    capacity = np.fromiter(problem.capacities.values(), dtype=np.int64, count=len(mentors))
    if len(capacity) and capacity.min() < 0:
        raise ValueError("capacities must be >= 0")

    codes = (
        _codes(mentee, mentor, len(mentors))
        if problem.mentee_preferences or problem.mentor_preferences
        else None
    )
    # Ties by id: the position of each id in sorted order.
    mentor_by_id = np.empty(len(mentors), dtype=np.int64)
    mentor_by_id[np.argsort(np.asarray(mentors, dtype=object), kind="stable")] = np.arange(
        len(mentors)
    )
    mentee_by_id = np.empty(len(mentees), dtype=np.int64)
    mentee_by_id[np.argsort(np.asarray(mentees, dtype=object), kind="stable")] = np.arange(
        len(mentees)
    )
    weaker = (int(score.max()) if count else 0) - score  # score desc as a key >= 0
    explicit = _explicit(problem.mentee_preferences, mentee_index, mentor_index, True, codes, count)
    mentee_rank = _ranks(mentee, (mentor_by_id[mentor], weaker, explicit), len(mentees))
    explicit = _explicit(
        problem.mentor_preferences, mentor_index, mentee_index, False, codes, count
    )
    mentor_rank = _ranks(mentor, (mentee_by_id[mentee], weaker, explicit), len(mentors))

    fixed = np.zeros(len(mentees), dtype=np.bool_)
    fixed_mentor = np.full(len(mentees), -1, dtype=np.int64)
    fixed_score = 0
    for mentee_id, mentor_id in problem.fixed.items():
        if mentee_id not in mentee_index or mentor_id not in mentor_index:
            raise ValueError(f"fixed pair {mentee_id!r} -> {mentor_id!r} names an unknown id")
        fixed[mentee_index[mentee_id]] = True
        fixed_mentor[mentee_index[mentee_id]] = mentor_index[mentor_id]
        fixed_score += problem.scores.get((mentee_id, mentor_id), 0)
    seats = capacity - np.bincount(fixed_mentor[fixed], minlength=len(mentors))
    if len(seats) and seats.min() < 0:
        overfull = mentors[int(np.argmin(seats))]
        raise ValueError(f"fixed pairs exceed the capacity of mentor {overfull!r}")

    return _Pairs(
        mentees=mentees,
        mentors=mentors,
        mentee=mentee,
        mentor=mentor,
        score=score,
        mentee_rank=mentee_rank,
        mentor_rank=mentor_rank,
        seats=seats,
        fixed=fixed,
        fixed_mentor=fixed_mentor,
        fixed_score=fixed_score,
    )


def _open_pairs(problem: PairingProblem) -> _Pairs:
    """The pairs of the mentees that are not fixed; relative ranks are unchanged by the cut."""
    pairs = _all_pairs(problem)
    keep = ~pairs.fixed[pairs.mentee]
    if keep.all():
        return pairs
    return _Pairs(
        mentees=pairs.mentees,
        mentors=pairs.mentors,
        mentee=pairs.mentee[keep],
        mentor=pairs.mentor[keep],
        score=pairs.score[keep],
        mentee_rank=pairs.mentee_rank[keep],
        mentor_rank=pairs.mentor_rank[keep],
        seats=pairs.seats,
        fixed=pairs.fixed,
        fixed_mentor=pairs.fixed_mentor,
        fixed_score=pairs.fixed_score,
    )


def preference_order(
    problem: PairingProblem, side: Literal["mentee", "mentor"] = "mentee"
) -> dict[str, tuple[str, ...]]:
    """Each person's acceptable partners, best first, as both policies read them."""
    pairs = _all_pairs(problem)
    if side == "mentee":
        owners, others, rank = pairs.mentee, pairs.mentor, pairs.mentee_rank
        owner_ids, other_ids = pairs.mentees, tuple(pairs.mentors)
    elif side == "mentor":
        owners, others, rank = pairs.mentor, pairs.mentee, pairs.mentor_rank
        owner_ids, other_ids = tuple(pairs.mentors), pairs.mentees
    else:
        raise ValueError(f"side must be 'mentee' or 'mentor', not {side!r}")
    lists: dict[str, list[str]] = {x: [] for x in owner_ids}
    for k in np.lexsort((rank, owners)).tolist():
        lists[owner_ids[owners[k]]].append(other_ids[others[k]])
    return {x: tuple(v) for x, v in lists.items()}


def _max_fit(pairs: _Pairs) -> Ints:
    """Mentor index per mentee (-1 unmatched) of a maximum-fit matching of the open mentees."""
    mate = np.full(len(pairs.mentees), -1, dtype=np.int64)
    free = int((~pairs.fixed).sum())
    if not len(pairs.score) or not free:
        return mate
    n, p = len(pairs.mentees), len(pairs.mentors)
    source, sink = n + p, n + p + 1
    # Each point of fit outweighs any number of extra matches, so among maximum-fit matchings
    # the flow picks one that places the most mentees.
    weight = min(free, int(pairs.seats.sum())) + 1
    if (int(pairs.score.max()) * weight + 1) * (n + p + 3) >= _INT64_SAFE:
        raise ValueError("scores are too large for an exact min-cost flow")
    open_mentees = np.flatnonzero(~pairs.fixed)
    mentors = np.arange(p, dtype=np.int64)
    tails = np.concatenate(
        [np.full(len(open_mentees), source), pairs.mentee, n + mentors, [source]]
    ).astype(np.int32)
    heads = np.concatenate([open_mentees, n + pairs.mentor, np.full(p, sink), [sink]]).astype(
        np.int32
    )
    capacities = np.concatenate(
        [np.ones(len(open_mentees) + len(pairs.score), dtype=np.int64), pairs.seats, [free]]
    ).astype(np.int64)
    costs = np.concatenate(
        [
            np.zeros(len(open_mentees), dtype=np.int64),
            -(pairs.score * weight + 1),
            np.zeros(p + 1, dtype=np.int64),  # the last arc lets a mentee stay unmatched
        ]
    ).astype(np.int64)

    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    flow.set_nodes_supplies(
        np.array([source, sink], dtype=np.int32), np.array([free, -free], dtype=np.int64)
    )
    status = flow.solve()
    if status != min_cost_flow.SimpleMinCostFlow.OPTIMAL:
        raise RuntimeError(f"min-cost flow ended with status {status}")
    start = len(open_mentees)
    used = np.asarray(flow.flows(arcs[start : start + len(pairs.score)])) > 0
    mate[pairs.mentee[used]] = pairs.mentor[used]
    return mate


def _deferred_acceptance(pairs: _Pairs) -> Ints:
    """Mentor index per mentee (-1 unmatched) of the mentee-optimal stable matching."""
    order = np.lexsort((pairs.mentee_rank, pairs.mentee))
    counts = np.bincount(pairs.mentee, minlength=len(pairs.mentees))
    ends = np.cumsum(counts)
    # Plain lists: the loop below runs once per proposal, up to once per pair.
    proposals = order.tolist()
    mentor_of = pairs.mentor.tolist()
    rank_of = pairs.mentor_rank.tolist()
    seats = pairs.seats.tolist()
    next_proposal = (ends - counts).tolist()
    end = ends.tolist()
    held: list[list[tuple[int, int]]] = [[] for _ in seats]  # max-heap by rank: (-rank, mentee)
    mate = [-1] * len(pairs.mentees)
    free = [m for m in range(len(pairs.mentees) - 1, -1, -1) if not pairs.fixed[m]]
    while free:
        m = free.pop()
        p = next_proposal[m]
        while p < end[m]:
            k = proposals[p]
            p += 1
            r = mentor_of[k]
            heap = held[r]
            if len(heap) < seats[r]:
                heapq.heappush(heap, (-rank_of[k], m))
                mate[m] = r
                break
            if heap and -heap[0][0] > rank_of[k]:
                _, dropped = heapq.heapreplace(heap, (-rank_of[k], m))
                mate[m] = r
                mate[dropped] = -1
                free.append(dropped)
                break
        next_proposal[m] = p
    return np.asarray(mate, dtype=np.int64)


def _blocking(pairs: _Pairs, mate: Ints) -> npt.NDArray[np.bool_]:
    """Per open pair: does it block the matching `mate` (mentor index per mentee, -1 none)?"""
    together = mate[pairs.mentee] == pairs.mentor
    # A mentee matched outside its acceptable list would take any acceptable mentor instead.
    unacceptable = len(pairs.score) + 1
    current = np.full(len(pairs.mentees), unacceptable, dtype=np.int64)
    current[mate < 0] = unacceptable + 1
    current[pairs.mentee[together]] = pairs.mentee_rank[together]
    mentee_wants = pairs.mentee_rank < current[pairs.mentee]

    placed = (mate >= 0) & ~pairs.fixed
    load = np.bincount(mate[placed], minlength=len(pairs.mentors))
    worst = np.full(len(pairs.mentors), -1, dtype=np.int64)
    outside = placed & (current == unacceptable)
    worst[mate[outside]] = unacceptable
    np.maximum.at(worst, pairs.mentor[together], pairs.mentor_rank[together])
    mentor_wants = (load[pairs.mentor] < pairs.seats[pairs.mentor]) | (
        pairs.mentor_rank < worst[pairs.mentor]
    )
    return ~together & mentee_wants & mentor_wants


def _mate(pairs: _Pairs, assignment: Mapping[str, str]) -> Ints:
    mentee_index = {x: i for i, x in enumerate(pairs.mentees)}
    mentor_index = {x: j for j, x in enumerate(pairs.mentors)}
    mate = np.full(len(pairs.mentees), -1, dtype=np.int64)
    for mentee_id, mentor_id in assignment.items():
        if mentee_id not in mentee_index or mentor_id not in mentor_index:
            raise ValueError(f"pair {mentee_id!r} -> {mentor_id!r} names an unknown id")
        mate[mentee_index[mentee_id]] = mentor_index[mentor_id]
    mate[pairs.fixed] = pairs.fixed_mentor[pairs.fixed]  # fixed pairs always hold
    return mate


def blocking_pairs(problem: PairingProblem, pairs: Mapping[str, str]) -> list[tuple[str, str]]:
    """(mentee, mentor) pairs that would both rather be together than keep `pairs`.

    Fixed pairs count as given: a fixed mentee never blocks and a fixed seat is never offered.
    Ordered by mentee (as in `problem.mentees`), then by the mentee's preference.
    """
    open_pairs = _open_pairs(problem)
    mask = _blocking(open_pairs, _mate(open_pairs, pairs))
    ks = np.flatnonzero(mask)
    ks = ks[np.lexsort((open_pairs.mentee_rank[ks], open_pairs.mentee[ks]))]
    return [
        (open_pairs.mentees[open_pairs.mentee[k]], open_pairs.mentors[open_pairs.mentor[k]])
        for k in ks.tolist()
    ]


def match(problem: PairingProblem, policy: str) -> PairingResult:
    """Pair mentees with mentors: "fit" maximises total fit, "stable" leaves no blocking pair."""
    if policy not in POLICIES:
        raise ValueError(f"policy must be one of {', '.join(POLICIES)}, not {policy!r}")
    started = time.perf_counter()
    pairs = _open_pairs(problem)
    best = _max_fit(pairs)
    mate = best if policy == "fit" else _deferred_acceptance(pairs)

    def fit_of(assignment: Ints) -> int:
        together = assignment[pairs.mentee] == pairs.mentor
        return int(pairs.score[together].sum()) + pairs.fixed_score

    mate[pairs.fixed] = pairs.fixed_mentor[pairs.fixed]
    best[pairs.fixed] = pairs.fixed_mentor[pairs.fixed]
    result = {pairs.mentees[m]: pairs.mentors[r] for m, r in enumerate(mate.tolist()) if r >= 0}
    return PairingResult(
        policy=policy,
        status="optimal",  # max-fit is proven by the flow; deferred acceptance is exact
        pairs=result,
        objective=fit_of(mate),
        bound=fit_of(best),
        blocking_pairs=int(_blocking(pairs, mate).sum()),
        unmatched=tuple(m for m in pairs.mentees if m not in result),
        seconds=time.perf_counter() - started,
    )
