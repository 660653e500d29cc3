import datetime as dt

from hearth.serendipity.availability import SLOT, suggested_times, week_slots

NOON_TO_ONE = [(2, dt.time(12, 0), dt.time(13, 0))]  # Wednesday


def test_a_window_is_read_in_its_own_zone_for_that_week():
    # New York is UTC-4 in summer and UTC-5 in winter: the same local noon is a different UTC slot.
    summer = week_slots(NOON_TO_ONE, "America/New_York", dt.datetime(2026, 7, 1, tzinfo=dt.UTC))
    winter = week_slots(NOON_TO_ONE, "America/New_York", dt.datetime(2026, 12, 2, tzinfo=dt.UTC))
    wednesday = 2 * 48
    assert summer == {wednesday + 32, wednesday + 33}  # 16:00 and 16:30 UTC
    assert winter == {wednesday + 34, wednesday + 35}  # 17:00 and 17:30 UTC


def test_a_window_past_midnight_utc_lands_on_the_next_day():
    evening = [(6, dt.time(20, 0), dt.time(21, 0))]  # Sunday evening in Los Angeles
    slots = week_slots(evening, "America/Los_Angeles", dt.datetime(2026, 7, 6, tzinfo=dt.UTC))
    assert 0 * 48 + 6 in slots  # Monday 03:00 UTC of the same UTC week


def test_only_whole_half_hours_count():
    assert (
        week_slots(
            [(0, dt.time(9, 10), dt.time(9, 50))], "UTC", dt.datetime(2026, 7, 6, tzinfo=dt.UTC)
        )
        == frozenset()
    )


def test_suggested_times_are_shared_and_on_different_days():
    monday = dt.datetime(2026, 7, 6, tzinfo=dt.UTC)
    mine = week_slots([(0, dt.time(9), dt.time(11)), (2, dt.time(9), dt.time(10))], "UTC", monday)
    yours = week_slots([(0, dt.time(10), dt.time(12)), (2, dt.time(9), dt.time(12))], "UTC", monday)
    times = suggested_times([mine, yours], monday, monday + dt.timedelta(days=14))
    assert times == [
        monday + dt.timedelta(hours=10),
        monday + dt.timedelta(days=2, hours=9),
        monday + dt.timedelta(days=7, hours=10),
    ]
    assert all(t + SLOT <= monday + dt.timedelta(days=14) for t in times)


def test_no_availability_given_means_no_suggestions_and_one_side_is_enough():
    monday = dt.datetime(2026, 7, 6, tzinfo=dt.UTC)
    assert suggested_times([None, None], monday, monday + dt.timedelta(days=7)) == []
    mine = week_slots([(1, dt.time(8), dt.time(9))], "UTC", monday)
    assert suggested_times([mine, None], monday, monday + dt.timedelta(days=7)) == [
        monday + dt.timedelta(days=1, hours=8)
    ]


def test_a_round_that_starts_midweek_suggests_nothing_before_it_starts():
    wednesday = dt.datetime(2026, 7, 8, 12, tzinfo=dt.UTC)
    mine = week_slots([(0, dt.time(8), dt.time(9))], "UTC", wednesday)
    assert suggested_times([mine], wednesday, wednesday + dt.timedelta(days=7)) == [
        dt.datetime(2026, 7, 13, 8, tzinfo=dt.UTC)
    ]
