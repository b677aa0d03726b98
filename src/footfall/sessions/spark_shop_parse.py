"""Parse web-shop JSON lines on Spark into footfall's events and rejects, with the embedded reader's rules.

A line of the common, well-formed shape — `{"id": …, "type": …, "event": {…}}` in that order, at
most one space between tokens, event fields only from the contract's nine, in its order (user-agent,
ip, customer-id, timestamp, page, referrer, query, product, position; so none twice), values that
are strings without escapes or control characters, whole numbers of up to 18 digits without leading
zeros, or null; a non-empty id, type and timestamp; a timestamp `…SS[.f][Z|±HH:MM]` that is a real
instant in the years 1 to 9999; a position that is a whole number — is parsed by Spark SQL functions
(`rlike`, `from_json` with an explicit schema, `try_to_timestamp`). For such a line, JSON decoding
has only one reading, so the fields are exactly what `parse_shop_lines` (readers/shop_events.py)
gives: a number becomes its digits, `""` as customer-id an anonymous event, no offset UTC.
Every other line — bad ones, and good ones the reader reads in its own way (escapes, floats,
booleans, fields in another order or twice, extra fields, other white space, offsets like `+0800`) — keeps its
`bytes` and goes, in a second pass (`read_the_shop_rest`), through `parse_shop_lines` itself, so
rejects get the very reason, detail and raw text of the embedded engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from footfall.readers.timestamps import COMMON_SHAPE
from footfall.sessions.spark_lines import seq
from footfall.sessions.spark_parse import MAX_US, MIN_US, REJECT_COLUMNS, Reader, through_reader, utc_parts

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import Column, DataFrame

__all__ = ["SHOP_PARSED", "STAMP", "parse_shop_lines_on_spark", "read_the_shop_rest", "stamp_parts"]

SHOP_PARSED = (
    "file_index int, line_number long, source_file string, event_id string, type string, ts timestamp, "
    "customer_id string, user_agent string, ip string, page string, referrer string, query string, "
    f"product string, position long, {REJECT_COLUMNS}"
)
# readers/shop_events.py: the event fields, and the column each becomes
_FIELDS = {
    "user-agent": "user_agent",
    "ip": "ip",
    "customer-id": "customer_id",
    "timestamp": "_timestamp",
    "page": "page",
    "referrer": "referrer",
    "query": "query",
    "product": "product",
    "position": "_position",
}
_STRING = r'"[^"\\\x00-\x1f]*+"'  # no escape, no control character: its text is its value
_WHOLE = "(?:0|-?[1-9][0-9]{0,17})"  # a JSON integer the reader turns into these very digits
_VALUE = rf"(?:{_STRING}|{_WHOLE}|null)"
# the event's fields in the contract's order, each at most once (so none is repeated: decoders differ on
# which copy wins); after a comma another field must follow, so no trailing comma
_EVENT = r"\{ ?" + "".join(rf'(?:"{field}" ?: ?{_VALUE}(?: ?, ?(?=")|(?= ?\}})))?' for field in _FIELDS) + r" ?\}"
COMMON_EVENT = rf'^\{{ ?"id" ?: ?(?:{_STRING}|{_WHOLE}) ?, ?"type" ?: ?{_STRING} ?, ?"event" ?: ?{_EVENT} ?\}}$'
STAMP = "^" + COMMON_SHAPE.replace(chr(92) + "d", "[0-9]") + "?$"  # the offset may be left out: UTC
_SCHEMA = "id string, type string, event struct<" + ", ".join(f"`{f}`: string" for f in _FIELDS) + ">"


def parse_shop_lines_on_spark(lines: DataFrame, *, arrays: list[bool], max_line_bytes: int) -> DataFrame:
    """`numbered_lines` → SHOP_PARSED plus `seq`, `bytes` and `array`: common lines parsed by Spark SQL; `bytes`
    set (and the other columns empty) on lines the reader decides; `arrays[i]`: file i is a JSON array."""
    from pyspark.sql import functions as F

    array = F.col("file_index").isin([i for i, a in enumerate(arrays) if a] or [-1])
    text = F.regexp_replace("value", "\r\\z", "")
    readable = (F.octet_length(text) <= max_line_bytes) & F.is_valid_utf8("value") & ~F.contains("value", F.lit("\x00"))
    record = F.when(array, F.regexp_replace(text, ",\\z", "")).otherwise(text)  # an array's line: `{…},`
    common = readable & record.rlike(COMMON_EVENT)
    marked = lines.select("*", array.alias("array"), common.alias("_common"), record.alias("_record"))
    decoded = marked.select("*", F.from_json(F.when(F.col("_common"), F.col("_record")), _SCHEMA).alias("_j")).select(
        "*", *_fields()
    )
    parts = decoded.select("*", *stamp_parts(F.col("_timestamp")))
    fast = F.col("_common") & F.coalesce(_well_formed(), F.lit(False))
    rows = parts.withColumn("_fast", fast).select(
        "file_index",
        "line_number",
        "source_file",
        *[F.when(F.col("_fast"), F.col(c)).alias(c) for c in ("event_id", "type")],
        F.when(F.col("_fast"), F.timestamp_micros("_utc_us")).alias("ts"),
        F.when(F.col("_fast"), F.nullif(F.col("customer_id"), F.lit(""))).alias("customer_id"),
        *[F.when(F.col("_fast"), F.col(c)).alias(c) for c in ("user_agent", "ip", "page", "referrer", "query")],
        F.when(F.col("_fast"), F.col("product")).alias("product"),
        F.when(F.col("_fast"), F.col("_position").cast("long")).alias("position"),
        *[F.lit(None).cast("string").alias(c) for c in ("reason", "detail", "raw")],
        F.when(~F.col("_fast"), F.col("value").cast("binary")).alias("bytes"),  # set: the reader decides
        "array",
    )
    return rows.withColumn("seq", seq(F.col("file_index"), F.col("line_number")))


def read_the_shop_rest(rows: DataFrame, *, max_line_bytes: int) -> DataFrame:
    """The rows of `parse_shop_lines_on_spark` output that carry `bytes`, parsed by `parse_shop_lines`
    (SHOP_PARSED plus `seq`)."""
    from pyspark.sql import functions as F

    rest = rows.where(F.col("bytes").isNotNull()).select("file_index", "line_number", "source_file", "bytes", "array")
    parsed = rest.mapInArrow(_shop_reader(max_line_bytes), SHOP_PARSED)
    return parsed.withColumn("seq", seq(F.col("file_index"), F.col("line_number")))


def stamp_parts(stamp: Column) -> list[Column]:
    """`utc_parts` (`_utc_us`, …) of a web-shop timestamp of STAMP's shape: one without an offset is UTC."""
    from pyspark.sql import functions as F

    with_offset = stamp.endswith("Z") | F.substring(stamp, -6, 1).isin("+", "-")  # STAMP: no sign in the time
    return utc_parts(F.when(with_offset, stamp).otherwise(F.concat(stamp, F.lit("Z"))))


def _fields() -> list[Column]:
    """The decoded line's values as columns: event_id, type, and each event field's (`_FIELDS`)."""
    from pyspark.sql import functions as F

    event = F.col("_j").getField("event")
    return [
        F.col("_j").getField("id").alias("event_id"),
        F.col("_j").getField("type").alias("type"),
        *[event.getField(field).alias(name) for field, name in _FIELDS.items()],
    ]


def _well_formed() -> Column:
    """What makes a common line an event for the reader, with no reason to reject it."""
    from pyspark.sql import functions as F

    position = F.col("_position")
    return (
        (F.col("event_id") != "")
        & (F.col("type") != "")
        & F.col("_timestamp").rlike(STAMP)
        & F.col("_utc_us").between(MIN_US, MAX_US)
        & (position.isNull() | position.rlike(f"^{_WHOLE}$"))
    )


def _shop_reader(max_line_bytes: int) -> Reader:
    def read(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        yield from through_reader(batches, None, SHOP_PARSED, max_line_bytes)

    return read
