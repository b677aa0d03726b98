"""Property-based tests of the dashboard's algorithmic reports: retention cohorts and the 7-day mean."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from footfall.reports.covid import seven_day_mean
from footfall.reports.engagement import retention_cohorts
from footfall.reports.filters import Filters
from footfall.warehouse import Warehouse, connect
from tests.dashboard.reference import retention
from tests.dashboard.reference import seven_day_mean as reference_mean

START = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def duck(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    with connect(f"duckdb:///{tmp_path_factory.mktemp('props') / 'w.duckdb'}") as wh:
        yield wh


sessions_strategy = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c", "d", "e"]), st.integers(0, 60 * 24 * 40)),  # minutes over 40 days
    min_size=1,
    max_size=40,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sessions=sessions_strategy, tz=st.sampled_from(["UTC", "Asia/Singapore", "America/Los_Angeles"]))
def test_retention_cohorts_match_the_definition(duck: Warehouse, sessions: list[tuple[str, int]], tz: str) -> None:
    starts = [(user, START + timedelta(minutes=m)) for user, m in sessions]
    frame = pl.DataFrame(
        {
            "user_id": [u for u, _ in starts],
            "session_start": [s for _, s in starts],
            "session_end": [s for _, s in starts],
            "campaigns": [[] for _ in starts],
            "rewards_issued": [[] for _ in starts],
            "reward_driven_by_campaign_view": [False] * len(starts),
            "events": [1] * len(starts),
            "campaign_views": [0] * len(starts),
            "rewards_issued_count": [0] * len(starts),
        },
        schema_overrides={"campaigns": pl.List(pl.String), "rewards_issued": pl.List(pl.String)},
    )
    duck.replace_rows("http_sessions", frame)
    got = retention_cohorts(duck, Filters(tz=tz))
    assert {
        (row["cohort_week"], row["week_number"]): (row["cohort_users"], row["active_users"])
        for row in got.iter_rows(named=True)
    } == retention(starts, tz)
    week0 = got.filter(pl.col("week_number") == 0)
    assert (week0["retention"] == 1.0).all()  # every user is active in their cohort week
    assert week0["cohort_users"].sum() == len({u for u, _ in starts})


@settings(max_examples=100, deadline=None)
@given(
    days=st.dictionaries(
        st.integers(0, 40), st.one_of(st.none(), st.integers(0, 50_000).map(float)), min_size=1, max_size=30
    )
)
def test_seven_day_mean_is_the_mean_of_the_reported_days_in_the_window(days: dict[int, float | None]) -> None:
    series = {date(2021, 12, 28) + timedelta(days=k): v for k, v in days.items()}  # crosses a year end
    frame = pl.DataFrame(
        {"date": list(series), "new_cases": list(series.values()), "total_cases": [None] * len(series)},
        schema={"date": pl.Date, "new_cases": pl.Float64, "total_cases": pl.Float64},
    )
    got = seven_day_mean(frame.sample(fraction=1.0, shuffle=True, seed=1))
    expected = reference_mean(series)
    assert got["date"].to_list() == sorted(series)
    for day, mean in zip(got["date"], got["new_cases_7day_mean"], strict=True):
        assert mean == pytest.approx(expected[day]) if expected[day] is not None else mean is None
