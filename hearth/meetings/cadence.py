"""Reads about meeting rhythm: which pairs are due, overdue or stalled, and meetings per month."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

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


def relationship_due(
    relationships: Iterable[Relationship], *, now: dt.datetime
) -> list[RelationshipDue]:
    """When each relationship last met and next should meet, in three queries."""
    relationships = list(relationships)
    if not relationships:
        return []
    today = timezone.localdate(now)
    held = Q(meetings__cancelled_at__isnull=True, meetings__starts_at__lte=now)
    facts = {
        pk: (last_met, learner_year)
        for pk, last_met, learner_year in Relationship.objects.filter(
            pk__in=[r.pk for r in relationships]
        )
        .annotate(last_met=Max("meetings__starts_at", filter=held))
        .values_list("pk", "last_met", "mentee__learner_year")
    }
    program_ids = {r.program_id for r in relationships}
    every_days: dict[tuple[int, int | None], int] = {
        (program_id, year): days
        for program_id, year, days in Cadence.objects.filter(
            program_id__in=program_ids
        ).values_list("program_id", "learner_year", "every_days")
    }
    stalled_after = dict(
        ProgramMeetingSettings.objects.filter(program_id__in=program_ids).values_list(
            "program_id", "stalled_after_days"
        )
    )
    result = []
    for relationship in relationships:
        last_met, learner_year = facts.get(relationship.pk, (None, None))
        since = timezone.localdate(last_met) if last_met else relationship.start_date
        days = every_days.get((relationship.program_id, learner_year))
        due_on = since + dt.timedelta(days=days) if days is not None else None
        quiet_days = (today - since).days
        stalled_after_days = stalled_after.get(relationship.program_id, DEFAULT_STALLED_AFTER_DAYS)
        result.append(
            RelationshipDue(
                relationship=relationship,
                last_met=last_met,
                due_on=due_on,
                every_days=days,
                overdue=due_on is not None and due_on < today,
                stalled=relationship.status == RelationshipStatus.ACTIVE
                and quiet_days >= stalled_after_days,
            )
        )
    return result


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


def overdue_relationships(
    *,
    program: Program | None = None,
    now: dt.datetime,
    communities: QuerySet[Community] | None = None,
) -> list[RelationshipDue]:
    """Active, open relationships overdue for a meeting or stalled; stalled first, then by date."""
    relationships = open_relationships(program=program, communities=communities)
    late = [due for due in relationship_due(relationships, now=now) if due.overdue or due.stalled]
    return sorted(late, key=lambda due: (not due.stalled, due.due_on or dt.date.max))


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
