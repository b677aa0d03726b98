"""Train a recommender on the voucher interactions (a user's redeemed rewards) into the model registry."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from footfall.errors import InputError
from footfall.warehouse import Warehouse

__all__ = ["train_voucher_model"]


def train_voucher_model(
    warehouse: Warehouse, registry_root: Path, *, model: str = "default", promote: bool = True
) -> str:
    """Evaluate `model` (leave-last-out) and train it on every redeemed voucher; register it; return the version.

    Interactions are (user_id, reward_id) of redeemed vouchers, ordered by redemption; item titles
    are the reward names. Training and registering are `recsys.retrain.train_candidate`'s.
    """
    from footfall.recsys.data import INTERACTION_SCHEMA, Interactions
    from footfall.recsys.registry import Registry
    from footfall.recsys.retrain import train_candidate

    events = warehouse.query(
        "SELECT user_id, reward_id AS item_id, 1.0 AS weight, redeemed_at AS ts FROM vouchers "
        "WHERE status = 'redeemed' ORDER BY redeemed_at, voucher_id"
    )
    if not events.height:
        raise InputError("no redeemed vouchers in the warehouse: load some with `footfall vouchers load`")
    events = events.with_columns(seq=pl.int_range(pl.len(), dtype=pl.Int64)).cast(INTERACTION_SCHEMA)
    items = warehouse.query(
        "SELECT reward_id AS item_id, max(reward_name) AS title FROM vouchers GROUP BY reward_id ORDER BY reward_id"
    ).with_columns(pl.col("title").fill_null(pl.col("item_id")))
    store = Registry(registry_root)
    version, _ = train_candidate(Interactions(events, items, "vouchers (redeemed)"), model=model, registry=store)
    if promote:
        store.promote(version)
    return version
