"""Reads for pulse: a mentor's own trend, and the aggregates directors may see."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from hearth.communities.models import (
    Community,
    GroupMembership,
    MemberRole,
    Program,
    Relationship,
)
from hearth.lib.suppression import (
    MENTEE_FEEDBACK_K,
    Cell,
    flagged_count_label,
    suppress_breakdown,
    suppress_series,
)
from hearth.meetings.cadence import late_count_by_mentor, open_relationships
from hearth.people.models import Person

from .models import FeedbackSharing, HarmRuleSettings, MenteeFeedback, PulseResponse, PulseWave
from .scoring import (
    ItemBank,
    ScoredItems,
    Theme,
    load_competency_bank,
    load_item_bank,
    theme_scores,
)
from .warnings import HarmRules, MentorSignals, suggestions

MINIMUM_FOR_RELIABILITY = 30


@dataclass
class OpenCheckIn:
    wave: PulseWave
    response: PulseResponse | None


def open_check_ins(person: Person) -> list[OpenCheckIn]:
    """Waves open today in the programs where the person mentors now."""
    programs = GroupMembership.objects.filter(
        person=person, role=MemberRole.MENTOR, end_date__isnull=True
    ).values("program_id")
    today = timezone.localdate()
    waves = list(
        PulseWave.objects.filter(
            program_id__in=programs, opens_on__lte=today, closes_on__gte=today
        ).select_related("program")
    )
    if not waves:
        return []
    mine = {r.wave_id: r for r in PulseResponse.objects.filter(person=person, wave__in=waves)}
    return [OpenCheckIn(wave=w, response=mine.get(w.pk)) for w in waves]


@dataclass
class ThemeRow:
    theme: Theme
    cells: list[Cell] = field(default_factory=list)


@dataclass
class MyTrend:
    waves: list[PulseWave]
    rows: list[ThemeRow]
    chart_rows: list[dict[str, object]]


def my_trend(person: Person, bank: ItemBank | None = None) -> MyTrend:
    """The mentor's own theme scores, wave by wave (their own data: nothing is hidden)."""
    bank = bank or load_item_bank()
    responses = list(
        PulseResponse.objects.filter(person=person, skipped=False)
        .select_related("wave__program")
        .order_by("wave__opens_on")
    )
    waves = [r.wave for r in responses]
    scores = [theme_scores(r.answers, bank) for r in responses]
    rows = []
    chart_rows: list[dict[str, object]] = []
    for theme in bank.themes:
        row = ThemeRow(theme=theme)
        for wave, score in zip(waves, scores, strict=True):
            value = score.get(theme.key)
            row.cells.append(Cell(wave.label, 1, value, True, ""))
            if value is not None:
                chart_rows.append({"wave": wave.label, "theme": theme.label, "score": value})
        rows.append(row)
    return MyTrend(waves=waves, rows=rows, chart_rows=chart_rows)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


@dataclass
class ProgramPulse:
    waves: list[PulseWave]
    over_time: list[ThemeRow]  # program-wide, one cell per wave
    wave: PulseWave | None  # the wave broken down by community
    communities: list[Community]
    by_community: list[ThemeRow]  # one cell per community, for `wave`
    responses_per_wave: list[Cell]
    reliability: dict[str, float | None]
    answered: int
    notice: str


