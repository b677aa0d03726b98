"""Customers' transactions and engagement from the product's own warehouse tables (docs/ml.md#the-warehouse).

Transactions: voucher redemptions (`vouchers.redeemed_at`, amount `value`, 1 when unknown), shop
orders (`shop_events` of type `placed_order`, amount 1) and rewards issued to a user (`http_log`
lines of kind `reward_issued`, amount 1); they go through the same cleansing as a file
(`parse_raw`: reasons and counts). Engagement up to an instant: sessions (HTTP log and shop),
campaign views, and the voucher redemption rate (redeemed / issued).
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from footfall.errors import InputError
from footfall.ml.transactions import Transactions, parse_raw
from footfall.reports._sql import report_sql
from footfall.warehouse import Warehouse

__all__ = ["ENGAGEMENT_COLUMNS", "read_engagement", "read_warehouse_transactions"]

ENGAGEMENT_COLUMNS = ("sessions", "campaign_views", "vouchers_issued", "redemption_rate")

_TRANSACTION_TABLES = ("vouchers", "shop_events", "http_log")
_ENGAGEMENT_TABLES = ("http_sessions", "shop_sessions", "http_log", "vouchers")


def read_warehouse_transactions(wh: Warehouse, *, as_of: datetime | None = None) -> Transactions:
    """Every transaction the warehouse holds, cleansed; a one-line error naming what to load when there are none."""
    parts = [wh.query(report_sql(f"ml_transactions_{t}")) for t in _TRANSACTION_TABLES if wh.table_exists(t)]
    parts = [p for p in parts if p.height]
    if not parts:
        raise InputError(
            "the warehouse holds no transactions: load vouchers (footfall vouchers load), shop events "
            "(footfall shop sessions) or HTTP logs with rewards issued (footfall logs sessions)"
        )
    rows = pl.concat(
        [p.with_columns(pl.col("ts").dt.convert_time_zone("UTC"), pl.col("amount").cast(pl.Float64)) for p in parts],
        how="vertical_relaxed",
    )
    raw = rows.select(
        pl.col("customer_id").cast(pl.String),
        date=pl.col("ts").dt.strftime("%Y-%m-%dT%H:%M:%S%.6f+00:00"),
        amount=pl.col("amount").cast(pl.String),
        quantity=pl.col("quantity").cast(pl.String),
        source_file=pl.col("source_file").cast(pl.String),
        line_number=pl.int_range(1, pl.len() + 1, dtype=pl.Int64).over("source_file"),
        raw=pl.concat_str(
            [pl.col("source_file"), pl.col("line").cast(pl.String), pl.col("customer_id").cast(pl.String)],
            separator=":",
        ),
    )
    return parse_raw(raw, source="warehouse", as_of=as_of)


def read_engagement(wh: Warehouse, *, until: datetime) -> pl.DataFrame:
    """Per customer up to `until` (inclusive): sessions, campaign views, vouchers issued and their redemption rate."""
    params = {"until": until}
    found = [wh.query(report_sql(f"ml_engagement_{t}"), params) for t in _ENGAGEMENT_TABLES if wh.table_exists(t)]
    found = [f.cast({"customer_id": pl.String}) for f in found if f.height]
    sessions = [f for f in found if "sessions" in f.columns]
    result = pl.DataFrame(schema={"customer_id": pl.String})
    if sessions:
        stacked = pl.concat(sessions, how="diagonal_relaxed")
        result = stacked.group_by("customer_id").agg(sessions=pl.col("sessions").sum())
    for extra in (f for f in found if "sessions" not in f.columns):
        result = result.join(extra, on="customer_id", how="full", coalesce=True)
    return _engagement_columns(result)


def _engagement_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """The four engagement columns, 0 where a source has nothing (redemption rate: 0 without vouchers)."""
    for column in ("sessions", "campaign_views", "vouchers_issued", "vouchers_redeemed"):
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(0, pl.Int64).alias(column))
    counts = ("sessions", "campaign_views", "vouchers_issued", "vouchers_redeemed")
    frame = frame.with_columns(pl.col(c).cast(pl.Float64).fill_null(0.0) for c in counts)
    rate = pl.when(pl.col("vouchers_issued") > 0).then(pl.col("vouchers_redeemed") / pl.col("vouchers_issued"))
    return frame.select("customer_id", *counts[:3], redemption_rate=rate.otherwise(0.0))
