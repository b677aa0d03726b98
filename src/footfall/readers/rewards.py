"""Read the rewards CSV exports (docs/data-contracts.md → Rewards tables) into clean rows and rejects.

- campaign: `id,name,status[,updated_at]`
- reward_campaign: `id,reward_name,updated_at,campaign_id`
- reward_transaction: `id,status,updated_at,reward_campaign_id`

Header names are matched without regard to case or surrounding spaces; other columns are
ignored. Timestamps like `2019-08-12 11:04:10.041 UTC` (or ISO-8601 with an offset; no zone
means UTC) become UTC instants. Statuses are lower-cased. When an id appears more than once
in a file the last row wins and the earlier ones are rejected as `duplicate_id`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from footfall.readers.csv_records import read_csv_records
from footfall.readers.lines import REJECT_SCHEMA as REJECT_SCHEMA_LINES
from footfall.readers.timestamps import parse_timestamps

__all__ = ["REJECT_SCHEMA", "TABLES", "RewardsTable", "read_rewards_csv"]


@dataclass(frozen=True)
class RewardsTable:
    """One export's shape: required text columns, timestamp columns, the parent reference."""

    name: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    timestamps: tuple[str, ...]
    lowercase: tuple[str, ...] = ()


TABLES = {
    "campaign": RewardsTable(
        "campaign", ("id", "name", "status", "updated_at"), ("id", "name"), ("updated_at",), ("status",)
    ),
    "reward_campaign": RewardsTable(
        "reward_campaign",
        ("id", "reward_name", "updated_at", "campaign_id"),
        ("id", "reward_name", "campaign_id"),
        ("updated_at",),
    ),
    "reward_transaction": RewardsTable(
        "reward_transaction",
        ("id", "status", "updated_at", "reward_campaign_id"),
        ("id", "status", "updated_at", "reward_campaign_id"),
        ("updated_at",),
        ("status",),
    ),
}

REJECT_SCHEMA = pl.Schema(
    {
        "table_name": pl.String(),
        "source_file": pl.String(),
        "line_number": pl.Int64(),
        "reason": pl.String(),
        "detail": pl.String(),
        "raw": pl.String(),
    }
)


def read_rewards_csv(path: Path, table: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows typed for `table` plus `line_number` and `raw`, rejects); a missing file or column is an InputError."""
    spec = TABLES[table]
    records = read_csv_records(path, required=spec.required, expected=",".join(spec.columns))
    raw = records.frame
    present = [c for c in spec.columns if c in raw.columns]
    frame = raw.select(
        "line_number",
        "raw",
        *[pl.col(c).str.strip_chars().replace("", None).alias(c) for c in present],
        *[pl.lit(None, pl.String).alias(c) for c in spec.columns if c not in present],
    )
    frame = frame.with_columns(pl.col(c).str.to_lowercase() for c in spec.lowercase)
    checks: list[tuple[str, pl.Expr, pl.Expr]] = [
        ("missing_value", pl.col(c).is_null(), pl.lit(f"field {c} is empty")) for c in spec.required
    ]
    for column in spec.timestamps:
        parsed = _parse_utc(frame[column])
        frame = frame.with_columns(parsed["ts"].alias(f"_{column}"), parsed["error"].alias(f"_{column}_error"))
        bad = pl.col(column).is_not_null() & pl.col(f"_{column}_error").is_not_null()
        detail = (
            pl.lit(f"field {column}: '")
            + pl.col(column)
            + pl.lit("' is not a timestamp like 2019-08-12 11:04:10.041 UTC")
        )
        checks.append(("bad_timestamp", bad, detail))
    reason = pl.lit(None, pl.String)
    detail_expr = pl.lit(None, pl.String)
    for code, condition, text in reversed(checks):
        reason = pl.when(condition).then(pl.lit(code)).otherwise(reason)
        detail_expr = pl.when(condition).then(text).otherwise(detail_expr)
    frame = frame.with_columns(reason=reason, detail=detail_expr)
    later = pl.col("line_number").max().over("id")
    frame = frame.with_columns(
        reason=pl.when(pl.col("reason").is_null() & pl.col("id").is_not_null() & (pl.col("line_number") != later))
        .then(pl.lit("duplicate_id"))
        .otherwise("reason"),
        detail=pl.when(pl.col("reason").is_null() & pl.col("id").is_not_null() & (pl.col("line_number") != later))
        .then(pl.lit("id ") + pl.col("id") + pl.lit(" appears again on line ") + later.cast(pl.String))
        .otherwise("detail"),
    )
    good = frame.filter(pl.col("reason").is_null()).select(
        *[pl.col(f"_{c}").alias(c) if c in spec.timestamps else pl.col(c) for c in spec.columns],
        "line_number",
        "raw",
    )
    rejects = frame.filter(pl.col("reason").is_not_null()).select(
        source_file=pl.lit(str(path)), line_number="line_number", reason="reason", detail="detail", raw="raw"
    )
    rejects = pl.concat([records.rejects, rejects.cast(REJECT_SCHEMA_LINES)]).sort("line_number")
    return good, rejects.select(pl.lit(table).alias("table_name"), *REJECT_SCHEMA_LINES.names()).cast(REJECT_SCHEMA)


def _parse_utc(text: pl.Series) -> pl.DataFrame:
    """`2019-08-12 11:04:10.041 UTC`, ISO-8601 with offset, or no zone (UTC) → UTC instants."""
    iso = text.str.strip_chars().str.replace(r"\s*UTC$", "Z").str.replace(" ", "T", literal=True, n=1)
    return parse_timestamps(iso.fill_null(""), assume_tz="UTC")
