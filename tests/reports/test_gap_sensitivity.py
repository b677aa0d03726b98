"""`footfall shop metrics --gap-sensitivity`: the SQL re-sessionization gives what re-running the pipeline gives.

docs/shop-schema.md → The session gap: "the order metrics with a session gap of 10, 30 and 60
minutes ... the same figures as `footfall shop sessions --gap` with that gap", on DuckDB and
PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from footfall.cli.main import app
from footfall.reports.filters import Filters
from footfall.reports.shop import order_metrics, order_metrics_by_gap
from footfall.sessions.shop_pipeline import run_shop_sessions
from footfall.synth.shop_events import ShopSpec, generate_shop_events
from footfall.warehouse import Warehouse

T0 = datetime(2022, 4, 27, 15, 0, tzinfo=UTC)


def event(i: int, customer: str | None, at: timedelta, kind: str = "page_view") -> str:
    stamp = (T0 + at).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return json.dumps({"id": i, "type": kind, "event": {"customer-id": customer, "timestamp": stamp}})


def boundary_events(path: Path) -> Path:
    """Customers whose gaps sit exactly on and one microsecond around 10, 30 and 60 minutes."""
    lines, i = [], 10_000_000
    us = timedelta(microseconds=1)
    for minutes in (10, 30, 60):
        for delta, name in ((-us, "under"), (timedelta(0), "exact"), (us, "over")):
            customer = f"edge-{minutes}-{name}"
            at = timedelta(minutes=3 * minutes)
            for step in (timedelta(0), timedelta(minutes=minutes) + delta, timedelta(minutes=minutes) + delta):
                at += step
                lines.append(event(i, customer, at))
                i += 1
            lines.append(event(i, customer, at, "placed_order"))  # same instant: same session
            i += 1
    lines.append(event(i, "tie", timedelta(0)))
    lines.append(event(i + 1, "tie", timedelta(0), "placed_order"))
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def events(tmp_path: Path) -> list[Path]:
    generated = tmp_path / "shop.jsonl"
    generate_shop_events(ShopSpec(events=6_000, days=6, seed=3), generated)
    return [generated, boundary_events(tmp_path / "edges.jsonl")]


def test_each_gap_gives_what_rerunning_the_pipeline_with_it_gives(warehouse: Warehouse, events: list[Path]) -> None:
    run_shop_sessions(events, warehouse=warehouse)  # the default gap, 30 minutes
    ranges = [Filters(), Filters(date_from=date(2022, 4, 30), date_to=date(2022, 5, 2), tz="America/New_York")]
    by_gap = {f: order_metrics_by_gap(warehouse, f).rows_by_key("gap", named=True, unique=True) for f in ranges}
    assert list(by_gap[ranges[0]]) == ["10m", "30m", "60m"]
    assert by_gap[ranges[1]]["30m"]["ordering_customers"] < by_gap[ranges[0]]["30m"]["ordering_customers"]
    assert by_gap[ranges[1]]["30m"]["median_session_duration_minutes_before_order"] is not None
    for minutes in (10, 30, 60):
        run_shop_sessions(events, warehouse=warehouse, gap=timedelta(minutes=minutes))
        sessions = warehouse.query("SELECT count(*) AS n FROM shop_sessions")["n"][0]
        ordering = warehouse.query("SELECT count(*) AS n FROM customers WHERE first_order_at IS NOT NULL")["n"][0]
        for filters in ranges:
            sql = by_gap[filters][f"{minutes}m"]
            again = order_metrics(warehouse, filters)
            assert sql["median_visits_before_order"] == again["median_visits_before_order"]
            assert sql["median_session_duration_minutes_before_order"] == pytest.approx(
                again["median_session_duration_minutes_before_order"], rel=1e-12
            )
        assert by_gap[ranges[0]][f"{minutes}m"]["sessions"] == sessions
        assert by_gap[ranges[0]][f"{minutes}m"]["ordering_customers"] == ordering
    counts = [by_gap[ranges[0]][g]["sessions"] for g in ("10m", "30m", "60m")]
    assert counts[0] > counts[1] > counts[2]  # a longer gap joins visits


def test_the_events_are_those_of_the_sessions_in_the_warehouse(warehouse: Warehouse, events: list[Path]) -> None:
    """shop_events keeps the rows of every file ever loaded; the sensitivity reads only the current sessions'."""
    run_shop_sessions(events[:1], warehouse=warehouse)
    run_shop_sessions(events[1:], warehouse=warehouse)  # replaces the sessions, not the first file's events
    row = order_metrics_by_gap(warehouse, gaps=[timedelta(minutes=30)]).row(0, named=True)
    assert row["sessions"] == warehouse.query("SELECT count(*) AS n FROM shop_sessions")["n"][0]
    assert row["median_visits_before_order"] == order_metrics(warehouse)["median_visits_before_order"]


def test_the_cli_prints_the_three_gaps(tmp_path: Path, events: list[Path]) -> None:
    wh = ["--warehouse", f"duckdb:///{tmp_path / 'w.duckdb'}"]
    runner = CliRunner()
    assert runner.invoke(app, ["shop", "sessions", *map(str, events), *wh]).exit_code == 0
    done = runner.invoke(app, ["shop", "metrics", "--gap-sensitivity", "--format", "json", *wh])
    assert done.exit_code == 0, done.output
    rows = json.loads(done.output)["gap_sensitivity"]
    assert [r["gap"] for r in rows] == ["10m", "30m", "60m"]
    plain = json.loads(runner.invoke(app, ["shop", "metrics", "--format", "json", *wh]).output)["orders"]
    assert rows[1]["median_visits_before_order"] == plain["median_visits_before_order"]
    table = runner.invoke(app, ["shop", "metrics", "--gap-sensitivity", *wh], env={"COLUMNS": "200"})
    assert "order metrics by session gap" in table.output and "60m" in table.output
