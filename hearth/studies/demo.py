"""The demo's studies: an interview study of what the mentor role means, coded by two
evaluators who sometimes disagree, and a study of check-in comments. Built through the same
services the team uses, so the demo also exercises them."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from hearth.communities.demo import DEMO_PASSWORD, DemoAccount, DemoSchool
from hearth.communities.models import GroupMembership, MemberRole
from hearth.people.models import Person, Role, RoleGrant

from . import services
from .demo_recording import seed_recording
from .demo_transcripts import INTERVIEWS
from .importers import parse_source
from .models import Study
from .starter import ATTRIBUTES
from .suggestions import seed_suggestions

GUIDE = [
    "What has being a house mentor meant to you this year?",
    "Can you tell me about a moment with a learner that stayed with you?",
    "Has the role changed you as a clinician or teacher?",
    "What is hard about it, and what would make it easier?",
]
THEMES = [
    (
        "Mentoring as renewal",
        "Mentors describe the role as a source of energy and belonging that counters the "
        "strain of clinical work.",
        ["rejuvenated", "connected"],
        ["self-connection", "unification"],
    ),
    (
        "Growing through the role",
        "Mentoring changes how mentors practise and see themselves, and being trusted by "
        "learners confirms their worth.",
        ["professional", "honored"],
        ["individuation"],
    ),
    (
        "Shaping the next generation",
        "Mentors find purpose in learners' growth and in paying forward what they received.",
        ["contributing"],
        ["contribution"],
    ),
    (
        "The hidden cost of caring",
        "The role takes time the institution does not count and an emotional load mentors "
        "carry home.",
        ["harmed"],
        [],
    ),
]
STARTER_KEYS = {
    "professional": "Becoming a better professional",
    "connected": "Feeling connected",
    "rejuvenated": "Feeling rejuvenated",
    "contributing": "Contributing",
    "honored": "Feeling honored",
    "harmed": "Harm",
}
HOUSE_OF = {"Apgar": 0, "Blackwell": 1, "Drew": 2, "Osler": 3}


def _coder(school: DemoSchool) -> Person:
    """A second evaluator, so the study has two coders to compare."""
    coder, created = Person.objects.get_or_create(
        email=f"coder@{school.domain}",
        defaults={
            "display_name": "Noor Whitfield",
            "password": make_password(DEMO_PASSWORD),
            "department": "Medical Education",
            "academic_rank": "assistant",
        },
    )
    if created:
        RoleGrant.objects.create(person=coder, role=Role.EVALUATOR, program=school.program)
        school.accounts.append(DemoAccount("Study coder", coder.email, coder.display_name))
    return coder


def _mentors_by_house(school: DemoSchool) -> dict[str, list[tuple[Person, int]]]:
    """Current mentors per house, each with their group, skipping the demo mentor."""
    found: dict[str, list[tuple[Person, int]]] = {}
    for m in (
        GroupMembership.objects.filter(
            program=school.program, role=MemberRole.MENTOR, end_date__isnull=True
        )
        .exclude(person__email=f"mentor@{school.domain}")
        .select_related("person", "group__community")
        .order_by("group__name")
    ):
        house = m.group.community.name.split()[0]
        found.setdefault(house, []).append((m.person, m.group_id))
    return found


@transaction.atomic
def seed_studies(*, school: DemoSchool, today: dt.date | None = None) -> Study:
    today = today or timezone.localdate()
    rng = random.Random(77)
    lead = Person.objects.get(email=f"evaluator@{school.domain}")
    coder = _coder(school)
    study = services.study_create(
        program=school.program,
        by=lead,
        title="Meaning in the mentor role",
        research_question=(
            "What makes the learning-community mentor role meaningful, or hard, for faculty "
            "at Northfield?"
        ),
        guide=GUIDE,
        approved_protocol=True,
        protocol_reference="NSM-IRB-2025-031",
    )
    services.member_add(study=study, by=lead, email=coder.email, role="coder")
    codes = {c.name: c for c in study.codebook.codes.all()}
    by_key = {key: codes[name] for key, name in STARTER_KEYS.items()}
    services.codebook_version_save(
        codebook=study.codebook, by=lead, note="The starter themes, as agreed at the kick-off"
    )
    unseen = services.code_create(
        codebook=study.codebook,
        by=lead,
        name="Invisible in promotion",
        parent=by_key["harmed"],
        definition="Mentoring work that promotion and workload models do not count.",
        use_when="The speaker says the work is unpaid, uncounted or unrecognised by the "
        "institution's formal systems.",
        not_when="Recognition by learners is missing (use Feeling honored or Harm).",
    )

    houses = _mentors_by_house(school)
    used: set[int] = set()
    genders = ATTRIBUTES[1][2][:3]
    races = ATTRIBUTES[2][2][:6]
    consent_day = today - dt.timedelta(days=75)
    for number, (title, lines) in enumerate(INTERVIEWS, start=1):
        house = title.rsplit("— ", 1)[1].split()[0]
        everyone = [pair for pairs in houses.values() for pair in pairs]
        mentor, group_id = next(
            (p, g) for p, g in houses.get(house, []) + everyone if p.pk not in used
        )
        used.add(mentor.pk)
        pseudonym = f"M{number:02d}"
        participant = services.participant_add(
            study=study,
            by=lead,
            pseudonym=pseudonym,
            person=mentor,
            values={"gender": rng.choice(genders), "race_ethnicity": rng.choice(races)},
            consent_given_on=consent_day + dt.timedelta(days=number),
            consent_note="Consent form v2, signed before the interview",
        )
        learner = (
            GroupMembership.objects.filter(group_id=group_id, role=MemberRole.LEARNER)
            .select_related("person")
            .order_by("person__display_name")
            .first()
        )
        colleague = next(p for p, _ in houses.get(house, []) if p.pk != mentor.pk)
        fill = {
            "learner": learner.person.display_name if learner else "Sam Doe",
            "learner_email": learner.person.email if learner else "sam@example.edu",
            "colleague": colleague.display_name,
        }
        text = "\n".join(f"{speaker}: {words.format(**fill)}" for speaker, words, _ in lines)
        source = services.source_import(
            study=study,
            by=lead,
            title=title,
            parsed=parse_source(f"{pseudonym}.txt", text.encode()),
            filename=f"interview-{pseudonym.lower()}.txt",
            participant=participant,
            speakers={pseudonym: participant},
        )
        if number == len(INTERVIEWS):
            continue  # the last one waits for its de-identification review
        proposal = services.deidentification_proposal(source)
        services.source_deidentify(source=source, by=lead, replacements=proposal.replacements)
        source.refresh_from_db()
        for _speaker, _words, codings in lines:
            for words, first, second in codings:
                start = source.text.index(words)
                end = start + len(words)
                for who, keys in ((lead, first), (coder, second)):
                    if keys:
                        services.segments_add(
                            source=source,
                            coder=who,
                            start=start,
                            end=end,
                            codes=[by_key[k] for k in keys],
                        )
                if "promotion" in words:
                    services.segments_add(
                        source=source, coder=lead, start=start, end=end, codes=[unseen]
                    )

    services.memo_add(
        study=study,
        author=lead,
        code=by_key["harmed"],
        text="Harm shows up as time and guilt more than as conflict. Ask the team whether "
        "cancelled sessions belong here or under a code of their own.",
    )
    services.memo_add(
        study=study,
        author=coder,
        code=by_key["rejuvenated"],
        text="Rejuvenated and Contributing blur when mentors talk about the best part of the "
        "job (M03). Suggest: Rejuvenated only when the speaker names their own energy.",
    )
    categories = {c.key: c for c in study.framework.all()}
    for name, definition, code_keys, frames in THEMES:
        services.theme_save(
            study=study,
            name=name,
            definition=definition,
            codes=[by_key[k] for k in code_keys],
            categories=[categories[k] for k in frames],
        )
    seed_recording(study, lead)
    services.reconciliation_set(study=study, by=lead, open_=True)
    seed_suggestions(study, lead)
    _seed_checkin_study(school=school, lead=lead, coder=coder)
    return study


def _seed_checkin_study(*, school: DemoSchool, lead: Person, coder: Person) -> Study | None:
    """Check-in comments whose authors agreed to their study, brought in from the pulse."""
    from hearth.pulse.models import PulseWave

    wave = (
        PulseWave.objects.filter(program=school.program, closes_on__lt=timezone.localdate())
        .order_by("-opens_on")
        .first()
    )
    if wave is None:
        return None
    study = services.study_create(
        program=school.program,
        by=lead,
        title=f"Check-in comments, {wave.label.lower()}",
        research_question="What do mentors write about in the check-in's free-text question?",
    )
    services.member_add(study=study, by=lead, email=coder.email, role="viewer")
    services.pulse_sources_sync(study=study, by=lead, wave=wave)
    return study
