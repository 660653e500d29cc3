"""Thank-you notes in the demo school: the demo mentor's collection and the learner's note."""

from __future__ import annotations

import random

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
