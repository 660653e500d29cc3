"""Reads for the annual program report: one set of suppressed figures for the page, the CSV
and the PDF, so they cannot disagree."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Case,
    Count,
    Expression,
    Func,
    IntegerField,
    Max,
    Min,
    Q,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Greatest, Least, TruncMonth
from django.utils import timezone

from hearth.communities.models import (
    Community,
    EndReason,
    GroupMembership,
    MemberRole,
    MentorChangeRequest,
    Program,
    Relationship,
    RelationshipKind,
    RelationshipStatus,
)
from hearth.lib.sql import grouped
from hearth.lib.suppression import DEFAULT_K, Cell, flagged_count_label, suppress_breakdown
from hearth.meetings.cadence import DEFAULT_STALLED_AFTER_DAYS
from hearth.meetings.models import Cadence, Meeting, ProgramMeetingSettings
from hearth.mentor_development.selectors.series import series_completion_in
from hearth.pulse.models import PulseWave
from hearth.pulse.selectors import program_pulse
from hearth.recognition.models import Acknowledgment, ThankYouNote
from hearth.serendipity.models import Pairing, PairingMember, Response, Round

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler

PROGRAM = "Program"
COUNT, SHARE, MEAN = "count", "share", "mean"
NO_DATA = "—"
TRAINING_NOT_RECORDED = (
    "Not recorded: Hearth's mentor-development pillar is not in use in this program"
)


def academic_year_of(day: dt.date) -> dt.date:
    """The July 1 that starts the academic year `day` falls in."""
    return dt.date(day.year if day.month >= 7 else day.year - 1, 7, 1)


def year_label(year_start: dt.date) -> str:
    return f"{year_start.year}–{(year_start.year + 1) % 100:02d}"


@dataclass(frozen=True)
class Figure:
    """One figure as every reader sees it: `text` is the shown value or why it is hidden."""

    measure: str
    breakdown: str
    text: str
    respondents: int | None
    value: float | None
    shown: bool


@dataclass
class Row:
    label: str
    figures: list[Figure]


@dataclass
class Table:
    title: str
    row_heading: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)


def _program_table(title: str, figures: list[Figure]) -> Table:
    """One column for the whole program, a row per measure."""
    return Table(
        title=title,
        row_heading="Measure",
        columns=[PROGRAM],
        rows=[Row(f.measure, [f]) for f in figures],
    )


@dataclass
class Section:
    key: str
    title: str
    notes: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)

    @property
    def figures(self) -> list[Figure]:
        return [f for table in self.tables for row in table.rows for f in row.figures]


@dataclass
class AnnualReport:
    program: Program
    year_start: dt.date
    year_end: dt.date
    as_of: dt.date
    generated_on: dt.date
    sections: list[Section]

    @property
    def label(self) -> str:
        return year_label(self.year_start)

    @property
    def year(self) -> int:
        return self.year_start.year

    @property
    def figures(self) -> list[Figure]:
        return [f for section in self.sections for f in section.figures]

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


def _text(cell: Cell, kind: str) -> str:
    if not cell.shown:
        return cell.reason
    if cell.value is None:
        return "0" if kind == COUNT else NO_DATA
    if kind == SHARE:
        return f"{cell.value:.0%}"
    if kind == MEAN:
        return f"{cell.value:.1f}"
    return str(round(cell.value))


def _figure(cell: Cell, measure: str, breakdown: str, kind: str) -> Figure:
    return Figure(
        measure=measure,
        breakdown=breakdown,
        text=_text(cell, kind),
        respondents=cell.respondents,
        value=cell.value,
        shown=cell.shown,
    )


def _single(measure: str, respondents: int, value: float | None, kind: str) -> Figure:
    """A figure with no breakdown beside it: hidden when it alone has fewer than k people."""
    [cell] = suppress_breakdown({PROGRAM: (respondents, value)}, total_shown=False)
    return _figure(cell, measure, PROGRAM, kind)


def _breakdown(
    measure: str,
    kind: str,
    cells: Mapping[str, tuple[int, float | None]],
    total: tuple[int, float | None],
) -> list[Figure]:
    """Per-community figures with complementary suppression, then the program total."""
    figures = [_figure(c, measure, c.key, kind) for c in suppress_breakdown(cells)]
    return [*figures, _single(measure, *total, kind)]


def _flagged(measure: str, count: int) -> Figure:
    """A count of people or events that could point at someone: "none", "fewer than 5" or n."""
    shown = count == 0 or count >= DEFAULT_K
    return Figure(
        measure=measure,
        breakdown=PROGRAM,
        text=flagged_count_label(count),
        respondents=None,
        value=float(count) if shown else None,
        shown=shown,
    )


def _by_community_table(
    title: str, communities: list[Community], columns: list[tuple[str, list[Figure]]]
) -> Table:
    """Rows per community plus a program row, from per-measure lists of figures."""
    table = Table(title=title, row_heading="Community", columns=[m for m, _ in columns])
    labels = [c.name for c in communities] + [PROGRAM]
    for index, label in enumerate(labels):
        table.rows.append(Row(label, [figures[index] for _, figures in columns]))
    return table


def _overlapping(start: dt.date, end: dt.date) -> Q:
    """Records (with start_date and end_date) open at some point from `start` to `end`."""
    return Q(start_date__lte=end) & (Q(end_date__isnull=True) | Q(end_date__gte=start))


def _moment(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class _Year:
    start: dt.date
    end: dt.date
    as_of: dt.date
    now: dt.datetime

    @property
    def window(self) -> tuple[dt.datetime, dt.datetime]:
        """The year's moments up to now, as [from, until)."""
        return _moment(self.start), min(_moment(self.as_of + dt.timedelta(days=1)), self.now)


