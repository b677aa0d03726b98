"""Where the recommender's interactions come from: MovieLens files when given, else the warehouse.

The warehouse's user × reward interactions are the rewards users were issued (`POST /rewards/{id}`
lines of the HTTP logs, table `http_log`) and, when the table exists, the `vouchers` issued to
users. (`reward_transaction` has no user column, so it cannot say who interacted.) Item titles
are the rewards' names (`reward_campaign`).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from footfall.recsys.data import INTERACTION_SCHEMA, Interactions, read_movielens
from footfall.warehouse import Warehouse

__all__ = ["interactions_from", "reward_interactions"]

_ISSUED = "SELECT user_id, reward_id AS item_id, ts FROM http_log WHERE kind = 'reward_issued'"
_VOUCHERS = "SELECT user_id, reward_id AS item_id, issued_at AS ts FROM vouchers"


def interactions_from(*, movielens: Path | None, warehouse: Warehouse) -> Interactions:
    """The interactions a retrain uses: the MovieLens folder when given, else `reward_interactions`."""
    return read_movielens(movielens) if movielens is not None else reward_interactions(warehouse)


def reward_interactions(warehouse: Warehouse) -> Interactions:
    """Users' issued rewards (and vouchers, when that table exists) as `user_id, item_id, weight, ts, seq`."""
    sql = _ISSUED + (f" UNION ALL {_VOUCHERS}" if warehouse.table_exists("vouchers") else "")
    rows = warehouse.query(f"SELECT * FROM ({sql}) AS i ORDER BY ts, user_id, item_id")
    events = rows.select(
        pl.col("user_id").cast(pl.String),
        pl.col("item_id").cast(pl.String),
        weight=pl.lit(1.0),
        ts=pl.col("ts").cast(INTERACTION_SCHEMA["ts"]),
        seq=pl.int_range(pl.len(), dtype=pl.Int64),
    ).cast(INTERACTION_SCHEMA)
    titles = warehouse.query("SELECT id AS item_id, reward_name AS title FROM reward_campaign ORDER BY id")
    return Interactions(events, titles.cast({"item_id": pl.String, "title": pl.String}), "warehouse rewards issued")
