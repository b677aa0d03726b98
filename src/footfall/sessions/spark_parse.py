"""Parse numbered lines on Spark into footfall's events and rejects, with the embedded readers' rules.

HTTP logs: a line of the common shape (single spaces, a known method, `…SS[.f](Z|±HH:MM)`, a real
date, a plain `/campaigns/{id}` or `/rewards/{id}` if any) is parsed by Spark SQL functions —
the readers' fast path, the same regular expressions (readers/http_log.py, readers/timestamps.py).
Every other line (bad lines, and good ones of an unusual shape: a few in real logs) goes, a batch
of lines at a time through Arrow, to `parse_http_log_lines` itself, so each reject gets the very
reason, detail and raw text the embedded engine gives. The two steps are separate passes so that
only those lines cross into Python: `parse_http_lines` (Spark SQL only, run and written once) keeps
a line's `bytes` where the reader must decide it, and `read_the_rest` sends just those rows through
one `mapInArrow` (0.1 % of the generated benchmark lines; sending every row through Python was about half
of the Spark time). Web-shop JSON lines take the same two passes (`spark_shop_parse.py`, with
`through_reader` and `utc_parts` from here).

Both give the frame `parsed`: the events' columns plus `reason`, `detail`, `raw` (set on rejects):
the union of the SQL rows without `bytes` and the reader's rows (`with_the_rest`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from footfall.readers.http_log import KNOWN_METHODS, NOT_PLAIN_ID
from footfall.readers.timestamps import COMMON_SHAPE
from footfall.sessions.spark_lines import seq

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import Column, DataFrame

__all__ = [
    "HTTP_PARSED",
    "MAX_US",
    "MIN_US",
    "REJECT_COLUMNS",
    "Reader",
    "arrow_batches",
    "parse_http_lines",
    "read_the_rest",
    "through_reader",
    "utc_parts",
    "with_the_rest",
]

REJECT_COLUMNS = "reason string, detail string, raw string"
HTTP_PARSED = (
    "file_index int, line_number long, source_file string, ts timestamp, utc_offset_minutes short, "
    "sub_micro_nanos short, method string, path string, user_id string, kind string, campaign_id string, "
    f"reward_id string, {REJECT_COLUMNS}"
)
_COMMON_LINE = rf"^{COMMON_SHAPE.replace(chr(92) + 'd', '[0-9]')} (?:{'|'.join(KNOWN_METHODS)}) /[^ \t]* [^ \t]+$"
MIN_US, MAX_US = -62_135_596_800_000_000, 253_402_300_799_999_999  # readers/timestamps.py: years 1 to 9999


def parse_http_lines(lines: DataFrame, *, assume_tz: str | None, max_line_bytes: int) -> DataFrame:
    """`numbered_lines` → HTTP_PARSED plus `seq` and `bytes`: common lines parsed by Spark SQL; `bytes` (the
    line as read) set, and the other columns left empty, on lines the reader decides (`read_the_rest`)."""
    from pyspark.sql import functions as F

    text = F.regexp_replace("value", "\r\\z", "")
    readable = (F.octet_length(text) <= max_line_bytes) & F.is_valid_utf8("value") & ~F.contains("value", F.lit("\x00"))
    common = lines.withColumn("line", text).withColumn("_common", readable & F.col("line").rlike(_COMMON_LINE))
    fields = F.split(F.col("line"), " ", 4)
    parsed = common.select(
        "*",
        *[
            F.when(F.col("_common"), fields[i]).alias(name)
            for i, name in enumerate(("_t", "method", "path", "user_id"))
        ],
    ).select("*", *utc_parts(F.col("_t")))
    fast_ok = F.col("_utc_us").between(MIN_US, MAX_US) & ~F.col("path").rlike(NOT_PLAIN_ID)
    marked = parsed.withColumn("_fast", F.col("_common") & F.coalesce(fast_ok, F.lit(False)))
    fast = F.col("_fast")
    rows = marked.select(
        "file_index",
        "line_number",
        "source_file",
        F.when(fast, F.timestamp_micros("_utc_us")).alias("ts"),
        F.when(fast, F.col("_offset").cast("short")).alias("utc_offset_minutes"),
        F.when(fast, (F.col("_frac_ns") % 1000).cast("short")).alias("sub_micro_nanos"),
        "method",
        "path",
        "user_id",
        *_kind_and_ids(),
        *[F.lit(None).cast("string").alias(c) for c in ("reason", "detail", "raw")],
        F.when(~fast, F.col("value").cast("binary")).alias("bytes"),  # set: the reader decides this line
    )
    return rows.withColumn("seq", seq(F.col("file_index"), F.col("line_number")))


def read_the_rest(rows: DataFrame, *, assume_tz: str | None, max_line_bytes: int) -> DataFrame:
    """The rows of `parse_http_lines` output that carry `bytes`, parsed by footfall's reader (HTTP_PARSED, `seq`)."""
    from pyspark.sql import functions as F

    rest = rows.where(F.col("bytes").isNotNull()).select("file_index", "line_number", "source_file", "bytes")
    parsed = rest.mapInArrow(_http_reader(assume_tz, max_line_bytes), HTTP_PARSED)
    return parsed.withColumn("seq", seq(F.col("file_index"), F.col("line_number")))


