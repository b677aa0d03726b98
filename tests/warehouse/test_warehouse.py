"""The Warehouse contract, run against the embedded DuckDB file and a real PostgreSQL server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from footfall.errors import InputError, WarehouseError
from footfall.sessions.http_sessions import REPORT_SCHEMA
from footfall.warehouse import Warehouse, connect


def sessions_frame() -> pl.DataFrame:
    t = datetime(2019, 8, 27, 0, 5, 1, 123456, tzinfo=UTC)
    return pl.DataFrame(
        {
            "user_id": ["2000042538627", 'u,"quoted"'],
            "session_start": [t, t + timedelta(hours=1)],
            "session_end": [t + timedelta(seconds=14), t + timedelta(hours=1)],
            "campaigns": [["1128", 'we"ird,{id}'], []],
            "rewards_issued": [["1035"], []],
            "reward_driven_by_campaign_view": [True, False],
            "events": [2, 1],
            "campaign_views": [1, 0],
            "rewards_issued_count": [1, 0],
            "open": [False, True],
        },
        schema=REPORT_SCHEMA,
    )


def test_migrations_apply_once(warehouse: Warehouse) -> None:
    assert warehouse.migrate() == []  # connect() already applied them
    assert warehouse.table_exists("http_sessions") and warehouse.table_exists("runs")


def test_bulk_load_round_trips_types_and_awkward_values(warehouse: Warehouse) -> None:
    frame = sessions_frame()
    assert warehouse.insert("http_sessions", frame) == 2
    back = warehouse.query("SELECT * FROM http_sessions ORDER BY user_id")
    assert back.equals(frame.sort("user_id"))


def test_a_failed_transaction_leaves_the_warehouse_as_it_was(warehouse: Warehouse) -> None:
    warehouse.insert("http_sessions", sessions_frame())
    bad = sessions_frame().with_columns(session_end=pl.col("session_start") - timedelta(seconds=1))  # CHECK fails
    with pytest.raises(WarehouseError):
        warehouse.replace_rows("http_sessions", bad)
    assert warehouse.query("SELECT count(*) AS n FROM http_sessions")["n"][0] == 2
    with pytest.raises(RuntimeError), warehouse.transaction():
        warehouse.execute("DELETE FROM http_sessions")
        raise RuntimeError("interrupted mid-run")
    assert warehouse.query("SELECT count(*) AS n FROM http_sessions")["n"][0] == 2


def test_replace_rows_is_idempotent(warehouse: Warehouse) -> None:
    for _ in range(2):
        warehouse.replace_rows("http_sessions", sessions_frame())
    assert warehouse.query("SELECT count(*) AS n FROM http_sessions")["n"][0] == 2


def test_named_parameters_and_percent_signs(warehouse: Warehouse) -> None:
    out = warehouse.query("SELECT :a || '%' AS s, CAST(:n AS BIGINT) + 1 AS n", {"a": "50", "n": 41})
    assert out.row(0) == ("50%", 42)


def test_bad_urls_are_user_errors() -> None:
    with pytest.raises(InputError, match="bad warehouse URL 'mysql://x'"):
        connect("mysql://x")


def test_unreachable_postgres_is_a_one_line_error() -> None:
    with pytest.raises(WarehouseError, match=r"cannot connect to PostgreSQL at postgresql://u:\*\*\*@127.0.0.1:1/db"):
        connect("postgresql://u:secret@127.0.0.1:1/db")
