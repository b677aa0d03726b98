"""Instants as the generators compute them: whole microseconds since 1970-01-01T00:00:00Z."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

__all__ = ["DAY_US", "HOUR_US", "MINUTE_US", "WEEK_US", "utc_midnight_us"]

MINUTE_US = 60_000_000
HOUR_US = 60 * MINUTE_US
DAY_US = 24 * HOUR_US
WEEK_US = 7 * DAY_US


def utc_midnight_us(day: date) -> int:
    """The instant `day` starts in UTC, in microseconds."""
    return int(datetime.combine(day, time(), UTC).timestamp()) * 1_000_000
