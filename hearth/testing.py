"""Shared test personas: a small school built through the same services users call."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hearth.communities import services
from hearth.communities.models import Cohort, Community, MemberRole, MentorGroup, Program
from hearth.people.models import Person, Role, RoleGrant

PASSWORD = "correct-horse-battery"
START = dt.date(2024, 8, 1)


@dataclass
class School:
    program: Program
    house_a: Community
    house_b: Community
    group_a1: MentorGroup
    group_a2: MentorGroup
    group_b1: MentorGroup
    director: Person
    house_director: Person
    mentor_a1: Person
    mentor_a2: Person
    mentor_b1: Person
    learner_a1: Person
    mate_a1: Person
    learner_a2: Person
    learner_b1: Person
    evaluator: Person
    facilitator: Person
    outsider: Person
    admin: Person

    def persona(self, name: str) -> Person:
        return getattr(self, name)


def make_person(name: str, **fields: object) -> Person:
    email = name.lower().replace(" ", ".") + "@school.example.edu"
    return Person.objects.create_user(email=email, password=PASSWORD, display_name=name, **fields)


def build_school() -> School:
    program = Program.objects.create(name="MD Learning Communities", slug="md-lc")
    Cohort.objects.create(program=program, name="Class of 2028", class_year=2028)
    house_a = Community.objects.create(program=program, name="Apgar House")
    house_b = Community.objects.create(program=program, name="Blackwell House")
    group_a1 = MentorGroup.objects.create(community=house_a, name="Apgar 1", capacity=4)
    group_a2 = MentorGroup.objects.create(community=house_a, name="Apgar 2", capacity=4)
    group_b1 = MentorGroup.objects.create(community=house_b, name="Blackwell 1", capacity=4)
    people = {
        "director": make_person("Dora Director"),
        "house_director": make_person("Hugo Housedirector"),
        "mentor_a1": make_person("Mira Mentorone", academic_rank="associate"),
        "mentor_a2": make_person("Mateo Mentortwo", academic_rank="full"),
        "mentor_b1": make_person("Mona Mentorthree", academic_rank="assistant"),
        "learner_a1": make_person("Lena Learnerone", class_year=2028, learner_year=1),
        "mate_a1": make_person("Lars Learnermate", class_year=2028, learner_year=1),
        "learner_a2": make_person("Luca Learnertwo", class_year=2028, learner_year=1),
        "learner_b1": make_person("Lia Learnerthree", class_year=2028, learner_year=1),
        "evaluator": make_person("Eve Evaluator"),
        "facilitator": make_person("Fay Facilitator"),
        "outsider": make_person("Otto Outsider"),
    }
    admin = Person.objects.create_superuser(
        email="admin@school.example.edu", password=PASSWORD, display_name="Ada Admin"
    )
    RoleGrant.objects.create(person=people["director"], role=Role.PROGRAM_DIRECTOR, program=program)
    RoleGrant.objects.create(
        person=people["house_director"],
        role=Role.COMMUNITY_DIRECTOR,
        program=program,
        community=house_a,
    )
    RoleGrant.objects.create(person=people["evaluator"], role=Role.EVALUATOR, program=program)
    RoleGrant.objects.create(person=people["facilitator"], role=Role.FACILITATOR, program=program)
    for group, mentor, learners in [
        (group_a1, "mentor_a1", ["learner_a1", "mate_a1"]),
        (group_a2, "mentor_a2", ["learner_a2"]),
        (group_b1, "mentor_b1", ["learner_b1"]),
    ]:
        services.membership_start(
            group=group, person=people[mentor], role=MemberRole.MENTOR, start_date=START
        )
        for learner in learners:
            services.membership_start(
                group=group, person=people[learner], role=MemberRole.LEARNER, start_date=START
            )
    return School(
        program=program,
        house_a=house_a,
        house_b=house_b,
        group_a1=group_a1,
        group_a2=group_a2,
        group_b1=group_b1,
        admin=admin,
        **people,
    )
