"""Reads about meeting rhythm: which pairs are due, overdue or stalled, and meetings per month."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from hearth.communities.models import (
    Community,
    Program,
    Relationship,
    RelationshipKind,
    RelationshipStatus,
)
from hearth.lib.sql import grouped

from .models import Cadence, Meeting, ProgramMeetingSettings

DEFAULT_STALLED_AFTER_DAYS = ProgramMeetingSettings._meta.get_field("stalled_after_days").default


@dataclass(frozen=True)
class RelationshipDue:
    relationship: Relationship
    last_met: dt.datetime | None
    due_on: dt.date | None
    every_days: int | None
    overdue: bool
    stalled: bool


@dataclass(frozen=True)
class Rhythm:
    """When one relationship last met and next should, without the relationship itself."""

    relationship_id: int
    mentor_id: int
    start_date: dt.date
    last_met: dt.datetime | None
    due_on: dt.date | None
    every_days: int | None
    overdue: bool
    stalled: bool

    @property
    def late(self) -> bool:
        return self.overdue or self.stalled


@dataclass(frozen=True)
class _RhythmRules:
    every_days: dict[tuple[int, int | None], int]
    stalled_after: dict[int, int]
    today: dt.date
    zone: dt.tzinfo

    def judge(
        self,
        *,
        program_id: int,
        learner_year: int | None,
        status: str,
        start_date: dt.date,
        last_met: dt.datetime | None,
    ) -> tuple[dt.date | None, int | None, bool, bool]:
        """(due on, every how many days, overdue, stalled) of one relationship."""
        since = last_met.astimezone(self.zone).date() if last_met else start_date
        days = self.every_days.get((program_id, learner_year))
        due_on = since + dt.timedelta(days=days) if days is not None else None
        stalled_after_days = self.stalled_after.get(program_id, DEFAULT_STALLED_AFTER_DAYS)
        return (
            due_on,
            days,
            due_on is not None and due_on < self.today,
            status == RelationshipStatus.ACTIVE and (self.today - since).days >= stalled_after_days,
        )


def _rhythm_rules(program_ids: set[int], *, now: dt.datetime) -> _RhythmRules:
    """The programs' cadences and stalled-after days, in two queries."""
    return _RhythmRules(
        every_days={
            (program_id, year): days
            for program_id, year, days in Cadence.objects.filter(
                program_id__in=program_ids
            ).values_list("program_id", "learner_year", "every_days")
        },
        stalled_after=dict(
            ProgramMeetingSettings.objects.filter(program_id__in=program_ids).values_list(
                "program_id", "stalled_after_days"
            )
        ),
        today=timezone.localdate(now),
        zone=timezone.get_current_timezone(),
    )


def _last_held(now: dt.datetime) -> Max:
    return Max(
        "meetings__starts_at",
        filter=Q(meetings__cancelled_at__isnull=True, meetings__starts_at__lte=now),
    )


def relationship_due(
    relationships: Iterable[Relationship], *, now: dt.datetime
) -> list[RelationshipDue]:
    """When each relationship last met and next should meet, in three queries."""
    relationships = list(relationships)
    if not relationships:
        return []
    facts = {
        pk: (last_met, learner_year)
        for pk, last_met, learner_year in Relationship.objects.filter(
            pk__in=[r.pk for r in relationships]
        )
        .annotate(last_met=_last_held(now))
        .values_list("pk", "last_met", "mentee__learner_year")
    }
    rules = _rhythm_rules({r.program_id for r in relationships}, now=now)
    result = []
    for relationship in relationships:
        last_met, learner_year = facts.get(relationship.pk, (None, None))
        due_on, days, overdue, stalled = rules.judge(
            program_id=relationship.program_id,
            learner_year=learner_year,
            status=relationship.status,
            start_date=relationship.start_date,
            last_met=last_met,
        )
        result.append(RelationshipDue(relationship, last_met, due_on, days, overdue, stalled))
    return result


def relationship_rhythms(
    relationships: QuerySet[Relationship], *, now: dt.datetime
) -> list[Rhythm]:
    """relationship_due for a whole queryset as plain values: three queries, no model rows,
    so a program's thousands of pairs are judged in milliseconds."""
    rows = list(_rhythm_rows(relationships, now=now))
    if not rows:
        return []
    return _judged(rows, _rhythm_rules({row[2] for row in rows}, now=now))


def _rhythm_rows(relationships: QuerySet[Relationship], *, now: dt.datetime) -> QuerySet[Any]:
    return (
        relationships.order_by("-start_date", "pk")
        .annotate(last_met=_last_held(now))
        .values_list(
            "pk",
            "mentor_id",
            "program_id",
            "status",
            "start_date",
            "mentee__learner_year",
            "last_met",
        )
    )


def _judged(rows: Iterable[tuple[Any, ...]], rules: _RhythmRules) -> list[Rhythm]:
    rhythms = []
    for pk, mentor_id, program_id, status, start_date, learner_year, last_met in rows:
        due_on, days, overdue, stalled = rules.judge(
            program_id=program_id,
            learner_year=learner_year,
            status=status,
            start_date=start_date,
            last_met=last_met,
        )
        rhythms.append(Rhythm(pk, mentor_id, start_date, last_met, due_on, days, overdue, stalled))
    return rhythms


