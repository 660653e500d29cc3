"""Reads for competency growth: a trainee's own change, and the cohort's under the small-cell
rule, with what their mentees said before and after the series beside it."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from hearth.lib.suppression import (
    DEFAULT_K,
    HIDDEN_TO_PROTECT,
    MENTEE_FEEDBACK_K,
    Cell,
    suppress_series,
)
from hearth.people.models import Person
from hearth.pulse.models import MenteeFeedback
from hearth.pulse.scoring import ItemBank, Theme, theme_scores

from ..models import (
    Enrolment,
    EnrolmentStatus,
    RatingMoment,
    SelfRating,
    TrainingSeries,
    TrainingSession,
)
from ..services.growth import Window, rating_windows, self_rating_bank
from ..statistics import MINIMUM_PAIRS_FOR_TEST, Pair, PairedChange, paired_change

MOMENTS = [RatingMoment.BEFORE, RatingMoment.END, RatingMoment.LATER]
# What is compared with the rating before the series.
LATER_MOMENTS = [RatingMoment.END, RatingMoment.LATER]


def _held_sessions(series: TrainingSeries) -> list[TrainingSession]:
    return [s for s in series.sessions.order_by("starts_at") if s.cancelled_at is None]


@dataclass
class WindowState:
    window: Window
    rating: SelfRating | None
    open: bool
    ahead: bool


@dataclass
class OwnRow:
    theme: Theme
    scores: list[float | None]  # before, end, later
    changes: list[float | None]  # end - before, later - before


@dataclass
class FeedbackRow:
    theme: Theme
    cells: list[Cell] = field(default_factory=list)  # before the series, after it


@dataclass
class MyGrowth:
    windows: list[WindowState]
    rows: list[OwnRow]
    chart_rows: list[dict[str, object]]
    feedback: list[FeedbackRow]
    feedback_learners: list[int]  # learners behind each shown period (0 when none)
    notice: str

    @property
    def open_windows(self) -> list[WindowState]:
        return [state for state in self.windows if state.open]

    @property
    def rated(self) -> bool:
        return any(state.rating is not None for state in self.windows)


def my_growth(series: TrainingSeries, person: Person, at: dt.datetime | None = None) -> MyGrowth:
    """The trainee's own ratings and change per domain (their own data: nothing is hidden),
    and their mentees' averages before and after the series under the three-learner rule."""
    at = at or timezone.now()
    bank = self_rating_bank()
    sessions = _held_sessions(series)
    ratings = {r.moment: r for r in SelfRating.objects.filter(series=series, person=person)}
    windows = [
        WindowState(
            window=w,
            rating=ratings.get(w.moment),
            open=w.is_open_at(at),
            ahead=w.is_ahead_at(at),
        )
        for w in rating_windows(sessions)
    ]
    scores = {moment: theme_scores(r.answers, bank) for moment, r in ratings.items()}
    rows = []
    chart_rows: list[dict[str, object]] = []
    for theme in bank.themes:
        own = [scores.get(moment, {}).get(theme.key) for moment in MOMENTS]
        before = own[0]
        changes = [None if before is None or later is None else later - before for later in own[1:]]
        rows.append(OwnRow(theme=theme, scores=own, changes=changes))
        chart_rows += [
            {"moment": moment.label, "domain": theme.label, "score": value}
            for moment, value in zip(MOMENTS, own, strict=True)
            if value is not None
        ]
    periods = _MenteeFeedback(sessions, [person.pk], bank, at)
    feedback, learners = periods.own(person.pk)
    return MyGrowth(
        windows=windows,
        rows=rows,
        chart_rows=chart_rows,
        feedback=feedback,
        feedback_learners=learners,
        notice=bank.notice,
    )


@dataclass
class DomainChange:
    theme: Theme
    cell: Cell  # the small-cell rule on the number of pairs
    change: PairedChange | None  # only when the cell is shown and has pairs
    # The means before and after, hidden when the other comparison's pairs differ from these
    # by one to four trainees: subtracting one total from the other would show their ratings.
    means_hidden: bool = False
    pairs: frozenset[int] = frozenset()


