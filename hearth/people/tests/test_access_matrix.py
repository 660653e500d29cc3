"""Every page × every role: the right status, the role's own people shown, nobody else's."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from hearth.communities.models import Cohort, Relationship
from hearth.matching.services import (
    participant_add,
    preference_window_open,
    round_create,
    run_execute,
    run_start,
)
from hearth.meetings.services import meeting_create
from hearth.mentor_development.services.series import (
    SessionFields,
    enrolment_accept,
    enrolment_invite,
    series_create,
    session_create,
)
from hearth.serendipity.models import Audience
from hearth.serendipity.services import circle_create, circle_join, round_run
from hearth.studies.tests.speech import tone_wav
from hearth.studies.tests.world import build_world
from hearth.studies.transcripts import recording_upload
from hearth.testing import PASSWORD, School, make_person

ROLES = [
    "admin",
    "director",
    "house_director",
    "mentor_a1",
    "learner_a1",
    "evaluator",
    "facilitator",
    "outsider",
    "anonymous",
]
EVERYONE = set(ROLES) - {"anonymous"}
DIRECTORS = {"admin", "director"}
HOUSE_A = DIRECTORS | {"house_director"}
GROUP_A1 = HOUSE_A | {"mentor_a1", "learner_a1"}
PROGRAM = GROUP_A1 | {"evaluator", "facilitator"}
RUN_TRAINING = DIRECTORS | {"facilitator"}
TRAINING = RUN_TRAINING | {"mentor_a1"}
STUDY = {"evaluator"}  # the study's team only: not directors, not site admins
# The academic year under way (it starts in July).
REPORT_YEAR = timezone.localdate().year - (timezone.localdate().month < 7)

# (name, url builder, roles answered 200); everyone else gets 404 (anonymous: sign-in redirect).
PAGES: list[tuple[str, Callable[[School], str], set[str]]] = [
    ("home", lambda s: reverse("home"), EVERYONE),
    ("program", lambda s: reverse("program", args=[s.program.slug]), PROGRAM),
    ("community A", lambda s: reverse("community", args=[s.house_a.pk]), GROUP_A1),
    ("community B", lambda s: reverse("community", args=[s.house_b.pk]), DIRECTORS),
    ("group A1", lambda s: reverse("group", args=[s.group_a1.pk]), GROUP_A1),
    ("group A2", lambda s: reverse("group", args=[s.group_a2.pk]), HOUSE_A),
    ("group B1", lambda s: reverse("group", args=[s.group_b1.pk]), DIRECTORS),
    ("learner A1", lambda s: reverse("person", args=[s.learner_a1.pk]), GROUP_A1),
    ("learner B1", lambda s: reverse("person", args=[s.learner_b1.pk]), DIRECTORS),
    ("mentor A1", lambda s: reverse("person", args=[s.mentor_a1.pk]), GROUP_A1),
    ("rollover", lambda s: reverse("rollover", args=[s.program.slug]), DIRECTORS),
    ("firewall", lambda s: reverse("firewall", args=[s.program.slug]), DIRECTORS),
    ("firewall csv", lambda s: reverse("firewall_csv", args=[s.program.slug]), DIRECTORS),
    ("change requests", lambda s: reverse("change_requests", args=[s.program.slug]), HOUSE_A),
    (
        "ask for another mentor",
        lambda s: reverse("change_request_new", args=[s.group_a1.pk]),
        {"learner_a1"},
    ),
    ("roster import", lambda s: reverse("roster_import", args=[s.program.slug]), DIRECTORS),
    (
        "roster template",
        lambda s: reverse("roster_template", args=[s.program.slug, "csv"]),
        DIRECTORS,
    ),
    ("api tokens", lambda s: reverse("api_tokens"), EVERYONE),
    ("meetings", lambda s: reverse("meetings"), EVERYONE),
    ("email settings", lambda s: reverse("email_settings"), EVERYONE),
    ("calendar settings", lambda s: reverse("calendar_settings"), EVERYONE),
    ("overdue pairs", lambda s: reverse("overdue", args=[s.program.slug]), HOUSE_A),
    ("availability", lambda s: reverse("availability"), EVERYONE),
    ("book", lambda s: reverse("book", args=[s.relationship.pk]), {"learner_a1"}),
    ("relationship", lambda s: reverse("relationship", args=[s.relationship.pk]), GROUP_A1),
    (
        "meeting",
        lambda s: reverse("meeting", args=[s.meeting.pk]),
        {"admin", "mentor_a1", "learner_a1"},
    ),
    (
        "plan a meeting",
        lambda s: reverse("meeting_new", args=[s.relationship.pk]),
        {"mentor_a1", "learner_a1"},
    ),
    ("goals", lambda s: reverse("goals", args=[s.relationship.pk]), {"mentor_a1", "learner_a1"}),
    (
        "plan a group session",
        lambda s: reverse("group_meeting_new", args=[s.group_a1.pk]),
        {"mentor_a1"},
    ),
    ("circles", lambda s: reverse("serendipity"), EVERYONE),
    ("start a circle", lambda s: reverse("circle_new"), EVERYONE),
    ("circle", lambda s: reverse("circle", args=[s.circle.pk]), PROGRAM),
    ("round", lambda s: reverse("round", args=[s.round.pk]), DIRECTORS),
    ("pairing", lambda s: reverse("pairing", args=[s.pairing.pk]), DIRECTORS | {"mentor_a1"}),
    ("drop-in hours", lambda s: reverse("drop_ins"), EVERYONE),
    ("photo", lambda s: reverse("photo_edit"), EVERYONE),
    ("my data", lambda s: reverse("my_data"), EVERYONE),
    ("check-ins", lambda s: reverse("pulse"), EVERYONE),
    ("how mentors are doing", lambda s: reverse("program_pulse", args=[s.program.slug]), DIRECTORS),
    ("pulse csv", lambda s: reverse("program_pulse_csv", args=[s.program.slug]), DIRECTORS),
    ("warning rules", lambda s: reverse("harm_rules", args=[s.program.slug]), DIRECTORS),
    ("annual report", lambda s: reverse("annual_report", args=[s.program.slug]), DIRECTORS),
    ("acknowledgments", lambda s: reverse("acknowledgments", args=[s.program.slug]), DIRECTORS),
    ("teaching credit", lambda s: reverse("portfolio_settings", args=[s.program.slug]), DIRECTORS),
    ("portfolio", lambda s: reverse("portfolio"), EVERYONE),
    ("mentor development", lambda s: reverse("development"), EVERYONE),
    ("training series", lambda s: reverse("training_series", args=[s.series.pk]), TRAINING),
    ("training session", lambda s: reverse("training_session", args=[s.session.pk]), TRAINING),
    ("practice circles", lambda s: reverse("practice_circles", args=[s.series.pk]), TRAINING),
    ("own growth", lambda s: reverse("series_growth", args=[s.series.pk]), {"mentor_a1"}),
    (
        "cohort growth",
        lambda s: reverse("series_growth_cohort", args=[s.series.pk]),
        RUN_TRAINING,
    ),
    ("mentoring cases", lambda s: reverse("training_cases", args=[s.program.slug]), RUN_TRAINING),
    ("guides", lambda s: reverse("guides"), EVERYONE),
    ("compacts", lambda s: reverse("compacts"), EVERYONE),
    ("compact template", lambda s: reverse("compact_template", args=[s.program.slug]), DIRECTORS),
    ("new guide", lambda s: reverse("guide_new", args=[s.program.slug]), DIRECTORS),
    (
        "annual report csv",
        lambda s: reverse("annual_report_csv", args=[s.program.slug, REPORT_YEAR]),
        DIRECTORS,
    ),
    (
        "annual report pdf",
        lambda s: reverse("annual_report_pdf", args=[s.program.slug, REPORT_YEAR]),
        DIRECTORS,
    ),
    ("thank-you notes", lambda s: reverse("thanks"), EVERYONE),
    ("feedback on mentoring", lambda s: reverse("mentee_feedback"), EVERYONE),
    ("reported notes", lambda s: reverse("reported_notes", args=[s.program.slug]), DIRECTORS),
    ("matching", lambda s: reverse("matching", args=[s.program.slug]), DIRECTORS),
    ("match rules", lambda s: reverse("match_rules", args=[s.program.slug]), DIRECTORS),
    (
        "community choices",
        lambda s: reverse("match_preferences", args=[s.program.slug, s.match_run.cohort_id]),
        DIRECTORS,
    ),
    (
        "new mentoring round",
        lambda s: reverse("mentoring_round_new", args=[s.program.slug]),
        DIRECTORS,
    ),
    (
        "mentoring round",
        lambda s: reverse("mentoring_round", args=[s.mentoring_round.pk]),
        DIRECTORS,
    ),
    ("match run", lambda s: reverse("match_run", args=[s.match_run.pk]), DIRECTORS),
    (
        "rank communities",
        lambda s: reverse("community_choices", args=[s.choices_cohort.pk]),
        {"learner_a1"},
    ),
    (
        "rank in a mentoring round",
        lambda s: reverse("round_choices", args=[s.mentoring_round.pk]),
        {"learner_a1", "mentor_a1"},
    ),
    ("studies", lambda s: reverse("studies"), EVERYONE),
    ("start a study", lambda s: reverse("study_new"), {"evaluator"}),
    ("study", lambda s: reverse("study", args=[s.studies.study.pk]), STUDY),
    (
        "study participants",
        lambda s: reverse("study_participants", args=[s.studies.study.pk]),
        STUDY,
    ),
    ("study source", lambda s: reverse("source_code", args=[s.studies.source.pk]), STUDY),
    (
        "study recording upload",
        lambda s: reverse("recording_upload", args=[s.studies.study.pk]),
        STUDY,
    ),
    ("study recording", lambda s: reverse("recording", args=[s.recording.pk]), STUDY),
    (
        "study de-identification",
        lambda s: reverse("source_deidentify", args=[s.studies.source.pk]),
        STUDY,
    ),
    ("study codebook", lambda s: reverse("codebook", args=[s.studies.study.pk]), STUDY),
    ("study agreement", lambda s: reverse("study_agreement", args=[s.studies.study.pk]), STUDY),
    (
        "study suggestions",
        lambda s: reverse("study_suggestions", args=[s.studies.study.pk]),
        STUDY,
    ),
    ("study report", lambda s: reverse("study_report", args=[s.studies.study.pk]), STUDY),
    ("study report pdf", lambda s: reverse("study_report_pdf", args=[s.studies.study.pk]), STUDY),
    (
        "study dataset csv",
        lambda s: reverse("study_dataset_csv", args=[s.studies.study.pk]),
        STUDY,
    ),
    ("import a study", lambda s: reverse("study_import"), {"evaluator"}),
    ("study qdpx", lambda s: reverse("study_qdpx", args=[s.studies.study.pk]), STUDY),
    ("codebook qdc", lambda s: reverse("codebook_qdc", args=[s.studies.study.pk]), STUDY),
    (
        "codebook exchange import",
        lambda s: reverse("codebook_exchange", args=[s.studies.study.pk]),
        STUDY,
    ),
]

# The JSON API, called with the signed-in session; anonymous callers get 401.
API: list[tuple[str, Callable[[School], str], set[str]]] = [
    ("my studies", lambda s: "/api/studies", EVERYONE),
    ("study agreement", lambda s: f"/api/studies/{s.studies.study.pk}/agreement", STUDY),
    ("study segments", lambda s: f"/api/studies/{s.studies.study.pk}/segments", STUDY),
    ("programs", lambda s: "/api/programs", EVERYONE),
    ("program", lambda s: f"/api/programs/{s.program.slug}", PROGRAM),
    ("program communities", lambda s: f"/api/programs/{s.program.slug}/communities", PROGRAM),
    ("firewall", lambda s: f"/api/programs/{s.program.slug}/assessment-exclusions", DIRECTORS),
    ("community A", lambda s: f"/api/communities/{s.house_a.pk}", GROUP_A1),
    ("community A groups", lambda s: f"/api/communities/{s.house_a.pk}/groups", GROUP_A1),
    ("community B", lambda s: f"/api/communities/{s.house_b.pk}", DIRECTORS),
    ("group A1", lambda s: f"/api/groups/{s.group_a1.pk}", GROUP_A1),
    ("group A1 members", lambda s: f"/api/groups/{s.group_a1.pk}/memberships", GROUP_A1),
    ("group A2 members", lambda s: f"/api/groups/{s.group_a2.pk}/memberships", HOUSE_A),
    ("group B1", lambda s: f"/api/groups/{s.group_b1.pk}", DIRECTORS),
    ("people", lambda s: "/api/people", EVERYONE),
    ("learner A1", lambda s: f"/api/people/{s.learner_a1.pk}", GROUP_A1),
    ("learner A1 memberships", lambda s: f"/api/people/{s.learner_a1.pk}/memberships", GROUP_A1),
    (
        "learner A1 relationships",
        lambda s: f"/api/people/{s.learner_a1.pk}/relationships",
        GROUP_A1,
    ),
    ("learner B1", lambda s: f"/api/people/{s.learner_b1.pk}", DIRECTORS),
    ("memberships", lambda s: "/api/memberships", EVERYONE),
    ("circles", lambda s: "/api/circles", EVERYONE),
    ("circle", lambda s: f"/api/circles/{s.circle.pk}", PROGRAM),
    ("circle rounds", lambda s: f"/api/circles/{s.circle.pk}/rounds", DIRECTORS),
    ("my pairings", lambda s: "/api/pairings", EVERYONE),
    ("pulse figures", lambda s: f"/api/programs/{s.program.slug}/pulse", DIRECTORS),
    ("match", lambda s: f"/api/matches/{s.match_run.pk}", DIRECTORS),
]

LEARNERS = {
    "learner_a1": "Lena Learnerone",
    "mate_a1": "Lars Learnermate",
    "learner_a2": "Luca Learnertwo",
    "learner_b1": "Lia Learnerthree",
}
# Learners each role may see somewhere; every other learner's name must appear nowhere.
SEES = {
    "admin": set(LEARNERS),
    "director": set(LEARNERS),
    "house_director": {"learner_a1", "mate_a1", "learner_a2"},
    "mentor_a1": {"learner_a1", "mate_a1"},
    "learner_a1": {"learner_a1", "mate_a1"},
    "evaluator": set(),
    "facilitator": set(),
    "outsider": set(),
    "anonymous": set(),
}
# A page where the role must see its own group's learners by name.
OWN_GROUP_PAGE = {
    "mentor_a1": ("home", {"learner_a1", "mate_a1"}),
    "learner_a1": ("API people", {"mate_a1"}),
    "house_director": ("group A1", {"learner_a1", "mate_a1"}),
    "director": ("group B1", {"learner_b1"}),
}


@pytest.fixture
def school_with_meeting(school, settings, tmp_path):
    school.relationship = Relationship.objects.get(
        mentor=school.mentor_a1, mentee=school.learner_a1
    )
    school.meeting = meeting_create(
        organiser=school.mentor_a1,
        relationship=school.relationship,
        title="Check-in",
        starts_at=timezone.now() + dt.timedelta(days=2),
        duration_minutes=30,
    )
    # A faculty circle of three: its one round makes a trio, mentor_a1 among them.
    school.circle = circle_create(
        program=school.program,
        created_by=school.director,
        name="Faculty coffee",
        audience=Audience.FACULTY,
        first_round_at=timezone.now(),
    )
    for mentor in (school.mentor_a1, school.mentor_a2, school.mentor_b1):
        circle_join(circle=school.circle, person=mentor)
    school.round = round_run(circle=school.circle)
    # A training series run by the program, mentor_a1 enrolled by invitation.
    school.series = series_create(
        program=school.program, title="Mentoring the Mentors", self_enrolment=False
    )
    school.session = session_create(
        series=school.series,
        fields=SessionFields(title="Listening", starts_at=timezone.now() + dt.timedelta(days=3)),
    )
    enrolment_accept(
        enrolment=enrolment_invite(
            series=school.series, person=school.mentor_a1, by=school.director
        )
    )
    school.pairing = school.round.pairings.get()
    # A match proposal for an incoming class of one, and a mentoring round.
    incoming = Cohort.objects.create(program=school.program, name="Class of 2029", class_year=2029)
    make_person("Nell Newcomer", class_year=2029)
    school.match_run = run_start(
        program=school.program, by=school.director, cohort=incoming, enqueue=False
    )
    run_execute(run_id=school.match_run.pk)
    # A study led by the evaluator: two consented participants, two transcripts.
    school.studies = build_world(school)
    settings.MEDIA_ROOT = tmp_path  # and a recording, its transcription still queued
    school.recording = recording_upload(
        study=school.studies.study,
        by=school.evaluator,
        upload=SimpleUploadedFile("interview.wav", tone_wav(1.0)),
        title="Recorded interview",
        enqueue=False,
    )
    school.mentoring_round = round_create(
        program=school.program, name="Faculty pairs", starts_on=timezone.localdate()
    )
    participant_add(round_=school.mentoring_round, person=school.learner_a1, side="mentee")
    participant_add(round_=school.mentoring_round, person=school.mentor_a1, side="mentor")
    # learner_a1's class ranks communities (their own page; nobody else's).
    school.choices_cohort = Cohort.objects.get(program=school.program, class_year=2028)
    preference_window_open(
        cohort=school.choices_cohort,
        by=school.director,
        closes_on=timezone.localdate() + dt.timedelta(days=7),
    )
    return school


def readable_text(response) -> str:
    """What a person could read in the response: a PDF's text, or the page itself."""
    if response.get("Content-Type", "").startswith("application/pdf"):
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    if response.get("Content-Type", "").startswith("application/zip"):  # a QDPX export
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            return "\n".join(archive.read(n).decode() for n in archive.namelist())
    return response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_as_its_permissions_say(client, school_with_meeting, role):
    school = school_with_meeting
    if role != "anonymous":
        client.login(email=school.persona(role).email, password=PASSWORD)
    hidden_names = [name for key, name in LEARNERS.items() if key not in SEES[role]]
    bodies = {}
    for page, url_for, allowed in PAGES + [(f"API {n}", u, a) for n, u, a in API]:
        response = client.get(url_for(school))
        signed_out = 401 if page.startswith("API") else 302
        expected = signed_out if role == "anonymous" else 200 if role in allowed else 404
        assert response.status_code == expected, f"{role} on {page}"
        body = readable_text(response)
        bodies[page] = body
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            title = re.search(r"<title>(.*?)</title>", body, re.S)
            assert title and "<" not in title.group(1) and title.group(1).strip(), page
        for name in hidden_names:
            assert name not in body, f"{role} sees {name} on {page}"
    if role in OWN_GROUP_PAGE:
        page, keys = OWN_GROUP_PAGE[role]
        for key in keys:
            assert LEARNERS[key] in bodies[page], f"{role} misses {LEARNERS[key]} on {page}"
