"""A running training series in the demo: past sessions with attendance and reflections, a
workshop under way now (the demo mentor can check in), sessions to come and cases to discuss."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from hearth.communities.demo import DemoSchool
from hearth.communities.models import MemberRole, Program
from hearth.people.models import Person

from .models import MentoringCase, SessionFormat, TrainingSession
from .services import series as services

MTM_SLUG = "mentoring-the-mentors"
WEEK = dt.timedelta(days=7)
# (weeks from today, title, format, minutes): the workshop at 0 is under way when seeded.
SESSIONS = [
    (-6, "Why we mentor, and what good mentoring looks like", SessionFormat.VIRTUAL, 90),
    (-4, "Aligning expectations: the mentoring compact", SessionFormat.VIRTUAL, 90),
    (-2, "A virtual meeting that still feels human", SessionFormat.VIRTUAL, 90),
    (0, "Half-day workshop: mentoring across difference", SessionFormat.HYBRID, 240),
    (2, "Fostering independence", SessionFormat.VIRTUAL, 90),
    (4, "Sponsorship and professional development", SessionFormat.VIRTUAL, 90),
    (6, "Closing session: looking back, looking ahead", SessionFormat.IN_PERSON, 120),
]
PREWORK = [
    "Write down the name of someone who mentored you well, and one thing they did.",
    "Read your program's compact template and mark the section you find hardest to discuss.",
    "Watch how your next virtual meeting opens: who speaks first, and about what?",
    "Read the case below and post your response before the workshop.",
    "Read the case below and post your response before we meet.",
    "Think of a mentee who is ready for a stretch opportunity.",
    "Bring one thing you tried this year that you will keep doing.",
]
WILL_TRY = [
    "Open every meeting with five minutes that are not about work.",
    "Ask my mentee what they want from our meetings, and write it down together.",
    "Send the agenda, but leave the first item blank for my mentee to fill.",
    "Ask how my mentees prefer to be reached between meetings.",
    "Say out loud that I will not always get it right, and that they can tell me.",
    "Let my mentee run the next meeting.",
]
FOLLOW_UPS = [
    "It felt awkward once, then it became the best part of the meeting.",
    "My mentee added two items I would never have guessed.",
    "",
    "We agreed on a messaging app; replies are much quicker now.",
]
CASE_RESPONSES = [
    "I would ask once, privately, whether anything would make video easier, and offer a "
    "phone call instead. Then I would stop worrying about the camera and listen harder.",
    "Before assuming disengagement I would check the basics: bandwidth, a shared room, a "
    "long day on the wards. I might send a short message after the call asking how it felt.",
    "I'd name it lightly: 'I notice we've always met with cameras off, which is fine — is "
    "there a format that would suit you better?' and let Sam choose.",
    "Camera-off doesn't mean checked-out. I'd try a walk-and-talk phone call for a change.",
]
NEXT_CASE_RESPONSES = [
    "I'd tell Priya it is her decision, offer to talk it through, and ask whether she'd like "
    "the two of us mentors to speak — with her in the room.",
    "Both pieces of advice are honest; the question is which career she wants. I'd ask her "
    "to write down what a great year five looks like before deciding anything.",
]


def _academic_year_label(today: dt.date) -> str:
    start = today.year if today.month >= 7 else today.year - 1
    return f"{start}–{(start + 1) % 100:02d}"


def _at(day: dt.date, hour: int = 17) -> dt.datetime:
    """Mid-day in the US (17:00 UTC), so every demo zone sees a daytime session."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