def _participation(program: Program, communities: list[Community], year: _Year) -> Section:
    active = GroupMembership.objects.filter(
        _overlapping(year.start, year.as_of), program=program
    ).order_by()
    mentor, learner = Q(role=MemberRole.MENTOR), Q(role=MemberRole.LEARNER)
    people = {
        "mentors": Count("person", distinct=True, filter=mentor),
        "learners": Count("person", distinct=True, filter=learner),
        "everyone": Count("person", distinct=True),
        "groups": Count("group", distinct=True),
    }
    per_community = {
        row["group__community_id"]: row
        for row in active.values("group__community_id").annotate(**people)
    }
    # A person counted in two communities counts once in the program.
    in_program = active.aggregate(**people)
    nobody = dict.fromkeys(people, 0)

    def count(community: Community, key: str) -> int:
        return int(per_community.get(community.pk, nobody)[key])

    columns = []
    for key, measure in [("mentors", "Mentors"), ("learners", "Learners")]:
        cells = {c.name: (n, float(n)) for c in communities for n in [count(c, key)]}
        total = in_program[key]
        columns.append((measure, _breakdown(measure, COUNT, cells, (total, float(total)))))
    group_cells = {c.name: (count(c, "everyone"), float(count(c, "groups"))) for c in communities}
    group_total = (in_program["everyone"], float(in_program["groups"]))
    columns.append(("Groups", _breakdown("Groups", COUNT, group_cells, group_total)))
    return Section(
        key="participation",
        title="Participation",
        notes=[
            "People and mentor groups active at any time in the year. Someone who moved "
            "community counts in both, once in the program total. A group's count is hidden "
            "with its community's people.",
        ],
        tables=[_by_community_table("Participation", communities, columns)],
    )


class _DaysBetween(Func):
    """Whole days from the first date to the second, as an integer, on either database."""

    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = IntegerField()

    def __init__(self, start: Expression, end: Expression) -> None:
        super().__init__(end, start)

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, Any]:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


