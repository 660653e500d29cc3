"""Reads for training series: who completed what, what a session page shows to whom."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from hearth.communities.models import Program
from hearth.mentor_development.models import (
    CHECK_IN_EARLY,
    Attendance,
    CaseResponse,
    Enrolment,
    EnrolmentStatus,
    MentoringCase,
    Reflection,
    TrainingSeries,
    TrainingSession,
)
from hearth.people.models import Person, Role, RoleGrant
from hearth.people.permissions import (
    can_run_series,
    training_programs,
    visible_programs,
    visible_series,
)

# A trainee sees last session's reflection again from a day before the next session.
FOLLOW_UP_FROM = dt.timedelta(days=1)


# --- Completion: the rule in one place -------------------------------------------------


def held(sessions: Iterable[TrainingSession]) -> list[TrainingSession]:
    """The sessions that count: cancelled ones are never required."""
    return [s for s in sessions if s.cancelled_at is None]


def sessions_needed(series: TrainingSeries, sessions: Iterable[TrainingSession]) -> int:
    """How many sessions complete the series: its own number, or every session held.

    The number is capped at the sessions held, so cancelling a session never makes a series
    impossible to complete.
    """
    count = len(held(sessions))
    if series.sessions_to_complete is None:
        return count
    return min(series.sessions_to_complete, count)


@dataclass(frozen=True)
class Completion:
    attended: int
    needed: int

    @property
    def complete(self) -> bool:
        return self.needed > 0 and self.attended >= self.needed


def completion(
    series: TrainingSeries, sessions: Sequence[TrainingSession], attended: set[int]
) -> Completion:
    """One trainee's completion, from the ids of the sessions they attended."""
    count = sum(1 for s in held(sessions) if s.pk in attended)
    return Completion(attended=count, needed=sessions_needed(series, sessions))


def series_over(sessions: Sequence[TrainingSession], now: dt.datetime) -> bool:
    """Every session held has ended (a series with none held is not over: it has not run)."""
    running = held(sessions)
    return bool(running) and all(s.ends_at <= now for s in running)


def enrolment_of(series: TrainingSeries, person: Any) -> Enrolment | None:
    if not getattr(person, "is_authenticated", False):
        return None
    return Enrolment.objects.filter(series=series, person_id=person.pk).first()


def is_enrolled(series: TrainingSeries, person: Any) -> bool:
    enrolment = enrolment_of(series, person)
    return enrolment is not None and enrolment.status == EnrolmentStatus.ENROLLED


def trainee_completion(series: TrainingSeries, person: Person) -> Completion:
    sessions = list(series.sessions.all())
    attended = set(
        Attendance.objects.filter(session__series=series, person=person).values_list(
            "session_id", flat=True
        )
    )
    return completion(series, sessions, attended)


def certificate_ready(series: TrainingSeries, person: Person, now: dt.datetime) -> bool:
    """An enrolled trainee who completed the series, once its last session has ended."""
    if not is_enrolled(series, person):
        return False
    sessions = list(series.sessions.all())
    return series_over(sessions, now) and trainee_completion(series, person).complete


def facilitator_choices(program: Program) -> QuerySet[Person]:
    """Who may facilitate a session: the program's facilitators and directors."""
    return Person.objects.filter(
        pk__in=RoleGrant.objects.filter(
            program=program, role__in=[Role.PROGRAM_DIRECTOR, Role.FACILITATOR]
        ).values("person_id"),
        is_active=True,
    )


def neighbour_session(session: TrainingSession, *, after: bool) -> TrainingSession | None:
    """The next (or previous) session of the series that is held."""
    others = TrainingSession.objects.filter(series_id=session.series_id, cancelled_at__isnull=True)
    if after:
        return others.filter(Q(starts_at__gt=session.starts_at)).order_by("starts_at", "pk").first()
    return others.filter(starts_at__lt=session.starts_at).order_by("-starts_at", "-pk").first()


def follow_up_open(reflection: Reflection, now: dt.datetime) -> bool:
    """A reflection is followed up at the next session, from a day before it starts."""
    following = neighbour_session(reflection.session, after=True)
    return following is not None and now >= following.starts_at - FOLLOW_UP_FROM


