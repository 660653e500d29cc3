"""Every URL Hearth answers is in the access matrix, exempt for a stated reason, or a
POST-only action an outsider is refused."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from hearth.api.api import api
from hearth.api.services import api_token_create
from hearth.meetings.booking import availability_add
from hearth.meetings.services import action_item_add
from hearth.mentor_development.models import Enrolment
from hearth.people.tests.access_world import API, PAGES, build_access_world
from hearth.pulse.services import wave_open
from hearth.recognition.services import note_report, note_send
from hearth.serendipity.services import drop_in_open
from hearth.studies.models import CodedSegment, Consent
from hearth.studies.tests.world import code
from hearth.testing import School

# Views that answer GET but are not in the matrix, and why.
EXEMPT: dict[str, str] = {
    # Django's own sign-in and password flows: anonymous-only or keyed by an emailed token.
    "login": "signed-in people are sent home; browser/test_sign_in.py signs in",
    "logout": "POST-only and acts on the caller's own session",
    "password_reset_confirm": "keyed by an emailed one-time token; Django's own view",
    "login_code": (
        "the second sign-in step, only after a right password; "
        "hearth/people/tests/test_password_security.py"
    ),
    # The API's own furniture; its operations are checked through the OpenAPI schema below.
    "api:api-root": "ninja's index of the API, no data",
    "api:openapi-json": "the schema; hearth/api/tests/test_docs.py",
    "api:openapi-view": (
        "the docs page; hearth/api/tests/test_docs.py::"
        "test_docs_page_answers_a_signed_in_user and test_docs_send_a_visitor_to_sign_in"
    ),
    # For load balancers: plain text, no data, no sign-in.
    "health_live": "hearth/lib/tests/test_health.py",
    "health_ready": "hearth/lib/tests/test_health.py",
    # Addressed by a secret or a sub-object the matrix world does not hold.
    "calendar_feed": (
        "no session, keyed by the feed's secret; hearth/meetings/tests/test_feeds.py and "
        "hearth/meetings/tests/test_object_access.py"
    ),
    "person_photo": (
        "a file served only with a photo uploaded; hearth/serendipity/tests/test_circles.py::"
        "test_a_photo_is_made_small_and_shown_only_to_those_who_may_see_the_person"
    ),
    "recording_turn": (
        "needs a finished transcription; hearth/studies/tests/test_recording_pages.py::"
        "test_turns_are_corrected_inline_by_coders_only"
    ),
}
# URL prefixes outside the matrix as a whole.
EXEMPT_PREFIXES: dict[str, str] = {
    "admin/": "Django's admin, staff only, guarded by Django itself",
    "sso/": "single sign-on (allauth); browser/test_sso.py covers it",
}
# POST-only actions the outsider test below does not run, and why.
OWN_RECORD_ACTIONS: dict[str, str] = {
    "mentee_feedback_sharing": "the caller's own sharing choice, no one else's object",
    "portfolio_pdf": "issues the caller's own portfolio, no one else's object",
    "two_step_confirm": "the caller's own two-step sign-in; test_password_security.py",
    "two_step_off": "the caller's own two-step sign-in; test_password_security.py",
    "suggestion_accept": (
        "a suggestion needs a trained model; hearth/studies/tests/test_suggestions.py::"
        "test_outsiders_get_404"
    ),
    "suggestion_dismiss": "as suggestion_accept",
}


def _segment(s: School) -> int:
    return CodedSegment.objects.filter(source__study=s.studies.study).first().pk


# Every POST-only action, with the URL of a real object in the world an outsider must not touch.
POST_ONLY: dict[str, Callable[[School], str]] = {
    "action_item_add": lambda s: reverse("action_item_add", args=[s.meeting.pk]),
    "action_item_done": lambda s: reverse("action_item_done", args=[s.meeting.pk, s.item.pk]),
    "agenda_item_add": lambda s: reverse("agenda_item_add", args=[s.meeting.pk]),
    "note_save": lambda s: reverse("note_save", args=[s.meeting.pk]),
    "meeting_cancel": lambda s: reverse("meeting_cancel", args=[s.meeting.pk]),
    "meeting_reschedule": lambda s: reverse("meeting_reschedule", args=[s.meeting.pk]),
    "api_token_revoke": lambda s: reverse("api_token_revoke", args=[s.token.pk]),
    "availability_remove": lambda s: reverse("availability_remove", args=[s.availability.pk]),
    "share_history": lambda s: reverse("share_history", args=[s.group_a1.pk]),
    "circle_availability": lambda s: reverse("circle_availability", args=[s.circle.pk]),
    "circle_join": lambda s: reverse("circle_join", args=[s.circle.pk]),
    "circle_leave": lambda s: reverse("circle_leave", args=[s.circle.pk]),
    "circle_pause": lambda s: reverse("circle_pause", args=[s.circle.pk]),
    "circle_skip": lambda s: reverse("circle_skip", args=[s.circle.pk]),
    "round_run_now": lambda s: reverse("round_run_now", args=[s.circle.pk]),
    "pairing_respond": lambda s: reverse("pairing_respond", args=[s.pairing.pk]),
    "drop_in_close": lambda s: reverse("drop_in_close", args=[s.drop_in.pk]),
    "pulse_check_in": lambda s: reverse("pulse_check_in", args=[s.wave.pk]),
    "mentee_feedback_submit": lambda s: reverse(
        "mentee_feedback_submit", args=[s.wave.pk, s.relationship.pk]
    ),
    "note_report": lambda s: reverse("note_report", args=[s.note.pk]),
    "note_hide": lambda s: reverse("note_hide", args=[s.note.pk]),
    "compact_review": lambda s: reverse("compact_review", args=[s.compact.pk]),
    "series_growth_rate": lambda s: reverse("series_growth_rate", args=[s.series.pk, "before"]),
    "training_certificate": lambda s: reverse("training_certificate", args=[s.series.pk]),
    "training_invite": lambda s: reverse("training_invite", args=[s.series.pk]),
    "training_join": lambda s: reverse("training_join", args=[s.series.pk]),
    "training_enrolment_respond": lambda s: reverse(
        "training_enrolment_respond", args=[s.enrolment.pk]
    ),
    "training_enrolment_decide": lambda s: reverse(
        "training_enrolment_decide", args=[s.enrolment.pk]
    ),
    "training_attendance": lambda s: reverse("training_attendance", args=[s.session.pk]),
    "training_check_in": lambda s: reverse("training_check_in", args=[s.session.pk]),
    "training_follow_up": lambda s: reverse("training_follow_up", args=[s.session.pk]),
    "training_reflection": lambda s: reverse("training_reflection", args=[s.session.pk]),
    "training_session_cancel": lambda s: reverse("training_session_cancel", args=[s.session.pk]),
    "training_session_cases": lambda s: reverse("training_session_cases", args=[s.session.pk]),
    "training_case_response": lambda s: reverse(
        "training_case_response", args=[s.session.pk, s.case.pk]
    ),
    "practice_circle_meeting_new": lambda s: reverse(
        "practice_circle_meeting_new", args=[s.practice_circle.pk]
    ),
    "practice_circle_questions": lambda s: reverse(
        "practice_circle_questions", args=[s.practice_circle.pk]
    ),
    "match_override": lambda s: reverse("match_override", args=[s.match_run.pk]),
    "match_pair_override": lambda s: reverse("match_pair_override", args=[s.match_run.pk]),
    "match_publish": lambda s: reverse("match_publish", args=[s.match_run.pk]),
    "match_rematch": lambda s: reverse("match_rematch", args=[s.match_run.pk]),
    "match_run_again": lambda s: reverse("match_run_again", args=[s.match_run.pk]),
    "match_preference_window": lambda s: reverse(
        "match_preference_window", args=[s.program.slug, s.choices_cohort.pk]
    ),
    "round_preferences": lambda s: reverse("round_preferences", args=[s.mentoring_round.pk]),
    "memo_add": lambda s: reverse("memo_add", args=[s.studies.study.pk]),
    "study_reconciliation": lambda s: reverse("study_reconciliation", args=[s.studies.study.pk]),
    "study_suggestions_train": lambda s: reverse(
        "study_suggestions_train", args=[s.studies.study.pk]
    ),
    "study_member_remove": lambda s: reverse(
        "study_member_remove",
        args=[s.studies.study.pk, s.studies.study.members.get(person=s.studies.coder).pk],
    ),
    "consent_withdraw": lambda s: reverse(
        "consent_withdraw", args=[Consent.objects.filter(participant=s.studies.p1).first().pk]
    ),
    "segment_add": lambda s: reverse("segment_add", args=[s.studies.source.pk]),
    "segment_remove": lambda s: reverse("segment_remove", args=[_segment(s)]),
    "recording_transcribe": lambda s: reverse("recording_transcribe", args=[s.recording.pk]),
    # The API's writes, by their OpenAPI path.
    "POST /api/programs/{slug}/matches": lambda s: f"/api/programs/{s.program.slug}/matches",
    "POST /api/matches/{run_id}/publish": lambda s: f"/api/matches/{s.match_run.pk}/publish",
}


@pytest.fixture
def world(school, settings, tmp_path) -> School:
    settings.MEDIA_ROOT = tmp_path
    s = build_access_world(school)
    # One of each object a POST-only action changes, owned by someone other than the outsider.
    s.item = action_item_add(
        meeting=s.meeting, person=s.mentor_a1, owner=s.learner_a1, text="Read", due_date=None
    )
    s.token, _ = api_token_create(person=s.mentor_a1, name="laptop")
    s.availability = availability_add(
        mentor=s.mentor_a1,
        program=s.program,
        starts_at=timezone.now() + dt.timedelta(days=4),
        window_minutes=60,
        time_zone="UTC",
    )
    s.drop_in = drop_in_open(
        host=s.mentor_a1,
        program=s.program,
        starts_at=timezone.now(),
        ends_at=timezone.now() + dt.timedelta(hours=2),
    )
    s.wave = wave_open(
        program=s.program,
        label="Spring",
        opens_on=timezone.localdate(),
        closes_on=timezone.localdate() + dt.timedelta(days=7),
    )
    s.note = note_report(note=note_send(author=s.learner_a1, mentor=s.mentor_a1, body="Thanks!"))
    s.enrolment = Enrolment.objects.get(series=s.series, person=s.mentor_a1)
    code(
        s.studies, s.studies.lead, s.studies.source, "it keeps me going", *list(s.studies.codes)[:1]
    )
    return s


def _patterns(resolvers: list, prefix: str = "", namespace: str = "") -> Iterator[tuple]:
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern), inner or "")
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield prefix + str(entry.pattern), name


def _view_name(url: str) -> str:
    return resolve(url.split("?")[0]).view_name


def _schema_operations() -> Iterator[tuple[str, str]]:
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method in operations:
            yield method.upper(), path


def _route_of(schema_path: str) -> str:
    return schema_path.lstrip("/").replace("{", "<").replace("}", ">")


def test_every_get_page_and_api_operation_is_in_the_matrix_or_exempt(world):
    covered = {_view_name(url_for(world)) for _, url_for, _ in PAGES}
    missing = []
    for route, name in _patterns(get_resolver().url_patterns):
        if route.startswith(tuple(EXEMPT_PREFIXES)) or (name or "").startswith(
            f"{api.urls_namespace}:"
        ):
            continue  # the API's operations are checked against its schema below
        if name not in covered | set(EXEMPT) | set(POST_ONLY) | set(OWN_RECORD_ACTIONS):
            missing.append(f"page {name} ({route})")
    api_routes = {resolve(url_for(world)).route for _, url_for, _ in API}
    for method, path in _schema_operations():
        if method == "GET" and _route_of(path) not in api_routes:
            missing.append(f"API GET {path}")
        if method != "GET" and f"{method} {path}" not in POST_ONLY:
            missing.append(f"API {method} {path}")
    assert not missing, "Not in the access matrix nor exempt:\n" + "\n".join(missing)


def test_exemptions_name_views_that_still_exist():
    names = {name for _, name in _patterns(get_resolver().url_patterns)}
    stale = (set(EXEMPT) | set(OWN_RECORD_ACTIONS) | {n for n in POST_ONLY if " " not in n}) - names
    assert not stale


def _snapshot() -> dict[str, list[dict]]:
    # Sessions and sign-in records change with any request; everything else must not.
    skip = {"sessions", "axes", "admin"}
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.app_label not in skip and not model._meta.proxy
    }


def test_an_outsiders_post_to_each_action_is_refused_and_changes_nothing(client, world):
    client.force_login(world.outsider)
    before = _snapshot()
    wrong = []
    for name, url_for in POST_ONLY.items():
        url = url_for(world)
        if name.startswith("POST "):  # the API reads a JSON body
            response = client.post(url, {"cohort": "2029"}, content_type="application/json")
        else:
            # A GET is refused outright: the action really is POST-only.
            if client.get(url).status_code != 405:
                wrong.append(f"{name}: GET is not 405")
            response = client.post(url, {"action": "accept", "reason": "x"})
        if response.status_code not in (403, 404):
            wrong.append(f"{name}: outsider's POST answered {response.status_code}")
        if _snapshot() != before:
            wrong.append(f"{name}: outsider's POST changed data")
            before = _snapshot()
    assert not wrong, "\n".join(wrong)
