"""Read web-shop events (docs/data-contracts.md → Web-shop events) into events and rejects, streaming.

`{"id", "type", "event": {"user-agent", "ip", "customer-id", "timestamp", ...type fields}}`,
as JSON lines or as one JSON array — detected from the content: one object per line (the
`[`, `]` lines and the commas between objects are not records) or pretty-printed (objects
reassembled by `json_arrays.iter_array_objects`); Parquet files are read by `shop_parquet.py`.
Timestamps without an offset are UTC. Unknown types are kept. A null `customer-id` is kept (an
anonymous event: counted, never sessionized).
Lines are decoded vectorized; a batch that fails is bisected so only the bad lines are examined
one by one and rejected with a reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from footfall.readers.json_arrays import array_layout, iter_array_objects
from footfall.readers.lines import (
    CHUNK_BYTES,
    MARK_DETAILS,
    REJECT_SCHEMA,
    ParsedBatch,
    iter_parsed,
    mark_reason,
    unmarked,
)
from footfall.readers.timestamps import TIMESTAMP_ERRORS, parse_timestamps

__all__ = [
    "EVENT_FIELDS",
    "EVENT_SCHEMA",
    "KNOWN_TYPES",
    "REJECT_SCHEMA",
    "iter_shop_events",
    "parse_shop_lines",
    "shop_records",
]

KNOWN_TYPES = (
    "page_view",
    "search",
    "add_product_to_cart",
    "remove_product_from_cart",
    "visit_related_product",
    "visit_recently_visited_product",
    "visit_personal_recommendation",
    "sign_up_success",
    "placed_order",
)
EVENT_FIELDS = ("user-agent", "ip", "customer-id", "timestamp", "page", "referrer", "query", "product", "position")
_JSON_TYPE = pl.Struct({"id": pl.String, "type": pl.String, "event": pl.Struct({f: pl.String for f in EVENT_FIELDS})})
_TEXT_FIELDS = ("id", "type", *EVENT_FIELDS)  # decoded `\u0000` escapes must not reach a warehouse
_PIECE = 256  # bisect a failing batch down to pieces this small, then look at each line

EVENT_SCHEMA = pl.Schema(
    {
        "seq": pl.Int64(),
        "source_file": pl.String(),
        "line_number": pl.Int64(),
        "event_id": pl.String(),
        "type": pl.String(),
        "ts": pl.Datetime("us", "UTC"),
        "customer_id": pl.String(),
        "user_agent": pl.String(),
        "ip": pl.String(),
        "page": pl.String(),
        "referrer": pl.String(),
        "query": pl.String(),
        "product": pl.String(),
        "position": pl.Int64(),
    }
)


def iter_shop_events(
    paths: Sequence[Path], *, chunk_bytes: int = CHUNK_BYTES, first_seq: int = 0
) -> Iterator[ParsedBatch]:
    """Stream event files in the given order; `seq` numbers events across all files from `first_seq`.

    A Parquet file (by its first bytes) is read by `shop_parquet.iter_parquet_events`: a row is an event."""
    from footfall.readers.shop_parquet import is_parquet, iter_parquet_events

    seq = first_seq
    for path in paths:
        layout = "parquet" if is_parquet(path) else array_layout(path)
        if layout == "parquet":
            batches = iter_parquet_events(path, first_seq=seq)
        elif layout == "pretty":
            batches = iter_array_objects(path, parse_shop_lines, first_seq=seq)
        else:
            array = layout == "lines"

            def parse(lines: pl.Series, source: str, array: bool = array) -> tuple[pl.DataFrame, pl.DataFrame]:
                return parse_shop_lines(lines, source_file=source, array=array)

            batches = iter_parsed([path], parse, chunk_bytes=chunk_bytes, first_seq=seq)
        for batch in batches:
            seq += batch.events.height + batch.rejects.height
            yield batch


def parse_shop_lines(
    lines: pl.Series, *, source_file: str, array: bool = False, line_numbers: pl.Series | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split lines (numbered from line 1, seq 0) into (events, rejects); every record lands in exactly one.

    `array`: the lines are a JSON array's, one object per line: `[`, `]` and blank lines are not
    records and a comma after an object is dropped. `line_numbers`: each record's own line (the
    first line of a pretty-printed object), instead of its position.
    """
    n = len(lines)
    df = pl.DataFrame(
        {
            "line_number": line_numbers if line_numbers is not None else pl.int_range(1, n + 1, eager=True),
            "raw": lines.cast(pl.String),
        },
        schema={"line_number": pl.Int64, "raw": pl.String},
    )
    if array:
        text = pl.col("raw").str.strip_chars()
        df = df.filter(~text.is_in(["[", "]", "],", ""])).with_columns(raw=text.str.strip_suffix(","))
    df = df.with_columns(seq=pl.int_range(pl.len(), dtype=pl.Int64))
    n = df.height
    raw, marked = pl.col("raw"), mark_reason(pl.col("raw"))
    blank = raw.str.strip_chars() == ""
    pre = df.select(
        pl.when(marked.is_not_null())
        .then(marked)
        .when(blank)
        .then(pl.lit("empty_line"))
        .otherwise(pl.lit(None, pl.String))
    ).to_series()
    decoded, reasons = _decode(df["raw"], pre)
    df = df.with_columns(decoded.alias("j"), reasons.alias("reason")).unnest("j").unnest("event")
    return shop_records(df, source_file=source_file)


