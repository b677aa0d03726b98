"""Asset checks: each table an asset loads has rows, and its rejects stay a small share of what was read."""

import dagster as dg

from footfall.orchestration.resources import WarehouseResource
from footfall.reports.tables import table_counts

__all__ = ["CHECKS", "MAX_REJECTS_RATIO"]

MAX_REJECTS_RATIO = 0.05  # more than 5 % bad lines means a broken export or a changed format, not noise


def row_count_check(asset: str, table: str) -> dg.AssetChecksDefinition:
    """`<table>_has_rows`: the table the asset loads is not empty."""

    @dg.asset_check(asset=asset, name=f"{table}_has_rows", description=f"`{table}` has at least one row.")
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.open() as wh:
            rows = table_counts(wh)[table]
        return dg.AssetCheckResult(passed=rows > 0, metadata={"rows": rows})

    return _check


def rejects_ratio_check(asset: str, table: str) -> dg.AssetChecksDefinition:
    """`<table>_rejects_ratio`: rejected rows / rows read stays at or below MAX_REJECTS_RATIO."""

    @dg.asset_check(
        asset=asset,
        name=f"{table}_rejects_ratio",
        description=f"The rejects of `{table}` are at most {MAX_REJECTS_RATIO:.0%} of the rows read into it.",
    )
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.open() as wh:
            counts = table_counts(wh)
        accepted, rejected = counts[table], counts[f"{table}_rejects"]
        ratio = rejected / (accepted + rejected) if accepted + rejected else 0.0
        return dg.AssetCheckResult(
            passed=ratio <= MAX_REJECTS_RATIO,
            metadata={"accepted": accepted, "rejected": rejected, "ratio": round(ratio, 6), "max": MAX_REJECTS_RATIO},
        )

    return _check


CHECKS = [
    row_count_check("http_sessions", "http_sessions"),
    rejects_ratio_check("http_sessions", "http_log"),
    row_count_check("shop_sessions", "shop_sessions"),
    rejects_ratio_check("shop_sessions", "shop_events"),
    row_count_check("reward_transactions", "reward_transaction"),
    rejects_ratio_check("reward_transactions", "reward_transaction"),
    row_count_check("members", "members"),
]
