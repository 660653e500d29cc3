"""Recognition in the demo school: the demo mentor's thank-you notes, the learner's note, a
director's acknowledgment and the program's teaching-credit rule."""

from __future__ import annotations

import random
from decimal import Decimal

from django.db import transaction

from hearth.communities.demo import DemoSchool
from hearth.communities.models import Relationship
from hearth.people.models import Person

from . import services

NOTES = [
    ("Thank you for the late-night call before my Step 1. I passed!", False, True),
    ("You noticed I was struggling before I said anything. Thank you.", True, False),
    ("Your advice on the research year changed my plans, for the better.", False, True),
    ("Thanks for always starting with how I am, not what I did.", False, False),
]


@transaction.atomic
def seed_thanks(*, school: DemoSchool) -> None:
    rng = random.Random(31)
    mentor = Person.objects.get(email=f"mentor@{school.domain}")
    learner = Person.objects.get(email=f"learner@{school.domain}")
    mentees = list(
        Person.objects.filter(
            pk__in=Relationship.objects.filter(mentor=mentor).values("mentee_id")
        ).exclude(pk=learner.pk)
    )
    for body, anonymous, may_quote in NOTES:
        services.note_send(
            author=rng.choice(mentees),
            mentor=mentor,
            body=body,
            anonymous=anonymous,
            may_quote=may_quote,
        )
    own_mentor = Relationship.objects.filter(mentee=learner).select_related("mentor").first()
    if own_mentor is not None:
        services.note_send(
            author=learner,
            mentor=own_mentor.mentor,
            body="Thank you for the meeting about clerkships: I feel ready.",
            may_quote=True,
        )
    director = Person.objects.get(email=f"director@{school.domain}")
    services.acknowledgment_send(
        director=director,
        mentor=mentor,
        program=school.program,
        body=(
            "Your group's learners name you, year after year, as the reason they felt at home "
            "here. Thank you for the Friday mornings."
        ),
    )
    services.credit_rule_save(
        program=school.program,
        director=director,
        label="teaching credits",
        credits_per_relationship=Decimal("0.25"),
        min_hours_per_year=Decimal("1"),
        max_credits_per_year=Decimal("5"),
    )