def _expected_every_days(program: Program, year: _Year) -> tuple[Case, dict[int, int]]:
    """The program's expected days between meetings for each mentee in the report's year, as
    a database expression, with the expectations themselves.

    The mentee's year of study then comes from the class they graduate with when known (their
    current year has moved on since a past year), else as recorded."""
    every_days = {
        learner_year: days
        for learner_year, days in Cadence.objects.filter(program=program).values_list(
            "learner_year", "every_days"
        )
        if learner_year is not None
    }
    years = program.years_of_study
    graduating_then = year.start.year + 1
    # A class graduating in `graduating_then + years - n` is in its year n during the report.
    class_known = Q(
        mentee__class_year__gte=graduating_then, mentee__class_year__lte=graduating_then + years - 1
    )
    expected = Case(
        *[
            When(
                (class_known & Q(mentee__class_year=graduating_then + years - learner_year))
                | (~class_known & Q(mentee__learner_year=learner_year)),
                then=Value(days),
            )
            for learner_year, days in every_days.items()
        ],
        default=None,
        output_field=IntegerField(),
    )
    return expected, every_days


def _cadence(program: Program, communities: list[Community], year: _Year) -> Section:
    since, until = year.window
    expected_every, every_days = _expected_every_days(program, year)
    relationships = Relationship.objects.filter(
        _overlapping(year.start, year.as_of),
        program=program,
        kind=RelationshipKind.LC_MENTOR,
    ).annotate(
        held=Count(
            "meetings",
            filter=Q(
                meetings__cancelled_at__isnull=True,
                meetings__starts_at__gte=since,
                meetings__starts_at__lt=until,
            ),
        ),
        # Typed even when the program set no cadence (a bare NULL would be text).
        every=Cast(expected_every, IntegerField()),
        days=_DaysBetween(
            Greatest("start_date", Value(year.start)),
            Least(Coalesce("end_date", Value(year.as_of)), Value(year.as_of)),
        ),
    )
    # A relationship is measured when open in the year for at least one full interval, and met
    # as often as expected when it held a meeting for each full interval.
    in_community: Counter[int] = Counter()
    meetings: Counter[int] = Counter()
    measured_in: Counter[int] = Counter()
    on_track_in: Counter[int] = Counter()
    measured = '"every" > 0 AND "days" >= "every"'
    for community_id, relationships_in, held, measured_count, on_track in grouped(
        relationships.values_list("group__community_id", "held", "every", "days"),
        by="group__community_id",
        totals=f"""COUNT(*), SUM("held"),
            SUM(CASE WHEN {measured} THEN 1 ELSE 0 END),
            SUM(CASE WHEN {measured} AND "held" >= "days" / "every" THEN 1 ELSE 0 END)""",
    ):
        in_community[community_id] = relationships_in
        meetings[community_id] = held
        measured_in[community_id] = measured_count
        on_track_in[community_id] = on_track

    def share(done: int, of: int) -> float | None:
        return done / of if of else None

    ids = [c.pk for c in communities]
    total = sum(in_community[i] for i in ids)
    columns = [
        (
            "Relationships",
            _breakdown(
                "Relationships",
                COUNT,
                {c.name: (in_community[c.pk], float(in_community[c.pk])) for c in communities},
                (total, float(total)),
            ),
        ),
        (
            "Meetings held",
            _breakdown(
                "Meetings held",
                COUNT,
                {c.name: (in_community[c.pk], float(meetings[c.pk])) for c in communities},
                (total, float(sum(meetings[i] for i in ids))),
            ),
        ),
        (
            "Met as often as expected",
            _breakdown(
                "Met as often as expected",
                SHARE,
                {
                    c.name: (measured_in[c.pk], share(on_track_in[c.pk], measured_in[c.pk]))
                    for c in communities
                },
                (
                    sum(measured_in[i] for i in ids),
                    share(sum(on_track_in[i] for i in ids), sum(measured_in[i] for i in ids)),
                ),
            ),
        ),
    ]
    expected = (
        "; ".join(f"year {y}: every {d} days" for y, d in sorted(every_days.items()))
        or "none set, so no relationship is measured against it"
    )
    return Section(
        key="cadence",
        title="Meeting cadence against expectation",
        notes=[
            "Learning-community mentor relationships open at any time in the year, and the "
            "one-on-one meetings they held (cancelled ones are not counted).",
            f"The program expects a meeting {expected}. A relationship met as often as "
            "expected when it held at least one meeting for each full interval it was open "
            "in the year; relationships open for less than one interval are not measured.",
        ],
        tables=[
            _by_community_table("Meeting cadence", communities, columns),
            _per_month(program, communities, year, in_community),
        ],
    )