def cases_available(session: TrainingSession) -> QuerySet[MentoringCase]:
    """Cases a facilitator can attach: Hearth's own and the program's."""
    return MentoringCase.objects.filter(
        Q(program__isnull=True) | Q(program_id=session.series.program_id)
    )


def program_cases(program: Program) -> QuerySet[MentoringCase]:
    return MentoringCase.objects.filter(Q(program__isnull=True) | Q(program=program)).order_by(
        "program_id", "title"
    )


# --- The development page ----------------------------------------------------------------


@dataclass
class Overview:
    programs_run: list[Program]
    running: list[TrainingSeries]
    mine: list[Enrolment]
    open_to_join: list[TrainingSeries]


def development_overview(user: Person) -> Overview:
    """Series the user runs, is part of, or may ask to join."""
    mine = list(
        Enrolment.objects.filter(person=user)
        .exclude(status=EnrolmentStatus.DECLINED)
        .select_related("series__program")
        .order_by("-series__created_at")
    )
    taken = {e.series_id for e in mine}
    programs_run = list(training_programs(user).order_by("name"))
    running = list(
        TrainingSeries.objects.filter(program__in=programs_run).select_related("program")
    )
    open_to_join = [
        s
        for s in visible_series(user)
        .filter(self_enrolment=True, program__in=visible_programs(user))
        .exclude(program__in=programs_run)
        .select_related("program")
        if s.pk not in taken
    ]
    return Overview(
        programs_run=programs_run, running=running, mine=mine, open_to_join=open_to_join
    )


# --- The series page ---------------------------------------------------------------------

ATTENDED, MISSED, UPCOMING, CANCELLED = "attended", "missed", "upcoming", "cancelled"


@dataclass
class GridRow:
    enrolment: Enrolment
    cells: list[str]
    completion: Completion

    @property
    def person(self) -> Person:
        return self.enrolment.person


@dataclass
class SeriesPage:
    series: TrainingSeries
    sessions: list[TrainingSession]
    can_run: bool
    enrolment: Enrolment | None
    needed: int
    over: bool
    rows: list[GridRow] = field(default_factory=list)
    requested: list[Enrolment] = field(default_factory=list)
    invited: list[Enrolment] = field(default_factory=list)
    left: list[Enrolment] = field(default_factory=list)
    certificate_ready: bool = False

    @property
    def enrolled(self) -> bool:
        return self.enrolment is not None and self.enrolment.status == EnrolmentStatus.ENROLLED

    @property
    def completed_count(self) -> int:
        return sum(1 for row in self.rows if row.completion.complete)


def _cell(session: TrainingSession, attended: bool, now: dt.datetime) -> str:
    if session.cancelled_at is not None:
        return CANCELLED
    if attended:
        return ATTENDED
    return MISSED if session.ends_at <= now else UPCOMING


def series_page(series: TrainingSeries, viewer: Person, now: dt.datetime) -> SeriesPage:
    """Sessions, and who completed what: all trainees for those who run it, else one's own."""
    sessions = list(series.sessions.select_related("facilitator").order_by("starts_at", "pk"))
    can_run = can_run_series(viewer, series)
    enrolments = list(
        Enrolment.objects.filter(series=series)
        .select_related("person", "decided_by")
        .order_by("person__display_name", "pk")
    )
    own = next((e for e in enrolments if e.person_id == viewer.pk), None)
    page = SeriesPage(
        series=series,
        sessions=sessions,
        can_run=can_run,
        enrolment=own,
        needed=sessions_needed(series, sessions),
        over=series_over(sessions, now),
    )
    shown = [
        e
        for e in enrolments
        if e.status == EnrolmentStatus.ENROLLED and (can_run or e.person_id == viewer.pk)
    ]
    attendance: dict[int, set[int]] = defaultdict(set)
    if shown:
        for person_id, session_id in Attendance.objects.filter(
            session__series=series, person_id__in=[e.person_id for e in shown]
        ).values_list("person_id", "session_id"):
            attendance[person_id].add(session_id)
    for enrolment in shown:
        attended = attendance[enrolment.person_id]
        page.rows.append(
            GridRow(
                enrolment=enrolment,
                cells=[_cell(s, s.pk in attended, now) for s in sessions],
                completion=completion(series, sessions, attended),
            )
        )
    if can_run:
        page.requested = [e for e in enrolments if e.status == EnrolmentStatus.REQUESTED]
        page.invited = [e for e in enrolments if e.status == EnrolmentStatus.INVITED]
        page.left = [
            e
            for e in enrolments
            if e.status in (EnrolmentStatus.WITHDRAWN, EnrolmentStatus.DECLINED)
        ]
    if page.enrolled and page.over:
        mine = next(row for row in page.rows if row.enrolment.pk == own.pk)  # type: ignore[union-attr]
        page.certificate_ready = mine.completion.complete
    return page


