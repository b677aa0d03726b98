"""What the engine-equivalence tests compare: two runs' warehouse tables, and a parse against footfall's reader."""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from footfall.readers.lines import ParsedBatch
from footfall.warehouse import Warehouse

HTTP_TABLES = [
    "SELECT * FROM http_sessions ORDER BY user_id, session_start",
    "SELECT * FROM http_log ORDER BY source_file, line_number",
    "SELECT * FROM http_log_rejects ORDER BY source_file, line_number",
]
SHOP_TABLES = [
    "SELECT * FROM shop_sessions ORDER BY session_id",
    "SELECT * FROM shop_events ORDER BY source_file, line_number",
    "SELECT * FROM shop_events_rejects ORDER BY source_file, line_number",
    "SELECT * FROM customers ORDER BY customer_id",
]


def assert_same_tables(expected: Warehouse, got: Warehouse, tables: list[str], *, check_dtypes: bool = True) -> None:
    """Each query in `tables` gives the same rows in `got` as in `expected`, and some rows."""
    for sql in tables:
        want = expected.query(sql)
        assert want.height > 0, sql
        assert_frame_equal(got.query(sql), want, check_dtypes=check_dtypes)


def assert_parsed_like_reader(
    got: pl.DataFrame, batches: list[ParsedBatch], events: pl.Schema, rejects: pl.Schema
) -> None:
    """Parsed rows (`reason` null: events, else rejects) equal the reader's batches line for line."""
    columns = [c for c in events.names() if c != "seq"]
    parsed = (
        got.filter(pl.col("reason").is_null()).select(columns).cast({c: events[c] for c in columns}).sort("line_number")
    )
    assert_frame_equal(parsed, pl.concat([b.events for b in batches]).select(columns))
    refused = got.filter(pl.col("reason").is_not_null()).select(rejects.names()).sort("line_number")
    assert_frame_equal(refused, pl.concat([b.rejects for b in batches]).cast(rejects))
