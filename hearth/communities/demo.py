"""A realistic demo school, built through the same services users call."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from hearth.people.models import AcademicRank, Interest, Person, Role, RoleGrant, Supervision

from . import services
from .models import (
    AttributeDefinition,
    Cohort,
    Community,
    EndReason,
    GroupMembership,
    MemberRole,
    MentorGroup,
    PersonAttribute,
    Program,
    RelationshipKind,
)

DEMO_PASSWORD = "hearth-demo"
DOMAIN = "northfield.example.edu"
HOUSES = ["Apgar House", "Blackwell House", "Drew House", "Osler House"]
GROUPS_PER_HOUSE = 6
LEARNERS_PER_CLASS = 150
FIRST_CLASS_YEAR = 2026  # the program began with the Class of 2026, matriculating in 2022

FIRST_NAMES = [
    "Aisha",
    "Alejandro",
    "Amara",
    "Anika",
    "Ben",
    "Camila",
    "Chen",
    "Chloe",
    "Daniel",
    "Deepa",
    "Diego",
    "Elena",
    "Emeka",
    "Ethan",
    "Fatima",
    "Gabriel",
    "Grace",
    "Hana",
    "Ibrahim",
    "Imani",
    "Isaac",
    "Jae",
    "Jamal",
    "Jasmine",
    "Javier",
    "Julia",
    "Kai",
    "Kavya",
    "Kenji",
    "Lara",
    "Leila",
    "Liam",
    "Lucia",
    "Malik",
    "Maria",
    "Mateo",
    "Maya",
    "Mei",
    "Mohammed",
    "Nadia",
    "Naomi",
    "Nia",
    "Noah",
    "Olu",
    "Omar",
    "Priya",
    "Rafael",
    "Rana",
    "Rohan",
    "Rosa",
    "Sam",
    "Sara",
    "Sofia",
    "Tariq",
    "Tomas",
    "Uma",
    "Valeria",
    "Wei",
    "Yara",
    "Zara",
]
LAST_NAMES = [
    "Abebe",
    "Alvarez",
    "Anderson",
    "Bakr",
    "Banerjee",
    "Bello",
    "Brooks",
    "Castillo",
    "Chen",
    "Cohen",
    "Costa",
    "Diaz",
    "Dubois",
    "Edwards",
    "Eze",
    "Fischer",
    "Flores",
    "Garcia",
    "Gupta",
    "Haddad",
    "Hughes",
    "Ito",
    "Jensen",
    "Johnson",
    "Kang",
    "Kaur",
    "Khan",
    "Kim",
    "Kowalski",
    "Lee",
    "Lopez",
    "Mbeki",
    "Mehta",
    "Mendez",
    "Moreau",
    "Nakamura",
    "Nguyen",
    "Novak",
    "Okafor",
    "Olsen",
    "Ortiz",
    "Park",
    "Patel",
    "Petrov",
    "Quinn",
    "Ramirez",
    "Reyes",
    "Rossi",
    "Sato",
    "Schmidt",
    "Shah",
    "Silva",
    "Singh",
    "Suzuki",
    "Tanaka",
    "Torres",
    "Usman",
    "Vargas",
    "Wang",
    "Weber",
    "Williams",
    "Xu",
    "Yilmaz",
    "Young",
    "Zhang",
]
DEPARTMENTS = [
    "Internal Medicine",
    "Pediatrics",
    "Surgery",
    "Family Medicine",
    "Psychiatry",
    "Emergency Medicine",
    "Obstetrics and Gynecology",
    "Neurology",
    "Radiology",
    "Pathology",
]
INTERESTS = [
    "medical education",
    "global health",
    "health equity",
    "research",
    "wellness",
    "primary care",
    "surgery",
    "pediatrics",
    "ethics",
    "quality improvement",
    "music",
    "running",
    "writing",
    "public health",
    "rural medicine",
]
TIME_ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"]


@dataclass
class DemoAccount:
    role: str
    email: str
    name: str


@dataclass
class DemoSchool:
    program: Program
    accounts: list[DemoAccount] = field(default_factory=list)
    domain: str = DOMAIN


class _Names:
    """Unique, repeatable names."""

    def __init__(self, rng: random.Random) -> None:
        self.pairs = [(f, last) for f in FIRST_NAMES for last in LAST_NAMES]
        rng.shuffle(self.pairs)

    def next(self) -> tuple[str, str]:
        return self.pairs.pop()


def _academic_year_start(today: dt.date) -> int:
    return today.year if today >= dt.date(today.year, 8, 1) else today.year - 1


def _person(
    rng: random.Random, names: _Names, email: str | None = None, **fields: object
) -> Person:
    first, last = names.next()
    person = Person.objects.create(
        email=email or f"{first}.{last}.{rng.randrange(10, 99)}@{DOMAIN}".lower(),
        password=_demo_password_hash(),
        display_name=f"{first} {last}",
        time_zone=rng.choice(TIME_ZONES),
        **fields,
    )
    person.interests.set(rng.sample(_interests(), k=rng.randint(1, 3)))
    return person


_INTEREST_CACHE: list[Interest] = []
_HASH_CACHE: list[str] = []


def _demo_password_hash() -> str:
    # Hashing is deliberately slow; the demo's 800 people share one hash.
    if not _HASH_CACHE:
        _HASH_CACHE.append(make_password(DEMO_PASSWORD))
    return _HASH_CACHE[0]


def _interests() -> list[Interest]:
    if not _INTEREST_CACHE:
        _INTEREST_CACHE.extend(Interest.objects.get_or_create(name=n)[0] for n in INTERESTS)
    return _INTEREST_CACHE


def _faculty(rng: random.Random, names: _Names, email: str | None = None) -> Person:
    return _person(
        rng,
        names,
        email,
        department=rng.choice(DEPARTMENTS),
        academic_rank=rng.choice(
            [
                AcademicRank.ASSISTANT,
                AcademicRank.ASSOCIATE,
                AcademicRank.ASSOCIATE,
                AcademicRank.FULL,
                AcademicRank.INSTRUCTOR,
            ]
        ),
        pronouns=rng.choice(["", "she/her", "he/him", "they/them"]),
    )


def _self_report(
    rng: random.Random, person: Person, gender: AttributeDefinition, urim: AttributeDefinition
) -> None:
    PersonAttribute.objects.create(
        person=person,
        definition=gender,
        value=rng.choice(gender.choices),
        consented=rng.random() < 0.85,
    )
    PersonAttribute.objects.create(
        person=person,
        definition=urim,
        value=rng.choices(urim.choices, weights=[1, 3])[0],
        consented=rng.random() < 0.8,
    )


@transaction.atomic
def seed_demo(*, today: dt.date | None = None) -> DemoSchool:
    """Four houses, 24 mentor groups, four current classes of about 150 and one graduated."""
    _INTEREST_CACHE.clear()
    today = today or timezone.localdate()
    rng = random.Random(2030)
    names = _Names(rng)
    current_year = _academic_year_start(today)
    last_class = current_year + 4

    program = Program.objects.create(
        name="MD Learning Communities",
        slug="md-learning-communities",
        description=(
            "Northfield School of Medicine's four houses: each learner keeps the same faculty "
            f"mentor and small group from matriculation to graduation. Begun with the Class of "
            f"{FIRST_CLASS_YEAR}."
        ),
    )
    mtm = Program.objects.create(
        name="Mentoring the Mentors",
        slug="mentoring-the-mentors",
        description="A year-long development program for faculty who mentor.",
        years_of_study=1,
    )
    gender = AttributeDefinition.objects.create(
        program=program,
        key="gender",
        label="Gender",
        choices=["woman", "man", "non-binary", "prefer not to say"],
    )
    urim = AttributeDefinition.objects.create(
        program=program, key="urim", label="Under-represented in medicine", choices=["yes", "no"]
    )
    for class_year in range(FIRST_CLASS_YEAR, last_class + 1):
        Cohort.objects.create(program=program, name=f"Class of {class_year}", class_year=class_year)

    school = DemoSchool(program=program)
    admin = Person.objects.create_superuser(
        email=f"admin@{DOMAIN}", password=DEMO_PASSWORD, display_name="Site Administrator"
    )
    school.accounts.append(DemoAccount("Site admin", admin.email, admin.display_name))
    director = _faculty(rng, names, f"director@{DOMAIN}")
    RoleGrant.objects.create(person=director, role=Role.PROGRAM_DIRECTOR, program=program)
    RoleGrant.objects.create(person=director, role=Role.PROGRAM_DIRECTOR, program=mtm)
    school.accounts.append(DemoAccount("Program director", director.email, director.display_name))

    start = dt.date(FIRST_CLASS_YEAR - 4, 8, 1)
    communities: list[Community] = []
    groups: list[MentorGroup] = []
    mentors: dict[int, Person] = {}
    for house_index, house in enumerate(HOUSES):
        community = Community.objects.create(
            program=program,
            name=house,
            description=f"One of Northfield's four learning communities, founded {start.year}.",
        )
        communities.append(community)
        house_director = _faculty(
            rng, names, f"house.director@{DOMAIN}" if house == "Osler House" else None
        )
        RoleGrant.objects.create(
            person=house_director,
            role=Role.COMMUNITY_DIRECTOR,
            program=program,
            community=community,
        )
        if house == "Osler House":
            school.accounts.append(
                DemoAccount("Community director", house_director.email, house_director.display_name)
            )
        for number in range(1, GROUPS_PER_HOUSE + 1):
            group = MentorGroup.objects.create(
                community=community, name=f"{house.split()[0]} {number}", capacity=30
            )
            groups.append(group)
            demo_mentor = house_index == 3 and number == 1
            mentor = _faculty(rng, names, f"mentor@{DOMAIN}" if demo_mentor else None)
            mentors[group.pk] = mentor
            services.membership_start(
                group=group, person=mentor, role=MemberRole.MENTOR, start_date=start
            )
            if demo_mentor:
                school.accounts.append(DemoAccount("Mentor", mentor.email, mentor.display_name))

    # A co-mentor joins one group, so the demo shows co-mentoring.
    co_mentor = _faculty(rng, names)
    services.membership_start(
        group=groups[1], person=co_mentor, role=MemberRole.MENTOR, start_date=dt.date(2024, 1, 8)
    )

    learners_by_class: dict[int, list[Person]] = {}
    demo_learner_done = False
    for year in range(FIRST_CLASS_YEAR - 4, current_year + 1):
        if year > FIRST_CLASS_YEAR - 4:
            services.rollover_apply(program=program, on=dt.date(year, 5, 31))
        class_year = year + 4
        matriculation = dt.date(year, 8, 1)
        size = LEARNERS_PER_CLASS + rng.randint(-3, 3)
        cohort_learners = []
        for index in range(size):
            group = groups[(index + 7 * year) % len(groups)]
            email = None
            if (
                not demo_learner_done
                and class_year == current_year + 3
                and group.pk == groups[18].pk
            ):
                email = f"learner@{DOMAIN}"
                demo_learner_done = True
            learner = _person(
                rng,
                names,
                email,
                class_year=class_year,
                learner_year=1,
                pronouns=rng.choice(["", "", "she/her", "he/him", "they/them"]),
            )
            _self_report(rng, learner, gender, urim)
            services.membership_start(
                group=group, person=learner, role=MemberRole.LEARNER, start_date=matriculation
            )
            cohort_learners.append(learner)
            if email:
                school.accounts.append(DemoAccount("Learner", learner.email, learner.display_name))
        learners_by_class[class_year] = cohort_learners
        # A few learners move to another group each year (a real-world change, kept as history).
        if year > FIRST_CLASS_YEAR - 4:
            for mover in rng.sample(learners_by_class[class_year - 1], k=3):
                membership = GroupMembership.objects.get(
                    person=mover, program=program, end_date__isnull=True
                )
                target = rng.choice([g for g in groups if g.pk != membership.group_id])
                services.learner_transfer(
                    membership=membership, to_group=target, on=dt.date(year, 9, 15)
                )

    # A mentor leaves mid-year; a colleague takes the group over.
    handed_over = groups[13]
    leaving = mentors[handed_over.pk]
    successor = _faculty(rng, names)
    earlier_learners = list(
        handed_over.memberships.filter(role=MemberRole.LEARNER, end_date__isnull=True)
    )
    for membership in earlier_learners[::2]:
        services.membership_share_history(membership=membership, shares=True)
    services.group_mentor_replace(
        group=handed_over,
        leaving=leaving,
        successor=successor,
        on=dt.date(current_year, 1, 6) if dt.date(current_year, 1, 6) > start else start,
    )

    # A learner takes a leave of absence and comes back with the next class.
    on_leave = learners_by_class[current_year + 2][7]
    leave_membership = GroupMembership.objects.get(
        person=on_leave, program=program, end_date__isnull=True
    )
    services.membership_end(
        membership=leave_membership,
        end_date=dt.date(current_year - 1, 12, 20),
        reason=EndReason.LEAVE,
    )
    if dt.date(current_year, 8, 1) <= today:
        on_leave.class_year = current_year + 3
        on_leave.save(update_fields=["class_year"])
        services.membership_start(
            group=leave_membership.group,
            person=on_leave,
            role=MemberRole.LEARNER,
            start_date=dt.date(current_year, 8, 1),
        )

    # Research mentors and career advisors, beyond the learning community.
    faculty = list(mentors.values()) + [co_mentor, successor]
    for class_year, learners in learners_by_class.items():
        for learner in rng.sample(learners, k=12):
            mentor = rng.choice(faculty)
            relationship = services.relationship_start(
                program=program,
                mentor=mentor,
                mentee=learner,
                kind=rng.choice([RelationshipKind.RESEARCH, RelationshipKind.CAREER]),
                start_date=dt.date(class_year - 2, 10, 1),
            )
            if class_year <= FIRST_CLASS_YEAR:
                services.relationship_end(
                    relationship=relationship,
                    end_date=dt.date(class_year, 5, 31),
                    status="completed",
                    reflection="We finished the project and the match went well.",
                )

    # Mentoring the Mentors: junior faculty with senior career mentors; supervision recorded.
    facilitator = _faculty(rng, names, f"facilitator@{DOMAIN}")
    RoleGrant.objects.create(person=facilitator, role=Role.FACILITATOR, program=mtm)
    school.accounts.append(DemoAccount("Facilitator", facilitator.email, facilitator.display_name))
    seniors = [p for p in faculty if p.academic_rank == AcademicRank.FULL][:4]
    for senior in seniors:
        junior = _faculty(rng, names)
        services.relationship_start(
            program=mtm,
            mentor=senior,
            mentee=junior,
            kind=RelationshipKind.CAREER,
            start_date=dt.date(current_year, 9, 1),
        )
        Supervision.objects.create(
            supervisor=senior, supervisee=junior, start_date=dt.date(current_year - 2, 7, 1)
        )

    evaluator = _faculty(rng, names, f"evaluator@{DOMAIN}")
    RoleGrant.objects.create(person=evaluator, role=Role.EVALUATOR, program=program)
    school.accounts.append(DemoAccount("Evaluator", evaluator.email, evaluator.display_name))
    return school


def demo_accounts() -> list[DemoAccount]:
    """The demo's sign-in accounts, read back from an already seeded database."""
    wanted = [
        ("Site admin", "admin"),
        ("Program director", "director"),
        ("Community director", "house.director"),
        ("Mentor", "mentor"),
        ("Learner", "learner"),
        ("Facilitator", "facilitator"),
        ("Evaluator", "evaluator"),
        ("Study coder", "coder"),
    ]
    found = {p.email: p for p in Person.objects.filter(email__endswith=f"@{DOMAIN}")}
    accounts = []
    for role, local in wanted:
        person = found.get(f"{local}@{DOMAIN}")
        if person:
            accounts.append(DemoAccount(role, person.email, person.display_name))
    return accounts