def shop_records(df: pl.DataFrame, *, source_file: str, columns: bool = False) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Decoded records → (events, rejects), by the contract's rules (the one place they are written).

    `df`: `line_number`, `seq`, `raw` (a reject's text), `reason` (set where the record is rejected
    already), `id`, `type` and the event fields as text (`EVENT_FIELDS`); a source with typed
    instants and positions (Parquet) brings `ts`, `ts_error` and `position_int` too. `columns`: the
    rejects' details name Parquet columns (`column timestamp`) instead of JSON fields (`field event.timestamp`).
    """
    df = (df if "ts" in df.columns else _typed(df)).with_columns(reason=_reason())
    good, bad = df.filter(pl.col("reason").is_null()), df.filter(pl.col("reason").is_not_null())
    events = good.select(
        "seq",
        source_file=pl.lit(source_file),
        line_number="line_number",
        event_id="id",
        type="type",
        ts="ts",
        customer_id=pl.col("customer-id").replace("", None),
        user_agent="user-agent",
        ip="ip",
        page="page",
        referrer="referrer",
        query="query",
        product="product",
        position="position_int",
    )
    rejects = bad.select(
        source_file=pl.lit(source_file),
        line_number="line_number",
        reason="reason",
        detail=_detail(columns=columns),
        raw=unmarked(pl.col("raw")),
    )
    return events.cast(EVENT_SCHEMA), rejects.cast(REJECT_SCHEMA)


def _typed(df: pl.DataFrame) -> pl.DataFrame:
    """`df` with `ts`, `ts_error` (parse_timestamps; no offset: UTC) and `position_int` from their text."""
    stamps = parse_timestamps(df["timestamp"].fill_null(""), assume_tz="UTC")
    return df.with_columns(
        stamps["ts"],
        stamps["error"].alias("ts_error"),
        pl.col("position").cast(pl.Int64, strict=False).alias("position_int"),
    )


def _reason() -> pl.Expr:
    """Why a record is rejected (null: it is an event), the first rule it breaks."""
    missing = [pl.col(f).is_null() | (pl.col(f) == "") for f in ("id", "type", "timestamp")]
    return (
        pl.when(pl.col("reason").is_not_null())
        .then(pl.col("reason"))
        .when(missing[0])
        .then(pl.lit("missing_id"))
        .when(missing[1])
        .then(pl.lit("missing_type"))
        .when(missing[2])
        .then(pl.lit("missing_timestamp"))
        .when(pl.col("ts_error").is_not_null())
        .then(pl.col("ts_error"))
        .when(pl.col("position").is_not_null() & pl.col("position_int").is_null())
        .then(pl.lit("bad_position"))
        .when(pl.any_horizontal(pl.col(f).str.contains("\x00", literal=True) for f in _TEXT_FIELDS))
        .then(pl.lit("nul_byte"))
    )


def _decode(raw: pl.Series, reasons: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Decode JSON lines (lines with a reason already are skipped); failures get a reason.

    The whole batch is tried first (the common case); if it fails, fixed pieces are tried,
    and only inside a failing piece are lines examined one by one.
    """
    whole = _try_decode(raw, reasons)
    if whole is not None:
        return whole, reasons
    decoded, out = [], []
    for start in range(0, len(raw), _PIECE):
        piece, why = raw.slice(start, _PIECE), reasons.slice(start, _PIECE)
        result = _try_decode(piece, why)
        if result is None:
            why = pl.Series(
                [r or _problem(t) for t, r in zip(piece.to_list(), why.to_list(), strict=True)], dtype=pl.String
            )
            result = _try_decode(piece, why)
            if result is None:  # a value of the wrong kind that json.loads cannot see: one line at a time
                why = pl.Series(
                    [
                        r
                        or (
                            "bad_value"
                            if _try_decode(pl.Series([t]), pl.Series([None], dtype=pl.String)) is None
                            else None
                        )
                        for t, r in zip(piece.to_list(), why.to_list(), strict=True)
                    ],
                    dtype=pl.String,
                )
                result = _try_decode(piece, why)
            assert result is not None
        decoded.append(result)
        out.append(why)
    return pl.concat(decoded), pl.concat(out)


