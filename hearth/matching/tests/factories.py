"""An incoming class for the test school: learners with self-reported attributes and
ranked community choices, built the way a roster import and a survey would leave them."""

from __future__ import annotations

from dataclasses import dataclass

from hearth.communities.models import AttributeDefinition, Cohort, PersonAttribute
from hearth.matching.models import CommunityPreference
from hearth.people.models import Person
from hearth.testing import School, make_person

NEW_CLASS_YEAR = 2029


@dataclass
class Incoming:
    cohort: Cohort
    learners: list[Person]
    gender: AttributeDefinition


def incoming_class(school: School, size: int = 6, *, choices: bool = True) -> Incoming:
    """`size` learners of the Class of 2029, half of them women; all prefer Apgar first
    except every third, who prefers Blackwell."""
    cohort = Cohort.objects.create(
        program=school.program, name=f"Class of {NEW_CLASS_YEAR}", class_year=NEW_CLASS_YEAR
    )
    gender = AttributeDefinition.objects.create(
        program=school.program, key="gender", label="Gender", choices=["woman", "man"]
    )
    learners = []
    for i in range(size):
        learner = make_person(f"New Learner {i:02d}", class_year=NEW_CLASS_YEAR, learner_year=1)
        PersonAttribute.objects.create(
            person=learner, definition=gender, value="woman" if i % 2 else "man", consented=True
        )
        if choices:
            first, second = (
                (school.house_b, school.house_a) if i % 3 == 2 else (school.house_a, school.house_b)
            )
            CommunityPreference.objects.create(
                cohort=cohort, learner=learner, community=first, rank=1
            )
            CommunityPreference.objects.create(
                cohort=cohort, learner=learner, community=second, rank=2
            )
        learners.append(learner)
    return Incoming(cohort=cohort, learners=learners, gender=gender)


BALANCE_WOMEN = {
    "preference_weight": 1,
    "even_size_weight": 0.5,
    "balance": [{"attribute": "gender", "value": "woman", "label": "women", "weight": 2}],
}
