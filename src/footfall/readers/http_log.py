"""Read HTTP access logs (docs/data-contracts.md → HTTP access log) into events and rejects, streaming.

Line: `timestamp http_method http_path user_id`, separated by one or more spaces (or tabs).
`GET /campaigns/{id}` is a campaign view, `POST /rewards/{id}` a reward issued; any other
well-formed request is an event of kind `other`. An id is one path segment; a query string
or trailing slash after it is allowed; `/campaigns/` or `/rewards/` with no id is a bad line.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import groupby
from pathlib import Path
from typing import Any

import polars as pl

from footfall.readers.lines import (
    CHUNK_BYTES,
    MARK_DETAILS,
    REJECT_SCHEMA,
    ParsedBatch,
    iter_parsed,
    mark_reason,
    unmarked,
)
from footfall.readers.timestamps import (
    COMMON_SHAPE,
    TIMESTAMP_ERRORS,
    common_shape_parts,
    parse_timestamps,
    utc_from_parts,
)

__all__ = [
    "EVENT_SCHEMA",
    "KIND",
    "KNOWN_METHODS",
    "NOT_PLAIN_ID",
    "REJECT_REASONS",
    "REJECT_SCHEMA",
    "iter_http_log",
    "parse_http_log_lines",
]

FIELDS = ("timestamp", "method", "path", "user_id")
KIND = pl.Enum(["other", "campaign_view", "reward_issued"])  # a small code per event, not a 13-byte string

EVENT_SCHEMA = pl.Schema(
    {
        "seq": pl.Int64(),
        "source_file": pl.String(),
        "line_number": pl.Int64(),
        "ts": pl.Datetime("us", "UTC"),
        "utc_offset_minutes": pl.Int16(),
        "sub_micro_nanos": pl.Int16(),
        "method": pl.String(),
        "path": pl.String(),
        "user_id": pl.String(),
        "kind": KIND,
        "campaign_id": pl.String(),
        "reward_id": pl.String(),
    }
)


REJECT_REASONS = {
    "empty_line": "the line is empty",
    **MARK_DETAILS,
    "too_few_fields": "expected 4 fields (timestamp method path user_id)",
    "too_many_fields": "expected 4 fields (timestamp method path user_id)",
    "empty_field": "a field is empty",
    "bad_method": "field method: not an HTTP method (upper-case letters)",
    "bad_path": "field path: does not start with '/'",
    "missing_id": "field path: /campaigns/ or /rewards/ without an id",
    **{k: f"field timestamp: {v}" for k, v in TIMESTAMP_ERRORS.items()},
}

_ID_PATH = r"^/{}/([^/?#]+)/?(?:[?#].*)?$"
_NO_ID_PATH = r"^/(?:campaigns|rewards)/(?:[/?#]|$)"
NOT_PLAIN_ID = r"^/(?:campaigns|rewards)/(?:[^/?#]*[/?#]|$)"  # the fast path takes only `/campaigns/{id}`


def iter_http_log(
    paths: Sequence[Path], *, assume_tz: str | None = None, chunk_bytes: int = CHUNK_BYTES, first_seq: int = 0
) -> Iterator[ParsedBatch]:
    """Stream logs in the given order; `seq` numbers lines across all files (file order) from `first_seq`.

    Avro archives (`.avro`, written by `footfall logs to-avro`) are read as their records, in order.
    """

    def parse(lines: pl.Series, source: str) -> tuple[pl.DataFrame, pl.DataFrame]:
        return parse_http_log_lines(lines, source_file=source, assume_tz=assume_tz)

    seq = first_seq
    for is_avro, group in groupby(paths, key=lambda p: p.suffix.lower() == ".avro"):
        if is_avro:
            from footfall.readers.avro import read_http_log_avro  # only archives need it

            for path in group:
                events = read_http_log_avro([path])
                yield ParsedBatch(
                    events.with_columns(seq=events["seq"] + seq), REJECT_SCHEMA.to_frame(), path.stat().st_size
                )
                seq += events.height
            continue
        for batch in iter_parsed(list(group), parse, chunk_bytes=chunk_bytes, first_seq=seq):
            seq += batch.events.height + batch.rejects.height
            yield batch


def parse_http_log_lines(
    lines: pl.Series,
    *,
    source_file: str,
    assume_tz: str | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split lines (numbered from line 1, seq 0) into (events, rejects); every line lands in exactly one.

    Lines of the common shape (one regex: single spaces, a known method, a common timestamp)
    take a fast path of fixed-position string operations; the others, and common-shaped lines
    with an impossible date or an id path other than `/campaigns/{id}` or `/rewards/{id}`, go
    to the general classifier, which gives each bad line its reason. Events keep file order.
    """
    n = len(lines)
    df = pl.DataFrame(
        {
            "seq": pl.int_range(0, n, eager=True, dtype=pl.Int64),
            "line_number": pl.int_range(1, n + 1, eager=True, dtype=pl.Int64),
            "raw": lines.cast(pl.String),
        }
    )
    common = df["raw"].str.contains(_COMMON_LINE)
    quick = df if common.all() else df.filter(common)
    events = _parse_common_lines(quick)
    fast = events["_fast"]
    declined = [] if common.all() else [df.filter(~common)]
    if not fast.all():
        declined.append(quick.filter(~fast))
        events = events.filter("_fast")
    rejects = pl.DataFrame(schema=REJECT_SCHEMA)
    if declined:
        rest = declined[0] if len(declined) == 1 else pl.concat(declined).sort("seq")
        more, rejects = _parse_general(rest, assume_tz=assume_tz)
        if more.height:
            events = pl.concat([events.select(more.columns), more]).sort("seq")
    return (
        events.with_columns(source_file=pl.lit(source_file)).select(EVENT_SCHEMA.names()).cast(EVENT_SCHEMA),
        rejects.with_columns(source_file=pl.lit(source_file)).select(REJECT_SCHEMA.names()).cast(REJECT_SCHEMA),
    )


