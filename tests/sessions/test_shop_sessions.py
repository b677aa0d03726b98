"""Shop sessions: the same session definition as HTTP logs (shared invariants, another gap)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from footfall.sessions.shop_sessions import device_class, referrer_domain, shop_sessions
from tests.sessions.reference import reference_sessions
from tests.sessions.strategies import event_sets

GAP = timedelta(minutes=30)


def as_shop_events(events: list[dict[str, Any]], anonymous: set[int]) -> pl.DataFrame:
    types = {"campaign_view": "page_view", "reward_issued": "placed_order", "other": "search"}
    return pl.DataFrame(
        [
            {
                "seq": e["seq"],
                "event_id": str(e["seq"]),
                "type": types[e["kind"]],
                "ts": e["ts"],
                "customer_id": None if e["seq"] in anonymous else e["user_id"],
                "user_agent": "Mozilla/5.0 (X11; Linux)",
                "page": "/p",
                "referrer": None,
            }
            for e in events
        ],
        schema={
            "seq": pl.Int64,
            "event_id": pl.String,
            "type": pl.String,
            "ts": pl.Datetime("us", "UTC"),
            "customer_id": pl.String,
            "user_agent": pl.String,
            "page": pl.String,
            "referrer": pl.String,
        },
    )


@settings(max_examples=150, deadline=None)
@given(events=event_sets(gap_seconds=1800), anonymous=st.sets(st.integers(0, 40), max_size=5))
def test_sessions_follow_the_one_definition(events: list[dict[str, Any]], anonymous: set[int]) -> None:
    report, assignment = shop_sessions(as_shop_events(events, anonymous), gap=GAP)
    known = [e for e in events if e["seq"] not in anonymous]
    expected = reference_sessions(known, set(), GAP)
    got = report.select("customer_id", "session_start", "session_end", "events", "orders", "page_views").rows()
    assert got == [
        (
            r["user_id"],
            r["session_start"],
            r["session_end"],
            r["events"],
            r["rewards_issued_count"],
            r["campaign_views"],
        )
        for r in expected
    ]
    assert assignment.height == len(known)  # anonymous events are never sessionized
    assert report["session_id"].n_unique() == report.height
    per_customer = report.group_by("customer_id").agg(pl.col("session_index").sort())
    assert all(ix == list(range(len(ix))) for ix in per_customer["session_index"].to_list())


def test_duration_first_page_and_first_referrer() -> None:
    from datetime import UTC, datetime

    t0 = datetime(2022, 4, 28, 7, tzinfo=UTC)
    frame = pl.DataFrame(
        {
            "seq": [0, 1, 2, 3],
            "event_id": ["a", "b", "c", "d"],
            "type": ["search", "page_view", "page_view", "placed_order"],
            "ts": [t0, t0 + timedelta(minutes=1), t0 + timedelta(minutes=2), t0 + timedelta(minutes=29, seconds=59)],
            "customer_id": ["7"] * 4,
            "user_agent": ["Mozilla/5.0 (iPhone; CPU iPhone OS 16_2 like Mac OS X) Mobile"] * 4,
            "page": [None, "/first", "/second", None],
            "referrer": [None, "https://www.Google.com/x", "https://b.com", None],
        }
    )
    report, _ = shop_sessions(frame, gap=GAP)
    row = report.row(0, named=True)
    assert (row["duration_seconds"], row["first_page"], row["referrer_domain"], row["device"]) == (
        1799.0,
        "/first",
        "google.com",
        "mobile",
    )
    assert (row["events"], row["page_views"], row["searches"], row["orders"], row["has_order"]) == (4, 2, 1, 1, True)


def test_device_and_referrer_classes() -> None:
    agents = [
        "Mozilla/5.0 (iPad; CPU OS 16_2)",
        "Mozilla/5.0 (Linux; Android 13; Pixel 7) Mobile Safari",
        "Mozilla/5.0 (Linux; Android 12; SM-T870) Safari",
        "Opera/9.80 (Windows NT 6.1) Presto/2.12",
        "Googlebot/2.1",
        None,
    ]
    assert pl.select(device_class(pl.Series(agents, dtype=pl.String))).to_series().to_list() == [
        "tablet",
        "mobile",
        "tablet",
        "desktop",
        "bot",
        "unknown",
    ]
    refs = ["https://www.example-search.com", "mail.example.org/x", "https://user@Shop.COM:8080/a?b", "", None]
    assert pl.select(referrer_domain(pl.Series(refs, dtype=pl.String))).to_series().to_list() == [
        "example-search.com",
        "mail.example.org",
        "shop.com",
        "(direct)",
        "(direct)",
    ]


@pytest.mark.parametrize("spill", [False, True])
def test_shop_partitions_in_memory_or_spilled_give_the_one_partition_tables(
    tmp_path: Path, spill: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Partitioning by customer (kept in memory, or spilled above MEMORY_BYTES) changes no table."""
    from footfall.sessions import partitions
    from footfall.sessions.shop_pipeline import run_shop_sessions
    from footfall.synth.shop_events import ShopSpec, generate_shop_events
    from footfall.warehouse import connect

    if spill:
        monkeypatch.setattr(partitions, "MEMORY_BYTES", 0)
    events = tmp_path / "shop.jsonl"
    generate_shop_events(ShopSpec(events=4_000, seed=4, days=2), events)
    tables = []
    for n in (1, 3):
        with connect(f"duckdb:///{tmp_path / f'w{spill}{n}.duckdb'}") as wh:
            run_shop_sessions([events], gap=timedelta(minutes=30), warehouse=wh, partitions=n)
            tables.append(
                [
                    wh.query("SELECT * FROM shop_sessions ORDER BY session_id"),
                    wh.query("SELECT * FROM shop_events ORDER BY source_file, line_number"),
                    wh.query("SELECT * FROM customers ORDER BY customer_id"),
                ]
            )
    assert tables[0][0].height > 100
    for one, three in zip(tables[0], tables[1], strict=True):
        assert one.equals(three)
