"""Wall-clock times in a person's own zone and the UTC instants Hearth stores."""

from __future__ import annotations

import datetime as dt
import zoneinfo


def local_to_utc(day: dt.date, time: dt.time, time_zone: str) -> dt.datetime:
    """A wall-clock time in someone's own zone, as the UTC instant Hearth stores."""
    return dt.datetime.combine(day, time, zoneinfo.ZoneInfo(time_zone)).astimezone(dt.UTC)


def zone_named(name: str) -> zoneinfo.ZoneInfo:
    """A person's zone; a name the system does not know reads as UTC rather than failing."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")