def with_the_rest(rows: DataFrame, rest: DataFrame, *, marker: str = "bytes") -> DataFrame:
    """`parsed`: the rows SQL parsed (no `marker`: the input left for the reader) and `rest` (the reader's
    rows, e.g. `read_the_rest` of `rows`), in `rest`'s columns."""
    from pyspark.sql import functions as F

    return rows.where(F.col(marker).isNull()).select(rest.columns).unionByName(rest)


def utc_parts(t: Column) -> list[Column]:
    """`_utc_us`, `_offset`, `_frac_ns` of a common-shape timestamp (readers/timestamps.py `common_shape_parts`)."""
    from pyspark.sql import functions as F

    local = F.unix_micros(F.try_to_timestamp(F.substring(t, 1, 19), F.lit("yyyy-MM-dd'T'HH:mm:ss")))
    digits = F.regexp_extract(t, r"^.{19}\.([0-9]{1,9})", 1)
    frac_ns = F.when(digits == "", F.lit(0)).otherwise(F.rpad(digits, 9, "0").try_cast("long"))
    off = F.substring(t, -6, 6)
    sign = F.when(off.startswith("-"), F.lit(-1)).otherwise(F.lit(1))
    minutes = F.substring(off, 2, 2).try_cast("int") * 60 + F.substring(off, 5, 2).try_cast("int")
    offset = F.when(t.endswith("Z"), F.lit(0)).otherwise(sign * minutes)
    utc_us = local + F.floor(frac_ns / 1000).cast("long") - offset.cast("long") * 60_000_000
    return [utc_us.alias("_utc_us"), offset.alias("_offset"), frac_ns.alias("_frac_ns")]


def _kind_and_ids() -> list[Column]:
    """kind, campaign_id, reward_id (readers/http_log.py `_kind_and_ids`)."""
    from pyspark.sql import functions as F

    path, method = F.col("path"), F.col("method")
    campaign = F.when(path.startswith("/campaigns/"), F.substring(path, 12, 1 << 30))
    reward = F.when(path.startswith("/rewards/"), F.substring(path, 10, 1 << 30))
    is_view, is_reward = (method == "GET") & campaign.isNotNull(), (method == "POST") & reward.isNotNull()
    kind = F.when(is_view, F.lit("campaign_view")).when(is_reward, F.lit("reward_issued")).otherwise(F.lit("other"))
    return [
        kind.alias("kind"),
        F.when(is_view, campaign).alias("campaign_id"),
        F.when(is_reward, reward).alias("reward_id"),
    ]


Reader = Callable[[Iterator["pa.RecordBatch"]], Iterator["pa.RecordBatch"]]


def _http_reader(assume_tz: str | None, max_line_bytes: int) -> Reader:
    def read(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from footfall.readers.http_log import parse_http_log_lines

        def parse(lines: Any, source: str) -> tuple[Any, Any]:
            return parse_http_log_lines(lines, source_file=source, assume_tz=assume_tz)

        yield from through_reader(batches, parse, HTTP_PARSED, max_line_bytes)

    return read


def through_reader(
    batches: Iterator[pa.RecordBatch], parse: Callable[[Any, str], tuple[Any, Any]] | None, ddl: str, limit: int
) -> Iterator[pa.RecordBatch]:
    """Rows (each with its `bytes`) through footfall's reader, a file's lines at a time (its positional line
    numbers mapped back)."""
    import polars as pl

    from footfall.readers.lines import decoded_line
    from footfall.readers.shop_events import parse_shop_lines

    names = [field.strip().split(" ")[0] for field in ddl.split(",")]
    for batch in batches:
        frame = pl.from_arrow(batch)
        assert isinstance(frame, pl.DataFrame)
        for (index, source), part in frame.group_by("file_index", "source_file", maintain_order=True):
            raws = [b[:-1] if b.endswith(b"\r") else b for b in part["bytes"].to_list()]
            lines = pl.Series("line", [decoded_line(b, limit) for b in raws], dtype=pl.String)
            if parse is None:
                numbers = part["line_number"]
                events, rejects = parse_shop_lines(
                    lines, source_file=str(source), array=bool(part["array"][0]), line_numbers=numbers
                )
            else:
                events, rejects = parse(lines, str(source))
                real = part["line_number"]
                events = events.with_columns(line_number=real.gather(events["line_number"] - 1))
                rejects = rejects.with_columns(line_number=real.gather(rejects["line_number"] - 1))
            enums = [name for name, dtype in events.schema.items() if isinstance(dtype, pl.Enum)]
            out = pl.concat(
                [events.with_columns(pl.col(enums).cast(pl.String)).drop("seq"), rejects], how="diagonal_relaxed"
            ).with_columns(file_index=pl.lit(index, pl.Int32))
            yield from arrow_batches(out.select(names), ddl)


def arrow_batches(frame: Any, ddl: str) -> Iterator[pa.RecordBatch]:
    """`frame` as Arrow batches in the Spark schema's exact types (microsecond UTC instants, 16-bit ints)."""
    import polars as pl
    import pyarrow as pa

    types = {"int": pa.int32(), "long": pa.int64(), "short": pa.int16(), "string": pa.string()}
    fields = []
    for field in ddl.split(","):
        name, kind = field.strip().split(" ")
        fields.append(pa.field(name, pa.timestamp("us", tz="UTC") if kind == "timestamp" else types[kind]))
    table = frame.to_arrow(compat_level=pl.CompatLevel.oldest()).cast(pa.schema(fields))
    yield from table.to_batches()