def _late_filter(rules: _RhythmRules, program_ids: Iterable[int]) -> Q:
    """The judge's overdue and stalled rules as SQL over last_met, so the database returns
    only the late pairs of a program's thousands."""

    def quiet_since_before(day: dt.date) -> Q:
        midnight = timezone.make_aware(dt.datetime.combine(day, dt.time.min), rules.zone)
        return Q(last_met__lt=midnight) | Q(last_met__isnull=True, start_date__lt=day)

    late = Q()
    for (program_id, year), days in rules.every_days.items():
        late |= Q(program_id=program_id, mentee__learner_year=year) & quiet_since_before(
            rules.today - dt.timedelta(days=days)
        )
    for program_id in program_ids:
        days = rules.stalled_after.get(program_id, DEFAULT_STALLED_AFTER_DAYS)
        late |= Q(program_id=program_id, status=RelationshipStatus.ACTIVE) & quiet_since_before(
            rules.today - dt.timedelta(days=days - 1)
        )
    return late


def open_relationships(
    *, program: Program | None = None, communities: QuerySet[Community] | None = None
) -> QuerySet[Relationship]:
    """Active relationships that have not ended, with what a list of them shows."""
    relationships = Relationship.objects.filter(
        status=RelationshipStatus.ACTIVE, end_date__isnull=True
    ).select_related("mentor", "mentee", "program", "group__community")
    if program is not None:
        relationships = relationships.filter(program=program)
    if communities is not None:
        relationships = relationships.filter(group__community__in=communities)
    return relationships


def late_rhythms(
    relationships: QuerySet[Relationship], *, program_ids: Iterable[int], now: dt.datetime
) -> list[Rhythm]:
    """The overdue or stalled pairs among `relationships`, found by the database: stalled
    first, then by the date they were due."""
    rows, rules = _late_rows(relationships, program_ids=program_ids, now=now)
    late = [r for r in _judged(rows, rules) if r.late]
    return sorted(late, key=lambda r: (not r.stalled, r.due_on or dt.date.max))


def late_count_by_mentor(
    relationships: QuerySet[Relationship], *, program_ids: Iterable[int], now: dt.datetime
) -> Counter[int]:
    """How many of `relationships` each mentor has overdue or stalled: late_rhythms counted by
    the database, which returns one row per mentor instead of every late pair."""
    late, _ = _late_rows(relationships, program_ids=program_ids, now=now)
    return Counter(dict(grouped(late, by="mentor_id", totals="COUNT(*)")))


def _late_rows(
    relationships: QuerySet[Relationship], *, program_ids: Iterable[int], now: dt.datetime
) -> tuple[QuerySet[Any], _RhythmRules]:
    """The rows of the late pairs among `relationships`, with the rules that found them."""
    program_ids = set(program_ids)
    rules = _rhythm_rules(program_ids, now=now)
    return _rhythm_rows(relationships, now=now).filter(_late_filter(rules, program_ids)), rules


def _with_relationships(
    rhythms: Iterable[Rhythm], relationships: QuerySet[Relationship]
) -> list[RelationshipDue]:
    rhythms = list(rhythms)
    found = relationships.in_bulk([r.relationship_id for r in rhythms])
    return [
        RelationshipDue(
            found[r.relationship_id], r.last_met, r.due_on, r.every_days, r.overdue, r.stalled
        )
        for r in rhythms
    ]


def overdue_relationships(
    *,
    program: Program | None = None,
    now: dt.datetime,
    communities: QuerySet[Community] | None = None,
) -> list[RelationshipDue]:
    """Active, open relationships overdue for a meeting or stalled; stalled first, then by date."""
    relationships = open_relationships(program=program, communities=communities)
    program_ids = [program.pk] if program else Program.objects.values_list("pk", flat=True)
    late = late_rhythms(relationships, program_ids=program_ids, now=now)
    return _with_relationships(late, relationships)


LATE_PAIRS_PER_PAGE = 50


@dataclass(frozen=True)
class LatePairs:
    rows: list[RelationshipDue]  # the page's
    page: Page[Rhythm]
    stalled: int

    @property
    def total(self) -> int:
        return self.page.paginator.count


def late_pairs(
    *,
    program: Program,
    communities: QuerySet[Community],
    now: dt.datetime,
    page: int | str | None = 1,
) -> LatePairs:
    """One page of overdue_relationships, with how many are late and stalled in all."""
    relationships = open_relationships(program=program, communities=communities)
    late = late_rhythms(relationships, program_ids=[program.pk], now=now)
    shown = Paginator(late, LATE_PAIRS_PER_PAGE).get_page(page)
    return LatePairs(
        rows=_with_relationships(shown, relationships),
        page=shown,
        stalled=sum(r.stalled for r in late),
    )


def _month_starts(*, months: int, now: dt.datetime) -> list[dt.date]:
    first = timezone.localdate(now).replace(day=1)
    starts = []
    for back in range(months - 1, -1, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        starts.append(dt.date(year, month + 1, 1))
    return starts


def meetings_per_month(
    *, communities: Iterable[Community] | QuerySet[Community], months: int = 12, now: dt.datetime
) -> list[dict[str, Any]]:
    """Held learning-community meetings per community and month, the last `months` months."""
    starts = _month_starts(months=months, now=now)
    window_start = timezone.make_aware(dt.datetime.combine(starts[0], dt.time.min))
    counted = (
        Meeting.objects.filter(
            relationship__kind=RelationshipKind.LC_MENTOR,
            relationship__group__community__in=communities,
            cancelled_at__isnull=True,
            starts_at__gte=window_start,
            starts_at__lte=now,
        )
        .annotate(month=TruncMonth("starts_at"))
        .values_list("month", "relationship__group__community__name")
        .annotate(meetings=Count("pk"))
        .order_by()
    )
    counts = {(month.date().isoformat()[:7], name): n for month, name, n in counted}
    names = sorted({name for _, name in counts})
    return [
        {
            "month": start.isoformat()[:7],
            "community": name,
            "meetings": counts.get((start.isoformat()[:7], name), 0),
        }
        for start in starts
        for name in names
    ]