def _try_decode(raw: pl.Series, reasons: pl.Series) -> pl.Series | None:
    """The decoded structs (null where a reason is set), or None if any other line fails."""
    todo = raw.zip_with(reasons.is_null(), pl.Series([None] * len(raw), dtype=pl.String))
    try:
        return todo.str.json_decode(_JSON_TYPE)
    except pl.exceptions.PolarsError:
        return None


def _problem(text: str) -> str | None:
    """Why one line cannot have the event shape, as far as plain JSON parsing can tell (None: looks fine)."""
    try:
        value: Any = json.loads(text)
    except RecursionError:
        return "too_deeply_nested"
    except ValueError:
        return "invalid_json"
    if not isinstance(value, dict):
        return "not_an_object"
    if "event" in value and value["event"] is not None and not isinstance(value["event"], dict):
        return "event_not_an_object"
    scalars = [value.get("id"), value.get("type"), *((value.get("event") or {}).get(f) for f in EVENT_FIELDS)]
    if any(isinstance(v, dict | list) for v in scalars):
        return "nested_value"
    return None


_DETAILS = {
    "empty_line": "the line is empty",
    **MARK_DETAILS,
    "invalid_json": "the line is not valid JSON",
    "too_deeply_nested": "the line nests objects or arrays too deeply to read",
    "nul_byte": "the line holds a NUL byte, or a field a NUL character (\\u0000)",
    "not_an_object": "the line is not a JSON object",
    "event_not_an_object": "field event: not a JSON object",
    "nested_value": "a field that should hold a single value holds an object or a list",
    "bad_value": "a field has a value of the wrong kind",
    "missing_id": "field id is missing or empty",
    "missing_type": "field type is missing or empty",
    "missing_timestamp": "field event.timestamp is missing or empty",
    "bad_position": "field event.position: not a whole number",
    **{k: f"field event.timestamp: {v.split(' (')[0]}" for k, v in TIMESTAMP_ERRORS.items()},
}


def _detail(*, columns: bool) -> pl.Expr:
    """A reject's detail from its reason; `columns`: name Parquet columns rather than JSON fields."""

    def named(text: str) -> str:
        return text.replace("field event.", "column ").replace("field ", "column ") if columns else text

    expr: Any = pl.when(pl.lit(False)).then(pl.lit(None, pl.String))
    for code, text in _DETAILS.items():
        if code in TIMESTAMP_ERRORS:
            value = pl.lit(named("field event.timestamp: '")) + pl.col("timestamp").fill_null("") + pl.lit("' ")
            expr = expr.when(pl.col("reason") == code).then(value + pl.lit(TIMESTAMP_ERRORS[code]))
        elif code == "bad_position":
            expr = expr.when(pl.col("reason") == code).then(
                pl.lit(named("field event.position: '")) + pl.col("position") + pl.lit("' is not a whole number")
            )
        else:
            expr = expr.when(pl.col("reason") == code).then(pl.lit(named(text)))
    return expr  # type: ignore[no-any-return]
