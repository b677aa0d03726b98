"""Web-shop events from Parquet files on Spark, with the embedded reader's rules (readers/shop_parquet.py).

Each file is read with its row numbers (`_metadata.row_index`: the line numbers of rejects) and its
columns checked against the contract before any work (`check_columns`: one line naming the file
and the column). A row is parsed by Spark SQL when it is plainly an event — a non-empty id and
type, an instant in the years 1 to 9999 (a Parquet timestamp, or text of the shape
`…SS[.f][Z|±HH:MM]`), no NUL character —, exactly as the reader would; every other row keeps its
values (`_row`) and goes, in a second pass, through `parse_shop_rows` itself (a batch at a time
through Arrow), so rejects get the embedded engine's reasons, details and raw text.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import reduce
from typing import TYPE_CHECKING, Any

from footfall.errors import InputError
from footfall.readers.shop_parquet import PARQUET_COLUMNS, check_columns
from footfall.sessions.spark_lines import seq
from footfall.sessions.spark_parse import MAX_US, MIN_US, Reader, arrow_batches
from footfall.sessions.spark_setup import one_line
from footfall.sessions.spark_shop_parse import SHOP_PARSED, STAMP, stamp_parts

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import Column, DataFrame, SparkSession

__all__ = ["parquet_rows", "parse_parquet_rows", "read_the_parquet_rest"]

_TEXT = [name for name in PARQUET_COLUMNS if name not in ("timestamp", "position")]
_COLUMNS = {"id": "event_id", "customer-id": "customer_id", "user-agent": "user_agent"}  # the rest keep their names


def parquet_rows(spark: SparkSession, files: Sequence[tuple[int, str, str]]) -> DataFrame:
    """The rows of `files` (file index, path, name shown): file_index, source_file, line_number (the row's
    number, from 1), `_typed` (the file's timestamp is a Parquet timestamp) and the contract's columns, the
    text ones as strings, `position` as long, `timestamp` as `_stamp` (typed) or `_stamp_text`."""
    return reduce(lambda a, b: a.unionByName(b), [_read(spark, *file) for file in files])


def parse_parquet_rows(rows: DataFrame) -> DataFrame:
    """`parquet_rows` → SHOP_PARSED plus `seq` and `_row`: rows that are plainly events parsed by Spark SQL;
    `_row` (the row's values) set, and the other columns left empty, on rows the reader decides."""
    from pyspark.sql import functions as F

    text = F.col("_stamp_text")
    parts = rows.select("*", *stamp_parts(text))
    from_text = F.when(text.rlike(STAMP), F.timestamp_micros("_utc_us"))
    ts = F.when(F.col("_typed"), F.col("_stamp")).otherwise(from_text)
    names = [*_TEXT, "_stamp_text"]
    no_nul = [~F.coalesce(F.contains(F.col(f"`{name}`"), F.lit("\x00")), F.lit(False)) for name in names]
    plain = (
        (F.col("id") != "")
        & (F.col("type") != "")
        & F.unix_micros(ts).between(MIN_US, MAX_US)
        & reduce(lambda a, b: a & b, no_nul)
    )
    fast = F.coalesce(plain, F.lit(False))
    marked = parts.withColumn("_ts", ts).withColumn("_fast", fast)
    out = marked.select(
        "file_index",
        "line_number",
        "source_file",
        *[_when_fast(F.col(f"`{name}`"), _COLUMNS.get(name, name)) for name in ("id", "type")],
        _when_fast(F.col("_ts"), "ts"),
        _when_fast(F.nullif(F.col("`customer-id`"), F.lit("")), "customer_id"),
        *[_when_fast(F.col(f"`{n}`"), _COLUMNS.get(n, n)) for n in ("user-agent", "ip", "page", "referrer", "query")],
        _when_fast(F.col("product"), "product"),
        _when_fast(F.col("position"), "position"),
        *[F.lit(None).cast("string").alias(c) for c in ("reason", "detail", "raw")],
        F.when(~F.col("_fast"), F.struct(*_VALUES)).alias("_row"),  # set: the reader decides
    )
    return out.withColumn("seq", seq(F.col("file_index"), F.col("line_number")))


def read_the_parquet_rest(rows: DataFrame) -> DataFrame:
    """The rows of `parse_parquet_rows` output that carry `_row`, by `parse_shop_rows` (SHOP_PARSED plus `seq`)."""
    from pyspark.sql import functions as F

    rest = rows.where(F.col("_row").isNotNull()).select("file_index", "line_number", "source_file", "_row.*")
    parsed = rest.mapInArrow(_row_reader(), SHOP_PARSED)
    return parsed.withColumn("seq", seq(F.col("file_index"), F.col("line_number")))


_VALUES = ["_typed", "_stamp", "_stamp_text", "position", *[f"`{name}`" for name in _TEXT]]


def _when_fast(value: Column, name: str) -> Column:
    from pyspark.sql import functions as F

    return F.when(F.col("_fast"), value).alias(name)


def _read(spark: SparkSession, index: int, path: str, name: str) -> DataFrame:
    from pyspark.errors import AnalysisException
    from pyspark.sql import functions as F

    try:
        frame = spark.read.parquet(path)
    except AnalysisException as exc:
        hint = "; write timestamps in microseconds" if "NANOS" in str(exc) else ""
        raise InputError(f"{path}: Spark cannot read it ({one_line(exc)}){hint}") from None
    kinds = {field.name: _kind(field.dataType) for field in frame.schema.fields}
    check_columns(name, kinds)
    typed = kinds["timestamp"] == "timestamp"

    def column(name: str, kind: str) -> Column:
        return F.col(f"`{name}`").cast(kind) if name in kinds else F.lit(None).cast(kind)

    return frame.select(
        F.lit(index).alias("file_index"),
        F.lit(name).alias("source_file"),
        (F.col("_metadata.row_index") + 1).alias("line_number"),
        F.lit(typed).alias("_typed"),
        (column("timestamp", "timestamp") if typed else F.lit(None).cast("timestamp")).alias("_stamp"),
        (F.lit(None).cast("string") if typed else column("timestamp", "string")).alias("_stamp_text"),
        column("position", "long").alias("position"),
        *[column(name, "string").alias(name) for name in _TEXT],
    )


def _kind(dtype: Any) -> str:
    """A Spark type as the contract's kinds (readers/shop_parquet.py `parquet_kind`)."""
    from pyspark.sql import types as T

    if isinstance(dtype, T.StringType):
        return "text"
    if isinstance(dtype, T.ByteType | T.ShortType | T.IntegerType | T.LongType):
        return "whole number"
    if isinstance(dtype, T.TimestampType | T.TimestampNTZType):
        return "timestamp"
    return str(dtype.simpleString())


def _row_reader() -> Reader:
    def read(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import polars as pl

        from footfall.readers.shop_parquet import parse_shop_rows

        names = [field.strip().split(" ")[0] for field in SHOP_PARSED.split(",")]
        for batch in batches:
            frame = pl.from_arrow(batch)
            assert isinstance(frame, pl.DataFrame)
            for (index, source, typed), part in frame.group_by(
                "file_index", "source_file", "_typed", maintain_order=True
            ):
                stamp = part["_stamp"] if typed else part["_stamp_text"]
                rows = part.drop("_stamp", "_stamp_text", "_typed").with_columns(timestamp=stamp)
                events, rejects = parse_shop_rows(rows, source_file=str(source))
                out = pl.concat([events.drop("seq"), rejects], how="diagonal_relaxed")
                out = out.with_columns(file_index=pl.lit(index, pl.Int32))
                yield from arrow_batches(out.select(names), SHOP_PARSED)

    return read
