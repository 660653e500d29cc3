"""Rounds run as scheduled background tasks; a periodic tick catches anything missed."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend, task

from .models import Circle

REMIND_BEFORE = dt.timedelta(days=1)


def schedule_circle_tasks(circle: Circle) -> None:
    """Queue the reminder and the next round at their times (a backend that can defer only)."""
    if not default_task_backend.supports_defer or circle.archived_at is not None:
        return
    due = circle.next_round_at
    remind_at = max(due - REMIND_BEFORE, timezone.now())
    circle_reminder_task.using(run_after=remind_at).enqueue(circle.pk, due.isoformat())
    circle_round_task.using(run_after=due).enqueue(circle.pk, due.isoformat())


@task()
def circle_round_task(circle_id: int, due: str) -> bool:
    """Run the round due at `due`, unless it already ran or the circle changed its date."""
    from .services import round_run

    circle = Circle.objects.filter(pk=circle_id, archived_at__isnull=True).first()
    if circle is None or circle.next_round_at != dt.datetime.fromisoformat(due):
        return False
    round_run(circle=circle)
    return True


@task()
def circle_reminder_task(circle_id: int, due: str) -> bool:
    return remind_if_due(circle_id, dt.datetime.fromisoformat(due))


def remind_if_due(circle_id: int, due: dt.datetime) -> bool:
    from .messages import round_reminders_send

    with transaction.atomic():
        circle = Circle.objects.select_for_update().filter(pk=circle_id).first()
        if circle is None or circle.next_round_at != due or circle.reminded_for == due:
            return False
        round_reminders_send(circle)
        circle.reminded_for = due
        circle.save(update_fields=["reminded_for"])
        return True


def tick(now: dt.datetime | None = None) -> tuple[int, int]:
    """Send reminders due within a day and run rounds that are due; returns (reminded, ran)."""
    from .services import round_run

    now = now or timezone.now()
    live = Circle.objects.filter(archived_at__isnull=True)
    reminded = sum(
        remind_if_due(c.pk, c.next_round_at)
        for c in live.filter(next_round_at__lte=now + REMIND_BEFORE, next_round_at__gt=now)
    )
    ran = 0
    for circle in live.filter(next_round_at__lte=now):
        round_run(circle=circle, now=now)
        ran += 1
    return reminded, ran
