from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import vobject
from icalendar import Calendar

from hearth.communities.models import Relationship
from hearth.lib.ics import feed_ics, invitation_ics
from hearth.meetings import services
from hearth.meetings.models import Meeting
from hearth.testing import School

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def _meeting(school: School, starts_at: dt.datetime, **fields: object) -> Meeting:
    relationship = Relationship.objects.get(mentor=school.mentor_a1, mentee=school.learner_a1)
    return services.meeting_create(
        organiser=school.mentor_a1,
        title="Finding your feet",
        starts_at=starts_at,
        duration_minutes=45,
        relationship=relationship,
        **fields,  # type: ignore[arg-type]
    )


def _soon() -> dt.datetime:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(days=7)).replace(microsecond=0)


def _parse(ics: bytes) -> tuple[Calendar, vobject.base.Component]:
    return Calendar.from_ical(ics), vobject.readOne(ics.decode())


def _event(calendar: Calendar):  # noqa: ANN202 - an icalendar Event
    [event] = calendar.walk("VEVENT")
    return event


def test_request_carries_everything_a_calendar_needs(school: School) -> None:
    meeting = _meeting(school, _soon(), video_url="https://meet.example.org/hearth-abc")
    services.agenda_item_add(meeting=meeting, person=school.learner_a1, text="Anatomy lab nerves")
    services.agenda_item_add(meeting=meeting, person=school.mentor_a1, text="Study groups")

    calendar, parsed = _parse(invitation_ics(meeting, "REQUEST"))

    event = _event(calendar)
    assert calendar["METHOD"] == "REQUEST"
    assert str(event["UID"]) == str(meeting.uid)
    assert event["SEQUENCE"] == 0
    assert event["STATUS"] == "CONFIRMED"
    assert event["LOCATION"] == "https://meet.example.org/hearth-abc"
    assert event["URL"] == f"http://127.0.0.1:8000/meetings/{meeting.pk}/"
    description = str(event["DESCRIPTION"])
    assert "https://meet.example.org/hearth-abc" in description
    assert description.index("Anatomy lab nerves") < description.index("Study groups")
    assert "DTSTAMP" in event
    assert str(event["ORGANIZER"]) == f"mailto:{school.mentor_a1.email}"
    assert event["ORGANIZER"].params["CN"] == school.mentor_a1.display_name
    attendees = {str(a): a.params["CN"] for a in event["ATTENDEE"]}
    assert attendees == {
        f"mailto:{school.mentor_a1.email}": school.mentor_a1.display_name,
        f"mailto:{school.learner_a1.email}": school.learner_a1.display_name,
    }
    assert event["DTSTART"].params["TZID"] == school.mentor_a1.time_zone
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == [school.mentor_a1.time_zone]

    assert parsed.method.value == "REQUEST"
    assert parsed.vevent.uid.value == str(meeting.uid)
    assert parsed.vevent.dtstart.value == meeting.starts_at
    assert parsed.vevent.dtend.value == meeting.ends_at
    assert len(parsed.vevent.attendee_list) == 2


def test_place_is_the_location_when_there_is_one(school: School) -> None:
    meeting = _meeting(school, _soon(), location="Library, room 3")

    calendar, parsed = _parse(invitation_ics(meeting, "REQUEST"))

    assert _event(calendar)["LOCATION"] == "Library, room 3"
    assert parsed.vevent.location.value == "Library, room 3"


def test_reschedule_keeps_uid_and_raises_sequence(school: School) -> None:
    meeting = _meeting(school, _soon())
    first = _event(Calendar.from_ical(invitation_ics(meeting, "REQUEST")))
    later = _soon() + dt.timedelta(days=2)

    services.meeting_reschedule(
        meeting=meeting, person=school.mentor_a1, starts_at=later, duration_minutes=60
    )
    calendar, parsed = _parse(invitation_ics(meeting, "REQUEST"))

    second = _event(calendar)
    assert second["UID"] == first["UID"]
    assert second["SEQUENCE"] > first["SEQUENCE"]
    assert second.start == later
    assert second.end == later + dt.timedelta(minutes=60)
    assert parsed.vevent.uid.value == str(meeting.uid)
    assert int(parsed.vevent.sequence.value) == second["SEQUENCE"]
    assert parsed.vevent.dtstart.value == later


