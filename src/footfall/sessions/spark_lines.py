"""Text files as numbered lines on Spark: the line numbers footfall's readers give, without one task per file.

Spark splits a big file into blocks read by different tasks and gives no line numbers. Within a
block, rows keep file order, and `monotonically_increasing_id()` increases along a task's rows;
so a line's number is its place in its block plus the lines of the file's earlier blocks. Those
come from one small aggregation (a row per block), broadcast back. Lines are split at `\\n` only
(as footfall's readers do; a `\\r` before it is dropped later, with the line's text).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce
from typing import TYPE_CHECKING

from footfall.errors import InputError
from footfall.sessions.spark_setup import one_line

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

__all__ = ["FILE_BITS", "numbered_lines", "seq"]

FILE_BITS = 40  # seq = file index << FILE_BITS | (line number - 1): the tie-break of file order


def numbered_lines(
    spark: SparkSession,
    files: Sequence[str],
    *,
    names: Sequence[str] | None = None,
    indices: Sequence[int] | None = None,
) -> DataFrame:
    """Every line of `files`: file_index (`indices[i]`, default i), source_file (`names[i]`, default the path),
    line_number (from 1), value (text as read)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    shown, numbers = names or files, indices or range(len(files))
    parts = [_read(spark, numbers[i], path, shown[i]) for i, path in enumerate(files)]
    lines = reduce(lambda a, b: a.unionByName(b), parts)
    blocks = lines.groupBy("file_index", "_block").agg(F.count("*").alias("_lines"), F.min("_row").alias("_first"))
    earlier = Window.partitionBy("file_index").orderBy("_block").rowsBetween(Window.unboundedPreceding, -1)
    blocks = blocks.withColumn("_before", F.coalesce(F.sum("_lines").over(earlier), F.lit(0)))
    return lines.join(F.broadcast(blocks), ["file_index", "_block"]).select(
        "file_index",
        "source_file",
        (F.col("_row") - F.col("_first") + F.col("_before") + 1).alias("line_number"),
        "value",
    )


def seq(file_index: Column, line_number: Column) -> Column:
    """The run-wide position of a line (file order, then line order): the engines' tie-break."""
    from pyspark.sql import functions as F

    return F.shiftleft(file_index.cast("long"), FILE_BITS) + line_number - 1


def _read(spark: SparkSession, index: int, path: str, name: str) -> DataFrame:
    from pyspark.errors import AnalysisException
    from pyspark.sql import functions as F

    try:
        frame = spark.read.option("lineSep", "\n").text(path)
    except AnalysisException as exc:
        raise InputError(f"{path}: Spark cannot read it ({one_line(exc)})") from None
    return frame.select(
        F.lit(index).alias("file_index"),
        F.lit(name).alias("source_file"),
        F.col("_metadata.file_block_start").alias("_block"),
        F.monotonically_increasing_id().alias("_row"),
        "value",
    )