def _parse_common_lines(df: pl.DataFrame) -> pl.DataFrame:
    """Events of lines matching _COMMON_LINE, with `_fast` false where the general parser must decide
    (an impossible date; a campaign or reward path other than a plain `/campaigns/{id}`)."""
    fields = df["raw"].str.splitn(" ", 4).struct.rename_fields(list(FIELDS)).struct.unnest()
    path = pl.col("path")
    parts = pl.concat([df.drop("raw"), fields], how="horizontal").with_columns(
        **common_shape_parts(pl.col("timestamp")),
        _not_plain=path.str.contains(NOT_PLAIN_ID),
        _campaign=pl.when(path.str.starts_with("/campaigns/")).then(path.str.slice(11)),
        _reward=pl.when(path.str.starts_with("/rewards/")).then(path.str.slice(9)),
    )
    return parts.select(
        "seq",
        "line_number",
        **utc_from_parts(),
        method="method",
        path="path",
        user_id="user_id",
        **_kind_and_ids(),
        _not_plain="_not_plain",
    ).with_columns(_fast=pl.col("ts").is_not_null() & ~pl.col("_not_plain"))


def _kind_and_ids() -> dict[str, pl.Expr]:
    """`kind`, `campaign_id`, `reward_id` from `method` and the path's ids in `_campaign`, `_reward` (null: none)."""
    is_view = (pl.col("method") == "GET") & pl.col("_campaign").is_not_null()
    is_reward = (pl.col("method") == "POST") & pl.col("_reward").is_not_null()
    return {
        "kind": pl.when(is_view)
        .then(pl.lit("campaign_view", KIND))
        .when(is_reward)
        .then(pl.lit("reward_issued", KIND))
        .otherwise(pl.lit("other", KIND)),
        "campaign_id": pl.when(is_view).then(pl.col("_campaign")),
        "reward_id": pl.when(is_reward).then(pl.col("_reward")),
    }


