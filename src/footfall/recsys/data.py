"""Interactions for the recommender: MovieLens 1M / 100K files (the agreed benchmark data).

An interaction is `user_id, item_id, weight, ts, seq`: ids as text, the rating as weight, the
instant (UTC), and `seq`, the line's position in the file (ties at the same instant break by
file order). Items carry a `title` when the data set has one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from footfall.errors import InputError

__all__ = ["INTERACTION_SCHEMA", "Interactions", "read_movielens"]

INTERACTION_SCHEMA = pl.Schema(
    {
        "user_id": pl.String(),
        "item_id": pl.String(),
        "weight": pl.Float64(),
        "ts": pl.Datetime("us", "UTC"),
        "seq": pl.Int64(),
    }
)


@dataclass(frozen=True)
class Interactions:
    """User-item interactions and the items' titles (`item_id, title`, possibly empty)."""

    events: pl.DataFrame
    items: pl.DataFrame
    source: str


def read_movielens(path: Path) -> Interactions:
    """ML-1M (`ratings.dat`, `movies.dat`) or ML-100K (`u.data`, `u.item`) from a folder."""
    if not path.is_dir():
        raise InputError(f"{path}: no such folder (expected MovieLens files: ratings.dat or u.data)")
    if (path / "ratings.dat").is_file():
        events = _read(path / "ratings.dat", "::", ["user_id", "item_id", "weight", "ts"])
        items = _read(path / "movies.dat", "::", ["item_id", "title", "genres"], optional=True)
        return Interactions(events, items.select("item_id", "title"), "MovieLens 1M")
    if (path / "u.data").is_file():
        events = _read(path / "u.data", "\t", ["user_id", "item_id", "weight", "ts"])
        items = _read(path / "u.item", "|", ["item_id", "title"], optional=True, extra=True)
        return Interactions(events, items.select("item_id", "title"), "MovieLens 100K")
    raise InputError(f"{path}: neither ratings.dat (MovieLens 1M) nor u.data (MovieLens 100K) is there")


def _read(file: Path, sep: str, names: list[str], *, optional: bool = False, extra: bool = False) -> pl.DataFrame:
    """One `sep`-separated latin-1 file; a malformed line is a one-line error naming it."""
    if not file.is_file():
        if optional:
            return pl.DataFrame(schema=dict.fromkeys(names, pl.String()))
        raise InputError(f"{file}: no such file")
    rows = []
    for number, line in enumerate(file.read_bytes().decode("latin-1").splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split(sep)
        if len(fields) < len(names) or (len(fields) > len(names) and not extra):
            raise InputError(f"{file}: line {number}: {len(fields)} fields, expected {len(names)} ({sep!r}-separated)")
        rows.append(fields[: len(names)])
    frame = pl.DataFrame(rows, schema=dict.fromkeys(names, pl.String()), orient="row")
    if "weight" not in names:
        return frame
    try:
        return frame.select(
            "user_id",
            "item_id",
            weight=pl.col("weight").cast(pl.Float64),
            ts=pl.from_epoch(pl.col("ts").cast(pl.Int64), time_unit="s")
            .dt.replace_time_zone("UTC")
            .dt.cast_time_unit("us"),
            seq=pl.int_range(pl.len(), dtype=pl.Int64),
        )
    except pl.exceptions.InvalidOperationError as exc:
        raise InputError(f"{file}: a rating or timestamp is not a number ({str(exc).splitlines()[0]})") from None