def _months(year: _Year) -> list[dt.date]:
    months, day = [], year.start
    while day <= year.as_of:
        months.append(day)
        day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months


def _per_month(
    program: Program,
    communities: list[Community],
    year: _Year,
    in_community: Counter[int],
) -> Table:
    """Meetings per month, hidden for the communities whose relationships are hidden."""
    since, until = year.window
    counted = (
        Meeting.objects.filter(
            relationship__program=program,
            relationship__kind=RelationshipKind.LC_MENTOR,
            cancelled_at__isnull=True,
            starts_at__gte=since,
            starts_at__lt=until,
        )
        .annotate(month=TruncMonth("starts_at"))
        .values_list("month", "relationship__group__community_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    per_month: Counter[tuple[str, int]] = Counter()
    for month, community_id, n in counted:
        per_month[timezone.localtime(month).date().isoformat()[:7], community_id] += n
    table = Table(
        title="Meetings held per month",
        row_heading="Month",
        columns=[c.name for c in communities] + [PROGRAM],
    )
    total = sum(in_community[c.pk] for c in communities)
    for start in _months(year):
        month = start.isoformat()[:7]
        measure = f"Meetings held in {start:%B %Y}"
        cells = {c.name: (in_community[c.pk], float(per_month[month, c.pk])) for c in communities}
        all_held = float(sum(per_month[month, c.pk] for c in communities))
        table.rows.append(Row(month, _breakdown(measure, COUNT, cells, (total, all_held))))
    return table


def _open_and_stalled(program: Program, year: _Year, stalled_after: int) -> tuple[int, int]:
    """Relationships open on the year's last day, and how many had stalled by then: the
    meetings app's rule (`relationship_due`) counted by the database rather than row by row.
    One open then and ended since was not ended then, so it counts as active."""
    as_of_moment = min(_moment(year.as_of + dt.timedelta(days=1)), year.now)
    today = timezone.localdate(as_of_moment)
    # Stalled: the last held meeting (or, with none, the start) is `stalled_after` days ago or
    # more, so a meeting from this moment on keeps a relationship going.
    recent_from = _moment(today - dt.timedelta(days=stalled_after - 1))
    held = Q(meetings__cancelled_at__isnull=True, meetings__starts_at__lte=as_of_moment)
    counted = (
        Relationship.objects.filter(program=program, start_date__lte=year.as_of)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=year.as_of))
        .annotate(last_met=Max("meetings__starts_at", filter=held))
        .order_by()
        .aggregate(
            open=Count("pk"),
            stalled=Count(
                "pk",
                filter=(Q(end_date__isnull=False) | Q(status=RelationshipStatus.ACTIVE))
                & (
                    Q(last_met__lt=recent_from)
                    | Q(
                        last_met__isnull=True,
                        start_date__lte=today - dt.timedelta(days=stalled_after),
                    )
                ),
            ),
        )
    )
    return counted["open"], counted["stalled"]


