"""The world the access matrix, the URL-coverage test and the every-page axe test share:
every page and API endpoint with the roles that may open it, and a school with one of
everything those pages show."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from hearth.communities.models import Cohort, GroupMembership, Relationship
from hearth.communities.roster import roster_upload
from hearth.communities.services import change_request_create
from hearth.matching.services import (
    participant_add,
    preference_window_open,
    round_create,
    run_execute,
    run_start,
)
from hearth.meetings.services import meeting_create
from hearth.mentor_development.services.compacts import compact_draft
from hearth.mentor_development.services.library import guide_create
from hearth.mentor_development.services.practice import practice_circle_create
from hearth.mentor_development.services.series import (
    SessionFields,
    case_create,
    enrolment_accept,
    enrolment_invite,
    series_create,
    session_create,
)
from hearth.serendipity.models import Audience
from hearth.serendipity.services import circle_create, circle_join, round_run
from hearth.studies.services import theme_save
from hearth.studies.tests.speech import tone_wav
from hearth.studies.tests.world import build_world
from hearth.studies.transcripts import recording_upload
from hearth.testing import School, make_person

ROSTER_CSV = (
    b"email,display_name,role,community,group,start_date,class_year\n"
    b"omar.okafor@school.example.edu,Omar Okafor,learner,Blackwell House,Blackwell 1,"
    b"2025-08-01,2029\n"
)

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
PUBLIC = set(ROLES)  # no sign-in needed
# A compact: its mentor and mentee, and the program's directors (not a community director).
COMPACT = DIRECTORS | {"mentor_a1"}
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
    ("two-step sign-in", lambda s: reverse("two_step"), EVERYONE),
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
    ("password change", lambda s: reverse("password_change"), EVERYONE),
    ("password changed", lambda s: reverse("password_change_done"), EVERYONE),
    ("password reset", lambda s: reverse("password_reset"), PUBLIC),
    ("password reset sent", lambda s: reverse("password_reset_done"), PUBLIC),
    ("password reset done", lambda s: reverse("password_reset_complete"), PUBLIC),
    ("verify a document", lambda s: reverse("verify"), PUBLIC),
    ("verify a code", lambda s: reverse("verify_code", args=["HRTH-0000-0000"]), PUBLIC),
    (
        "roster import preview",
        lambda s: reverse("roster_import_preview", args=[s.program.slug, s.roster_import.pk]),
        DIRECTORS,
    ),
    (
        "decide a change request",
        lambda s: reverse("change_request_decide", args=[s.change_request.pk]),
        HOUSE_A,
    ),
    ("compact", lambda s: reverse("compact", args=[s.compact.pk]), COMPACT | {"learner_a1"}),
    (
        "start a compact",
        lambda s: reverse("relationship_compact", args=[s.mate_relationship.pk]),
        COMPACT,
    ),
    ("guide", lambda s: reverse("guide", args=[s.guide.pk]), PROGRAM),
    ("edit a guide", lambda s: reverse("guide_edit", args=[s.guide.pk]), DIRECTORS),
    (
        "new training series",
        lambda s: reverse("training_series_new", args=[s.program.slug]),
        RUN_TRAINING,
    ),
    (
        "edit training series",
        lambda s: reverse("training_series_edit", args=[s.series.pk]),
        RUN_TRAINING,
    ),
    (
        "new training session",
        lambda s: reverse("training_session_new", args=[s.series.pk]),
        RUN_TRAINING,
    ),
    (
        "edit training session",
        lambda s: reverse("training_session_edit", args=[s.session.pk]),
        RUN_TRAINING,
    ),
    ("import trainees", lambda s: reverse("training_import", args=[s.series.pk]), RUN_TRAINING),
    ("new case", lambda s: reverse("training_case_new", args=[s.program.slug]), RUN_TRAINING),
    ("edit a case", lambda s: reverse("training_case_edit", args=[s.case.pk]), RUN_TRAINING),
    (
        "practice circle",
        lambda s: reverse("practice_circle", args=[s.practice_circle.pk]),
        TRAINING,
    ),
    ("study settings", lambda s: reverse("study_settings", args=[s.studies.study.pk]), STUDY),
    ("study audit", lambda s: reverse("study_audit", args=[s.studies.study.pk]), STUDY),
    (
        "study participant",
        lambda s: reverse("participant", args=[s.studies.p1.pk]),
        STUDY,
    ),
    ("study import", lambda s: reverse("source_import", args=[s.studies.study.pk]), STUDY),
    (
        "study pulse import",
        lambda s: reverse("study_pulse_import", args=[s.studies.study.pk]),
        STUDY,
    ),
    ("study recording audio", lambda s: reverse("recording_audio", args=[s.recording.pk]), STUDY),
    (
        "study code",
        lambda s: reverse("code", args=[next(iter(s.studies.codes.values())).pk]),
        STUDY,
    ),
    (
        "study search",
        lambda s: reverse("study_search", args=[s.studies.study.pk]) + "?q=week",
        STUDY,
    ),
    (
        "study co-occurrence",
        lambda s: reverse("study_cooccurrence", args=[s.studies.study.pk]),
        STUDY,
    ),
    ("study themes", lambda s: reverse("study_themes", args=[s.studies.study.pk]), STUDY),
    ("study theme", lambda s: reverse("theme", args=[s.theme.pk]), STUDY),
    (
        "study source suggestions",
        lambda s: reverse("source_suggestions_note", args=[s.studies.source.pk]),
        STUDY,
    ),
    ("study report docx", lambda s: reverse("study_report_docx", args=[s.studies.study.pk]), STUDY),
    (
        "study coded segments csv",
        lambda s: reverse("study_segments_csv", args=[s.studies.study.pk]),
        STUDY,
    ),
]

# HTMX fragments loaded into another page: no <title> of their own, no axe run alone.
FRAGMENTS = {"study source suggestions"}
# Files a browser saves rather than shows.
DOWNLOADS = {
    "my data",
    "firewall csv",
    "roster template",
    "pulse csv",
    "annual report csv",
    "annual report pdf",
    "study report pdf",
    "study report docx",
    "study dataset csv",
    "study coded segments csv",
    "study qdpx",
    "codebook qdc",
    "study recording audio",
}

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
    ("me", lambda s: "/api/me", EVERYONE),
    ("pulse figures", lambda s: f"/api/programs/{s.program.slug}/pulse", DIRECTORS),
    ("match", lambda s: f"/api/matches/{s.match_run.pk}", DIRECTORS),
]


def build_access_world(school: School) -> School:
    """The school plus one of every object a page shows; MEDIA_ROOT must be a scratch folder."""
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
    # A recording, its transcription still queued.
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
    # A learner asks for another mentor; a compact, a guide, a case, a theme, a practice circle.
    school.change_request = change_request_create(
        membership=GroupMembership.objects.get(person=school.learner_a1, group=school.group_a1),
        reason="We never manage to meet.",
    )
    school.compact = compact_draft(relationship=school.relationship, person=school.mentor_a1)
    # mate_a1's relationship has no compact yet, so its compact page answers rather than redirects.
    school.mate_relationship = Relationship.objects.get(
        mentor=school.mentor_a1, mentee=school.mate_a1
    )
    school.guide = guide_create(
        program=school.program,
        author=school.director,
        title="Our house traditions",
        summary="How Apgar House welcomes new mentors.",
        body="Come to the autumn dinner.",
        domains=["communication"],
    )
    school.case = case_create(
        program=school.program,
        title="The silent group",
        scenario="Nobody speaks in the first ten minutes.",
        questions=["What would you try first?"],
        domains=["communication"],
    )
    school.theme = theme_save(
        study=school.studies.study,
        name="Belonging",
        codes=list(school.studies.codes.values())[:1],
    )
    for mentor in (school.mentor_a2, school.mentor_b1):
        enrolment_accept(
            enrolment=enrolment_invite(series=school.series, person=mentor, by=school.director)
        )
    school.practice_circle = practice_circle_create(
        series=school.series,
        by=school.facilitator,
        name="Tuesday circle",
        members=[school.mentor_a1, school.mentor_a2, school.mentor_b1],
    )
    school.roster_import = roster_upload(
        program=school.program,
        uploaded_by=school.director,
        filename="roster.csv",
        content=ROSTER_CSV,
    )
    return school


def readable_text(response) -> str:  # noqa: ANN001 - a test client response
    """What a person could read in the response: a PDF's text, an archive's files, the page."""
    kind = response.get("Content-Type", "")
    if kind.startswith("application/pdf"):
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    # A QDPX export, or a Word report (a zip of XML parts).
    if kind.startswith(("application/zip", "application/vnd.openxmlformats")):
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            return "\n".join(archive.read(n).decode(errors="replace") for n in archive.namelist())
    if kind.startswith("audio/"):
        return ""  # sound, no names to read
    return b"".join(getattr(response, "streaming_content", [response.content])).decode()