class _ProgramAnswers:
    """A program's answered check-ins, read and scored once for every figure drawn from them."""

    def __init__(self, program: Program) -> None:
        self.bank = load_item_bank()
        scorer = self.bank.scorer
        self.waves = list(PulseWave.objects.filter(program=program).order_by("opens_on"))
        # Each response's scored items, for reliability; means are drawn from the same.
        self.scored: list[ScoredItems] = []
        # Theme scores by wave and community, in the order they were answered.
        self.scores: dict[tuple[int, int | None], list[dict[str, float | None]]] = defaultdict(list)
        self.scores_by_wave: dict[int, list[dict[str, float | None]]] = defaultdict(list)
        for wave_id, community_id, answers in PulseResponse.objects.filter(
            wave__program=program, skipped=False
        ).values_list("wave_id", "community_id", "answers"):
            scored = scorer.score(answers)
            scores = scorer.means(scored)
            self.scored.append(scored)
            self.scores[wave_id, community_id].append(scores)
            self.scores_by_wave[wave_id].append(scores)
        self.communities = list(program.communities.order_by("name"))

    def reliability(self) -> dict[str, float | None]:
        return self.bank.scorer.reliability(self.scored, minimum_responses=MINIMUM_FOR_RELIABILITY)

    def values(self, theme: Theme, wave_id: int, community_id: int | None = None) -> list[float]:
        scored = (
            self.scores_by_wave[wave_id]
            if community_id is None
            else self.scores[wave_id, community_id]
        )
        return [score for scores in scored if (score := scores[theme.key]) is not None]

    def over_time(self) -> list[ThemeRow]:
        rows = []
        for theme in self.bank.themes:
            series = [
                (w.label, len(found), _mean(found))
                for w in self.waves
                for found in [self.values(theme, w.pk)]
            ]
            rows.append(ThemeRow(theme=theme, cells=suppress_series(series)))
        return rows

    def by_community(self, wave: PulseWave | None) -> list[ThemeRow]:
        rows = []
        for theme in self.bank.themes:
            cells: dict[str, tuple[int, float | None]] = {}
            for community in self.communities:
                found = self.values(theme, wave.pk, community.pk) if wave is not None else []
                cells[community.name] = (len(found), _mean(found))
            rows.append(ThemeRow(theme=theme, cells=suppress_breakdown(cells)))
        return rows


def program_pulse(program: Program, wave: PulseWave | None = None) -> ProgramPulse:
    """Aggregates under the small-cell rule; free text never leaves the respondent."""
    answers = _ProgramAnswers(program)
    waves = answers.waves
    wave = wave or (waves[-1] if waves else None)
    counts = [(w.label, len(answers.scores_by_wave[w.pk]), None) for w in waves]
    return ProgramPulse(
        waves=waves,
        over_time=answers.over_time(),
        wave=wave,
        communities=answers.communities,
        by_community=answers.by_community(wave),
        responses_per_wave=suppress_series(counts),
        reliability=answers.reliability(),
        answered=len(answers.scored),
        notice=answers.bank.notice,
    )


PULSE_TABLE_COLUMNS = [
    "wave",
    "opens_on",
    "scope",
    "theme",
    "theme_label",
    "respondents",
    "mean",
    "shown",
    "note",
]


def pulse_table(program: Program) -> list[dict[str, object]]:
    """Every figure a director may see, flat: one row per wave, scope and theme. The CSV
    export and the API both read it, so they cannot show more than the page."""
    rows: list[dict[str, object]] = []
    answers = _ProgramAnswers(program)
    over_time = {row.theme.key: row.cells for row in answers.over_time()}
    for index, wave in enumerate(answers.waves):
        for row in answers.by_community(wave):
            scopes = [(program.name, over_time[row.theme.key][index])] + [
                (community.name, cell)
                for community, cell in zip(answers.communities, row.cells, strict=True)
            ]
            for scope, cell in scopes:
                public = cell.as_public_dict()
                rows.append(
                    {
                        "wave": wave.label,
                        "opens_on": wave.opens_on.isoformat(),
                        "scope": scope,
                        "theme": row.theme.key,
                        "theme_label": row.theme.label,
                        "respondents": public["respondents"],
                        "mean": round(cell.value, 2) if cell.value is not None else None,
                        "shown": cell.shown,
                        "note": cell.reason,
                    }
                )
    return rows


def harm_rules_for(program: Program) -> HarmRules:
    stored = HarmRuleSettings.objects.filter(program=program).first()
    if stored is None:
        return HarmRules()
    return HarmRules(
        load_ratio=stored.load_ratio,
        harm_rise=stored.harm_rise,
        harm_level=stored.harm_level,
        overdue_share=stored.overdue_share,
        flag_without_co_mentor=stored.flag_without_co_mentor,
    )


@dataclass
class MentorFlag:
    mentor_id: int
    community_id: int | None
    suggestions: list[str]


