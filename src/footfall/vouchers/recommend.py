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
    are the reward names.
    """
    from footfall.recsys.evaluate import evaluate_leave_last_out
    from footfall.recsys.models import make_model
    from footfall.recsys.registry import Registry

    events = warehouse.query(
        "SELECT user_id, reward_id AS item_id, redeemed_at AS ts FROM vouchers "
        "WHERE status = 'redeemed' ORDER BY redeemed_at, voucher_id"
    ).with_row_index("seq")
    if not events.height:
        raise InputError("no redeemed vouchers in the warehouse: load some with `footfall vouchers load`")
    items = warehouse.query(
        "SELECT reward_id AS item_id, max(reward_name) AS title FROM vouchers GROUP BY reward_id ORDER BY reward_id"
    ).with_columns(pl.col("title").fill_null(pl.col("item_id")))
    figures = evaluate_leave_last_out(make_model(model), events)
    figures["data"] = "vouchers (redeemed)"
    fitted = make_model(model).fit(events)
    store = Registry(registry_root)
    version = store.register(fitted, figures, items)
    if promote:
        store.promote(version)
    return version
