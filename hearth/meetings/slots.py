"""Bookable slots from a mentor's availability windows: pure, no Django.

Recurring windows repeat in the mentor's local wall-clock time, so office hours at
17:00 in New York stay at 17:00 there when daylight saving time starts or ends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule as dateutil_rrule


@dataclass(frozen=True)
class Window:
    start_utc: dt.datetime
    minutes: int
    time_zone: str
    rrule: str = ""


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as missing:
        raise ValueError(f"{name!r} is not a known time zone (for example America/Chicago).") from (
            missing
        )


def parse_rule(text: str, *, first_start: dt.datetime) -> dateutil_rrule.rrule:
    """An RFC 5545 RRULE (without DTSTART) anchored at the first window's local start."""
    body = text.strip().removeprefix("RRULE:")
    if not body.startswith("FREQ=") or any(c in body for c in "\r\n"):
        raise ValueError(
            f"{text!r} is not a repeat rule: write one RFC 5545 RRULE such as "
            '"FREQ=WEEKLY;BYDAY=TU;COUNT=10".'
        )
    try:
        rule = dateutil_rrule.rrulestr(body, dtstart=first_start)
    except (ValueError, TypeError, KeyError, IndexError) as bad:
        raise ValueError(f"{text!r} is not a valid repeat rule (RFC 5545 RRULE): {bad}") from bad
    assert isinstance(rule, dateutil_rrule.rrule)  # one RRULE never parses into a set
    return rule


def window_starts(window: Window, *, after: dt.datetime, before: dt.datetime) -> list[dt.datetime]:
    """Starts (UTC) of the window's occurrences that begin in [after, before]."""
    local_first = window.start_utc.astimezone(zone(window.time_zone))
    if not window.rrule:
        starts = [local_first]
    else:
        # An aware DTSTART makes dateutil keep the wall-clock time and recompute the offset.
        rule = parse_rule(window.rrule, first_start=local_first)
        starts = rule.between(after, before, inc=True)
    return [s.astimezone(dt.UTC) for s in starts if after <= s <= before]


def open_slots(
    windows: Iterable[Window],
    *,
    slot_minutes: int,
    taken: set[dt.datetime],
    now: dt.datetime,
    until: dt.datetime,
) -> list[dt.datetime]:
    """Whole slots (UTC starts) in the windows, from now until `until`, not yet taken."""
    if slot_minutes <= 0:
        raise ValueError("A slot must last at least one minute.")
    if now.tzinfo is None or until.tzinfo is None:
        raise ValueError("now and until need a time zone.")
    slot = dt.timedelta(minutes=slot_minutes)
    slots: set[dt.datetime] = set()
    for window in windows:
        length = dt.timedelta(minutes=window.minutes)
        for start in window_starts(window, after=now - length, before=until):
            position = start
            while position + slot <= start + length:
                if now <= position < until and position not in taken:
                    slots.add(position)
                position += slot
    return sorted(slots)