def _meetings_by_mentor(
    program: Program, now: dt.datetime, mentor_id: int | None
) -> tuple[Counter[int], Counter[int]]:
    """Open relationships per mentor, and those overdue for a meeting or stalled by the
    meetings app's rule; the database counts both."""
    relationships = open_relationships(program=program).select_related(None).order_by()
    if mentor_id is not None:
        relationships = relationships.filter(mentor_id=mentor_id)
    total = Counter(
        dict(
            relationships.values("mentor_id").annotate(n=Count("pk")).values_list("mentor_id", "n")
        )
    )
    return total, late_count_by_mentor(relationships, program_ids=[program.pk], now=now)


def _harmed_scores(
    program: Program, mentor_ids: Iterable[int], bank: ItemBank
) -> dict[int, tuple[float, ...]]:
    """Each mentor's last two "harmed" scores, oldest first: all the warning rules read."""
    scorer = bank.scorer
    answers_by_mentor: dict[int, list[dict[str, int | None]]] = defaultdict(list)
    for person_id, answers in (
        PulseResponse.objects.filter(
            wave__program=program, skipped=False, person_id__in=list(mentor_ids)
        )
        .order_by("wave__opens_on")
        .values_list("person_id", "answers")
    ):
        answers_by_mentor[person_id].append(answers)
    harmed: dict[int, tuple[float, ...]] = {}
    for person_id, all_answers in answers_by_mentor.items():
        latest: list[float] = []
        for answers in reversed(all_answers):
            score = scorer.theme_score(answers, "harmed")
            if score is not None:
                latest.insert(0, score)
                if len(latest) == 2:
                    break
        harmed[person_id] = tuple(latest)
    return harmed


def _harm_flags(program: Program, now: dt.datetime, mentor_id: int | None) -> list[MentorFlag]:
    bank = load_item_bank()
    rules = harm_rules_for(program)
    open_members = GroupMembership.objects.filter(program=program, end_date__isnull=True)
    # Every mentor's tenures, even for one mentor's flag: the median load is the program's.
    tenures = list(
        open_members.filter(role=MemberRole.MENTOR).values_list(
            "person_id", "group_id", "group__community_id"
        )
    )
    learners_in = dict(
        open_members.filter(role=MemberRole.LEARNER)
        .values("group_id")
        .annotate(learners=Count("pk"))
        .values_list("group_id", "learners")
        .order_by()
    )
    mentors_in = Counter(group_id for _, group_id, _ in tenures)
    by_mentor: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for person_id, group_id, community_id in tenures:
        by_mentor[person_id].append((group_id, community_id))
    load = {
        m: sum(learners_in.get(group_id, 0) for group_id, _ in ts) for m, ts in by_mentor.items()
    }
    median = statistics.median(load.values()) if load else 0
    flagged = list(by_mentor) if mentor_id is None else [m for m in by_mentor if m == mentor_id]
    relationships, overdue = _meetings_by_mentor(program, now, mentor_id)
    harmed = _harmed_scores(program, flagged, bank)
    flags = []
    for mentor in flagged:
        ts = by_mentor[mentor]
        signals = MentorSignals(
            learners=load[mentor],
            median_learners=median,
            harmed_scores=harmed.get(mentor, ()),
            overdue=overdue[mentor],
            relationships=relationships[mentor],
            has_co_mentor=any(mentors_in[group_id] > 1 for group_id, _ in ts),
        )
        flags.append(MentorFlag(mentor, ts[0][1], suggestions(signals, rules)))
    return flags


def harm_flags(program: Program, now: dt.datetime | None = None) -> list[MentorFlag]:
    """Every current mentor of the program with what the warning rules say of them."""
    return _harm_flags(program, now or timezone.now(), mentor_id=None)


def my_suggestions(person: Person) -> list[tuple[Program, list[str]]]:
    """What the warning says to the mentor, privately, in each program they mentor in."""
    programs = Program.objects.filter(
        memberships__person=person,
        memberships__role=MemberRole.MENTOR,
        memberships__end_date__isnull=True,
    ).distinct()
    now = timezone.now()
    found = []
    for program in programs:
        for flag in _harm_flags(program, now, mentor_id=person.pk):
            if flag.suggestions:
                found.append((program, flag.suggestions))
    return found


def flagged_by_community(program: Program) -> list[tuple[Community, str]]:
    """For directors: how many mentors are flagged per community — never who."""
    flagged = Counter(f.community_id for f in harm_flags(program) if f.suggestions)
    return [
        (community, flagged_count_label(flagged[community.pk]))
        for community in program.communities.order_by("name")
    ]


