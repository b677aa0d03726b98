"""Interactions from the warehouse, in the same shape as MovieLens (see `footfall.recsys.data`).

Sources: `rewards` — a user was issued a reward (HTTP log `reward_issued` lines) or holds a
voucher for it (`vouchers`, when loaded; a redeemed voucher weighs 2, an issued one 1);
`shop` — a customer put a product in the cart or visited it from a recommendation, a related
or recently visited product (web-shop events). Items carry their reward names where known.
`seq` orders interactions at the same instant by source file and line.
"""

from __future__ import annotations

import polars as pl

from footfall.errors import InputError
from footfall.recsys.data import INTERACTION_SCHEMA, Interactions
from footfall.warehouse import Warehouse

__all__ = ["SOURCES", "read_warehouse_interactions"]

SOURCES = ("rewards", "shop")

_HTTP_REWARDS = """
SELECT user_id, reward_id AS item_id, 1.0 AS weight, ts, source_file AS origin, line_number AS line
FROM http_log WHERE kind = 'reward_issued' AND reward_id IS NOT NULL
"""
_VOUCHERS = """
SELECT user_id, reward_id AS item_id, CASE WHEN redeemed_at IS NULL THEN 1.0 ELSE 2.0 END AS weight,
       issued_at AS ts, 'vouchers' AS origin, row_number() OVER (ORDER BY voucher_id) AS line
FROM vouchers WHERE user_id IS NOT NULL AND reward_id IS NOT NULL AND issued_at IS NOT NULL
"""
_SHOP = """
SELECT customer_id AS user_id, product AS item_id, 1.0 AS weight, ts, source_file AS origin, line_number AS line
FROM shop_events
WHERE customer_id IS NOT NULL AND product IS NOT NULL AND type <> 'remove_product_from_cart'
"""
_REWARD_NAMES = "SELECT id AS item_id, reward_name AS title FROM reward_campaign"
_VOUCHER_NAMES = (
    "SELECT DISTINCT reward_id AS item_id, reward_name AS title FROM vouchers WHERE reward_name IS NOT NULL"
)


def read_warehouse_interactions(wh: Warehouse, source: str) -> Interactions:
    """The `source` interactions (`rewards` or `shop`) in the warehouse; an error naming what to load when empty."""
    if source not in SOURCES:
        raise InputError(f"unknown interaction source {source!r}: use {' or '.join(SOURCES)}")
    parts, names = [], []
    if source == "rewards":
        if wh.table_exists("http_log"):
            parts.append(wh.query(_HTTP_REWARDS))
        if wh.table_exists("vouchers"):
            parts.append(wh.query(_VOUCHERS))
            names.append(wh.query(_VOUCHER_NAMES))
        if wh.table_exists("reward_campaign"):
            names.append(wh.query(_REWARD_NAMES))
    elif wh.table_exists("shop_events"):
        parts.append(wh.query(_SHOP))
    frames = [p.with_columns(pl.col("ts").dt.convert_time_zone("UTC"), pl.col("line").cast(pl.Int64)) for p in parts]
    frames = [f for f in frames if f.height]
    if not frames:
        hint = "footfall logs sessions or footfall vouchers load" if source == "rewards" else "footfall shop sessions"
        raise InputError(f"the warehouse holds no {source} interactions: load some first ({hint})")
    events = (
        pl.concat(frames, how="vertical_relaxed")
        .sort("ts", "origin", "line")
        .with_columns(seq=pl.int_range(pl.len(), dtype=pl.Int64))
        .select(
            pl.col(name).cast(dtype) if name != "ts" else pl.col("ts").dt.cast_time_unit("us")
            for name, dtype in INTERACTION_SCHEMA.items()
        )
    )
    items = (
        pl.concat(names, how="vertical_relaxed").unique("item_id", keep="first", maintain_order=True)
        if names
        else pl.DataFrame(schema={"item_id": pl.String(), "title": pl.String()})
    )
    return Interactions(events, items, f"warehouse {source} interactions")
