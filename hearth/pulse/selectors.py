"""Reads for pulse: a mentor's own trend, and the aggregates directors may see."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from hearth.communities.models import Community, GroupMembership, MemberRole, Program
from hearth.lib.suppression import Cell, suppress_breakdown, suppress_series
from hearth.people.models import Person

from .models import PulseResponse, PulseWave
from .scoring import ItemBank, Theme, load_item_bank, scale_reliability, theme_scores

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


def program_pulse(program: Program, wave: PulseWave | None = None) -> ProgramPulse:
    """Aggregates under the small-cell rule; free text never leaves the respondent."""
    bank = load_item_bank()
    waves = list(PulseWave.objects.filter(program=program).order_by("opens_on"))
    wave = wave or (waves[-1] if waves else None)
    responses = list(
        PulseResponse.objects.filter(wave__program=program, skipped=False).only(
            "wave_id", "community_id", "answers"
        )
    )
    scored = [(r, theme_scores(r.answers, bank)) for r in responses]
    communities = list(program.communities.order_by("name"))

    def values(theme: Theme, wave_id: int, community_id: int | None = None) -> list[float]:
        return [
            score
            for r, scores in scored
            if r.wave_id == wave_id
            and (community_id is None or r.community_id == community_id)
            and (score := scores[theme.key]) is not None
        ]

    over_time = []
    for theme in bank.themes:
        series = [
            (w.label, len(found), _mean(found)) for w in waves for found in [values(theme, w.pk)]
        ]
        over_time.append(ThemeRow(theme=theme, cells=suppress_series(series)))

    by_community = []
    for theme in bank.themes:
        cells: dict[str, tuple[int, float | None]] = {}
        for community in communities:
            found = values(theme, wave.pk, community.pk) if wave is not None else []
            cells[community.name] = (len(found), _mean(found))
        by_community.append(ThemeRow(theme=theme, cells=suppress_breakdown(cells)))

    counts = [(w.label, sum(1 for r in responses if r.wave_id == w.pk), None) for w in waves]
    reliability = scale_reliability(
        [r.answers for r in responses], bank, minimum_responses=MINIMUM_FOR_RELIABILITY
    )
    return ProgramPulse(
        waves=waves,
        over_time=over_time,
        wave=wave,
        communities=communities,
        by_community=by_community,
        responses_per_wave=suppress_series(counts),
        reliability=reliability,
        answered=len(responses),
        notice=bank.notice,
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
    waves = list(PulseWave.objects.filter(program=program).order_by("opens_on"))
    for wave in waves:
        report = program_pulse(program, wave)
        program_cells = {row.theme.key: row.cells[waves.index(wave)] for row in report.over_time}
        for row in report.by_community:
            scopes = [(program.name, program_cells[row.theme.key])] + [
                (community.name, cell)
                for community, cell in zip(report.communities, row.cells, strict=True)
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