@dataclass
class OpenFeedback:
    wave: PulseWave
    relationship: Relationship
    feedback: MenteeFeedback | None


def open_feedback(person: Person) -> list[OpenFeedback]:
    """Each of the learner's open mentoring relationships, in programs with a term open today."""
    today = timezone.localdate()
    mine = Relationship.objects.filter(mentee=person, end_date__isnull=True)
    waves = list(
        PulseWave.objects.filter(
            program_id__in=mine.values("program_id"), opens_on__lte=today, closes_on__gte=today
        )
    )
    if not waves:
        return []
    relationships = list(mine.select_related("mentor"))
    given = {
        (f.wave_id, f.relationship_id): f
        for f in MenteeFeedback.objects.filter(relationship__in=relationships, wave__in=waves)
    }
    return [
        OpenFeedback(wave=wave, relationship=r, feedback=given.get((wave.pk, r.pk)))
        for wave in waves
        for r in relationships
        if r.program_id == wave.program_id
    ]


@dataclass
class DomainAverage:
    theme: Theme
    mean: float


@dataclass
class FeedbackSummary:
    """What a mentor sees of their mentees' ratings: terms of 3+ learners, and over those terms."""

    terms: list[Cell]
    rows: list[ThemeRow]
    overall: list[DomainAverage]
    learners: int
    hidden_terms: int


def my_mentee_feedback(mentor: Person, bank: ItemBank | None = None) -> FeedbackSummary:
    """Averages only, over terms that have closed, each shown only when 3+ learners answered.

    Closed terms only: a figure that moved as each answer arrived would show that answer.
    The overall averages use the shown terms alone, so they reveal nothing a hidden term holds.
    """
    bank = bank or load_competency_bank()
    feedback = list(
        MenteeFeedback.objects.filter(
            relationship__mentor=mentor, wave__closes_on__lt=timezone.localdate()
        )
        .select_related("wave__program", "relationship")
        .order_by("wave__opens_on", "wave_id")
    )
    by_wave: dict[PulseWave, list[MenteeFeedback]] = defaultdict(list)
    for item in feedback:
        by_wave[item.wave].append(item)
    several_programs = len({wave.program_id for wave in by_wave}) > 1
    labels = {
        wave: f"{wave.label} ({wave.program.name})" if several_programs else wave.label
        for wave in by_wave
    }
    scores = {item.pk: theme_scores(item.answers, bank) for item in feedback}

    def learners(items: list[MenteeFeedback]) -> int:
        return len({item.relationship.mentee_id for item in items})

    def mean(items: list[MenteeFeedback], key: str) -> float | None:
        values = [v for item in items if (v := scores[item.pk][key]) is not None]
        return statistics.fmean(values) if values else None

    terms = suppress_series(
        [(labels[wave], learners(items), None) for wave, items in by_wave.items()],
        k=MENTEE_FEEDBACK_K,
    )
    shown = [items for term, items in zip(terms, by_wave.values(), strict=True) if term.shown]
    rows = []
    for theme in bank.themes:
        row = ThemeRow(theme=theme)
        row.cells = suppress_series(
            [(labels[w], learners(items), mean(items, theme.key)) for w, items in by_wave.items()],
            k=MENTEE_FEEDBACK_K,
        )
        rows.append(row)
    pooled = [item for items in shown for item in items]
    overall = [
        DomainAverage(theme=theme, mean=value)
        for theme in bank.themes
        if pooled and (value := mean(pooled, theme.key)) is not None
    ]
    return FeedbackSummary(
        terms=terms,
        rows=rows,
        overall=overall,
        learners=learners(pooled),
        hidden_terms=sum(1 for term in terms if not term.shown),
    )


def mentee_feedback_for_portfolio(mentor: Person) -> list[dict[str, object]] | None:
    """The mentor's own mentee-feedback averages, when they chose to show them in a portfolio."""
    if not FeedbackSharing.objects.filter(mentor=mentor, in_portfolio=True).exists():
        return None
    summary = my_mentee_feedback(mentor)
    if not summary.overall:
        return None
    return [
        {"domain": d.theme.label, "respondents": summary.learners, "mean": round(d.mean, 2)}
        for d in summary.overall
    ]
