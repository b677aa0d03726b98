"""Frame conversions at the warehouse edge: UTC instants out, CSV for PostgreSQL COPY in."""

from __future__ import annotations

import polars as pl

__all__ = ["to_copy_csv", "to_utc"]


def to_utc(frame: pl.DataFrame) -> pl.DataFrame:
    """Express every zoned timestamp column in UTC, so both warehouses return the same dtypes."""
    zoned = [
        pl.col(name).dt.convert_time_zone("UTC")
        for name, dtype in frame.schema.items()
        if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None
    ]
    return frame.with_columns(zoned) if zoned else frame


def to_copy_csv(frame: pl.DataFrame) -> bytes:
    """CSV text for `COPY ... (FORMAT CSV)`: lists as array literals, instants in ISO with offset."""
    conversions = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.List):
            quoted = pl.element().cast(pl.String).str.replace_all("\\", "\\\\", literal=True)
            quoted = pl.lit('"') + quoted.str.replace_all('"', '\\"', literal=True) + pl.lit('"')
            conversions.append((pl.lit("{") + pl.col(name).list.eval(quoted).list.join(",") + pl.lit("}")).alias(name))
        elif isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
            conversions.append(pl.col(name).dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%d %H:%M:%S%.6f+00"))
    if conversions:
        frame = frame.with_columns(conversions)
    return frame.write_csv(include_header=False).encode("utf-8")
