"""A small study built through the services, as its team would: a lead (the school's
evaluator), a second coder, a viewer, two participants with consent and two transcripts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hearth.people.models import Person, Role, RoleGrant
from hearth.studies import services
from hearth.studies.importers import parse_source
from hearth.studies.models import Code, Participant, Source, Study
from hearth.testing import School, make_person

TRANSCRIPT = (
    "Interviewer: What has mentoring meant to you this year?\n"
    "P01: Honestly it keeps me going. After a brutal week on service, an hour with my group "
    "reminds me why I went into medicine. I feel I belong in the house.\n"
    "Interviewer: And the hard parts?\n"
    "P01: Two of my learners were in crisis the same month. I had nothing left for my family.\n"
)
SECOND = (
    "Interviewer: Tell me about a moment that stayed with you.\n"
    "P02: A student asked me to hood her at graduation. I was floored. Teaching them has made "
    "me a more careful clinician too.\n"
)


@dataclass
class World:
    school: School
    study: Study
    lead: Person
    coder: Person
    viewer: Person
    p1: Participant
    p2: Participant
    source: Source
    second: Source
    codes: dict[str, Code]


def evaluator(school: School, name: str) -> Person:
    person = make_person(name)
    RoleGrant.objects.create(person=person, role=Role.EVALUATOR, program=school.program)
    return person


def build_world(school: School) -> World:
    lead = school.evaluator
    study = services.study_create(
        program=school.program,
        by=lead,
        title="Meaning in the mentor role",
        research_question="What makes the learning-community mentor role meaningful or hard?",
        guide=["What has mentoring meant to you?", "What is hard about it?"],
        approved_protocol=True,
        protocol_reference="IRB-2025-0142",
    )
    coder = evaluator(school, "Cora Coder")
    viewer = evaluator(school, "Vic Viewer")
    services.member_add(study=study, by=lead, email=coder.email, role="coder")
    services.member_add(study=study, by=lead, email=viewer.email, role="viewer")
    today = dt.date(2025, 3, 1)
    p1 = services.participant_add(
        study=study,
        by=lead,
        pseudonym="P01",
        person=school.mentor_a1,
        values={"gender": "Woman", "race_ethnicity": "Asian"},
        consent_given_on=today,
    )
    p2 = services.participant_add(
        study=study,
        by=lead,
        pseudonym="P02",
        external_id="EXT-2",
        values={"gender": "Man", "rank": "Professor", "years": "6 or more"},
        consent_given_on=today,
    )
    source = services.source_import(
        study=study,
        by=lead,
        title="Interview 1",
        parsed=parse_source("one.txt", TRANSCRIPT.encode()),
        participant=p1,
        speakers={"P01": p1},
    )
    second = services.source_import(
        study=study,
        by=lead,
        title="Interview 2",
        parsed=parse_source("two.txt", SECOND.encode()),
        participant=p2,
        speakers={"P02": p2},
    )
    codes = {c.name: c for c in study.codebook.codes.all()}
    return World(school, study, lead, coder, viewer, p1, p2, source, second, codes)


def span(source: Source, words: str) -> tuple[int, int]:
    start = source.text.index(words)
    return start, start + len(words)


def code(world: World, who: Person, source: Source, words: str, *names: str) -> None:
    start, end = span(source, words)
    services.segments_add(
        source=source,
        coder=who,
        start=start,
        end=end,
        codes=[world.codes[n] for n in names],
    )
