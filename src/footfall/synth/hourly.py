"""Split a generated log or event file into hourly files, the way servers deliver them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from footfall.readers.http_log import iter_http_log
from footfall.readers.shop_events import iter_shop_events

__all__ = ["split_hourly"]


def split_hourly(
    log: Path,
    out_dir: Path,
    *,
    kind: str = "http-log",
    late_fraction: float = 0.01,
    max_delay_minutes: float = 50,
    seed: int = 0,
) -> list[Path]:
    """Split a log into hourly files by UTC hour, as servers deliver them: out of order, some lines late.

    A `late_fraction` of lines arrive in a later hour's file, delayed up to `max_delay_minutes`;
    bad lines stay with the line before them. Returns the files in delivery order.
    """
    text = log.read_text(encoding="utf-8", errors="surrogateescape")
    lines = pl.Series("raw", text.removesuffix("\n").split("\n") if text else [], dtype=pl.String)
    reader = iter_http_log if kind == "http-log" else iter_shop_events
    parts = [batch.events.select("line_number", "ts") for batch in reader([log])]
    hours = pl.concat(parts).with_columns(hour=pl.col("ts").dt.truncate("1h")) if parts else None
    rng = np.random.default_rng(seed)
    frame = pl.DataFrame({"line_number": np.arange(1, len(lines) + 1, dtype=np.int64), "raw": lines})
    if hours is not None:
        frame = frame.join(hours.select("line_number", "ts"), on="line_number", how="left")
    else:
        frame = frame.with_columns(ts=pl.lit(None, pl.Datetime("us", "UTC")))
    delay = np.where(rng.random(frame.height) < late_fraction, rng.random(frame.height) * max_delay_minutes, 0.0)
    frame = frame.with_columns(_delay_us=pl.Series((delay * 60e6).astype(np.int64)))
    frame = frame.with_columns(
        delivered=(pl.col("ts") + pl.duration(microseconds=pl.col("_delay_us")))
        .dt.truncate("1h")
        .forward_fill()
        .backward_fill()
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for (hour,), rows in frame.sort("delivered", "line_number").partition_by("delivered", as_dict=True).items():
        path = out_dir / f"{log.stem}-{hour:%Y-%m-%dT%H}{log.suffix}"
        path.write_text("".join(f"{raw}\n" for raw in rows["raw"]), encoding="utf-8", errors="surrogateescape")
        paths.append(path)
    return sorted(paths)