def _changes(program: Program, year: _Year) -> Section:
    stalled_after = (
        ProgramMeetingSettings.objects.filter(program=program)
        .values_list("stalled_after_days", flat=True)
        .first()
        or DEFAULT_STALLED_AFTER_DAYS
    )
    open_then, stalled = _open_and_stalled(program, year, stalled_after)
    in_year = Q(end_date__gte=year.start, end_date__lte=year.as_of)
    ended = Relationship.objects.filter(in_year, program=program).aggregate(
        early=Count("pk", filter=Q(status=RelationshipStatus.ENDED_EARLY)),
        completed=Count("pk", filter=Q(status=RelationshipStatus.COMPLETED)),
    )
    memberships = Counter(
        {
            (role, reason): n
            for role, reason, n in GroupMembership.objects.filter(in_year, program=program)
            .values_list("role", "end_reason")
            .annotate(n=Count("pk"))
            .values_list("role", "end_reason", "n")
            .order_by()
        }
    )
    since, until = year.window
    requests = MentorChangeRequest.objects.filter(membership__program=program).aggregate(
        made=Count("pk", filter=Q(created_at__gte=since, created_at__lt=until)),
        moved=Count(
            "pk",
            filter=Q(
                decided_at__gte=since,
                decided_at__lt=until,
                status=MentorChangeRequest.Status.MOVED,
            ),
        ),
        declined=Count(
            "pk",
            filter=Q(
                decided_at__gte=since,
                decided_at__lt=until,
                status=MentorChangeRequest.Status.DECLINED,
            ),
        ),
    )
    learner, mentor = MemberRole.LEARNER, MemberRole.MENTOR
    as_of = f"{year.as_of:%-d %B %Y}"
    figures = [
        _single(f"Relationships open on {as_of}", open_then, float(open_then), COUNT),
        _flagged(f"Stalled on {as_of}", stalled),
        _flagged("Relationships ended early", ended["early"]),
        _flagged("Relationships completed", ended["completed"]),
        _flagged(
            "Learners who moved to another group", memberships[learner, EndReason.TRANSFERRED]
        ),
        _flagged("Learners who left on leave", memberships[learner, EndReason.LEAVE]),
        _flagged("Learners who graduated", memberships[learner, EndReason.GRADUATED]),
        _flagged("Learners who left for another reason", memberships[learner, EndReason.OTHER]),
        _flagged(
            "Mentors who left a group", sum(n for (r, _), n in memberships.items() if r == mentor)
        ),
        _flagged("Requests for a different mentor", requests["made"]),
        _flagged("Requests decided: moved to another group", requests["moved"]),
        _flagged("Requests decided: declined", requests["declined"]),
    ]
    return Section(
        key="changes",
        title="Stalled and changed relationships",
        notes=[
            "Relationships of every kind. A relationship is stalled when it is active and has "
            f"not met for {stalled_after} days or more. Counts that could point at a few people "
            f"show “none”, “fewer than {DEFAULT_K}” or the number.",
            "A learner's move to another group ends their relationship with the group's "
            "mentor early, so moves are counted among the relationships ended early too.",
        ],
        tables=[_program_table("Stalled and changed relationships", figures)],
    )


def _serendipity(program: Program, year: _Year) -> Section:
    since, until = year.window
    rounds = Round.objects.filter(
        circle__program=program, starts_at__gte=since, starts_at__lt=until
    )
    ran = rounds.aggregate(rounds=Count("pk"), circles=Count("circle", distinct=True))
    pairings = Pairing.objects.filter(round__in=rounds)
    made = pairings.aggregate(
        pairings=Count("pk", distinct=True),
        answered=Count("pk", distinct=True, filter=Q(members__response__in=Response.values)),
        met=Count("contact", distinct=True),
    )
    people = PairingMember.objects.filter(pairing__in=pairings).aggregate(
        paired=Count("person", distinct=True),
        answering=Count("person", distinct=True, filter=Q(response__in=Response.values)),
    )
    paired, answering = people["paired"], people["answering"]
    meet_rate = made["met"] / made["answered"] if made["answered"] else None
    figures = [
        _single("People introduced", paired, float(paired), COUNT),
        _single("Circles that ran a round", paired, float(ran["circles"]), COUNT),
        _single("Rounds run", paired, float(ran["rounds"]), COUNT),
        _single("Pairings made", paired, float(made["pairings"]), COUNT),
        _single("Pairings someone answered for", answering, float(made["answered"]), COUNT),
        _single("Meet rate", answering, meet_rate, SHARE),
    ]
    return Section(
        key="serendipity",
        title="Serendipity rounds",
        notes=[
            "Rounds that started in the year. The meet rate is the share of pairings whose "
            "members answered that they met; it counts the people who answered, and is hidden "
            f"when fewer than {DEFAULT_K} did.",
        ],
        tables=[_program_table("Serendipity rounds", figures)],
    )


