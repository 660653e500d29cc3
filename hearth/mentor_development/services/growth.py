"""Writes for competency growth: a trainee rates themself before, at the end and later."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from hearth.people.models import Person
from hearth.pulse.scoring import ItemBank, load_competency_bank
from hearth.pulse.services import check_answers

from ..models import (
    Enrolment,
    EnrolmentStatus,
    RatingMoment,
    SelfRating,
    TrainingSeries,
    TrainingSession,
)

# The end rating opens as the last session starts and stays open this long after it ends;
# the later one opens six months after the last session and stays open as long.
WINDOW_LENGTH = dt.timedelta(days=60)
LATER_AFTER = relativedelta(months=6)


def self_rating_bank() -> ItemBank:
    """The competency bank in the mentor's own wording: each item's text is its self_text."""
    bank = load_competency_bank()
    return dataclasses.replace(
        bank, items=tuple(dataclasses.replace(item, text=item.self_text) for item in bank.items)
    )


@dataclass(frozen=True)
class Window:
    """When one self-rating may be given; opens_at None means as soon as one is enrolled."""

    moment: RatingMoment
    opens_at: dt.datetime | None
    closes_at: dt.datetime

    def is_open_at(self, at: dt.datetime) -> bool:
        return (self.opens_at is None or self.opens_at <= at) and at <= self.closes_at

    def is_ahead_at(self, at: dt.datetime) -> bool:
        return self.opens_at is not None and at < self.opens_at


def rating_windows(sessions: list[TrainingSession]) -> list[Window]:
    """Before: from enrolment until the first session ends. End: from the last session's start
    until 60 days after it. Later: six months after the last session, for 60 days.

    Cancelled sessions do not count; a series without sessions has no windows yet.
    """
    held = sorted((s for s in sessions if s.cancelled_at is None), key=lambda s: s.starts_at)
    if not held:
        return []
    first, last = held[0], held[-1]
    later_opens = last.ends_at + LATER_AFTER
    return [
        Window(RatingMoment.BEFORE, None, first.ends_at),
        Window(RatingMoment.END, last.starts_at, last.ends_at + WINDOW_LENGTH),
        Window(RatingMoment.LATER, later_opens, later_opens + WINDOW_LENGTH),
    ]


def windows_of(series: TrainingSeries) -> list[Window]:
    return rating_windows(list(series.sessions.all()))


def is_enrolled(series: TrainingSeries, person: Person) -> bool:
    return Enrolment.objects.filter(
        series=series, person=person, status=EnrolmentStatus.ENROLLED
    ).exists()


@transaction.atomic
def self_rating_submit(
    *,
    series: TrainingSeries,
    person: Person,
    moment: str,
    answers: Mapping[str, int],
    on: dt.datetime | None = None,
) -> SelfRating:
    """Save (or change, while its window is open) an enrolled trainee's self-rating."""
    at = on or timezone.now()
    if moment not in RatingMoment.values:
        raise ValidationError(f"Unknown moment {moment!r}.")
    label = RatingMoment(moment).label.lower()
    if not is_enrolled(series, person):
        raise ValidationError("Only the series' enrolled trainees rate themselves here.")
    window = next((w for w in windows_of(series) if w.moment == moment), None)
    if window is None or not window.is_open_at(at):
        raise ValidationError(f"The self-rating {label} is not open now.")
    bank = self_rating_bank()
    check_answers(answers, bank)
    rating, _ = SelfRating.objects.update_or_create(
        series=series,
        person=person,
        moment=moment,
        defaults={
            "answers": dict(answers),
            "item_bank_version": bank.version,
            "submitted_at": at,
        },
    )
    return rating