KNOWN_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
_COMMON_LINE = rf"^{COMMON_SHAPE} (?:{'|'.join(KNOWN_METHODS)}) /[^ \t]* [^ \t]+$"
_EVENT_HEAD = ["seq", "line_number", "ts", "utc_offset_minutes", "sub_micro_nanos", "method", "path", "user_id"]


def _parse_general(df: pl.DataFrame, *, assume_tz: str | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The full grammar for rows the fast path declined: (events, rejects with reasons)."""
    parts = pl.col("raw").str.replace_all(r"[ \t]+", " ").str.split(" ")
    df = df.with_columns(parts=parts).with_columns(
        n_fields=pl.col("parts").list.len(),
        **{f: pl.col("parts").list.get(i, null_on_oob=True) for i, f in enumerate(FIELDS)},
    )
    stamps = parse_timestamps(df["timestamp"].fill_null(""), assume_tz=assume_tz)
    df = pl.concat([df, stamps], how="horizontal")
    empty = [pl.col(f) == "" for f in FIELDS]
    reason = (
        pl.when(pl.col("raw").str.starts_with("\x00"))
        .then(mark_reason(pl.col("raw")))
        .when(pl.col("raw").str.strip_chars() == "")
        .then(pl.lit("empty_line"))
        .when(pl.col("n_fields") < 4)
        .then(pl.lit("too_few_fields"))
        .when(pl.col("n_fields") > 4)
        .then(pl.lit("too_many_fields"))
        .when(pl.any_horizontal(empty))
        .then(pl.lit("empty_field"))
        .when(pl.col("error").is_not_null())
        .then(pl.col("error"))
        .when(~pl.col("method").str.contains(r"^[A-Z]+$"))
        .then(pl.lit("bad_method"))
        .when(~pl.col("path").str.starts_with("/"))
        .then(pl.lit("bad_path"))
        .when(pl.col("path").str.contains(_NO_ID_PATH))
        .then(pl.lit("missing_id"))
    )
    df = df.with_columns(reason=reason)
    good = df.filter(pl.col("reason").is_null())
    bad = df.filter(pl.col("reason").is_not_null())
    events = good.with_columns(
        _campaign=pl.col("path").str.extract(_ID_PATH.format("campaigns"), 1),
        _reward=pl.col("path").str.extract(_ID_PATH.format("rewards"), 1),
    ).select(*_EVENT_HEAD, **_kind_and_ids())
    rejects = bad.select(
        "line_number",
        reason="reason",
        detail=_detail(),
        raw=unmarked(pl.col("raw")),
    )
    return events, rejects


def _detail() -> pl.Expr:
    """A one-line human explanation of a reject that names the field and its value."""
    quoted = {f: pl.lit("'") + pl.col(f).fill_null("") + pl.lit("'") for f in FIELDS}
    expr: Any = pl.when(pl.lit(False)).then(pl.lit(None, pl.String))
    for code, text in REJECT_REASONS.items():
        if code in ("too_few_fields", "too_many_fields"):
            msg = pl.lit(f"{text}, found ") + pl.col("n_fields").cast(pl.String)
        elif code == "empty_field":
            fields = [pl.when(pl.col(f) == "").then(pl.lit(f)) for f in FIELDS]
            msg = pl.lit("field ") + pl.coalesce(*fields) + pl.lit(" is empty")
        elif code in TIMESTAMP_ERRORS:
            msg = pl.lit("field timestamp: ") + quoted["timestamp"] + pl.lit(" " + TIMESTAMP_ERRORS[code])
        elif code == "bad_method":
            msg = pl.lit("field method: ") + quoted["method"] + pl.lit(" is not an HTTP method")
        elif code in ("bad_path", "missing_id"):
            tail = " does not start with '/'" if code == "bad_path" else " has no campaign or reward id"
            msg = pl.lit("field path: ") + quoted["path"] + pl.lit(tail)
        else:
            msg = pl.lit(text)
        expr = expr.when(pl.col("reason") == code).then(msg)
    return expr  # type: ignore[no-any-return]
