"""In an open mentoring round, mentees rank mentors and mentors may rank mentees, on their own
pages or through a director's file; publishing the match closes the round to choices."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hearth.matching import services
from hearth.matching.models import RoundPreference, RoundStatus, Side
from hearth.matching.preferences import PreferencesInvalid, round_preferences_import
from hearth.people.models import Interest
from hearth.testing import PASSWORD, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_(school):
    round_ = services.round_create(
        program=school.program, name="Faculty pairs 2027", starts_on=dt.date(2027, 1, 4)
    )
    research = Interest.objects.create(name="research")
    school.mentor_a1.department = "Medicine"
    school.mentor_a1.save()
    school.mentor_a1.interests.add(research)
    for mentor, statement in (
        (school.mentor_a1, "Clinical research careers and writing grants."),
        (school.mentor_a2, "Teaching and curriculum."),
        (school.mentor_b1, "Wellness and balance."),
    ):
        services.participant_add(
            round_=round_, person=mentor, side=Side.MENTOR, capacity=1, statement=statement
        )
    mentees = [make_person(f"Junior {n}", academic_rank="instructor") for n in ("One", "Two")]
    for mentee in mentees:
        services.participant_add(
            round_=round_, person=mentee, side=Side.MENTEE, statement="I want to write grants."
        )
    round_.mentees = mentees
    return round_


def _choices(person) -> list[str]:
    return list(
        RoundPreference.objects.filter(chooser=person)
        .order_by("rank")
        .values_list("chosen__display_name", flat=True)
    )


def _csv(*rows: str) -> SimpleUploadedFile:
    header = "email,first_choice,second_choice,third_choice,fourth_choice,fifth_choice"
    return SimpleUploadedFile("choices.csv", "\n".join([header, *rows]).encode())


# --- The service and the import ----------------------------------------------------------------


def test_at_most_five_choices_and_none_once_the_round_is_closed(school, round_):
    mentor = school.mentor_a1
    extra = [make_person(f"Mentee {n}") for n in range(5)]
    for person in extra:
        services.participant_add(round_=round_, person=person, side=Side.MENTEE)
    with pytest.raises(ValidationError, match="at most 5"):
        services.round_preferences_set(
            round_=round_, chooser=mentor, chosen=[*round_.mentees, *extra][:6]
        )
    services.round_preferences_set(round_=round_, chooser=mentor, chosen=extra[:5])
    round_.status = RoundStatus.CLOSED
    round_.save()
    with pytest.raises(ValidationError, match="closed"):
        services.round_preferences_set(round_=round_, chooser=mentor, chosen=extra[:1])
    assert len(_choices(mentor)) == 5


def test_a_file_replaces_the_choices_of_everyone_it_lists(school, round_):
    one, two = round_.mentees
    services.round_preferences_set(round_=round_, chooser=two, chosen=[school.mentor_b1])
    done = round_preferences_import(
        round_=round_,
        filename="choices.csv",
        content=_csv(
            f"{one.email},{school.mentor_a2.email},{school.mentor_a1.email.upper()}",
            f"{school.mentor_a1.email},{two.email}",
        ).read(),
    )
    assert (done.learners, done.choices) == (2, 3)
    assert _choices(one) == ["Mateo Mentortwo", "Mira Mentorone"]
    assert _choices(school.mentor_a1) == ["Junior Two"]
    assert _choices(two) == ["Mona Mentorthree"], "not in the file, not changed"


def test_bad_rows_are_named_by_row_column_and_reason_and_nothing_changes(school, round_):
    one, two = round_.mentees
    services.round_preferences_set(round_=round_, chooser=one, chosen=[school.mentor_b1])
    with pytest.raises(PreferencesInvalid) as invalid:
        round_preferences_import(
            round_=round_,
            filename="choices.csv",
            content=_csv(
                f"{one.email},{school.mentor_a1.email},{school.mentor_a1.email}",
                f"{two.email},{one.email}",
                f"ghost@example.edu,{school.mentor_a1.email}",
                f"{school.mentor_a2.email},,,,,nobody@example.edu",
                f"{one.email},{school.mentor_a2.email}",
                f"{school.mentor_b1.email},",
            ).read(),
        )
    found = {(e.row, e.column, e.reason) for e in invalid.value.errors}
    assert found == {
        (2, "second_choice", "Mira Mentorone is chosen twice"),
        (3, "first_choice", "Junior One is a mentee too; choose among the mentors"),
        (4, "email", "nobody in Faculty pairs 2027 has the email ghost@example.edu"),
        (5, "fifth_choice", "nobody in Faculty pairs 2027 has the email nobody@example.edu"),
        (6, "email", f"{one.email} is also on row 2"),
        (7, "first_choice", "nobody is chosen"),
    }
    assert _choices(one) == ["Mona Mentorthree"]
    assert RoundPreference.objects.count() == 1


def test_a_closed_round_refuses_a_file(school, round_):
    round_.status = RoundStatus.CLOSED
    round_.save()
    with pytest.raises(ValidationError, match="closed"):
        round_preferences_import(
            round_=round_,
            filename="choices.csv",
            content=_csv(f"{round_.mentees[0].email},{school.mentor_a1.email}").read(),
        )


def test_publishing_the_match_closes_the_round(school, round_, django_capture_on_commit_callbacks):
    run = services.run_start(
        program=school.program, by=school.director, round_=round_, enqueue=False
    )
    run = services.run_execute(run_id=run.pk)
    services.run_publish(run=run, by=school.director, notify=False)
    round_.refresh_from_db()
    assert round_.status == RoundStatus.CLOSED and not round_.takes_choices


# --- The pages ---------------------------------------------------------------------------------


def _sign_in(client, person):
    client.login(email=person.email, password=PASSWORD)


def test_a_mentee_sees_the_mentors_and_ranks_them_from_their_home_page(client, school, round_):
    mentee = round_.mentees[0]
    _sign_in(client, mentee)
    home = client.get(reverse("home")).content.decode()
    url = reverse("round_choices", args=[round_.pk])
    assert url in home and "You have not ranked any mentor yet" in home
    page = client.get(url).content.decode()
    # Each mentor with department, rank, interests and statement; the other mentee not at all.
    assert "Rank your mentors" in page
    assert "Mira Mentorone" in page and "Medicine" in page and "Associate professor" in page
    assert '<span class="tag">research</span>' in page
    assert "Clinical research careers and writing grants." in page
    assert "Junior Two" not in page
    assert "id_choice_3" in page and "id_choice_4" not in page, "three mentors, three choices"
    saved = client.post(
        url,
        {"choice_1": school.mentor_a2.pk, "choice_2": school.mentor_a1.pk, "choice_3": ""},
        headers={"HX-Request": "true"},
    )
    assert "Your choices are saved" in saved.content.decode()
    assert _choices(mentee) == ["Mateo Mentortwo", "Mira Mentorone"]
    home = client.get(reverse("home")).content.decode()
    assert "You have ranked 2" in home


def test_choices_must_be_in_order_and_each_person_once(client, school, round_):
    mentee = round_.mentees[0]
    _sign_in(client, mentee)
    url = reverse("round_choices", args=[round_.pk])
    gap = client.post(url, {"choice_1": "", "choice_2": school.mentor_a1.pk})
    assert gap.status_code == 400
    assert "your 1st choice is empty but your 2nd is not" in gap.content.decode()
    twice = client.post(url, {"choice_1": school.mentor_a1.pk, "choice_2": school.mentor_a1.pk})
    assert "Mira Mentorone is already your 1st choice" in twice.content.decode()
    assert not RoundPreference.objects.exists()
    # Someone who is not on the other side of the round is not a choice at all.
    stranger = client.post(url, {"choice_1": round_.mentees[1].pk})
    assert stranger.status_code == 400
    assert not RoundPreference.objects.exists()


def test_a_mentor_may_rank_mentees_and_may_clear_them(client, school, round_):
    _sign_in(client, school.mentor_a1)
    url = reverse("round_choices", args=[round_.pk])
    page = client.get(url).content.decode()
    assert "Rank your mentees" in page and "it is optional" in page
    assert "I want to write grants." in page and "Mateo Mentortwo" not in page
    response = client.post(url, {"choice_1": round_.mentees[1].pk})
    assert response.status_code == 302
    assert _choices(school.mentor_a1) == ["Junior Two"]
    client.post(url, {"choice_1": ""})
    assert _choices(school.mentor_a1) == []


def test_a_closed_round_shows_the_choices_made_and_leaves_the_home_page(client, school, round_):
    mentee = round_.mentees[0]
    services.round_preferences_set(round_=round_, chooser=mentee, chosen=[school.mentor_b1])
    round_.status = RoundStatus.CLOSED
    round_.save()
    _sign_in(client, mentee)
    url = reverse("round_choices", args=[round_.pk])
    assert url not in client.get(reverse("home")).content.decode()
    page = client.get(url).content.decode()
    assert "The round is closed" in page and "<select" not in page
    assert "<li>Mona Mentorthree</li>" in page
    refused = client.post(url, {"choice_1": school.mentor_a1.pk})
    assert refused.status_code == 400 and "is closed" in refused.content.decode()
    assert _choices(mentee) == ["Mona Mentorthree"]


@pytest.mark.parametrize("persona", ["learner_a1", "mentor_b1", "director", "outsider"])
def test_only_the_round_s_participants_have_a_choices_page(client, school, round_, persona):
    if persona == "mentor_b1":  # a participant of another round only
        school.mentor_b1 = make_person("Nico Notinround")
    _sign_in(client, school.persona(persona))
    url = reverse("round_choices", args=[round_.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"choice_1": school.mentor_a1.pk}).status_code == 404
    assert not RoundPreference.objects.exists()


def test_the_director_imports_a_file_on_the_round_page_and_sees_who_ranked(client, school, round_):
    one, two = round_.mentees
    _sign_in(client, school.director)
    round_url = reverse("mentoring_round", args=[round_.pk])
    upload = reverse("round_preferences", args=[round_.pk])
    page = client.get(round_url).content.decode()
    assert "Import ranked choices" in page and "fifth_choice" in page
    assert "<strong>0</strong> of 2 mentees" in page
    bad = client.post(upload, {"file": _csv(f"{one.email},{one.email}")})
    body = bad.content.decode()
    assert bad.status_code == 400 and "Nothing was imported: 1 problem" in body
    assert "Junior One is a mentee too" in body
    good = client.post(
        upload,
        {"file": _csv(f"{one.email},{school.mentor_a1.email}", f"{two.email},x")},
        follow=True,
    )
    assert "Nothing was imported" in good.content.decode(), "x is nobody"
    good = client.post(upload, {"file": _csv(f"{one.email},{school.mentor_a1.email}")}, follow=True)
    assert "Imported 1 choice of 1 participant" in good.content.decode()
    assert "<strong>1</strong> of 2 mentees" in good.content.decode()
    unreadable = client.post(upload, {"file": SimpleUploadedFile("x.txt", b"x")})
    assert "Hearth imports .csv and .xlsx files" in unreadable.content.decode()


def test_round_pages_read_a_fixed_number_of_queries(client, school, round_):
    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    mentee = round_.mentees[0]
    choices_url = reverse("round_choices", args=[round_.pk])
    round_url = reverse("mentoring_round", args=[round_.pk])
    _sign_in(client, mentee)
    small_choices = count(choices_url)
    client.logout()
    _sign_in(client, school.director)
    small_round = count(round_url)
    interests = [Interest.objects.create(name=f"topic {n}") for n in range(3)]
    for n in range(4):
        mentor = make_person(f"More Mentor {n}", department="Surgery", academic_rank="full")
        mentor.interests.add(*interests)
        services.participant_add(round_=round_, person=mentor, side=Side.MENTOR)
        services.round_preferences_set(round_=round_, chooser=mentor, chosen=round_.mentees)
    services.round_preferences_set(
        round_=round_, chooser=mentee, chosen=[school.mentor_a1, school.mentor_a2]
    )
    assert count(round_url) == small_round <= 10
    client.logout()
    _sign_in(client, mentee)
    assert count(choices_url) == small_choices <= 8
