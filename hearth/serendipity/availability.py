"""Weekly availability in a person's own time zone, as half-hour slots of a UTC week.

The scheduler compares slots; suggested times turn common slots back into moments within a round.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from hearth.lib.time import zone_named

SLOT = dt.timedelta(minutes=30)
WEEK = dt.timedelta(days=7)
SLOTS_PER_WEEK = 7 * 48
Window = tuple[int, dt.time, dt.time]  # weekday (0 = Monday), start, end — local wall-clock


def _utc_week_start(moment: dt.datetime) -> dt.datetime:
    moment = moment.astimezone(dt.UTC)
    monday = moment.date() - dt.timedelta(days=moment.weekday())
    return dt.datetime.combine(monday, dt.time(), tzinfo=dt.UTC)


def week_slots(windows: Iterable[Window], time_zone: str, week_of: dt.datetime) -> frozenset[int]:
    """The half-hour slots of the UTC week around `week_of` that the windows fully cover.

    Read for that very week, so a window at 12:00 New York time lands on the right UTC slot
    whether or not daylight saving time is in force.
    """
    zone = zone_named(time_zone)
    week_start = _utc_week_start(week_of)
    local_monday = week_start.astimezone(zone).date() - dt.timedelta(
        days=week_start.astimezone(zone).weekday()
    )
    slots: set[int] = set()
    # The local week may straddle the UTC week: look at the neighbouring weeks too.
    for shift in (-7, 0, 7):
        for weekday, start, end in windows:
            day = local_monday + dt.timedelta(days=weekday + shift)
            begin = dt.datetime.combine(day, start, tzinfo=zone).astimezone(dt.UTC)
            finish = dt.datetime.combine(day, end, tzinfo=zone).astimezone(dt.UTC)
            first = -(-(begin - week_start) // SLOT)  # the first whole slot after `begin`
            last = (finish - week_start) // SLOT
            slots.update(s for s in range(first, last) if 0 <= s < SLOTS_PER_WEEK)
    return frozenset(slots)


def suggested_times(
    slot_sets: Sequence[frozenset[int] | None],
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    limit: int = 3,
) -> list[dt.datetime]:
    """Up to `limit` moments within the round when everyone is free, on different days."""
    known = [slots for slots in slot_sets if slots is not None]
    if not known:
        return []
    common = frozenset.intersection(*known)
    moments: list[dt.datetime] = []
    week_start = _utc_week_start(starts_at)
    while week_start < ends_at and len(moments) < 50:
        for slot in sorted(common):
            moment = week_start + slot * SLOT
            if starts_at <= moment and moment + SLOT <= ends_at:
                moments.append(moment)
        week_start += WEEK
    chosen: list[dt.datetime] = []
    days: set[dt.date] = set()
    for moment in moments:
        # Only the start of a free stretch: "12:00" rather than "12:00, 12:30, 13:00".
        if moment - SLOT in moments or moment.date() in days:
            continue
        chosen.append(moment)
        days.add(moment.date())
        if len(chosen) == limit:
            break
    return chosen
