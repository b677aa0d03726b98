"""Read web-shop events from Parquet (docs/data-contracts.md → Web-shop events): a row is an event.

Columns are named like the JSON fields, flat: `id`, `type`, `timestamp` (required), `user-agent`,
`ip`, `customer-id`, `page`, `referrer`, `query`, `product`, `position` (optional: a missing one is
null in every row); other columns are ignored. `timestamp` is a Parquet timestamp (one without a
time zone is UTC) or ISO-8601 text read like the JSON field; `id`, `customer-id` and `product` are
text or whole numbers (a number becomes its digits, as in JSON); `position` is a whole number; the
rest is text. A row's number in the file (from 1) is its line number in rejects, and file order
breaks ties. Rows go through `shop_records`, the JSON reader's rules, so a bad row is a reject
with the same reason (its raw text is the row as JSON); a column of the wrong type, or a required
one missing, makes the file unusable: one line naming the file and the column.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import pyarrow as pa

from footfall.errors import InputError
from footfall.readers.lines import ParsedBatch
from footfall.readers.shop_events import EVENT_FIELDS, shop_records
from footfall.readers.timestamps import parse_timestamps

if TYPE_CHECKING:
    import pyarrow.parquet as pq

__all__ = [
    "PARQUET_COLUMNS",
    "check_columns",
    "checked_file",
    "is_parquet",
    "iter_parquet_events",
    "parquet_kind",
    "parse_shop_rows",
]

PARQUET_COLUMNS: dict[str, tuple[str, ...]] = {  # column → the kinds of Parquet type it may have
    "id": ("text", "whole number"),
    "type": ("text",),
    "timestamp": ("timestamp", "text"),
    "user-agent": ("text",),
    "ip": ("text",),
    "customer-id": ("text", "whole number"),
    "page": ("text",),
    "referrer": ("text",),
    "query": ("text",),
    "product": ("text", "whole number"),
    "position": ("whole number",),
}
REQUIRED = ("id", "type", "timestamp")
_MIN_US, _MAX_US = -62_135_596_800_000_000, 253_402_300_799_999_999  # readers/timestamps.py: years 1 to 9999
_BATCH = 100_000  # rows read at once
_MAGIC = b"PAR1"


def is_parquet(path: Path) -> bool:
    """Whether `path` is a Parquet file (its first bytes are Parquet's magic number)."""
    try:
        with path.open("rb") as stream:
            return stream.read(4) == _MAGIC
    except OSError:
        return False  # the line reader reports it


def parquet_kind(dtype: pa.DataType) -> str:
    """The kind of an Arrow type, as the contract names them ("text", "whole number", "timestamp"), or the type."""
    if pa.types.is_string(dtype) or pa.types.is_large_string(dtype) or pa.types.is_string_view(dtype):
        return "text"
    if pa.types.is_integer(dtype) and dtype != pa.uint64():
        return "whole number"
    if pa.types.is_timestamp(dtype):
        return "timestamp"
    return str(dtype)


def check_columns(source: str, kinds: Mapping[str, str]) -> None:
    """A one-line error naming `source` and the column, for a required column missing or one of a wrong type."""
    for name in REQUIRED:
        if name not in kinds:
            raise InputError(f"{source}: column {name} is missing (web-shop Parquet needs {', '.join(REQUIRED)})")
    for name, kind in kinds.items():
        allowed = PARQUET_COLUMNS.get(name)
        if allowed is not None and kind not in allowed:
            raise InputError(f"{source}: column {name} is {kind}; it must be {' or '.join(allowed)}")
        spelled = name.replace("_", "-")
        if allowed is None and spelled in PARQUET_COLUMNS and spelled not in kinds:
            raise InputError(f"{source}: column {name}: name it {spelled}, like the JSON field")


def checked_file(path: Path) -> pq.ParquetFile:
    """The Parquet file at `path`, its columns checked (`check_columns`)."""
    import pyarrow.parquet as pq

    try:
        file = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"{path}: cannot be read as Parquet ({exc})") from None
    check_columns(str(path), {field.name: parquet_kind(field.type) for field in file.schema_arrow})
    return file


def iter_parquet_events(path: Path, *, first_seq: int = 0) -> Iterator[ParsedBatch]:
    """Stream a Parquet file of events in row order; `seq` numbers its rows from `first_seq`."""
    file = checked_file(path)
    schema = file.schema_arrow
    columns = [name for name in PARQUET_COLUMNS if name in schema.names]
    line, seq = 1, first_seq
    for batch in file.iter_batches(batch_size=_BATCH, columns=columns):
        frame = pl.from_arrow(batch)
        assert isinstance(frame, pl.DataFrame)
        frame = frame.with_columns(line_number=pl.int_range(line, line + frame.height, dtype=pl.Int64))
        events, rejects = parse_shop_rows(frame, source_file=str(path))
        yield ParsedBatch(events.with_columns(seq=pl.col("seq") + seq), rejects, 0)
        line, seq = line + frame.height, seq + frame.height


def parse_shop_rows(frame: pl.DataFrame, *, source_file: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rows of the contract's columns (typed as PARQUET_COLUMNS allows) and `line_number` → (events, rejects)."""
    text = {
        name: pl.col(name).cast(pl.String) if name in frame.columns else pl.lit(None, pl.String)
        for name in ("id", "type", *EVENT_FIELDS)
        if name not in ("timestamp", "position")
    }
    position = pl.col("position").cast(pl.Int64) if "position" in frame.columns else pl.lit(None, pl.Int64)
    rows = frame.select(
        "line_number",
        seq=pl.int_range(pl.len(), dtype=pl.Int64),
        reason=pl.lit(None, pl.String),
        position_int=position,
        position=position.cast(pl.String),
        **text,
        **_instants(frame.schema["timestamp"]),
    )
    event = pl.struct(*[pl.col(f) for f in EVENT_FIELDS])
    rows = rows.with_columns(raw=pl.struct("id", "type", event.alias("event")).struct.json_encode())
    return shop_records(rows, source_file=source_file, columns=True)


def _instants(dtype: pl.DataType) -> dict[str, pl.Expr]:
    """`ts`, `ts_error` and `timestamp` (its text, for a reject's detail) of the `timestamp` column."""
    stamp = pl.col("timestamp")
    if not isinstance(dtype, pl.Datetime):  # text: the JSON field's rules
        parsed = stamp.map_batches(lambda s: parse_timestamps(s.fill_null(""), assume_tz="UTC").to_struct())
        return {"ts": parsed.struct.field("ts"), "ts_error": parsed.struct.field("error"), "timestamp": stamp}
    utc = stamp.dt.convert_time_zone("UTC") if dtype.time_zone else stamp.dt.replace_time_zone("UTC")
    utc = utc.dt.cast_time_unit("us")
    inside = utc.dt.epoch("us").is_between(_MIN_US, _MAX_US)
    return {
        "ts": pl.when(inside).then(utc),
        "ts_error": pl.when(utc.is_not_null() & ~inside).then(pl.lit("out_of_range")),
        "timestamp": utc.dt.strftime("%Y-%m-%dT%H:%M:%S%.6fZ"),
    }