# --- The session page --------------------------------------------------------------------


@dataclass
class CaseBlock:
    case: MentoringCase
    own: CaseResponse | None
    responses: list[CaseResponse]
    waiting: int  # responses kept back until the session starts
    can_respond: bool


@dataclass
class RosterRow:
    person: Person
    attendance: Attendance | None


@dataclass
class SessionPage:
    session: TrainingSession
    can_run: bool
    enrolment: Enrolment | None
    started: bool
    check_in_open: bool
    attendance: Attendance | None
    reflection: Reflection | None
    can_reflect: bool
    follow_up: Reflection | None
    cases: list[CaseBlock]
    roster: list[RosterRow] = field(default_factory=list)
    can_mark: bool = False
    attachable: list[MentoringCase] = field(default_factory=list)
    previous: TrainingSession | None = None
    following: TrainingSession | None = None

    @property
    def enrolled(self) -> bool:
        return self.enrolment is not None and self.enrolment.status == EnrolmentStatus.ENROLLED

    @property
    def cancelled(self) -> bool:
        return self.session.cancelled_at is not None


def cohort_ids(series: TrainingSeries) -> set[int]:
    return set(
        Enrolment.objects.filter(series=series, status=EnrolmentStatus.ENROLLED).values_list(
            "person_id", flat=True
        )
    )


def session_page(session: TrainingSession, viewer: Person, now: dt.datetime) -> SessionPage:
    """What one person sees of a session: the cohort's case responses only once it starts."""
    series = session.series
    can_run = can_run_series(viewer, series)
    enrolment = enrolment_of(series, viewer)
    enrolled = enrolment is not None and enrolment.status == EnrolmentStatus.ENROLLED
    started = session.has_started_at(now)
    cancelled = session.cancelled_at is not None
    cohort = cohort_ids(series)
    attendances = {
        a.person_id: a
        for a in Attendance.objects.filter(session=session).select_related("marked_by")
    }
    attendance = attendances.get(viewer.pk)
    reflection = Reflection.objects.filter(session=session, person=viewer).first()
    previous = neighbour_session(session, after=False)
    following = neighbour_session(session, after=True)
    follow_up = None
    if enrolled and previous is not None and now >= session.starts_at - FOLLOW_UP_FROM:
        follow_up = Reflection.objects.filter(session=previous, person=viewer).first()

    in_cohort = can_run or enrolled
    responses_by_case: dict[int, list[CaseResponse]] = defaultdict(list)
    for response in (
        CaseResponse.objects.filter(session=session, person_id__in=cohort)
        .select_related("person")
        .order_by("created_at", "pk")
    ):
        responses_by_case[response.case_id].append(response)
    cases = []
    for case in session.cases.order_by("title"):
        everyone = responses_by_case[case.pk]
        own = next((r for r in everyone if r.person_id == viewer.pk), None)
        visible = everyone if (in_cohort and started) else ([own] if own else [])
        cases.append(
            CaseBlock(
                case=case,
                own=own,
                responses=visible,
                waiting=0 if started or not in_cohort else len(everyone) - len(visible),
                can_respond=enrolled and not started and not cancelled,
            )
        )
    page = SessionPage(
        session=session,
        can_run=can_run,
        enrolment=enrolment,
        started=started,
        check_in_open=enrolled and not cancelled and session.check_in_open_at(now),
        attendance=attendance,
        reflection=reflection,
        can_reflect=enrolled and attendance is not None and started and not cancelled,
        follow_up=follow_up,
        cases=cases,
        previous=previous,
        following=following,
    )
    if can_run:
        trainees = Person.objects.filter(pk__in=cohort).order_by("display_name")
        page.roster = [RosterRow(p, attendances.get(p.pk)) for p in trainees]
        page.can_mark = not cancelled and now >= session.starts_at - CHECK_IN_EARLY
        attached = {block.case.pk for block in cases}
        page.attachable = [c for c in cases_available(session) if c.pk not in attached]
    return page


