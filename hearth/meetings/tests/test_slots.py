from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest

from hearth.meetings.slots import Window, open_slots

NEW_YORK = ZoneInfo("America/New_York")
JAN_2027 = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
JAN_2028 = dt.datetime(2028, 1, 1, tzinfo=dt.UTC)


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)  # type: ignore[misc]


def slots(windows: list[Window], **overrides: object) -> list[dt.datetime]:
    options: dict = {"slot_minutes": 30, "taken": set(), "now": JAN_2027, "until": JAN_2028}
    options.update(overrides)
    return open_slots(windows, **options)


def test_one_off_window_is_cut_into_whole_slots():
    window = Window(utc(2027, 2, 1, 15, 0), 75, "UTC")
    assert slots([window]) == [utc(2027, 2, 1, 15, 0), utc(2027, 2, 1, 15, 30)]


def test_weekly_window_stays_at_local_time_across_the_start_of_daylight_saving():
    # Tuesdays 17:00 in New York; clocks go forward on Sunday 14 March 2027.
    first = dt.datetime(2027, 3, 2, 17, 0, tzinfo=NEW_YORK)
    window = Window(first.astimezone(dt.UTC), 30, "America/New_York", "FREQ=WEEKLY;COUNT=4")
    found = slots([window])
    assert found == [
        utc(2027, 3, 2, 22, 0),
        utc(2027, 3, 9, 22, 0),
        utc(2027, 3, 16, 21, 0),
        utc(2027, 3, 23, 21, 0),
    ]
    assert {s.astimezone(NEW_YORK).time() for s in found} == {dt.time(17, 0)}


def test_count_limits_the_occurrences():
    window = Window(utc(2027, 2, 1, 9, 0), 30, "UTC", "FREQ=DAILY;COUNT=3")
    assert slots([window]) == [utc(2027, 2, d, 9, 0) for d in (1, 2, 3)]


def test_until_ends_the_rule_and_includes_its_last_day():
    window = Window(utc(2027, 2, 1, 9, 0), 30, "UTC", "FREQ=WEEKLY;UNTIL=20270215T090000Z")
    assert slots([window]) == [utc(2027, 2, 1, 9, 0), utc(2027, 2, 8, 9, 0), utc(2027, 2, 15, 9, 0)]


def test_byday_rule_offers_each_named_day():
    window = Window(utc(2027, 2, 1, 9, 0), 30, "UTC", "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4")
    assert slots([window]) == [utc(2027, 2, d, 9, 0) for d in (1, 3, 8, 10)]


def test_taken_and_past_slots_are_dropped():
    window = Window(utc(2027, 2, 1, 9, 0), 120, "UTC", "FREQ=DAILY;COUNT=2")
    found = slots(
        [window],
        now=utc(2027, 2, 1, 9, 45),
        taken={utc(2027, 2, 1, 10, 0), utc(2027, 2, 2, 9, 30).astimezone(NEW_YORK)},
    )
    assert found == [
        utc(2027, 2, 1, 10, 30),
        utc(2027, 2, 2, 9, 0),
        utc(2027, 2, 2, 10, 0),
        utc(2027, 2, 2, 10, 30),
    ]


def test_endless_rule_is_bounded_by_until():
    window = Window(utc(2027, 2, 1, 9, 0), 30, "UTC", "FREQ=DAILY")
    assert len(slots([window], until=utc(2027, 2, 8, 0, 0))) == 7


def test_overlapping_windows_offer_each_slot_once_in_order():
    early = Window(utc(2027, 2, 1, 9, 0), 60, "UTC")
    late = Window(utc(2027, 2, 1, 9, 30), 60, "UTC")
    assert slots([late, early]) == [
        utc(2027, 2, 1, 9, 0),
        utc(2027, 2, 1, 9, 30),
        utc(2027, 2, 1, 10, 0),
    ]


@pytest.mark.parametrize(
    "rule", ["FREQ=SOMETIMES", "every tuesday", "FREQ=WEEKLY;BYDAY=XX", "FREQ=DAILY;COUNT=x"]
)
def test_bad_rule_is_refused_with_a_clear_message(rule):
    window = Window(utc(2027, 2, 1, 9, 0), 30, "UTC", rule)
    with pytest.raises(ValueError, match="repeat rule"):
        slots([window])


def test_unknown_time_zone_is_refused():
    with pytest.raises(ValueError, match="not a known time zone"):
        slots([Window(utc(2027, 2, 1, 9, 0), 30, "Mars/Olympus_Mons")])


def test_random_weekly_windows_keep_their_promises():
    rng = random.Random(20270314)
    zones = ["America/New_York", "Europe/Berlin", "Australia/Sydney", "UTC"]
    for _ in range(50):
        tz = ZoneInfo(rng.choice(zones))
        local_first = dt.datetime(
            2027, rng.randint(1, 12), rng.randint(1, 28), rng.randint(6, 20), 0, tzinfo=tz
        )
        minutes = rng.choice([30, 45, 60, 90])
        count = rng.randint(1, 10)
        window = Window(
            local_first.astimezone(dt.UTC),
            minutes,
            str(tz),
            f"FREQ=WEEKLY;COUNT={count}",
        )
        now = utc(2027, 1, 1) + dt.timedelta(days=rng.randint(0, 400))
        until = now + dt.timedelta(days=rng.randint(1, 60))
        everything = slots([window], now=utc(2026, 12, 1), until=utc(2029, 1, 1))
        taken = {s for s in everything if rng.random() < 0.3}

        found = slots([window], slot_minutes=30, now=now, until=until, taken=taken)

        assert len(everything) == count * (minutes // 30)
        assert found == sorted(set(found))
        assert all(now <= s < until and s not in taken for s in found)
        assert set(found) == {s for s in everything if now <= s < until} - taken
        for s in found:
            local = s.astimezone(tz)
            offset = dt.datetime.combine(local.date(), local.time()) - dt.datetime.combine(
                local.date(), local_first.time()
            )
            assert local.weekday() == local_first.weekday()
            assert dt.timedelta(0) <= offset <= dt.timedelta(minutes=minutes - 30)