def test_cancel_is_an_itip_cancel_of_the_same_event(school: School) -> None:
    meeting = _meeting(school, _soon())
    request = _event(Calendar.from_ical(invitation_ics(meeting, "REQUEST")))

    services.meeting_cancel(meeting=meeting, person=school.learner_a1)
    calendar, parsed = _parse(invitation_ics(meeting, "CANCEL"))

    cancel = _event(calendar)
    assert calendar["METHOD"] == "CANCEL"
    assert cancel["STATUS"] == "CANCELLED"
    assert cancel["UID"] == request["UID"]
    assert cancel["SEQUENCE"] > request["SEQUENCE"]
    assert parsed.method.value == "CANCEL"
    assert parsed.vevent.status.value == "CANCELLED"


@pytest.mark.parametrize(
    ("local_start", "utc_start"),
    [
        # The Saturday before and the Monday after the US clocks go forward.
        (
            dt.datetime(2027, 3, 13, 10, 0, tzinfo=NEW_YORK),
            dt.datetime(2027, 3, 13, 15, 0, tzinfo=dt.UTC),
        ),
        (
            dt.datetime(2027, 3, 15, 10, 0, tzinfo=NEW_YORK),
            dt.datetime(2027, 3, 15, 14, 0, tzinfo=dt.UTC),
        ),
    ],
)
def test_wall_clock_time_survives_a_dst_change(
    school: School, local_start: dt.datetime, utc_start: dt.datetime
) -> None:
    school.mentor_a1.time_zone = "America/New_York"
    school.mentor_a1.save()
    meeting = _meeting(school, local_start, allow_past=True)
    assert meeting.starts_at == utc_start

    calendar, parsed = _parse(invitation_ics(meeting, "REQUEST"))

    event = _event(calendar)
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert event.start.replace(tzinfo=None) == local_start.replace(tzinfo=None)
    assert event.start == utc_start
    # vobject reads the offsets from our VTIMEZONE, not from its own database.
    assert parsed.vevent.dtstart.value.replace(tzinfo=None) == local_start.replace(tzinfo=None)
    assert parsed.vevent.dtstart.value.astimezone(dt.UTC) == utc_start
    assert parsed.vevent.dtend.value.astimezone(dt.UTC) == utc_start + dt.timedelta(minutes=45)


def test_feed_is_a_subscription_in_the_persons_zone_with_cancelled_meetings(
    school: School,
) -> None:
    school.learner_a1.time_zone = "Europe/London"
    school.learner_a1.save()
    kept = _meeting(school, _soon())
    cancelled = _meeting(school, _soon() + dt.timedelta(days=1))
    services.meeting_cancel(meeting=cancelled, person=school.mentor_a1)

    calendar, parsed = _parse(feed_ics(school.learner_a1, [kept, cancelled]))

    assert "METHOD" not in calendar or calendar["METHOD"] == "PUBLISH"
    assert calendar["X-WR-CALNAME"] == "Hearth: Lena Learnerone"
    assert calendar["REFRESH-INTERVAL"].dt == dt.timedelta(hours=1)
    status = {str(e["UID"]): str(e["STATUS"]) for e in calendar.walk("VEVENT")}
    assert status == {str(kept.uid): "CONFIRMED", str(cancelled.uid): "CANCELLED"}
    assert {e["DTSTART"].params["TZID"] for e in calendar.walk("VEVENT")} == {"Europe/London"}
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    assert {e.dtstart.value for e in parsed.vevent_list} == {kept.starts_at, cancelled.starts_at}
    assert parsed.x_wr_calname.value == "Hearth: Lena Learnerone"


def test_empty_feed_is_still_a_valid_calendar(school: School) -> None:
    calendar, parsed = _parse(feed_ics(school.outsider, []))

    assert calendar.walk("VEVENT") == []
    assert parsed.prodid.value