# --- The portfolio and the annual report -----------------------------------------------


@dataclass(frozen=True)
class CompletedSeries:
    series: TrainingSeries
    attended: int
    needed: int
    held: int
    ended_on: dt.datetime


def completed_series(person: Person, now: dt.datetime) -> list[CompletedSeries]:
    """Series the person completed, once each is over, oldest first."""
    enrolled = list(
        TrainingSeries.objects.filter(
            enrolments__person=person, enrolments__status=EnrolmentStatus.ENROLLED
        ).select_related("program")
    )
    if not enrolled:
        return []
    sessions: dict[int, list[TrainingSession]] = defaultdict(list)
    for session in TrainingSession.objects.filter(series__in=enrolled).order_by("starts_at"):
        sessions[session.series_id].append(session)
    attended = set(
        Attendance.objects.filter(person=person, session__series__in=enrolled).values_list(
            "session_id", flat=True
        )
    )
    done = []
    for series in enrolled:
        own = sessions[series.pk]
        result = completion(series, own, attended)
        if series_over(own, now) and result.complete:
            done.append(
                CompletedSeries(
                    series=series,
                    attended=result.attended,
                    needed=result.needed,
                    held=len(held(own)),
                    ended_on=max(s.ends_at for s in held(own)),
                )
            )
    return sorted(done, key=lambda d: d.ended_on)


@dataclass(frozen=True)
class SeriesFigures:
    series: TrainingSeries
    enrolled: int
    completed: int


def series_completion_in(
    program: Program, since: dt.datetime, until: dt.datetime, now: dt.datetime
) -> list[SeriesFigures]:
    """Series whose first session held falls in [since, until), with trainees enrolled and
    completed so far."""
    firsts: dict[int, dt.datetime] = {}
    sessions: dict[int, list[TrainingSession]] = defaultdict(list)
    for session in TrainingSession.objects.filter(series__program=program).order_by("starts_at"):
        sessions[session.series_id].append(session)
        if session.cancelled_at is None:
            firsts.setdefault(session.series_id, session.starts_at)
    chosen = [pk for pk, first in firsts.items() if since <= first < until]
    if not chosen:
        return []
    series_list = sorted(
        TrainingSeries.objects.filter(pk__in=chosen), key=lambda s: (firsts[s.pk], s.pk)
    )
    trainees: dict[int, list[int]] = defaultdict(list)
    for series_id, person_id in Enrolment.objects.filter(
        series__in=chosen, status=EnrolmentStatus.ENROLLED
    ).values_list("series_id", "person_id"):
        trainees[series_id].append(person_id)
    attended: dict[tuple[int, int], set[int]] = defaultdict(set)
    for series_id, person_id, session_id in Attendance.objects.filter(
        session__series__in=chosen, session__starts_at__lt=now
    ).values_list("session__series_id", "person_id", "session_id"):
        attended[(series_id, person_id)].add(session_id)
    return [
        SeriesFigures(
            series=series,
            enrolled=len(trainees[series.pk]),
            completed=sum(
                1
                for person_id in trainees[series.pk]
                if completion(
                    series, sessions[series.pk], attended[(series.pk, person_id)]
                ).complete
            ),
        )
        for series in series_list
    ]
