"""The asset graph, one module per pipeline; `ASSETS` and `CHECKS` are everything `definitions.py` wires."""

import dagster as dg

from footfall.orchestration.assets import customers, http_logs, members, recommender, rewards, shop
from footfall.orchestration.assets.checks import CHECKS

__all__ = ["ASSETS", "CHECKS"]

ASSETS: list[dg.AssetsDefinition | dg.AssetSpec] = [
    *http_logs.ASSETS,
    *shop.ASSETS,
    *rewards.ASSETS,
    *members.ASSETS,
    *recommender.ASSETS,
    *customers.ASSETS,
]