def _pulse(program: Program, year: _Year) -> Section:
    in_year = list(
        PulseWave.objects.filter(program=program, opens_on__gte=year.start, opens_on__lte=year.end)
        .annotate(answered=Count("responses", filter=Q(responses__skipped=False)))
        .order_by("opens_on")
    )
    section = Section(key="pulse", title="Pulse trends by theme")
    if not in_year:
        section.notes.append("No check-ins opened in this academic year.")
        return section
    # Broken down by community: the year's latest check-in with enough answers to show.
    wave = next((w for w in reversed(in_year) if w.answered >= DEFAULT_K), in_year[-1])
    pulse = program_pulse(program, wave)
    chosen = {wave.pk for wave in in_year}
    indexes = [i for i, wave in enumerate(pulse.waves) if wave.pk in chosen]
    waves = [pulse.waves[i] for i in indexes]
    over_time = Table(
        title="Check-in by check-in, the whole program",
        row_heading="Theme",
        columns=[w.label for w in waves],
    )
    answered = [pulse.responses_per_wave[i] for i in indexes]
    over_time.rows.append(
        Row(
            "Mentors who answered",
            [
                Figure(
                    f"Mentors who answered, {w.label}",
                    PROGRAM,
                    str(c.respondents) if c.shown else c.reason,
                    c.respondents,
                    float(c.respondents) if c.shown and c.respondents is not None else None,
                    c.shown,
                )
                for w, c in zip(waves, answered, strict=True)
            ],
        )
    )
    for row in pulse.over_time:
        label = _theme_label(row.theme.label, row.theme.negative)
        over_time.rows.append(
            Row(
                label,
                [
                    _figure(row.cells[i], f"{row.theme.label}, {w.label}", PROGRAM, MEAN)
                    for i, w in zip(indexes, waves, strict=True)
                ],
            )
        )
    by_community = Table(
        title=f"By community, {wave.label}",
        row_heading="Theme",
        columns=[c.name for c in pulse.communities],
    )
    for row in pulse.by_community:
        by_community.rows.append(
            Row(
                _theme_label(row.theme.label, row.theme.negative),
                [_figure(c, f"{row.theme.label}, {wave.label}", c.key, MEAN) for c in row.cells],
            )
        )
    section.notes = [
        "Mean scores from 1 to 5 of the check-ins that opened in the year. A check-in, or a "
        f"community in it, shows only when at least {DEFAULT_K} mentors answered.",
        pulse.notice,
    ]
    section.tables = [over_time, by_community]
    return section


def _theme_label(label: str, negative: bool) -> str:
    return f"{label} (higher means harder)" if negative else label


def _recognition(program: Program, year: _Year) -> Section:
    since, until = year.window
    sent = ThankYouNote.objects.filter(
        program=program, created_at__gte=since, created_at__lt=until, hidden_at__isnull=True
    ).aggregate(notes=Count("pk"), mentors=Count("mentor", distinct=True))
    acknowledged = Acknowledgment.objects.filter(
        program=program, created_at__gte=since, created_at__lt=until
    ).aggregate(sent=Count("pk"), mentors=Count("mentor", distinct=True))
    figures = [
        _flagged("Thank-you notes sent", sent["notes"]),
        _flagged("Mentors thanked", sent["mentors"]),
        _flagged("Acknowledgments from directors", acknowledged["sent"]),
        _flagged("Mentors acknowledged", acknowledged["mentors"]),
    ]
    return Section(
        key="recognition",
        title="Recognition",
        notes=[
            "Thank-you notes learners sent their mentors (notes a director hid are left out), "
            "and acknowledgments directors sent on the program's behalf."
        ],
        tables=[_program_table("Recognition", figures)],
    )


def _training_not_recorded() -> Section:
    figure = Figure(
        measure="Training completion",
        breakdown=PROGRAM,
        text="not recorded",
        respondents=None,
        value=None,
        shown=False,
    )
    return Section(
        key="training",
        title="Training completion",
        notes=[TRAINING_NOT_RECORDED + "."],
        tables=[_program_table("Training completion", [figure])],
    )


