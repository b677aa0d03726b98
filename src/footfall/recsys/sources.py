"""Where a retrain's interactions come from: MovieLens files when given, else the warehouse's rewards.

The warehouse's user × reward interactions are `footfall.recsys.warehouse_data`'s `rewards`
source: rewards issued to users (HTTP log) and vouchers, when that table exists.
"""

from __future__ import annotations

from pathlib import Path

from footfall.recsys.data import Interactions, read_movielens
from footfall.recsys.warehouse_data import read_warehouse_interactions
from footfall.warehouse import Warehouse

__all__ = ["interactions_from"]


def interactions_from(*, movielens: Path | None, warehouse: Warehouse) -> Interactions:
    """The interactions a retrain uses: the MovieLens folder when given, else the warehouse's rewards."""
    return read_movielens(movielens) if movielens is not None else read_warehouse_interactions(warehouse, "rewards")
