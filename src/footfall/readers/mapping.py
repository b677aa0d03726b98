"""Read the campaign ↔ reward mapping CSV (`campaign_id,reward_id`, many-to-many, duplicates allowed)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from footfall.errors import InputError
from footfall.readers.csv_tables import read_text_csv

__all__ = ["MAPPING_SCHEMA", "read_campaign_reward_mapping"]

MAPPING_SCHEMA = pl.Schema({"campaign_id": pl.String(), "reward_id": pl.String()})


def read_campaign_reward_mapping(path: Path) -> pl.DataFrame:
    """Distinct (campaign_id, reward_id) pairs; a missing column or empty id is a one-line error."""
    df = read_text_csv(path, required=MAPPING_SCHEMA.names(), expected="campaign_id,reward_id", noun="mapping")
    df = df.select(pl.col(c).str.strip_chars() for c in MAPPING_SCHEMA.names())
    bad = df.with_row_index("line", offset=2).filter(
        pl.any_horizontal(pl.col(c).is_null() | (pl.col(c) == "") for c in MAPPING_SCHEMA.names())
    )
    if bad.height:
        row = bad.row(0, named=True)
        field = "campaign_id" if not row["campaign_id"] else "reward_id"
        raise InputError(f"{path}: line {row['line']}: field {field} is empty")
    return df.unique(maintain_order=True)
