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
from footfall.warehouse import Warehouse

__all__ = ["ENGAGEMENT_COLUMNS", "read_engagement", "read_warehouse_transactions"]

ENGAGEMENT_COLUMNS = ("sessions", "campaign_views", "vouchers_issued", "redemption_rate")

_SOURCES = {
    "vouchers": "SELECT user_id AS customer_id, redeemed_at AS ts, coalesce(value, 1.0) AS amount, 1 AS quantity, "
    "'vouchers' AS source_file, voucher_id AS line FROM vouchers WHERE redeemed_at IS NOT NULL",
    "shop_events": "SELECT customer_id, ts, 1.0 AS amount, 1 AS quantity, source_file, "
    "CAST(line_number AS TEXT) AS line FROM shop_events WHERE type = 'placed_order'",
    "http_log": "SELECT user_id AS customer_id, ts, 1.0 AS amount, 1 AS quantity, source_file, "
    "CAST(line_number AS TEXT) AS line FROM http_log WHERE kind = 'reward_issued'",
}


def read_warehouse_transactions(wh: Warehouse, *, as_of: datetime | None = None) -> Transactions:
    """Every transaction the warehouse holds, cleansed; a one-line error naming what to load when there are none."""
    parts = [wh.query(sql) for table, sql in _SOURCES.items() if wh.table_exists(table)]
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
    frames = [pl.DataFrame(schema={"customer_id": pl.String})]
    params = {"until": until}
    if wh.table_exists("http_sessions"):
        frames.append(wh.query(_COUNT.format(who="user_id", table="http_sessions", at="session_start"), params))
    if wh.table_exists("shop_sessions"):
        frames.append(wh.query(_COUNT.format(who="customer_id", table="shop_sessions", at="session_start"), params))
    views = None
    if wh.table_exists("http_log"):
        views = wh.query(
            "SELECT user_id AS customer_id, count(*) AS campaign_views FROM http_log "
            "WHERE kind = 'campaign_view' AND ts <= :until GROUP BY user_id",
            params,
        )
    vouchers = None
    if wh.table_exists("vouchers"):
        vouchers = wh.query(
            "SELECT user_id AS customer_id, count(*) AS vouchers_issued, "
            "sum(CASE WHEN redeemed_at <= :until THEN 1 ELSE 0 END) AS vouchers_redeemed "
            "FROM vouchers WHERE issued_at <= :until GROUP BY user_id",
            params,
        )
    sessions = pl.concat([f.cast({"customer_id": pl.String}) for f in frames], how="diagonal_relaxed")
    result = sessions.group_by("customer_id").agg(sessions=pl.col("sessions").sum()) if sessions.height else sessions
    for extra in (views, vouchers):
        if extra is not None and extra.height:
            result = result.join(extra.cast({"customer_id": pl.String}), on="customer_id", how="full", coalesce=True)
    return _engagement_columns(result)


_COUNT = "SELECT {who} AS customer_id, count(*) AS sessions FROM {table} WHERE {at} <= :until GROUP BY {who}"


def _engagement_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """The four engagement columns, 0 where a source has nothing (redemption rate: 0 without vouchers)."""
    for column in ("sessions", "campaign_views", "vouchers_issued", "vouchers_redeemed"):
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(0, pl.Int64).alias(column))
    counts = ("sessions", "campaign_views", "vouchers_issued", "vouchers_redeemed")
    frame = frame.with_columns(pl.col(c).cast(pl.Float64).fill_null(0.0) for c in counts)
    rate = pl.when(pl.col("vouchers_issued") > 0).then(pl.col("vouchers_redeemed") / pl.col("vouchers_issued"))
    return frame.select("customer_id", *counts[:3], redemption_rate=rate.otherwise(0.0))