@dataclass
class Comparison:
    moment: RatingMoment
    rows: list[DomainChange]
    opens_at: dt.datetime | None  # when the later rating opens; None without sessions

    @property
    def has_pairs(self) -> bool:
        return any(not row.cell.empty for row in self.rows)

    @property
    def label(self) -> str:
        return "By the end" if self.moment == RatingMoment.END else "Six months later"


@dataclass
class CohortGrowth:
    trainees: int
    rated: list[tuple[RatingMoment, int]]  # trainees who gave each rating
    comparisons: list[Comparison]
    chart_rows: list[dict[str, object]]
    feedback: list[FeedbackRow]
    k: int = DEFAULT_K
    minimum_for_test: int = MINIMUM_PAIRS_FOR_TEST
    notice: str = ""
    hidden_reason: str = HIDDEN_TO_PROTECT


def cohort_growth(series: TrainingSeries, at: dt.datetime | None = None) -> CohortGrowth:
    """For directors and facilitators, per domain: the cohort's means before and after, the
    paired change and d_z, each only from five trainees with both ratings, and the Wilcoxon
    test from six; beside them mentee feedback before and after the series, only when five
    trainees each have a term of three learners.

    Every mean is over the trainees with both ratings, never over everyone who rated at one
    moment: a mean over ten beside a mean over nine of them would give away the tenth.
    """
    at = at or timezone.now()
    bank = self_rating_bank()
    sessions = _held_sessions(series)
    trainees = list(
        Enrolment.objects.filter(series=series, status=EnrolmentStatus.ENROLLED).values_list(
            "person_id", flat=True
        )
    )
    scores: dict[str, dict[int, dict[str, float | None]]] = defaultdict(dict)
    for person_id, moment, answers in SelfRating.objects.filter(
        series=series, person_id__in=trainees
    ).values_list("person_id", "moment", "answers"):
        scores[moment][person_id] = theme_scores(answers, bank)

    def values(moment: str, theme: Theme) -> dict[int, float]:
        return {
            person_id: value
            for person_id, by_theme in scores[moment].items()
            if (value := by_theme.get(theme.key)) is not None
        }

    windows = rating_windows(sessions)
    comparisons = []
    for moment in LATER_MOMENTS:
        rows = []
        for theme in bank.themes:
            before, after = values(RatingMoment.BEFORE, theme), values(moment, theme)
            pairs = frozenset(before.keys() & after.keys())
            result = paired_change([Pair(before[p], after[p]) for p in sorted(pairs)])
            cell = suppress_series([(theme.label, result.n, result.mean_change)])[0]
            shown = result if cell.shown and result.n > 0 else None
            rows.append(DomainChange(theme=theme, cell=cell, change=shown, pairs=pairs))
        opens_at = next((w.opens_at for w in windows if w.moment == moment), None)
        comparisons.append(Comparison(moment=moment, rows=rows, opens_at=opens_at))
    for by_end, later in zip(comparisons[0].rows, comparisons[1].rows, strict=True):
        _protect_means(by_end, later)
    chart_rows: list[dict[str, object]] = [
        {"comparison": comparison.label, "domain": row.theme.label, "change": value}
        for comparison in comparisons
        for row in comparison.rows
        if row.change is not None and (value := row.change.mean_change) is not None
    ]
    feedback = _MenteeFeedback(sessions, trainees, bank, at).cohort()
    return CohortGrowth(
        trainees=len(trainees),
        rated=[(moment, len(scores[moment])) for moment in MOMENTS],
        comparisons=comparisons,
        chart_rows=chart_rows,
        feedback=feedback,
        notice=bank.notice,
    )


def _protect_means(one: DomainChange, other: DomainChange) -> None:
    """Both comparisons show a mean before the series. When their pairs differ by fewer than k
    trainees on either side, the two totals would give away those few trainees' ratings, so the
    means of the comparison with fewer pairs are hidden (its change, d_z and test stay: they
    hold no total of a rating that the other comparison also shows)."""
    if one.change is None or other.change is None:
        return
    if all(
        n == 0 or n >= DEFAULT_K
        for n in (len(one.pairs - other.pairs), len(other.pairs - one.pairs))
    ):
        return
    smaller = other if len(other.pairs) <= len(one.pairs) else one
    smaller.means_hidden = True


PERIODS = ["Before the series", "After the series"]


def _mean_of(scored: list[dict[str, float | None]], key: str) -> float | None:
    found = [value for scores in scored if (value := scores[key]) is not None]
    return statistics.fmean(found) if found else None


