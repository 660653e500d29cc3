"""Matching in the demo school: the last two classes' placements kept as published runs, a
draft proposal for next year's incoming class, and a Mentoring the Mentors round."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.hashers import make_password
from django.db import transaction

from hearth.communities.demo import DOMAIN, DemoSchool, _academic_year_start
from hearth.communities.models import (
    AttributeDefinition,
    Cohort,
    Community,
    GroupMembership,
    MemberRole,
    PersonAttribute,
    Program,
)
from hearth.people.models import AcademicRank, Interest, Person

from . import services
from .models import CommunityPreference, ConflictKind, PairKind, Side

INCOMING = 150
# Osler is the house applicants ask for most; Drew the least.
POPULARITY = {"Osler House": 4.0, "Apgar House": 2.5, "Blackwell House": 2.0, "Drew House": 1.5}
BALANCE = {
    "preference_weight": 1,
    "even_size_weight": 0.5,
    "balance": [
        {"attribute": "gender", "value": "woman", "label": "women", "weight": 2},
        {"attribute": "urim", "value": "yes", "label": "under-represented learners", "weight": 3},
    ],
}
FIRST = [
    "Ada",
    "Bilal",
    "Carmen",
    "Dev",
    "Esi",
    "Farid",
    "Gia",
    "Hugo",
    "Ines",
    "Jonah",
    "Kemi",
    "Luis",
    "Mira",
    "Nikhil",
    "Oona",
    "Pablo",
    "Qi",
    "Rhea",
    "Soren",
    "Tala",
]
LAST = [
    "Achebe",
    "Bergman",
    "Coelho",
    "Dang",
    "Ekwueme",
    "Fontaine",
    "Gill",
    "Horvat",
    "Iqbal",
    "Juarez",
    "Kovacs",
    "Lindqvist",
    "Mwangi",
    "Nolan",
    "Osei",
]


def _ranked(rng: random.Random, communities: list[Community], first: Community) -> list[Community]:
    others = [c for c in communities if c != first]
    rng.shuffle(others)
    return [first, *others[:2]]


def _choose(rng: random.Random, communities: list[Community]) -> list[Community]:
    """Three houses by popularity, without repeats."""
    pool = list(communities)
    ranked = []
    for _ in range(3):
        pick = rng.choices(pool, weights=[POPULARITY.get(c.name, 1.0) for c in pool])[0]
        ranked.append(pick)
        pool.remove(pick)
    return ranked


def _preferences_like_placement(
    rng: random.Random, program: Program, cohort: Cohort, communities: list[Community]
) -> None:
    """Most learners of an earlier class got their first choice; some their second or third."""
    rows = GroupMembership.objects.filter(
        program=program,
        role=MemberRole.LEARNER,
        end_date__isnull=True,
        person__class_year=cohort.class_year,
    ).values_list("person_id", "group__community_id")
    by_id = {c.pk: c for c in communities}
    preferences = []
    for person_id, community_id in rows:
        placed = by_id[community_id]
        roll = rng.random()
        ranked = _ranked(rng, communities, placed)
        if roll > 0.92:
            ranked = [ranked[1], ranked[2], ranked[0]]
        elif roll > 0.72:
            ranked[0], ranked[1] = ranked[1], ranked[0]
        preferences += [
            CommunityPreference(cohort=cohort, learner_id=person_id, community=c, rank=rank)
            for rank, c in enumerate(ranked, start=1)
        ]
    CommunityPreference.objects.bulk_create(preferences)


def _incoming_class(
    rng: random.Random, program: Program, cohort: Cohort, communities: list[Community]
) -> list[Person]:
    """Next year's admitted class: self-reported answers and ranked houses, no group yet."""
    gender = AttributeDefinition.objects.get(program=program, key="gender")
    urim = AttributeDefinition.objects.get(program=program, key="urim")
    password = make_password(None)
    names = [(f, last) for f in FIRST for last in LAST]
    rng.shuffle(names)
    interests = list(Interest.objects.all())
    learners = Person.objects.bulk_create(
        Person(
            email=f"{first}.{last}.{cohort.class_year}@{DOMAIN}".lower(),
            display_name=f"{first} {last}",
            password=password,
            class_year=cohort.class_year,
        )
        for first, last in names[:INCOMING]
    )
    answers, preferences = [], []
    for learner in learners:
        answers.append(
            PersonAttribute(
                person=learner,
                definition=gender,
                value=rng.choices(gender.choices, weights=[52, 44, 2, 2])[0],
                consented=rng.random() < 0.9,
            )
        )
        answers.append(
            PersonAttribute(
                person=learner,
                definition=urim,
                value=rng.choices(urim.choices, weights=[1, 3])[0],
                consented=rng.random() < 0.85,
            )
        )
        if rng.random() < 0.9:  # a few never answered the survey
            preferences += [
                CommunityPreference(cohort=cohort, learner=learner, community=c, rank=rank)
                for rank, c in enumerate(_choose(rng, communities), start=1)
            ]
    PersonAttribute.objects.bulk_create(answers)
    CommunityPreference.objects.bulk_create(preferences)
    for learner in learners:
        learner.interests.set(rng.sample(interests, k=2))
    return learners


