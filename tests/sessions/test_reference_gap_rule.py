"""footfall's session rule against the web-shop brief authors' reference rule (docs/shop-schema.md → The session gap).

The reference implementation starts a new session when the gap to the previous event *exceeds*
10 minutes; footfall starts one when the gap is *at least* the session gap. With instants in whole
microseconds, "exceeds 10 minutes" is "at least 10 minutes + 1 µs": `--gap 10m1us` is the
reference rule exactly, and `--gap 10m` differs from it only where a gap is exactly 10:00.000000.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from footfall.durations import parse_duration
from footfall.sessions.shop_sessions import shop_sessions

TEN = timedelta(minutes=10)
US = timedelta(microseconds=1)
BASE = datetime(2022, 5, 25, 5, 41, 33, 648681, tzinfo=UTC)


def reference_rule(events: list[tuple[str, datetime]]) -> list[tuple[str, datetime, datetime, int]]:
    """The brief authors' rule, written plainly: sort a customer's events; a gap over 10 minutes splits."""
    by_customer: dict[str, list[datetime]] = defaultdict(list)
    for customer, ts in events:
        by_customer[customer].append(ts)
    sessions = []
    for customer in sorted(by_customer):
        times = sorted(by_customer[customer])
        start = previous = times[0]
        count = 1
        for ts in times[1:]:
            if ts - previous > timedelta(minutes=10):  # exceeds 10 minutes
                sessions.append((customer, start, previous, count))
                start, count = ts, 0
            previous, count = ts, count + 1
        sessions.append((customer, start, previous, count))
    return sessions


def footfall_rule(events: list[tuple[str, datetime]], gap: timedelta) -> list[tuple[str, datetime, datetime, int]]:
    """footfall's web-shop sessions of the same events (as `footfall shop sessions --gap` makes them)."""
    frame = pl.DataFrame(
        [
            {"seq": i, "event_id": str(i), "type": "page_view", "ts": ts, "customer_id": c, "user_agent": None}
            for i, (c, ts) in enumerate(events)
        ],
        schema={
            "seq": pl.Int64,
            "event_id": pl.String,
            "type": pl.String,
            "ts": pl.Datetime("us", "UTC"),
            "customer_id": pl.String,
            "user_agent": pl.String,
        },
    ).with_columns(page=pl.lit(None, pl.String), referrer=pl.lit(None, pl.String))
    report, _ = shop_sessions(frame, gap=gap)
    return [tuple(r) for r in report.select("customer_id", "session_start", "session_end", "events").rows()]  # type: ignore[misc]


# steps between a customer's events: around 10 minutes to the microsecond, ties, and anything else
_STEPS = st.one_of(
    st.sampled_from([TEN, TEN - US, TEN + US, timedelta(0), 2 * TEN]).map(lambda d: d // US),
    st.integers(0, 3 * 600_000_000),
)


@st.composite
def shop_events(draw: st.DrawFn) -> list[tuple[str, datetime]]:
    """Customers' events, shuffled: each customer's instants walk forward by the steps above."""
    events = []
    for customer in draw(st.lists(st.sampled_from(["1403", "77", "c-9"]), min_size=1, max_size=3, unique=True)):
        at = BASE + timedelta(microseconds=draw(st.integers(0, 10**9)))
        for step in draw(st.lists(_STEPS, min_size=0, max_size=12)):
            events.append((customer, at))
            at += timedelta(microseconds=step)
        events.append((customer, at))
    return draw(st.permutations(events))


def exact_ten_minute_gaps(events: list[tuple[str, datetime]]) -> bool:
    """Whether two consecutive events of a customer are exactly 10:00.000000 apart."""
    by_customer: dict[str, list[datetime]] = defaultdict(list)
    for customer, ts in events:
        by_customer[customer].append(ts)
    return any(b - a == TEN for times in by_customer.values() for a, b in itertools.pairwise(sorted(times)))


@settings(max_examples=300, deadline=None)
@given(events=shop_events())
def test_gap_10m1us_is_the_reference_rule_and_10m_differs_only_on_exact_10_minutes(
    events: list[tuple[str, datetime]],
) -> None:
    reference = reference_rule(events)
    assert footfall_rule(events, parse_duration("10m1us")) == reference
    assert (footfall_rule(events, parse_duration("10m")) == reference) == (not exact_ten_minute_gaps(events))


def test_a_gap_of_exactly_10_minutes_is_the_one_difference() -> None:
    def two(after: timedelta) -> list[tuple[str, datetime]]:
        return [("1403", BASE), ("1403", BASE + after)]

    exact = two(TEN)
    assert len(footfall_rule(exact, TEN)) == 2  # footfall: a gap of exactly the gap starts a new session
    assert len(reference_rule(exact)) == 1  # the reference: 10 minutes does not exceed 10 minutes
    assert len(footfall_rule(exact, TEN + US)) == 1
    for after, sessions in ((TEN - US, 1), (TEN + US, 2)):
        assert len(footfall_rule(two(after), TEN)) == len(reference_rule(two(after))) == sessions