class _MenteeFeedback:
    """Mentee feedback on the trainees from closed terms: terms that closed before the first
    session, and terms that opened after the last one ended. Every program the trainees mentor
    in counts: a development series often runs in a program of its own, apart from the
    programs where its trainees mentor.

    As in the pulse's own rule (hearth.pulse.selectors.my_mentee_feedback), a term counts for
    a trainee only when three or more of their learners answered in it, and a trainee's
    average for a period is over their counted terms.
    """

    def __init__(
        self,
        sessions: list[TrainingSession],
        trainees: list[int],
        bank: ItemBank,
        at: dt.datetime,
    ) -> None:
        self.bank = bank
        # wave, mentor, mentee, scores; per period
        self.periods: list[list[tuple[int, int, int, dict[str, float | None]]]] = [[], []]
        if not sessions or not trainees:
            return
        today = timezone.localdate(at)
        starts = timezone.localdate(sessions[0].starts_at)
        ended = timezone.localdate(max(s.ends_at for s in sessions))
        found = MenteeFeedback.objects.filter(
            relationship__mentor_id__in=trainees,
            wave__closes_on__lt=today,
        ).values_list(
            "wave_id",
            "wave__opens_on",
            "wave__closes_on",
            "relationship__mentor_id",
            "relationship__mentee_id",
            "answers",
        )
        for wave_id, opens_on, closes_on, mentor_id, mentee_id, answers in found:
            row = (wave_id, mentor_id, mentee_id, theme_scores(answers, bank))
            if closes_on < starts:
                self.periods[0].append(row)
            elif opens_on > ended:
                self.periods[1].append(row)

    def _per_trainee(self, period: int) -> dict[int, tuple[int, int, dict[str, float | None]]]:
        """Each trainee's (largest term, learners in counted terms, mean per domain)."""
        terms: dict[int, dict[int, list[tuple[int, dict[str, float | None]]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for wave_id, mentor_id, mentee_id, scores in self.periods[period]:
            terms[mentor_id][wave_id].append((mentee_id, scores))
        result = {}
        for mentor_id, by_wave in terms.items():
            waves = list(by_wave.values())
            learners = [len({mentee for mentee, _ in answers}) for answers in waves]
            shown = suppress_series(
                [(str(i), n, None) for i, n in enumerate(learners)], k=MENTEE_FEEDBACK_K
            )
            counted = [answers for answers, cell in zip(waves, shown, strict=True) if cell.shown]
            pooled = [scores for answers in counted for _, scores in answers]
            means = {theme.key: _mean_of(pooled, theme.key) for theme in self.bank.themes}
            counted_learners = len({mentee for answers in counted for mentee, _ in answers})
            result[mentor_id] = (max(learners), counted_learners, means)
        return result

    def own(self, person_id: int) -> tuple[list[FeedbackRow], list[int]]:
        rows = [FeedbackRow(theme=theme) for theme in self.bank.themes]
        shown_learners = []
        for period, label in enumerate(PERIODS):
            largest, learners, means = self._per_trainee(period).get(person_id, (0, 0, {}))
            shown_learners.append(learners)
            for row in rows:
                if learners:
                    cell = suppress_series(
                        [(label, learners, means.get(row.theme.key))], k=MENTEE_FEEDBACK_K
                    )[0]
                else:  # no term reached three learners: hidden, or empty if none answered
                    cell = suppress_series([(label, largest, None)], k=MENTEE_FEEDBACK_K)[0]
                row.cells.append(cell)
        return rows, shown_learners

    def cohort(self) -> list[FeedbackRow]:
        rows = [FeedbackRow(theme=theme) for theme in self.bank.themes]
        for period, label in enumerate(PERIODS):
            trainees = self._per_trainee(period)
            for row in rows:
                means = [
                    value
                    for _, learners, by_theme in trainees.values()
                    if learners and (value := by_theme.get(row.theme.key)) is not None
                ]
                # Feedback that no trainee can count is hidden, not shown as "no feedback".
                contributors = len(means) or (1 if trainees else 0)
                row.cells.append(
                    suppress_series(
                        [(label, contributors, statistics.fmean(means) if means else None)],
                        k=DEFAULT_K,
                    )[0]
                )
        return rows
