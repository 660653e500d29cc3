"""One academic year (2024–25) of a program, built through the services people use.

On top of the test school (Apgar: 2 mentors, Blackwell: 1 mentor and 1 learner), a third
community, Curie House, has 6 mentors and 7 learners, so Blackwell is a small cell, Apgar the
next smallest (hidden to protect it) and Curie is shown. Timestamps the services set to "now"
(a note's sending, a request's decision) are moved back into the year afterwards.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hearth.communities import services as community_services
from hearth.communities.models import (
    Community,
    GroupMembership,
    MemberRole,
    MentorChangeRequest,
    MentorGroup,
    Program,
    Relationship,
)
from hearth.meetings.models import Cadence
from hearth.meetings.services import meeting_create
from hearth.people.models import Person
from hearth.pulse import services as pulse_services
from hearth.pulse.scoring import load_item_bank
from hearth.recognition.models import ThankYouNote
from hearth.recognition.services import note_send
from hearth.serendipity import services as serendipity_services
from hearth.serendipity.models import Audience, Response
from hearth.testing import START, School, make_person

YEAR = dt.date(2024, 7, 1)
UTC = dt.UTC


def at(day: dt.date, hour: int = 15) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=UTC)


@dataclass
class Year:
    school: School
    house_c: Community
    group_c1: MentorGroup
    mentor_c1: Person
    curie_mentors: list[Person]
    curie_learners: list[Person]


def answers(value: int) -> dict[str, int]:
    """Every item answered around `value`, a little higher or lower from theme to theme."""
    bank = load_item_bank()
    themes = [theme.key for theme in bank.themes]
    return {
        item.key: max(1, min(5, value + themes.index(item.theme) % 3 - 1)) for item in bank.items
    }


def met(relationship: Relationship, days: list[dt.date]) -> None:
    for day in days:
        meeting_create(
            organiser=relationship.mentor,
            relationship=relationship,
            title="Check-in",
            starts_at=at(day),
            duration_minutes=30,
            allow_past=True,
            open_conversation=True,
        )


def monthly(first: dt.date, count: int) -> list[dt.date]:
    return [
        dt.date(first.year + (first.month + i - 1) // 12, (first.month + i - 1) % 12 + 1, 10)
        for i in range(count)
    ]


def build_year(school: School, *, extra_communities: int = 0, scale: int = 1) -> Year:
    """The 2024–25 year; `extra_communities` and `scale` grow the data for query budgets."""
    program = school.program
    Cadence.objects.create(program=program, learner_year=1, every_days=42)
    house_c = Community.objects.create(program=program, name="Curie House")
    group_c1 = MentorGroup.objects.create(community=house_c, name="Curie 1", capacity=12)
    group_c2 = MentorGroup.objects.create(community=house_c, name="Curie 2", capacity=12)
    mentor_c1 = make_person("Cora Curiementor", academic_rank="associate")
    community_services.membership_start(
        group=group_c1, person=mentor_c1, role=MemberRole.MENTOR, start_date=START
    )
    co_mentors = [make_person(f"Curie Comentor{n}") for n in range(5)]
    for person in co_mentors:
        # Curie 2 has mentors and no learners: they count as mentors, not as relationships.
        community_services.membership_start(
            group=group_c2, person=person, role=MemberRole.MENTOR, start_date=START
        )
    learners = [make_person(f"Curie Learner{n}", class_year=2028, learner_year=1) for n in range(7)]
    for person in learners:
        community_services.membership_start(
            group=group_c1, person=person, role=MemberRole.LEARNER, start_date=START
        )
    # Apgar grows to 6 learners: Blackwell (1) is then the one small learner cell.
    for n, group in enumerate([school.group_a1, school.group_a2, school.group_a2]):
        person = make_person(f"Apgar Learner{n}", class_year=2028, learner_year=1)
        community_services.membership_start(
            group=group, person=person, role=MemberRole.LEARNER, start_date=START
        )

    # Curie meets: four pairs every month from September to June, three pairs twice.
    curie = list(Relationship.objects.filter(mentor=mentor_c1).order_by("mentee__display_name"))
    for relationship in curie[:4]:
        met(relationship, monthly(dt.date(2024, 9, 1), 10 * scale))
    for relationship in curie[4:]:
        met(relationship, [dt.date(2024, 9, 12), dt.date(2024, 10, 12)])

    # Lars asks for another mentor in January and is moved to Apgar 2.
    membership = GroupMembership.objects.get(person=school.mate_a1, end_date__isnull=True)
    request = community_services.change_request_create(membership=membership, reason="Clash")
    community_services.change_request_decide(
        change_request=request,
        decided_by=school.director,
        move_to=school.group_a2,
        note="Moved",
        on=dt.date(2025, 1, 15),
    )
    MentorChangeRequest.objects.filter(pk=request.pk).update(
        created_at=at(dt.date(2025, 1, 5)), decided_at=at(dt.date(2025, 1, 15))
    )

    # Pulse: everyone answers in autumn, seven in winter, three in spring (too few to show).
    mentors = [school.mentor_a1, school.mentor_a2, school.mentor_b1, mentor_c1, *co_mentors]
    autumn = pulse_services.wave_open(
        program=program,
        label="Autumn 2024",
        opens_on=dt.date(2024, 10, 1),
        closes_on=dt.date(2024, 10, 21),
        invite=False,
    )
    for index, person in enumerate(mentors):
        pulse_services.response_submit(
            wave=autumn, person=person, answers=answers(3 + index % 2), on=autumn.opens_on
        )
    winter = pulse_services.wave_open(
        program=program,
        label="Winter 2025",
        opens_on=dt.date(2025, 1, 10),
        closes_on=dt.date(2025, 1, 31),
        invite=False,
    )
    for index, person in enumerate(mentors[2:]):
        pulse_services.response_submit(
            wave=winter, person=person, answers=answers(4 - index % 2), on=winter.opens_on
        )
    spring = pulse_services.wave_open(
        program=program,
        label="Spring 2025",
        opens_on=dt.date(2025, 3, 1),
        closes_on=dt.date(2025, 3, 21),
        invite=False,
    )
    for person in mentors[:3]:
        pulse_services.response_submit(
            wave=spring, person=person, answers=answers(4), on=spring.opens_on
        )

    # Serendipity: one circle, one round in October; everyone answers, most met.
    circle = serendipity_services.circle_create(
        program=program,
        created_by=school.director,
        name="Coffee across houses",
        audience=Audience.FACULTY,
        first_round_at=at(dt.date(2024, 10, 7), 9),
        mix_communities=False,
    )
    for person in mentors:
        serendipity_services.circle_join(circle=circle, person=person)
    round_ = serendipity_services.round_run(
        circle=circle, now=at(dt.date(2024, 10, 7), 9), introduce=False
    )
    for number, pairing in enumerate(round_.pairings.all()):
        for member in pairing.members.all():
            response = Response.MET if number < 3 else Response.MISSED
            serendipity_services.pairing_respond(member=member, response=response)

    # Recognition: six Curie learners thank their mentor in January.
    for person in learners[:6]:
        note_send(author=person, mentor=mentor_c1, body="Thank you for this year.")
    ThankYouNote.objects.update(created_at=at(dt.date(2025, 1, 20)))

    for number in range(extra_communities):
        _grow(program, number, scale)
    return Year(
        school=school,
        house_c=house_c,
        group_c1=group_c1,
        mentor_c1=mentor_c1,
        curie_mentors=[mentor_c1, *co_mentors],
        curie_learners=learners,
    )


def _grow(program: Program, number: int, scale: int) -> None:
    """Another community with a mentor, learners and meetings: more rows, same queries."""
    community = Community.objects.create(program=program, name=f"Extra House {number}")
    group = MentorGroup.objects.create(community=community, name=f"Extra {number}", capacity=12)
    mentor = make_person(f"Extra Mentor{number}")
    community_services.membership_start(
        group=group, person=mentor, role=MemberRole.MENTOR, start_date=START
    )
    for n in range(6):
        learner = make_person(f"Extra Learner{number}-{n}", class_year=2028, learner_year=1)
        community_services.membership_start(
            group=group, person=learner, role=MemberRole.LEARNER, start_date=START
        )
    for relationship in Relationship.objects.filter(mentor=mentor):
        met(relationship, monthly(dt.date(2024, 9, 1), 3 * scale))
