"""Check-ins in the demo school: two past terms answered, this term's open now."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from hearth.communities.demo import DemoSchool
from hearth.communities.models import Relationship
from hearth.people.models import Person

from . import services
from .models import PulseWave
from .scoring import load_competency_bank, load_item_bank

FREE_TEXTS = [
    "A learner I worried about matched in her first choice.",
    "Hard month: two learners in crisis and a full clinic.",
    "The small-group session on feedback went really well.",
    "",
    "",
]


@transaction.atomic
def seed_pulse(*, school: DemoSchool, today: dt.date | None = None) -> None:
    rng = random.Random(23)
    feedback_rng = random.Random(31)  # its own stream, so check-in answers stay as they were
    today = today or timezone.localdate()
    bank = load_item_bank()
    mentors = services.current_mentors(school.program)
    demo_mentor = Person.objects.get(email=f"mentor@{school.domain}")
    # Each mentor has a steady level per theme; the demo mentor's harm score creeps up.
    # Meaning is mostly felt; harm mostly is not, for most mentors.
    levels = {
        m.pk: {
            t.key: rng.uniform(1.4, 3.0) if t.negative else rng.uniform(2.8, 4.6)
            for t in bank.themes
        }
        for m in mentors
    }
    waves = [
        ("Spring term", today - dt.timedelta(days=240), 0.85),
        ("Summer term", today - dt.timedelta(days=120), 0.8),
        ("Autumn term", today - dt.timedelta(days=3), 0.75),
    ]
    for number, (label, opens_on, share) in enumerate(waves):
        current = number == len(waves) - 1
        wave = services.wave_open(
            program=school.program,
            label=label,
            opens_on=opens_on,
            closes_on=opens_on + dt.timedelta(days=21),
            invite=False,
        )
        for mentor in mentors:
            if mentor == demo_mentor and current:
                continue  # the demo mentor finds this term's check-in waiting
            if mentor != demo_mentor and rng.random() > share:
                continue
            answers = {}
            for theme in bank.themes:
                level = levels[mentor.pk][theme.key]
                if mentor == demo_mentor and theme.key == "harmed":
                    level = 2.2 + 0.9 * number
                for item in bank.items_for(theme.key):
                    value = round(min(5, max(1, rng.gauss(level, 0.6))))
                    answers[item.key] = 6 - value if item.reverse else value
            services.response_submit(
                wave=wave,
                person=mentor,
                answers=answers,
                free_text=rng.choice(FREE_TEXTS),
                free_text_to_studies=rng.random() < 0.5,
                on=opens_on + dt.timedelta(days=rng.randint(0, 3 if current else 20)),
            )
        seed_mentee_feedback(school=school, wave=wave, rng=feedback_rng, current=current)
    services.feedback_sharing_set(mentor=demo_mentor, in_portfolio=True)


def seed_mentee_feedback(
    *, school: DemoSchool, wave: PulseWave, rng: random.Random, current: bool
) -> None:
    """Most learners rate their mentoring each term; the demo learner's rating this term waits."""
    bank = load_competency_bank()
    demo_learner = Person.objects.get(email=f"learner@{school.domain}")
    relationships = Relationship.objects.filter(
        program=school.program, end_date__isnull=True
    ).select_related("mentee")
    for relationship in relationships:
        if relationship.mentee == demo_learner and current:
            continue
        if rng.random() > (0.4 if current else 0.8):
            continue
        # A mentor is steady across learners; learners differ a little.
        base = 3.4 + (relationship.mentor_id % 5) * 0.3
        answers = {item.key: round(min(5, max(1, rng.gauss(base, 0.7)))) for item in bank.items}
        services.feedback_submit(
            wave=wave,
            relationship=relationship,
            learner=relationship.mentee,
            answers=answers,
            on=wave.opens_on + dt.timedelta(days=rng.randint(0, 3 if current else 13)),
        )
