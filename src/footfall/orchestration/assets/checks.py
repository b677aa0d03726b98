"""Asset checks: each table an asset loads has rows, and its rejects stay a small share of what was read."""

import dagster as dg
import polars as pl

from footfall.orchestration.resources import WarehouseResource

__all__ = ["CHECKS", "MAX_REJECTS_RATIO"]

MAX_REJECTS_RATIO = 0.05  # more than 5 % bad lines means a broken export or a changed format, not noise


def row_count_check(asset: str, table: str) -> dg.AssetChecksDefinition:
    """`<table>_has_rows`: the table the asset loads is not empty."""

    @dg.asset_check(asset=asset, name=f"{table}_has_rows", description=f"`{table}` has at least one row.")
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.open() as wh:
            rows = _count(wh.query(f"SELECT count(*) AS n FROM {table}"))
        return dg.AssetCheckResult(passed=rows > 0, metadata={"rows": rows})

    return _check


def rejects_ratio_check(asset: str, table: str, rejects: str, *, where: str = "") -> dg.AssetChecksDefinition:
    """`<table>_rejects_ratio`: rejected rows / rows read stays at or below MAX_REJECTS_RATIO."""

    @dg.asset_check(
        asset=asset,
        name=f"{table}_rejects_ratio",
        description=f"`{rejects}` holds at most {MAX_REJECTS_RATIO:.0%} of the rows read into `{table}`.",
    )
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.open() as wh:
            accepted = _count(wh.query(f"SELECT count(*) AS n FROM {table}"))
            rejected = _count(wh.query(f"SELECT count(*) AS n FROM {rejects}" + (f" WHERE {where}" if where else "")))
        ratio = rejected / (accepted + rejected) if accepted + rejected else 0.0
        return dg.AssetCheckResult(
            passed=ratio <= MAX_REJECTS_RATIO,
            metadata={"accepted": accepted, "rejected": rejected, "ratio": round(ratio, 6), "max": MAX_REJECTS_RATIO},
        )

    return _check


def _count(frame: pl.DataFrame) -> int:
    return int(frame["n"][0])


CHECKS = [
    row_count_check("http_sessions", "http_sessions"),
    rejects_ratio_check("http_sessions", "http_log", "http_log_rejects"),
    row_count_check("shop_sessions", "shop_sessions"),
    rejects_ratio_check("shop_sessions", "shop_events", "shop_events_rejects"),
    row_count_check("reward_transactions", "reward_transaction"),
    rejects_ratio_check(
        "reward_transactions", "reward_transaction", "rewards_rejects", where="table_name = 'reward_transaction'"
    ),
    row_count_check("members", "members"),
]
