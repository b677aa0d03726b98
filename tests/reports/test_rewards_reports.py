"""Rewards reports (docs/rewards-reports.md: peak engagement, weekly reward performance), on DuckDB and PostgreSQL.

Every test runs on both warehouses against the same expected rows, so both give identical rows.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from footfall.errors import InputError
from footfall.reports import rewards
from footfall.reports.filters import Filters
from footfall.warehouse import Warehouse
from tests.rewards.factories import load


def peak_engagement(warehouse: Warehouse, *, top: int = 1, **filters: object) -> pl.DataFrame:
    return rewards.peak_engagement(warehouse, Filters(**filters), top=top)  # type: ignore[arg-type]


def engagement_by_weekday_hour(warehouse: Warehouse, **filters: object) -> pl.DataFrame:
    return rewards.engagement_by_weekday_hour(warehouse, Filters(**filters))  # type: ignore[arg-type]


def weekly_reward_performance(warehouse: Warehouse, *, status: str = "redeemed", **filters: object) -> pl.DataFrame:
    return rewards.weekly_reward_performance(warehouse, Filters(**filters), status=status)  # type: ignore[arg-type]


def tx(*rows: tuple[str, str]) -> list[tuple[str, str, str, str]]:
    """Transactions of reward 1 (campaign 1): (status, 'YYYY-MM-DD HH:MM:SS')."""
    return [(str(i), status, f"{at} UTC", "1") for i, (status, at) in enumerate(rows, start=1)]


def test_utc_late_afternoon_counts_on_the_next_singapore_day(warehouse: Warehouse, tmp_path: Path) -> None:
    """ "a transaction at 2019-08-12 16:30 UTC counts on 2019-08-13 at 00:00 SGT"."""
    load(warehouse, tmp_path, transactions=tx(("redeemed", "2019-08-12 16:30:00")))
    out = peak_engagement(warehouse, campaign="1", date_from=date(2019, 8, 13), date_to=date(2019, 8, 13))
    assert out.rows() == [(1, date(2019, 8, 13), 0)]
    assert peak_engagement(warehouse, campaign="1", date_from=date(2019, 8, 12), date_to=date(2019, 8, 12)).height == 0


def test_a_range_in_sgt_includes_the_whole_last_day(warehouse: Warehouse, tmp_path: Path) -> None:
    load(
        warehouse,
        tmp_path,
        transactions=tx(
            ("redeemed", "2019-08-09 16:00:00"),  # 2019-08-10 00:00 SGT: first instant of the range
            ("redeemed", "2019-08-13 15:59:59"),  # 2019-08-13 23:59:59 SGT: last second of the range
            ("redeemed", "2019-08-13 16:00:00"),  # 2019-08-14 00:00 SGT: outside
            ("redeemed", "2019-08-09 15:59:59"),  # 2019-08-09 23:59:59 SGT: outside
        ),
    )
    out = peak_engagement(warehouse, campaign="1", date_from=date(2019, 8, 10), date_to=date(2019, 8, 13), top=10)
    assert out.rows() == [(1, date(2019, 8, 10), 0), (1, date(2019, 8, 13), 23)]


def test_daylight_saving_gives_local_hours(warehouse: Warehouse, tmp_path: Path) -> None:
    """New York falls back on 2019-11-03 at 02:00 EDT: 01:00-01:59 happens twice."""
    load(
        warehouse,
        tmp_path,
        transactions=tx(
            ("redeemed", "2019-11-03 04:30:00"),  # 00:30 EDT
            ("redeemed", "2019-11-03 05:30:00"),  # 01:30 EDT
            ("redeemed", "2019-11-03 06:30:00"),  # 01:30 EST
            ("redeemed", "2019-11-03 07:30:00"),  # 02:30 EST
            ("redeemed", "2019-11-04 04:30:00"),  # 2019-11-03 23:30 EST
        ),
    )
    out = peak_engagement(
        warehouse, campaign="1", date_from=date(2019, 11, 3), date_to=date(2019, 11, 3), tz="America/New_York", top=10
    )
    assert out.rows() == [
        (2, date(2019, 11, 3), 1),
        (1, date(2019, 11, 3), 0),
        (1, date(2019, 11, 3), 2),
        (1, date(2019, 11, 3), 23),
    ]


def test_ties_at_the_top_are_all_returned(warehouse: Warehouse, tmp_path: Path) -> None:
    load(
        warehouse,
        tmp_path,
        transactions=tx(
            ("redeemed", "2019-08-12 01:00:00"),
            ("issued", "2019-08-12 01:10:00"),
            ("redeemed", "2019-08-12 05:00:00"),
            ("redeemed", "2019-08-12 05:59:59"),
            ("redeemed", "2019-08-12 07:00:00"),
        ),
    )
    day = {"date_from": date(2019, 8, 12), "date_to": date(2019, 8, 12)}
    assert peak_engagement(warehouse, campaign="1", **day).rows() == [
        (2, date(2019, 8, 12), 9),
        (2, date(2019, 8, 12), 13),
    ]
    assert peak_engagement(warehouse, campaign="1", top=3, **day)["transactions"].to_list() == [2, 2, 1]


def test_no_transactions_in_range_is_an_empty_result(warehouse: Warehouse, tmp_path: Path) -> None:
    load(warehouse, tmp_path, transactions=tx(("redeemed", "2019-08-12 01:00:00")))
    out = peak_engagement(warehouse, campaign="2", date_from=date(2019, 8, 1), date_to=date(2019, 8, 31))
    assert out.height == 0 and out.columns == ["transactions", "date", "hour"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"campaign": "404"}, "unknown campaign id '404'"),
        ({"tz": "Asia/Atlantis"}, "bad tz 'Asia/Atlantis': not an IANA time zone"),
        ({"date_from": date(2019, 9, 1)}, "date_from 2019-09-01 is after the last date 2019-08-31"),
        ({"top": 0}, "top must be at least 1, got 0"),
    ],
)
def test_bad_requests_are_one_line_errors(
    warehouse: Warehouse, tmp_path: Path, kwargs: dict[str, object], message: str
) -> None:
    load(warehouse, tmp_path, transactions=tx(("redeemed", "2019-08-12 01:00:00")))
    args: dict[str, object] = {"campaign": "1", "date_from": date(2019, 8, 1), "date_to": date(2019, 8, 31), **kwargs}
    with pytest.raises(InputError, match=message):
        peak_engagement(warehouse, **args)  # type: ignore[arg-type]


def test_weekday_hour_matrix_has_every_cell(warehouse: Warehouse, tmp_path: Path) -> None:
    load(
        warehouse,
        tmp_path,
        transactions=tx(
            ("redeemed", "2019-08-12 16:30:00"), ("redeemed", "2019-08-19 16:45:00"), ("issued", "2019-08-18 03:00:00")
        ),
    )
    out = engagement_by_weekday_hour(warehouse, campaign="1", date_from=date(2019, 8, 1), date_to=date(2019, 8, 31))
    assert out.height == 7 * 24 and out["transactions"].sum() == 3
    nonzero = out.filter(out["transactions"] > 0).rows()
    assert nonzero == [(2, "Tue", 0, 2), (7, "Sun", 11, 1)]  # Mon 16:30 UTC is Tue 00:30 SGT


def test_weekly_zero_fills_calendar_weeks_and_never_divides_by_zero(warehouse: Warehouse, tmp_path: Path) -> None:
    """Redemptions in weeks 1 and 3 only: week 2 shows 0 and -100.00 %, week 3 a null change."""
    load(
        warehouse,
        tmp_path,
        transactions=tx(
            ("redeemed", "2019-08-05 02:00:00"),
            ("redeemed", "2019-08-06 02:00:00"),
            ("redeemed", "2019-08-07 02:00:00"),
            ("issued", "2019-08-13 02:00:00"),
            ("redeemed", "2019-08-21 02:00:00"),
        ),
    )
    out = weekly_reward_performance(warehouse)
    assert out.columns[:4] == ["reward_name", "redeemed_count", "pct_change_vs_previous_week", "week_start"]
    assert out.select(out.columns[:4]).rows() == [
        ("Free Coffee", 3, None, date(2019, 8, 5)),
        ("Free Coffee", 0, -100.0, date(2019, 8, 12)),
        ("Free Coffee", 1, None, date(2019, 8, 19)),
    ]


def test_weekly_rounds_to_two_decimals_and_uses_local_weeks(warehouse: Warehouse, tmp_path: Path) -> None:
    rows = [("redeemed", "2019-08-05 02:00:00")] * 3 + [("redeemed", "2019-08-12 02:00:00")] * 2
    rows += [("redeemed", "2019-08-18 16:30:00")]  # Sunday 16:30 UTC = Monday 00:30 SGT: the next week
    load(warehouse, tmp_path, transactions=tx(*rows))
    out = weekly_reward_performance(warehouse)
    assert out.select("redeemed_count", "pct_change_vs_previous_week", "week_start").rows() == [
        (3, None, date(2019, 8, 5)),
        (2, -33.33, date(2019, 8, 12)),
        (1, -50.0, date(2019, 8, 19)),
    ]
    in_utc = weekly_reward_performance(warehouse, tz="UTC")
    assert in_utc["redeemed_count"].to_list() == [3, 3]


def test_weekly_for_one_reward_or_another_status(warehouse: Warehouse, tmp_path: Path) -> None:
    load(
        warehouse,
        tmp_path,
        transactions=[
            ("1", "redeemed", "2019-08-05 02:00:00 UTC", "1"),
            ("2", "redeemed", "2019-08-05 02:00:00 UTC", "3"),
            ("3", "issued", "2019-08-05 02:00:00 UTC", "3"),
        ],
    )
    assert weekly_reward_performance(warehouse, reward="3")["reward_name"].to_list() == ["Movie Ticket"]
    issued = weekly_reward_performance(warehouse, status="Issued")
    assert issued["reward_id"].to_list() == ["3"] and "issued_count" in issued.columns
    with pytest.raises(InputError, match="unknown status 'expired': the transactions hold issued, redeemed"):
        weekly_reward_performance(warehouse, status="expired")
    with pytest.raises(InputError, match="unknown reward id '9'"):
        weekly_reward_performance(warehouse, reward="9")
