"""Plain-Python definitions the report SQL is checked against (written from the docstrings, not the SQL)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


def local_day(instant: datetime, tz: str) -> date:
    """The calendar date of a UTC instant in zone `tz`."""
    return instant.astimezone(ZoneInfo(tz)).date()


def week_start(day: date) -> date:
    """The Monday of the ISO week holding `day`."""
    return day - timedelta(days=day.weekday())


def retention(sessions: list[tuple[str, datetime]], tz: str) -> dict[tuple[date, int], tuple[int, int]]:
    """{(cohort week, week number): (cohort users, active users)} from (user, session start) pairs."""
    weeks: dict[str, set[date]] = defaultdict(set)
    for user, start in sessions:
        weeks[user].add(week_start(local_day(start, tz)))
    cohort = {user: min(w) for user, w in weeks.items()}
    size: dict[date, int] = defaultdict(int)
    for first in cohort.values():
        size[first] += 1
    active: dict[tuple[date, int], int] = defaultdict(int)
    for user, user_weeks in weeks.items():
        for w in user_weeks:
            active[(cohort[user], (w - cohort[user]).days // 7)] += 1
    return {key: (size[key[0]], n) for key, n in active.items()}


def seven_day_mean(series: dict[date, float | None]) -> dict[date, float | None]:
    """Mean of the reported values on the 7 calendar days ending each date (missing and null days left out)."""
    out: dict[date, float | None] = {}
    for day in series:
        window = [series.get(day - timedelta(days=k)) for k in range(7)]
        values = [v for v in window if v is not None]
        out[day] = sum(values) / len(values) if values else None
    return out


def pct_change(previous: int | None, current: int) -> float | None:
    """Percentage change rounded to 2 decimals (half away from zero); None without a previous non-zero week."""
    if not previous:
        return None
    from decimal import ROUND_HALF_UP, Decimal

    return float((Decimal(100 * (current - previous)) / Decimal(previous)).quantize(Decimal("0.01"), ROUND_HALF_UP))
