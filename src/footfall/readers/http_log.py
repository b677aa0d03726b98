"""Read HTTP access logs (`CONTRACTS.md` → HTTP access log) into events and rejects, streaming.

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

from footfall.readers.lines import CHUNK_BYTES, REJECT_SCHEMA, ParsedBatch, iter_parsed
from footfall.readers.timestamps import TIMESTAMP_ERRORS, parse_timestamps

__all__ = [
    "EVENT_SCHEMA",
    "REJECT_REASONS",
    "REJECT_SCHEMA",
    "iter_http_log",
    "parse_http_log_lines",
]

FIELDS = ("timestamp", "method", "path", "user_id")

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
        "kind": pl.String(),
        "campaign_id": pl.String(),
        "reward_id": pl.String(),
    }
)


REJECT_REASONS = {
    "empty_line": "the line is empty",
    "invalid_utf8": "the line is not valid UTF-8",
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


def iter_http_log(
    paths: Sequence[Path], *, assume_tz: str | None = None, chunk_bytes: int = CHUNK_BYTES, first_seq: int = 0
) -> Iterator[ParsedBatch]:
    """Stream logs in the given order; `seq` numbers lines across all files (file order) from `first_seq`.

    Avro archives (`.avro`, written by `footfall logs to-avro`) are read as their records, in order.
    """
    from footfall.readers.avro import read_http_log_avro

    def parse(lines: pl.Series, source: str, first_line: int, first_seq: int) -> tuple[pl.DataFrame, pl.DataFrame]:
        return parse_http_log_lines(
            lines, source_file=source, first_line=first_line, first_seq=first_seq, assume_tz=assume_tz
        )

    seq = first_seq
    for is_avro, group in groupby(paths, key=lambda p: p.suffix.lower() == ".avro"):
        if is_avro:
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
    first_line: int = 1,
    first_seq: int = 0,
    assume_tz: str | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split lines into (events, rejects); every line lands in exactly one of them.

    Lines of the common shape (single spaces, a known method, a plain id, a common
    timestamp) take a fast path of literal string operations; the others go through the
    general classifier, which gives each bad line its reason. Events keep file order.
    """
    n = len(lines)
    df = pl.DataFrame(
        {
            "seq": pl.int_range(first_seq, first_seq + n, eager=True, dtype=pl.Int64),
            "line_number": pl.int_range(first_line, first_line + n, eager=True, dtype=pl.Int64),
            "raw": lines.cast(pl.String),
        }
    )
    split = df["raw"].str.splitn(" ", 4).struct.rename_fields(list(FIELDS)).struct.unnest()
    df = pl.concat([df, split], how="horizontal")
    df = pl.concat([df, parse_timestamps(df["timestamp"], assume_tz=assume_tz)], how="horizontal")
    path = pl.col("path")
    plain_id = ~path.str.slice(11).str.contains(r"[/?#]") & (path.str.len_bytes() > 11)
    plain_reward = ~path.str.slice(9).str.contains(r"[/?#]") & (path.str.len_bytes() > 9)
    fast = (
        pl.all_horizontal(pl.col(f).is_not_null() & (pl.col(f) != "") for f in FIELDS)
        & ~pl.col("user_id").str.contains(" ", literal=True)
        & ~pl.col("raw").str.contains("\t", literal=True)
        & pl.col("method").is_in(_KNOWN_METHODS)
        & path.str.starts_with("/")
        & pl.when(path.str.starts_with("/campaigns/"))
        .then(plain_id)
        .when(path.str.starts_with("/rewards/"))
        .then(plain_reward)
        .otherwise(True)
        & pl.col("error").is_null()
    ).fill_null(False)
    df = df.with_columns(_fast=fast)
    quick = df.filter("_fast")
    is_view = (pl.col("method") == "GET") & path.str.starts_with("/campaigns/")
    is_reward = (pl.col("method") == "POST") & path.str.starts_with("/rewards/")
    events = quick.select(
        *_EVENT_HEAD,
        kind=pl.when(is_view)
        .then(pl.lit("campaign_view"))
        .when(is_reward)
        .then(pl.lit("reward_issued"))
        .otherwise(pl.lit("other")),
        campaign_id=pl.when(is_view).then(path.str.slice(11)),
        reward_id=pl.when(is_reward).then(path.str.slice(9)),
    )
    rejects = pl.DataFrame(schema=REJECT_SCHEMA)
    if quick.height < n:
        rest = df.filter(~pl.col("_fast")).select("seq", "line_number", "raw")
        more, rejects = _parse_general(rest, assume_tz=assume_tz)
        if more.height:
            events = pl.concat([events, more]).sort("seq")
    return (
        events.with_columns(source_file=pl.lit(source_file)).select(EVENT_SCHEMA.names()).cast(EVENT_SCHEMA),
        rejects.with_columns(source_file=pl.lit(source_file)).select(REJECT_SCHEMA.names()).cast(REJECT_SCHEMA),
    )


_KNOWN_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
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
        .then(pl.lit("invalid_utf8"))
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
    campaign = pl.col("path").str.extract(_ID_PATH.format("campaigns"), 1)
    reward = pl.col("path").str.extract(_ID_PATH.format("rewards"), 1)
    is_view = (pl.col("method") == "GET") & campaign.is_not_null()
    is_reward = (pl.col("method") == "POST") & reward.is_not_null()
    events = good.select(
        *_EVENT_HEAD,
        kind=pl.when(is_view)
        .then(pl.lit("campaign_view"))
        .when(is_reward)
        .then(pl.lit("reward_issued"))
        .otherwise(pl.lit("other")),
        campaign_id=pl.when(is_view).then(campaign),
        reward_id=pl.when(is_reward).then(reward),
    )
    rejects = bad.select(
        "line_number",
        reason="reason",
        detail=_detail(),
        raw=pl.col("raw").str.strip_prefix("\x00"),
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
