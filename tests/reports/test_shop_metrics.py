"""Order metrics (docs/shop-schema.md → Order metrics), hand-computed, on DuckDB and PostgreSQL.

"For each customer with at least one placed_order, the sessions strictly before their first
session that contains an order are their visits before order."
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from footfall.reports.filters import Filters
from footfall.reports.shop import order_metrics, referrer_metrics
from footfall.sessions.shop_pipeline import run_shop_sessions
from footfall.warehouse import Warehouse
from tests.shop.factories import visit, write_events

ODD = [
    visit("A", 0, 10),
    visit("A", 1, 4),
    visit("A", 2, 3, order=True),  # 2 visits before: 10 and 4 minutes
    visit("B", 0, 7, order=True),  # orders in the first visit: 0 visits
    visit("C", 0, 100),
    visit("C", 1, 100),  # never orders: excluded
    visit("D", 0, 6),
    visit("D", 1, 1, order=True),
    visit("D", 2, 2, order=True),  # 1 visit: 6 minutes
    visit(None, 0, 50),  # anonymous: not sessionized
]
EVEN = [*ODD, visit("E", 0, 20), visit("E", 1, 30), visit("E", 2, 40), visit("E", 3, 0, order=True)]


def load(warehouse: Warehouse, tmp_path: Path, *visits: list[dict[str, object]]) -> None:
    run_shop_sessions(
        [write_events(tmp_path / "events.jsonl", *visits)], gap=timedelta(minutes=30), warehouse=warehouse
    )


def test_odd_number_of_ordering_customers(warehouse: Warehouse, tmp_path: Path) -> None:
    load(warehouse, tmp_path, *ODD)
    # visits [0, 1, 2] -> 1; durations before [10, 4, 6] -> 6
    assert order_metrics(warehouse) == {
        "median_visits_before_order": 1.0,
        "median_session_duration_minutes_before_order": 6.0,
    }


def test_even_counts_take_the_mean_of_the_middle_two(warehouse: Warehouse, tmp_path: Path) -> None:
    load(warehouse, tmp_path, *EVEN)
    # visits [0, 1, 2, 3] -> 1.5; durations [4, 6, 10, 20, 30, 40] -> 15
    assert order_metrics(warehouse) == {
        "median_visits_before_order": 1.5,
        "median_session_duration_minutes_before_order": 15.0,
    }


def test_only_first_visit_orders_give_zero_visits_and_no_duration(warehouse: Warehouse, tmp_path: Path) -> None:
    load(warehouse, tmp_path, visit("B", 0, 7, order=True), visit("C", 0, 9))
    assert order_metrics(warehouse) == {
        "median_visits_before_order": 0.0,
        "median_session_duration_minutes_before_order": None,
    }


def test_no_orders_at_all_gives_nulls(warehouse: Warehouse, tmp_path: Path) -> None:
    load(warehouse, tmp_path, visit("C", 0, 9))
    assert order_metrics(warehouse) == {
        "median_visits_before_order": None,
        "median_session_duration_minutes_before_order": None,
    }


def test_a_date_range_keeps_customers_by_first_order_date(warehouse: Warehouse, tmp_path: Path) -> None:
    load(warehouse, tmp_path, *EVEN)
    # first orders: B 2022-04-01, D 04-02, A 04-03, E 04-04; earlier visits count whenever they were:
    # A and E -> visits [2, 3] -> 2.5; durations [10, 4] + [20, 30, 40] -> 20
    assert order_metrics(warehouse, Filters(date_from=date(2022, 4, 3))) == {
        "median_visits_before_order": 2.5,
        "median_session_duration_minutes_before_order": 20.0,
    }
    assert (
        order_metrics(warehouse, Filters(date_from=date(2022, 4, 1), date_to=date(2022, 4, 1)))[
            "median_visits_before_order"
        ]
        == 0.0
    )


def test_referrers(warehouse: Warehouse, tmp_path: Path) -> None:
    load(
        warehouse,
        tmp_path,
        visit("A", 0, 10, referrer="https://www.google.com/"),
        visit("A", 1, 20, referrer="https://www.google.com/x"),
        visit("B", 0, 5, order=True),
    )
    rows = referrer_metrics(warehouse).rows()
    assert rows[0][:2] == ("google.com", 2) and rows[0][2] == pytest.approx(15.0) and rows[0][3] == pytest.approx(19.0)
    assert rows[1] == ("(direct)", 1, 5.0, 5.0, 1.0)


def test_loading_again_changes_nothing(warehouse: Warehouse, tmp_path: Path) -> None:
    tables = ("shop_events", "shop_sessions", "customers", "shop_events_rejects")

    def snapshot() -> list[object]:
        return [warehouse.query(f"SELECT * FROM {t} ORDER BY 1, 2").rows() for t in tables]

    load(warehouse, tmp_path, *EVEN)
    first = snapshot()
    load(warehouse, tmp_path, *EVEN)
    assert snapshot() == first
    assert warehouse.query("SELECT count(*) AS n FROM shop_events WHERE session_id IS NULL")["n"][0] == 6  # anonymous


def test_dates_are_local_dates_in_the_report_zone(warehouse: Warehouse, tmp_path: Path) -> None:
    """A first order at 2022-04-01 20:00 UTC is on 04-02 in Singapore (UTC+8) and on 04-01 in UTC."""
    late = [
        dict(e, event={**e["event"], "timestamp": "2022-04-01T20:00:00.000000"}) for e in visit("L", 0, 0, order=True)
    ]
    load(warehouse, tmp_path, late)
    on = {"date_from": date(2022, 4, 2), "date_to": date(2022, 4, 2)}
    assert order_metrics(warehouse, Filters(**on, tz="Asia/Singapore"))["median_visits_before_order"] == 0.0
    assert order_metrics(warehouse, Filters(**on, tz="UTC"))["median_visits_before_order"] is None
    assert referrer_metrics(warehouse, Filters(**on, tz="Asia/Singapore")).height == 1
    assert referrer_metrics(warehouse, Filters(**on, tz="UTC")).height == 0