def _mentoring_round(
    rng: random.Random, school: DemoSchool, director: Person, today: dt.date
) -> None:
    """Mentoring the Mentors: junior faculty, the demo mentor among them, with senior mentors."""
    mtm = Program.objects.get(slug="mentoring-the-mentors")
    mentor_account = Person.objects.get(email=f"mentor@{DOMAIN}")
    round_ = services.round_create(
        program=mtm,
        name=f"{today.year}–{str(today.year + 1)[-2:]} intake",
        starts_on=today - dt.timedelta(days=10),
    )
    mentees_already = set(mtm.relationships.values_list("mentee_id", flat=True))
    faculty = list(
        Person.objects.filter(academic_rank__in=AcademicRank.values, email__endswith=DOMAIN)
        .exclude(pk__in=mentees_already)
        .exclude(pk=mentor_account.pk)
        .exclude(role_grants__isnull=False)
        .order_by("pk")
    )
    seniors = [p for p in faculty if p.academic_rank == AcademicRank.FULL][:5]
    juniors = [
        p for p in faculty if p.academic_rank in (AcademicRank.ASSISTANT, AcademicRank.INSTRUCTOR)
    ][:13] + [mentor_account]
    hopes = [
        "I want to get better at giving honest feedback to learners who are struggling.",
        "Help me balance clinical work with mentoring and my own research.",
        "I would like to learn how to sponsor learners from under-represented backgrounds.",
        "Writing and grants: I want to mentor students through their first paper.",
        "Wellness and burnout: how do I support a learner in crisis without overstepping?",
    ]
    offers = [
        "Twenty years of mentoring students through research and their first papers.",
        "Feedback, difficult conversations and coaching learners who are struggling.",
        "Sponsorship, equity and mentoring across difference.",
        "Balancing a clinical career with teaching and mentoring; wellness.",
        "Medical education careers: curriculum, teaching and leadership.",
    ]
    for person, offer in zip(seniors, offers, strict=False):
        services.participant_add(
            round_=round_,
            person=person,
            side=Side.MENTOR,
            capacity=4,
            division=person.department,
            statement=offer,
        )
    for person in juniors:
        services.participant_add(
            round_=round_,
            person=person,
            side=Side.MENTEE,
            division=person.department,
            statement=rng.choice(hopes),
        )
    for person in juniors:
        services.round_preferences_set(
            round_=round_, chooser=person, chosen=rng.sample(seniors, k=2)
        )
    run = services.run_start(
        program=mtm,
        by=director,
        round_=round_,
        settings={"policy": "fit", "outside_division": True},
        enqueue=False,
    )
    run = services.run_execute(run_id=run.pk)
    services.run_publish(run=run, by=director, notify=False)


@transaction.atomic
def seed_matching(*, school: DemoSchool, today: dt.date | None = None) -> None:
    from django.utils import timezone

    today = today or timezone.localdate()
    rng = random.Random(2031)
    program = school.program
    director = Person.objects.get(email=f"director@{DOMAIN}")
    communities = list(Community.objects.filter(program=program).order_by("name"))
    year = _academic_year_start(today)

    # The last two classes' placements, kept as the published runs that placed them.
    for class_year in (year + 3, year + 4):
        cohort = Cohort.objects.get(program=program, class_year=class_year)
        _preferences_like_placement(rng, program, cohort, communities)
        run = services.run_record_current(
            program=program, cohort=cohort, by=director, settings=BALANCE, today=today
        )
        matched = dt.datetime(class_year - 4, 6, 20, 15, tzinfo=dt.UTC)
        run.__class__.objects.filter(pk=run.pk).update(
            created_at=matched, finished_at=matched, published_at=matched + dt.timedelta(days=3)
        )

    # Next year's class: admitted, surveyed, not yet placed. The director has a draft.
    incoming = Cohort.objects.create(
        program=program, name=f"Class of {year + 5}", class_year=year + 5
    )
    learners = _incoming_class(rng, program, incoming, communities)
    # Most of the class has ranked its houses; the rest can still do so for three weeks.
    services.preference_window_open(
        cohort=incoming,
        by=director,
        opens_on=today - dt.timedelta(days=14),
        closes_on=today + dt.timedelta(days=21),
        today=today,
    )
    services.pair_rule_add(
        cohort=incoming, a=learners[0], b=learners[1], kind=PairKind.TOGETHER, note="A couple"
    )
    services.pair_rule_add(
        cohort=incoming, a=learners[2], b=learners[3], kind=PairKind.APART, note="Twins, asked"
    )
    osler_mentor = Person.objects.get(email=f"mentor@{DOMAIN}")
    services.conflict_add(
        program=program,
        learner=learners[4],
        mentor=osler_mentor,
        kind=ConflictKind.RELATIVE,
        note="Niece",
    )
    run = services.run_start(
        program=program, by=director, cohort=incoming, settings=BALANCE, enqueue=False
    )
    services.run_execute(run_id=run.pk)

    _mentoring_round(rng, school, director, today)
