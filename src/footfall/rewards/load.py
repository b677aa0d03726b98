"""Load the three rewards exports: parents before children, orphans rejected, upsert on id."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from footfall.readers.rewards import REJECT_SCHEMA, read_rewards_csv
from footfall.runs import RunSummary
from footfall.warehouse import Warehouse

__all__ = ["load_rewards"]

# (table, parent table, the column that references the parent, reason for an orphan)
_ORDER = [
    ("campaign", None, None, None),
    ("reward_campaign", "campaign", "campaign_id", "unknown_campaign"),
    ("reward_transaction", "reward_campaign", "reward_campaign_id", "unknown_reward"),
]


def load_rewards(
    *, campaigns: Path | None, rewards: Path | None, transactions: Path | None, warehouse: Warehouse
) -> RunSummary:
    """Upsert the given exports in one transaction; a child whose parent exists nowhere is rejected.

    A parent "exists" when it is in the warehouse already or accepted from this load, so the
    files can be loaded together or one at a time (parents first). Re-loading changes nothing.
    """
    paths = {"campaign": campaigns, "reward_campaign": rewards, "reward_transaction": transactions}
    given = {t: p for t, p in paths.items() if p is not None}
    summary = RunSummary("rewards load", inputs=[str(p) for p in given.values()])
    parsed = {t: read_rewards_csv(p, t) for t, p in given.items()}  # every file checked before any load
    reject_parts: list[pl.DataFrame] = []
    with warehouse.transaction():
        for table, parent, ref, orphan in _ORDER:
            if table not in parsed:
                continue
            rows, rejects = parsed[table]
            if parent is not None and ref is not None and orphan is not None:
                # the parent was upserted first in this transaction: this is existing + accepted ids
                known = warehouse.query(f"SELECT id FROM {parent}")["id"]
                orphaned = ~rows[ref].is_in(known.implode())
                rejects = pl.concat([rejects, _orphans(rows.filter(orphaned), table, given[table], ref, orphan)])
                rows = rows.filter(~orphaned)
            warehouse.upsert(table, rows.drop("line_number", "raw"))
            warehouse.execute("DELETE FROM rewards_rejects WHERE source_file = :s", {"s": str(given[table])})
            if rejects.height:
                warehouse.insert("rewards_rejects", rejects)
            summary.read += rows.height + rejects.height
            summary.accepted += rows.height
            summary.rejected += rejects.height
            summary.written += rows.height
            summary.details.tables[table] = {"accepted": rows.height, "rejected": rejects.height}
            reject_parts.append(rejects)
        all_rejects = pl.concat(reject_parts) if reject_parts else pl.DataFrame(schema=REJECT_SCHEMA)
        summary.count_rejects(all_rejects["reason"])
        summary.record(warehouse)
    return summary


def _orphans(rows: pl.DataFrame, table: str, path: Path | None, ref: str, reason: str) -> pl.DataFrame:
    """Reject rows whose parent id is unknown, naming the field and its value."""
    parent = ref.removesuffix("_id")
    return rows.select(
        table_name=pl.lit(table),
        source_file=pl.lit(str(path)),
        line_number="line_number",
        reason=pl.lit(reason),
        detail=pl.lit(f"field {ref}: '") + pl.col(ref) + pl.lit(f"' matches no {parent}"),
        raw="raw",
    ).cast(REJECT_SCHEMA)