@transaction.atomic
def seed_series(*, school: DemoSchool, today: dt.date | None = None) -> None:
    """ "Mentoring the Mentors" this academic year, in the demo's Mentoring the Mentors program."""
    rng = random.Random(61)
    real_today = timezone.localdate()
    today = today or real_today
    # The workshop is under way when the demo is seeded, so the demo mentor can check in.
    now = timezone.now() if today == real_today else _at(today)
    program = Program.objects.filter(slug=MTM_SLUG).first() or school.program
    director = Person.objects.get(email=f"director@{school.domain}")
    facilitator = Person.objects.filter(email=f"facilitator@{school.domain}").first() or director
    demo_mentor = Person.objects.get(email=f"mentor@{school.domain}")
    services.case_library_load()

    series = services.series_create(
        program=program,
        title=f"Mentoring the Mentors {_academic_year_label(today)}",
        description=(
            "Seven sessions over the autumn and winter for faculty who mentor learners, "
            "residents and junior colleagues: mostly virtual, one half-day workshop, and a "
            "closing session in person. Attend six to complete the series."
        ),
        self_enrolment=True,
        sessions_to_complete=6,
    )
    sessions: list[TrainingSession] = []
    for (weeks, title, session_format, minutes), prework in zip(SESSIONS, PREWORK, strict=True):
        if weeks == 0:
            starts_at = (now - dt.timedelta(minutes=30)).replace(second=0, microsecond=0)
        else:
            starts_at = _at(today + weeks * WEEK)
        sessions.append(
            services.session_create(
                series=series,
                fields=services.SessionFields(
                    title=title,
                    starts_at=starts_at,
                    duration_minutes=minutes,
                    format=session_format,
                    location="Education Centre, room 2.14"
                    if session_format != SessionFormat.VIRTUAL
                    else "",
                    facilitator=facilitator if weeks % 4 else director,
                    prework=prework,
                    materials=(
                        "Slides and the session's **one-page summary** are shared after the "
                        "session.\n\n- Hearth guide: running a virtual meeting with an agenda "
                        "that still leaves room for the personal"
                    ),
                ),
            )
        )
    past, (workshop, following, *_) = sessions[:3], sessions[3:]

    # The cohort: the demo mentor (invited, accepted) and eight colleagues, imported.
    mentors = list(
        Person.objects.filter(
            memberships__program=school.program,
            memberships__role=MemberRole.MENTOR,
            memberships__end_date__isnull=True,
        )
        .exclude(pk=demo_mentor.pk)
        .distinct()
        .order_by("pk")
    )
    colleagues, asking, invited_only = mentors[:8], mentors[8], mentors[9]
    invitation = services.enrolment_invite(series=series, person=demo_mentor, by=facilitator)
    services.enrolment_accept(enrolment=invitation)
    services.enrolments_import(
        series=series,
        by=director,
        filename="mentoring-the-mentors.csv",
        content=("email\n" + "\n".join(p.email for p in colleagues) + "\n").encode(),
    )
    services.enrolment_request(series=series, person=asking)
    services.enrolment_invite(series=series, person=invited_only, by=facilitator)
    trainees = [demo_mentor, *colleagues]

    # Past sessions: the demo mentor came to all three; colleagues to most.
    for index, session in enumerate(past):
        for person in trainees:
            if person != demo_mentor and rng.random() > 0.8:
                continue
            if rng.random() < 0.25:
                services.attendance_mark(
                    session=session,
                    person=person,
                    by=session.facilitator or facilitator,
                    present=True,
                    now=session.ends_at,
                )
            else:
                services.attendance_check_in(
                    session=session, person=person, now=session.starts_at + dt.timedelta(minutes=3)
                )
            if person != demo_mentor and rng.random() > 0.7:
                continue
            services.reflection_save(
                session=session,
                person=person,
                will_try=WILL_TRY[(index + trainees.index(person)) % len(WILL_TRY)],
                now=session.ends_at,
            )
    # Reflections followed up at the next session, up to the one before today's workshop:
    # the demo mentor's reflection on session 3 waits on the workshop's page.
    for session, after in zip(past, [*past[1:], workshop], strict=True):
        for reflection in session.reflections.all():
            skipped = reflection.person_id != demo_mentor.pk and rng.random() < 0.2
            if after is workshop or skipped:
                continue
            services.reflection_follow_up(
                reflection=reflection,
                tried=rng.random() < 0.75,
                note=rng.choice(FOLLOW_UPS),
                now=after.starts_at - dt.timedelta(hours=2),
            )

    # Cases: one for the workshop (responses visible now it has begun), one for next time.
    camera = MentoringCase.objects.get(program__isnull=True, slug="camera-always-off")
    conflicting = MentoringCase.objects.get(program__isnull=True, slug="conflicting-advice")
    services.session_case_attach(session=workshop, case=camera)
    services.session_case_attach(session=following, case=conflicting)
    for person, body in zip([demo_mentor, *colleagues[:3]], CASE_RESPONSES, strict=True):
        services.case_response_save(
            session=workshop,
            case=camera,
            person=person,
            body=body,
            now=workshop.starts_at - dt.timedelta(days=1, hours=rng.randint(0, 30)),
        )
    for person, body in zip(colleagues[3:5], NEXT_CASE_RESPONSES, strict=True):
        services.case_response_save(
            session=following, case=conflicting, person=person, body=body, now=now
        )
    services.case_create(
        program=program,
        title="The mentee who wants to switch",
        scenario=(
            "Halfway through the year, a first-year learner in your group asks the house "
            "director for a different mentor. Nobody has told you why; you find out from the "
            "group's new roster."
        ),
        questions=[
            "How would you want to hear about it, and from whom?",
            "What, if anything, would you say to the learner next time you meet?",
        ],
        domains=["communication", "expectations"],
    )
    # A few colleagues are already in the room for the workshop.
    for person in colleagues[:3]:
        services.attendance_check_in(session=workshop, person=person, now=now)
