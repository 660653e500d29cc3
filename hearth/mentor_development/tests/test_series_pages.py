"""The pages of training series: who may open what, what each person sees, query budgets."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from hearth.mentor_development.models import (
    Attendance,
    Enrolment,
    MentoringCase,
    TrainingSeries,
    TrainingSession,
)
from hearth.mentor_development.services import series as services
from hearth.testing import PASSWORD, School, make_person

from .series_world import add_session, enrol, make_series, sessions_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(school: School) -> TrainingSeries:
    """Session 1 last week, session 2 now, session 3 next week; Mira and Mateo enrolled."""
    services.case_library_load()
    series = make_series(school, first=timezone.now() - dt.timedelta(days=7, minutes=10))
    enrol(series, school.mentor_a1, school.mentor_a2, by=school.director)
    first, now, _ = sessions_of(series)
    services.attendance_check_in(session=first, person=school.mentor_a1, now=first.starts_at)
    case = MentoringCase.objects.get(program__isnull=True, slug="always-an-agenda")
    services.session_case_attach(session=now, case=case)
    return series


def sign_in(client, person) -> None:  # noqa: ANN001
    assert client.login(email=person.email, password=PASSWORD)


def urls(series: TrainingSeries, school: School) -> dict[str, tuple[str, str]]:
    """Every page and action of the area: name → (method, url)."""
    session = sessions_of(series)[1]
    case = services.case_create(
        program=school.program,
        title="Own case",
        scenario="A scenario.",
        questions=["Why?"],
        domains=[],
    )
    enrolment = Enrolment.objects.get(series=series, person=school.mentor_a1)
    slug = school.program.slug
    get, post = "get", "post"
    return {
        "series": (get, reverse("training_series", args=[series.pk])),
        "series edit": (get, reverse("training_series_edit", args=[series.pk])),
        "series new": (get, reverse("training_series_new", args=[slug])),
        "session": (get, reverse("training_session", args=[session.pk])),
        "session new": (get, reverse("training_session_new", args=[series.pk])),
        "session edit": (get, reverse("training_session_edit", args=[session.pk])),
        "import": (get, reverse("training_import", args=[series.pk])),
        "cases": (get, reverse("training_cases", args=[slug])),
        "case new": (get, reverse("training_case_new", args=[slug])),
        "case edit": (get, reverse("training_case_edit", args=[case.pk])),
        "invite": (post, reverse("training_invite", args=[series.pk])),
        "join": (post, reverse("training_join", args=[series.pk])),
        "certificate": (post, reverse("training_certificate", args=[series.pk])),
        "respond": (post, reverse("training_enrolment_respond", args=[enrolment.pk])),
        "decide": (post, reverse("training_enrolment_decide", args=[enrolment.pk])),
        "cancel": (post, reverse("training_session_cancel", args=[session.pk])),
        "check in": (post, reverse("training_check_in", args=[session.pk])),
        "attendance": (post, reverse("training_attendance", args=[session.pk])),
        "reflection": (post, reverse("training_reflection", args=[session.pk])),
        "follow up": (post, reverse("training_follow_up", args=[session.pk])),
        "session cases": (post, reverse("training_session_cases", args=[session.pk])),
        "case response": (
            post,
            reverse("training_case_response", args=[session.pk, session.cases.get().pk]),
        ),
    }


def test_outsiders_get_404_everywhere_and_change_nothing(school, running, client):
    sign_in(client, school.outsider)

    def state() -> tuple[int, ...]:
        return (
            Enrolment.objects.filter(status="enrolled").count(),
            Attendance.objects.count(),
            TrainingSession.objects.filter(cancelled_at__isnull=False).count(),
        )

    before = state()
    data = {"action": "approve", "person": school.mentor_a1.pk, "body": "x", "will_try": "x"}
    for name, (method, url) in urls(running, school).items():
        assert getattr(client, method)(url, data).status_code == 404, name
    assert state() == before
    assert "No training series for you yet" in client.get(reverse("development")).content.decode()


RUNNERS_ONLY = {
    "series edit",
    "series new",
    "session new",
    "session edit",
    "import",
    "cases",
    "case new",
    "case edit",
    "invite",
    "decide",
    "cancel",
    "attendance",
    "session cases",
}


@pytest.mark.parametrize("persona", ["mentor_a1", "mentor_b1", "learner_a1", "evaluator"])
def test_trainees_and_program_members_cannot_run_the_series(school, running, client, persona):
    sign_in(client, school.persona(persona))
    for name, (method, url) in urls(running, school).items():
        if name in RUNNERS_ONLY:
            response = getattr(client, method)(url, {"action": "approve"})
            assert response.status_code == 404, (persona, name)


@pytest.mark.parametrize("persona", ["director", "facilitator", "admin"])
def test_directors_and_facilitators_open_every_page(school, running, client, persona):
    sign_in(client, school.persona(persona))
    for name, (method, url) in urls(running, school).items():
        if method == "get":
            assert client.get(url).status_code == 200, (persona, name)


def test_the_development_page_shows_each_person_their_series(school, running, client):
    closed = make_series(
        school, title="By invitation", first=timezone.now(), sessions=1, self_enrolment=False
    )
    sign_in(client, school.mentor_a1)
    page = client.get(reverse("development")).content.decode()
    assert "Your series" in page and reverse("training_series", args=[running.pk]) in page
    assert reverse("training_series", args=[closed.pk]) not in page
    sign_in(client, school.mentor_b1)
    page = client.get(reverse("development")).content.decode()
    assert "Open to join" in page and reverse("training_series", args=[running.pk]) in page
    assert reverse("training_series", args=[closed.pk]) not in page
    assert client.get(reverse("training_series", args=[closed.pk])).status_code == 404
    sign_in(client, school.facilitator)
    page = client.get(reverse("development")).content.decode()
    assert "Series you run" in page
    assert reverse("training_series", args=[closed.pk]) in page
    assert reverse("training_series_new", args=[school.program.slug]) in page


def test_a_trainee_sees_only_their_own_row(school, running, client):
    sign_in(client, school.mentor_a1)
    page = client.get(reverse("training_series", args=[running.pk]))
    rows = page.context["page"].rows
    assert [row.person for row in rows] == [school.mentor_a1]
    assert rows[0].cells == ["attended", "upcoming", "upcoming"]
    assert "Mateo Mentortwo" not in page.content.decode()
    sign_in(client, school.facilitator)
    page = client.get(reverse("training_series", args=[running.pk]))
    rows = {row.person: row.cells for row in page.context["page"].rows}
    assert rows == {
        school.mentor_a1: ["attended", "upcoming", "upcoming"],
        school.mentor_a2: ["missed", "upcoming", "upcoming"],
    }
    assert "Who completed what" in page.content.decode()


def grow(series: TrainingSeries, school: School) -> None:
    """Five more sessions and six more trainees, each attending something."""
    last = sessions_of(series)[-1]
    for n in range(5):
        add_session(series, school, starts_at=last.starts_at + dt.timedelta(days=7 * (n + 1)))
    people = [make_person(f"Extra Trainee{n}") for n in range(6)]
    enrol(series, *people, by=school.director)
    first = sessions_of(series)[0]
    for person in people:
        services.attendance_mark(session=first, person=person, by=school.facilitator, present=True)


@pytest.mark.parametrize("more", [False, True])
def test_the_series_and_session_pages_need_the_same_queries_however_many(
    school, running, client, django_assert_max_num_queries, more
):
    if more:
        grow(running, school)
    session = sessions_of(running)[1]
    for person in [school.facilitator, school.mentor_a1]:
        sign_in(client, person)
        with django_assert_max_num_queries(9):
            assert client.get(reverse("training_series", args=[running.pk])).status_code == 200
        with django_assert_max_num_queries(16):
            url = reverse("training_session", args=[session.pk])
            assert client.get(url).status_code == 200
        with django_assert_max_num_queries(9):
            assert client.get(reverse("development")).status_code == 200


def test_the_check_in_button_works_during_the_session_only(school, running, client):
    first, now, later = sessions_of(running)
    sign_in(client, school.mentor_a2)
    page = client.get(reverse("training_session", args=[now.pk])).content.decode()
    check_in = reverse("training_check_in", args=[now.pk])
    assert check_in in page
    response = client.post(check_in, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "You are checked in." in response.content.decode()
    assert Attendance.objects.filter(session=now, person=school.mentor_a2).exists()
    page = client.get(reverse("training_session", args=[later.pk])).content.decode()
    assert reverse("training_check_in", args=[later.pk]) not in page
    refused = client.post(reverse("training_check_in", args=[later.pk]), follow=True)
    assert "Check-in opens 15 minutes before" in refused.content.decode()
    assert not Attendance.objects.filter(session=later).exists()


def test_a_facilitator_marks_attendance_from_the_session_page(school, running, client):
    now = sessions_of(running)[1]
    sign_in(client, school.facilitator)
    url = reverse("training_attendance", args=[now.pk])
    response = client.post(
        url, {"person": school.mentor_a1.pk, "present": "yes"}, HTTP_HX_REQUEST="true"
    )
    assert "Marked by Fay Facilitator" in response.content.decode()
    client.post(url, {"person": school.mentor_a1.pk, "present": "no"}, HTTP_HX_REQUEST="true")
    assert not Attendance.objects.filter(session=now).exists()


def test_the_editor_enters_times_in_their_own_zone(school, running, client):
    school.facilitator.time_zone = "America/Chicago"
    school.facilitator.save()
    sign_in(client, school.facilitator)
    response = client.post(
        reverse("training_session_new", args=[running.pk]),
        {
            "title": "Feedback that lands",
            "date": "2027-07-14",
            "time": "09:30",
            "duration_minutes": "60",
            "format": "hybrid",
            "location": "Room 4B",
            "video_url": "",
            "facilitator": school.facilitator.pk,
            "materials": "Read **this** <script>alert(1)</script>",
            "prework": "",
        },
    )
    session = TrainingSession.objects.get(title="Feedback that lands")
    assert response.status_code == 302
    assert session.starts_at == dt.datetime(2027, 7, 14, 14, 30, tzinfo=dt.UTC)
    assert session.video_url.startswith("https://meet.jit.si/hearth-")
    sign_in(client, school.mentor_a1)
    page = client.get(reverse("training_session", args=[session.pk])).content.decode()
    assert "Wed 14 Jul 2027, 10:30 EDT" in page  # Mira reads it in New York time
    assert "Read <strong>this</strong>" in page and "<script>" not in page


def test_the_import_page_lists_every_bad_row_and_enrols_no_one(school, running, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    sign_in(client, school.director)
    content = f"email\n{school.mentor_b1.email}\nnobody@example.org\n".encode()
    response = client.post(
        reverse("training_import", args=[running.pk]),
        {"file": SimpleUploadedFile("cohort.csv", content, "text/csv")},
    )
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "Row 3, column email: no one in Hearth has the email" in page
    assert not Enrolment.objects.filter(person=school.mentor_b1).exists()


def test_asking_to_join_and_approving_from_the_series_page(school, running, client):
    sign_in(client, school.mentor_b1)
    client.post(reverse("training_join", args=[running.pk]))
    enrolment = Enrolment.objects.get(series=running, person=school.mentor_b1)
    assert enrolment.status == "requested"
    sign_in(client, school.facilitator)
    page = client.get(reverse("training_series", args=[running.pk])).content.decode()
    assert "Asking to join" in page and "Mona Mentorthree" in page
    client.post(reverse("training_enrolment_decide", args=[enrolment.pk]), {"action": "approve"})
    enrolment.refresh_from_db()
    assert enrolment.status == "enrolled"


def test_a_director_creates_a_series(school, client):
    sign_in(client, school.director)
    response = client.post(
        reverse("training_series_new", args=[school.program.slug]),
        {"title": "Research mentor training", "description": "", "sessions_to_complete": "4"},
    )
    series = TrainingSeries.objects.get(title="Research mentor training")
    assert response["Location"] == reverse("training_series", args=[series.pk])
    assert series.sessions_to_complete == 4 and not series.self_enrolment
