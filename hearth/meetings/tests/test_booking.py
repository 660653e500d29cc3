from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from hearth.communities.models import Relationship
from hearth.meetings import booking, services
from hearth.meetings.models import Availability, Booking, Meeting, ProgramMeetingSettings
from hearth.testing import PASSWORD, School, build_school

NEW_YORK = "America/New_York"


def local_time(zone: str, *, days_ahead: int, hour: int) -> dt.datetime:
    tz = ZoneInfo(zone)
    day = (timezone.now().astimezone(tz) + dt.timedelta(days=days_ahead)).date()
    return dt.datetime.combine(day, dt.time(hour), tzinfo=tz)


def relationship_of(school: School) -> Relationship:
    return Relationship.objects.get(mentor=school.mentor_a1, mentee=school.learner_a1)


def offer_hour(school: School, *, days_ahead: int = 3, rrule: str = "") -> dt.datetime:
    """Mentor A1 offers an hour at 17:00 New York time; returns the first slot (UTC)."""
    starts_at = local_time(NEW_YORK, days_ahead=days_ahead, hour=17)
    booking.availability_add(
        mentor=school.mentor_a1,
        program=school.program,
        starts_at=starts_at,
        window_minutes=60,
        time_zone=NEW_YORK,
        rrule=rrule,
    )
    return starts_at.astimezone(dt.UTC)


def open_slots(school: School) -> list[dt.datetime]:
    return booking.slots_for(mentor=school.mentor_a1, program=school.program, now=timezone.now())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"rrule": "FREQ=FORTNIGHTLY"}, "not a valid repeat rule"),
        ({"rrule": "every tuesday"}, "not a repeat rule"),
        ({"time_zone": "Mars/Olympus_Mons"}, "not a known time zone"),
        ({"window_minutes": 20}, "at least one meeting long (30 minutes"),
    ],
)
def test_availability_refuses_what_cannot_be_booked(school, changes, message):
    arguments = {
        "mentor": school.mentor_a1,
        "program": school.program,
        "starts_at": local_time(NEW_YORK, days_ahead=3, hour=17),
        "window_minutes": 60,
        "time_zone": NEW_YORK,
        "rrule": "FREQ=WEEKLY;COUNT=4",
    } | changes
    with pytest.raises(ValidationError, match=message.replace("(", r"\(")):
        booking.availability_add(**arguments)
    assert not Availability.objects.exists()


def test_window_shorter_than_the_programs_slot_is_refused(school):
    ProgramMeetingSettings.objects.create(program=school.program, slot_minutes=45)
    with pytest.raises(ValidationError, match="45 minutes"):
        booking.availability_add(
            mentor=school.mentor_a1,
            program=school.program,
            starts_at=local_time(NEW_YORK, days_ahead=3, hour=17),
            window_minutes=30,
            time_zone=NEW_YORK,
            rrule="",
        )


def test_only_a_mentor_in_the_program_can_offer_time(school):
    with pytest.raises(ValidationError, match="do not mentor anyone"):
        booking.availability_add(
            mentor=school.outsider,
            program=school.program,
            starts_at=local_time(NEW_YORK, days_ahead=3, hour=17),
            window_minutes=60,
            time_zone=NEW_YORK,
            rrule="",
        )


def test_mentor_offers_weekly_time_in_their_own_zone(client, school):
    client.login(email=school.mentor_a1.email, password=PASSWORD)
    day = local_time(NEW_YORK, days_ahead=3, hour=17).date()
    response = client.post(
        reverse("availability"),
        {
            "program": school.program.pk,
            "date": day.isoformat(),
            "start_time": "17:00",
            "window_minutes": 60,
            "weeks": 3,
        },
    )
    assert response.status_code == 302
    window = Availability.objects.get(mentor=school.mentor_a1)
    assert window.rrule == "FREQ=WEEKLY;COUNT=3"
    assert window.time_zone == NEW_YORK
    assert window.starts_at.astimezone(ZoneInfo(NEW_YORK)).time() == dt.time(17, 0)
    assert client.get(reverse("availability")).content.decode().count("Every week, 3 times") == 1


def test_availability_page_shows_a_form_error(client, school):
    client.login(email=school.mentor_a1.email, password=PASSWORD)
    response = client.post(
        reverse("availability"),
        {
            "program": school.program.pk,
            "date": local_time(NEW_YORK, days_ahead=3, hour=17).date().isoformat(),
            "start_time": "17:00",
            "window_minutes": 10,
            "weeks": 1,
        },
    )
    assert response.status_code == 200
    assert "at least one meeting long" in response.content.decode()
    assert not Availability.objects.exists()


def test_someone_who_mentors_nobody_cannot_offer_time(client, school):
    client.login(email=school.outsider.email, password=PASSWORD)
    response = client.get(reverse("availability"))
    assert response.status_code == 200
    assert "once you mentor someone" in response.content.decode()


def test_mentee_sees_open_slots_in_their_own_zone(client, school):
    school.learner_a1.time_zone = "Asia/Tokyo"
    school.learner_a1.save()
    first = offer_hour(school)
    client.login(email=school.learner_a1.email, password=PASSWORD)
    response = client.get(reverse("book", args=[relationship_of(school).pk]))
    body = response.content.decode()
    tokyo = first.astimezone(ZoneInfo("Asia/Tokyo"))
    assert response.status_code == 200
    assert tokyo.strftime("%H:%M") in body
    assert tokyo.strftime("%-d %B") in body  # the Tokyo day, one after New York's
    assert "17:00" not in body
    assert f'value="{first.isoformat()}"' in body


