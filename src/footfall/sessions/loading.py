"""What every sessions pipeline shares: input checks and replacing a source file's rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import polars as pl

from footfall.errors import InputError
from footfall.warehouse import Warehouse

__all__ = ["check_inputs", "replace_by_source"]


def check_inputs(paths: Sequence[Path]) -> None:
    """Fail before any work when an input is missing (a one-line error naming it)."""
    if not paths:
        raise InputError("no input files given")
    for path in paths:
        if not path.is_file():
            raise InputError(f"{path}: no such file")


def replace_by_source(warehouse: Warehouse, table: str, parts: Iterable[pl.DataFrame], sources: list[str]) -> None:
    """Replace the rows of `table` that came from `sources` with the rows of `parts`."""
    with warehouse.transaction():
        for source in sources:
            warehouse.execute(f"DELETE FROM {table} WHERE source_file = :s", {"s": source})
        for rows in parts:
            if rows.height:
                warehouse.insert(table, rows)