def _training(program: Program, year: _Year) -> Section:
    """Mentor development series begun in the year: trainees enrolled and completed."""
    since, until = year.window
    found = series_completion_in(program, since, until, year.now)
    if not found:
        return _training_not_recorded()
    labels: list[str] = []
    for figures in found:
        label = figures.series.title
        while label in labels or label == PROGRAM:
            label += " (another)"
        labels.append(label)
    enrolled = sum(f.enrolled for f in found)
    completed = sum(f.completed for f in found)
    columns: list[
        tuple[str, str, dict[str, tuple[int, float | None]], tuple[int, float | None]]
    ] = [
        (
            "Trainees enrolled",
            COUNT,
            {k: (f.enrolled, float(f.enrolled)) for k, f in zip(labels, found, strict=True)},
            (enrolled, float(enrolled)),
        ),
        (
            "Completed",
            COUNT,
            {k: (f.enrolled, float(f.completed)) for k, f in zip(labels, found, strict=True)},
            (enrolled, float(completed)),
        ),
        (
            "Completion rate",
            SHARE,
            {
                k: (f.enrolled, f.completed / f.enrolled if f.enrolled else None)
                for k, f in zip(labels, found, strict=True)
            },
            (enrolled, completed / enrolled if enrolled else None),
        ),
    ]
    by_measure = [
        (measure, _breakdown(measure, kind, cells, total))
        for measure, kind, cells, total in columns
    ]
    table = Table(
        title="Training completion",
        row_heading="Series",
        columns=[measure for measure, _ in by_measure],
    )
    for index, label in enumerate([*labels, PROGRAM]):
        table.rows.append(Row(label, [figures[index] for _, figures in by_measure]))
    return Section(
        key="training",
        title="Training completion",
        notes=[
            "Mentor development series whose first session fell in the year. A trainee "
            "completes a series by attending the sessions it asks for; a series still under "
            "way counts those who have so far. A mentor in two series counts in each. A "
            f"series, and its completion rate, shows only with at least {DEFAULT_K} trainees."
        ],
        tables=[table],
    )


def annual_report(
    program: Program, year_start: dt.date, *, now: dt.datetime | None = None
) -> AnnualReport:
    """Every figure of one academic year (1 July to 30 June), under the small-cell rule."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if year_start != academic_year_of(year_start) or year_start > today:
        raise ValueError(f"{year_start} does not start an academic year that has begun.")
    end = dt.date(year_start.year + 1, 6, 30)
    year = _Year(start=year_start, end=end, as_of=min(end, today), now=now)
    communities = list(program.communities.order_by("name"))
    return AnnualReport(
        program=program,
        year_start=year_start,
        year_end=end,
        as_of=year.as_of,
        generated_on=today,
        sections=[
            _participation(program, communities, year),
            _cadence(program, communities, year),
            _changes(program, year),
            _serendipity(program, year),
            _pulse(program, year),
            _recognition(program, year),
            _training(program, year),
        ],
    )


def report_years(program: Program, *, today: dt.date | None = None) -> list[dt.date]:
    """Academic years a report can cover, newest first: from the program's first membership
    (or this year) to the one under way."""
    today = today or timezone.localdate()
    current = academic_year_of(today)
    first = GroupMembership.objects.filter(program=program).aggregate(first=Min("start_date"))[
        "first"
    ]
    start = academic_year_of(first) if first and first < current else current
    return [dt.date(y, 7, 1) for y in range(current.year, start.year - 1, -1)]


REPORT_COLUMNS = ["section", "measure", "breakdown", "value", "respondents"]


def report_rows(report: AnnualReport) -> list[dict[str, object]]:
    """The report as one long table: what the CSV holds, row for row the PDF's figures."""
    return [
        {
            "section": section.title,
            "measure": figure.measure,
            "breakdown": figure.breakdown,
            "value": figure.text,
            "respondents": "" if figure.respondents is None else figure.respondents,
        }
        for section in report.sections
        for figure in section.figures
    ]