def test_booking_creates_the_meeting_and_takes_the_slot(client, school):
    first = offer_hour(school)
    relationship = relationship_of(school)
    client.login(email=school.learner_a1.email, password=PASSWORD)
    response = client.post(reverse("book", args=[relationship.pk]), {"slot": first.isoformat()})
    assert response.status_code == 302
    assert response["Location"].startswith("/meetings/")
    meeting = Meeting.objects.get()
    assert meeting.title == "Mentoring: Mira Mentorone and Lena Learnerone"
    assert meeting.relationship == relationship
    assert (meeting.starts_at, meeting.duration_minutes) == (first, 30)
    assert Booking.objects.get().meeting == meeting
    assert first not in open_slots(school)
    assert first + dt.timedelta(minutes=30) in open_slots(school)


def test_second_booking_of_a_slot_is_refused_and_leaves_no_meeting(client, school):
    first = offer_hour(school)
    relationship = relationship_of(school)
    booking.booking_create(learner=school.learner_a1, relationship=relationship, slot_start=first)
    client.login(email=school.learner_a1.email, password=PASSWORD)
    response = client.post(
        reverse("book", args=[relationship.pk]), {"slot": first.isoformat()}, follow=True
    )
    assert "That time was just taken; choose another." in response.content.decode()
    assert Meeting.objects.count() == 1


def test_lost_race_on_the_constraint_rolls_back_its_meeting(school, monkeypatch):
    first = offer_hour(school)
    relationship = relationship_of(school)
    booking.booking_create(learner=school.learner_a1, relationship=relationship, slot_start=first)
    # As if the other booking committed between this one's check and its insert.
    monkeypatch.setattr(booking, "_taken", lambda mentor, since: set())
    with pytest.raises(ValidationError, match="That time was just taken; choose another."):
        booking.booking_create(
            learner=school.learner_a1, relationship=relationship, slot_start=first
        )
    assert Meeting.objects.count() == 1
    assert Booking.objects.count() == 1


def test_a_time_that_was_never_offered_cannot_be_booked(school):
    first = offer_hour(school)
    with pytest.raises(ValidationError, match="not one of Mira Mentorone's open times"):
        booking.booking_create(
            learner=school.learner_a1,
            relationship=relationship_of(school),
            slot_start=first + dt.timedelta(minutes=15),
        )
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("persona", ["mate_a1", "outsider", "mentor_a1", "mentor_b1", "director"])
def test_only_the_mentee_may_book(client, school, persona):
    first = offer_hour(school)
    client.login(email=school.persona(persona).email, password=PASSWORD)
    url = reverse("book", args=[relationship_of(school).pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"slot": first.isoformat()}).status_code == 404
    assert not Meeting.objects.exists()


def test_cancelling_a_booking_frees_the_slot(school):
    first = offer_hour(school)
    relationship = relationship_of(school)
    meeting = booking.booking_create(
        learner=school.learner_a1, relationship=relationship, slot_start=first
    )
    booking.booking_cancel(meeting=meeting, person=school.mentor_a1)
    meeting.refresh_from_db()
    assert meeting.is_cancelled
    assert not Booking.objects.exists()
    assert first in open_slots(school)
    booking.booking_create(learner=school.learner_a1, relationship=relationship, slot_start=first)


def test_a_meeting_cancelled_elsewhere_does_not_block_its_slot(school):
    first = offer_hour(school)
    relationship = relationship_of(school)
    meeting = booking.booking_create(
        learner=school.learner_a1, relationship=relationship, slot_start=first
    )
    services.meeting_cancel(meeting=meeting, person=school.learner_a1)
    assert first in open_slots(school)
    again = booking.booking_create(
        learner=school.learner_a1, relationship=relationship, slot_start=first
    )
    assert Booking.objects.get().meeting == again


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises every write, so two bookings can never race; run on PostgreSQL.",
)
@pytest.mark.django_db(transaction=True)
def test_two_people_booking_the_same_slot_at_once_get_one_meeting(monkeypatch):
    school = build_school()
    first = offer_hour(school)
    relationship = relationship_of(school)
    both_checked = threading.Barrier(2, timeout=10)
    create_meeting = services.meeting_create

    def meeting_create_in_step(**arguments: object) -> Meeting:
        meeting = create_meeting(**arguments)  # type: ignore[arg-type]
        both_checked.wait()  # both passed every check; neither has inserted its booking
        return meeting

    monkeypatch.setattr(services, "meeting_create", meeting_create_in_step)
    outcomes: list[str] = []

    def book() -> None:
        try:
            booking.booking_create(
                learner=school.learner_a1, relationship=relationship, slot_start=first
            )
            outcomes.append("booked")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert sorted(outcomes) == ["That time was just taken; choose another.", "booked"]
    assert Meeting.objects.count() == 1
    assert Booking.objects.count() == 1


def test_mentor_withdraws_offered_time_and_others_cannot(client, school):
    import datetime as _dt

    from django.urls import reverse as _reverse

    from hearth.meetings import booking as _booking
    from hearth.meetings.models import Availability as _Availability
    from hearth.testing import PASSWORD as _PASSWORD

    start = _dt.datetime.now(_dt.UTC).replace(microsecond=0) + _dt.timedelta(days=3)
    window = _booking.availability_add(
        mentor=school.mentor_a1,
        program=school.program,
        starts_at=start,
        window_minutes=60,
        time_zone="UTC",
        rrule="FREQ=WEEKLY;COUNT=3",
    )
    assert window.repeats == "Every week, 3 times"
    client.login(email=school.mentor_a2.email, password=_PASSWORD)
    url = _reverse("availability_remove", args=[window.pk])
    assert client.post(url).status_code == 404
    client.login(email=school.mentor_a1.email, password=_PASSWORD)
    assert client.post(url).status_code == 302
    assert not _Availability.objects.exists()
