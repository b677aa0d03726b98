"""Apache Beam pipelines: HTTP-log and web-shop sessions on any Beam runner, the embedded engine's report.

Each input file is parsed by footfall's own readers (the same rules and reject reasons), on
whichever worker gets it; `seq = file index << 40 | position` keeps file order for ties. Events
are keyed by user, stamped with their instant and windowed with `WindowInto(Sessions(…))`.
Beam merges two session windows only when they overlap (`end > start`), and an event's window
is `[t, t + gap)`, so events exactly one gap apart stay in separate sessions: the contract's
strict `<` rule — but only at millisecond precision (see `_windows`), so windows are 1 ms
wider and each group is cut at µs precision. Each session's events are sorted by (instant,
seq) and summarized; the
campaign ↔ reward mapping is a side input. Outputs are Parquet shards with the embedded
engine's columns; `assemble_*` turns them into the same report (and warehouse load).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import apache_beam as beam
import pyarrow as pa
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.transforms.window import GlobalWindows, Sessions, TimestampedValue
from apache_beam.utils.timestamp import Timestamp

from footfall.readers.http_log import EVENT_SCHEMA
from footfall.readers.lines import REJECT_SCHEMA
from footfall.readers.shop_events import EVENT_SCHEMA as SHOP_EVENT_SCHEMA
from footfall.sessions.http_sessions import SESSION_SCHEMA

__all__ = ["HttpSessions", "http_session_rows", "run_http_pipeline", "run_shop_pipeline", "shop_session_rows"]

FILE_BITS = 40  # seq = file index << FILE_BITS | position in the file

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
Event = tuple[int, int, str, str | None, str | None]  # (instant µs, seq, kind, campaign_id, reward_id)


@contextmanager
def _local(path: str) -> Iterator[Path]:
    """A local path for `path`; files on gs://, s3:// … are copied through Beam's FileSystems first."""
    if "://" not in path:
        yield Path(path)
        return
    suffix = "".join(Path(path.split("://", 1)[1]).suffixes[-2:])
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp, FileSystems.open(path) as src:
        while chunk := src.read(1 << 24):
            tmp.write(chunk)
        tmp.flush()
        yield Path(tmp.name)


def _parse_http_file(item: tuple[int, str], assume_tz: str | None) -> Iterator[Any]:
    """Accepted events of one log (or Avro archive) as dicts; rejects on the `rejects` output."""
    from footfall.readers.http_log import iter_http_log

    index, path = item
    with _local(path) as local:
        for batch in iter_http_log([local], assume_tz=assume_tz):
            events = batch.events.with_columns(seq=batch.events["seq"] + (index << FILE_BITS))
            rejects = batch.rejects
            if local != Path(path):
                events, rejects = (
                    events.with_columns(source_file=_lit(path)),
                    rejects.with_columns(source_file=_lit(path)),
                )
            yield from events.iter_rows(named=True)
            for row in rejects.iter_rows(named=True):
                yield beam.pvalue.TaggedOutput("rejects", row)


def _lit(value: str) -> Any:
    import polars as pl

    return pl.lit(value)


def _stamped(row: dict[str, Any], user: str) -> TimestampedValue[tuple[str, dict[str, Any]]]:
    micros = _micros(row["ts"])
    return TimestampedValue((row[user], row), Timestamp(micros=micros))


def _micros(value: Any) -> int:
    """Microseconds since the epoch of a timezone-aware datetime, exactly (no float rounding)."""
    delta = value - _EPOCH
    return int((delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds)


def http_session_rows(user: str, events: Iterable[Event], links: dict[str, set[str]]) -> dict[str, Any]:
    """One session's report row, straight from the contract (docs/data-contracts.md → HTTP-log sessions report)."""
    ordered = sorted(events, key=lambda e: (e[0], e[1]))
    campaigns = list(dict.fromkeys(e[3] for e in ordered if e[2] == "campaign_view"))
    rewards = list(dict.fromkeys(e[4] for e in ordered if e[2] == "reward_issued"))
    first_view: dict[str, int] = {}
    for ts, _, kind, campaign, _ in ordered:
        if kind == "campaign_view" and campaign is not None:
            first_view.setdefault(campaign, ts)
    driven = any(
        first_view.get(c, ts + 1) <= ts
        for ts, _, kind, _, reward in ordered
        if kind == "reward_issued" and reward is not None
        for c in links.get(reward, ())
    )
    return {
        "user_id": user,
        "session_start": ordered[0][0],
        "session_end": ordered[-1][0],
        "campaigns": campaigns,
        "rewards_issued": rewards,
        "reward_driven_by_campaign_view": driven,
        "events": len(ordered),
        "campaign_views": sum(e[2] == "campaign_view" for e in ordered),
        "rewards_issued_count": sum(e[2] == "reward_issued" for e in ordered),
    }


def _http_sessions(element: tuple[str, Iterable[dict[str, Any]]], links: Any, gap_us: int) -> Iterator[dict[str, Any]]:
    user, rows = element
    events = sorted((_micros(r["ts"]), r["seq"], r["kind"], r["campaign_id"], r["reward_id"]) for r in rows)
    for session in split_exact(events, gap_us, instant=lambda e: e[0]):
        rewards = {e[4] for e in session if e[4] is not None}
        row = http_session_rows(user, session, {r: set(links[r]) for r in rewards})  # side-input multimap: lookups
        yield {
            **row,
            "session_start": _from_micros(row["session_start"]),
            "session_end": _from_micros(row["session_end"]),
        }


T = TypeVar("T")


def split_exact(ordered: list[T], gap_us: int, *, instant: Callable[[T], int]) -> Iterator[list[T]]:
    """Cut events sorted by (instant, seq) wherever the gap is at least `gap_us` microseconds."""
    start = 0
    for i in range(1, len(ordered)):
        if instant(ordered[i]) - instant(ordered[i - 1]) >= gap_us:
            yield ordered[start:i]
            start = i
    if ordered:
        yield ordered[start:]


def _windows(gap: timedelta) -> Sessions:
    """Session windows one millisecond wider than the gap.

    Beam carries element timestamps at millisecond precision between transforms (the Fn API's
    timestamp coder), so µs instants are truncated: two events 299.999952 s apart can land
    exactly 300 s apart and stay unmerged. Windows of gap + 1 ms merge every pair closer than
    the gap (truncation shrinks a difference by less than 1 ms); `split_exact` then cuts each
    group at µs precision with the contract's rule.
    """
    return Sessions(gap.total_seconds() + 0.001)


class HttpSessions(beam.PTransform):  # type: ignore[type-arg]
    """Parsed log events (dicts) → one report row per user session; `links` is (campaign_id, reward_id) pairs.

    Keyed by user, stamped with each event's instant, `WindowInto(Sessions(gap))`, grouped, and
    each window summarized with the mapping as a side input (`http_session_rows`).
    """

    def __init__(self, gap: timedelta, links: Any) -> None:
        super().__init__()
        self.gap, self.links = gap, links

    def expand(self, events: Any) -> Any:
        by_reward = self.links | "by reward" >> beam.Map(lambda pair: (pair[1], pair[0]))
        return (
            events
            | "stamp" >> beam.Map(_stamped, "user_id")
            | "session windows" >> beam.WindowInto(_windows(self.gap))
            | "by user and session" >> beam.GroupByKey()
            | "summarize" >> beam.FlatMap(_http_sessions, beam.pvalue.AsMultiMap(by_reward), _us(self.gap))
            | "global" >> beam.WindowInto(GlobalWindows())
        )


def run_http_pipeline(
    files: list[str],
    *,
    mapping: list[tuple[str, str]],
    gap: timedelta,
    shards: str,
    assume_tz: str | None = None,
    options: list[str] | None = None,
) -> None:
    """Run the HTTP-log sessions pipeline; write events, rejects and sessions Parquet shards under `shards`."""
    with beam.Pipeline(options=PipelineOptions(options or ["--runner=DirectRunner"])) as p:
        parsed = (
            p
            | "files" >> beam.Create(list(enumerate(files)))
            | "spread" >> beam.Reshuffle()
            | "parse" >> beam.FlatMap(_parse_http_file, assume_tz).with_outputs("rejects", main="events")
        )
        links = p | "mapping" >> beam.Create(sorted(set(mapping)))
        sessions = parsed.events | "sessions" >> HttpSessions(gap, links)
        _write(parsed.events, f"{shards}/events", _arrow_schema(EVENT_SCHEMA))
        _write(parsed.rejects, f"{shards}/rejects", _arrow_schema(REJECT_SCHEMA))
        _write(sessions, f"{shards}/sessions", _arrow_schema(SESSION_SCHEMA))


def shop_session_rows(customer: str, rows: Iterable[dict[str, Any]]) -> tuple[dict[str, Any], list[int]]:
    """One shop session's raw figures (the assemble step derives ids, index, device, domain) and its seqs."""
    from footfall.sessions.shop_sessions import COUNT_COLUMNS

    ordered = sorted(rows, key=lambda r: (_micros(r["ts"]), r["seq"]))
    views = [r for r in ordered if r["type"] == "page_view"]
    counts = {name: sum(r["type"] == kind for r in ordered) for kind, name in COUNT_COLUMNS.items()}
    row = {
        "customer_id": customer,
        "session_start": ordered[0]["ts"],
        "session_end": ordered[-1]["ts"],
        "events": len(ordered),
        **counts,
        "other_events": sum(r["type"] not in COUNT_COLUMNS for r in ordered),
        "first_page": views[0]["page"] if views else None,
        "first_referrer": views[0]["referrer"] if views else None,
        "user_agent": ordered[0]["user_agent"],
    }
    return row, [r["seq"] for r in ordered]


def _parse_shop_file(item: tuple[int, str]) -> Iterator[Any]:
    from footfall.readers.shop_events import iter_shop_events

    index, path = item
    with _local(path) as local:
        for batch in iter_shop_events([local]):
            events = batch.events.with_columns(seq=batch.events["seq"] + (index << FILE_BITS), source_file=_lit(path))
            yield from events.iter_rows(named=True)
            for row in batch.rejects.iter_rows(named=True):
                yield beam.pvalue.TaggedOutput("rejects", {**row, "source_file": path})


def _shop_sessions(element: tuple[str, Iterable[dict[str, Any]]], gap_us: int) -> Iterator[Any]:
    customer, rows = element
    ordered = sorted(rows, key=lambda r: (_micros(r["ts"]), r["seq"]))
    for session in split_exact(ordered, gap_us, instant=lambda r: _micros(r["ts"])):
        row, seqs = shop_session_rows(customer, session)
        yield row
        for seq in seqs:
            yield beam.pvalue.TaggedOutput("assignment", {"seq": seq, "session_start": row["session_start"]})


def _us(delta: timedelta) -> int:
    return delta // timedelta(microseconds=1)


def run_shop_pipeline(files: list[str], *, gap: timedelta, shards: str, options: list[str] | None = None) -> None:
    """Run the web-shop sessions pipeline; write events, rejects, sessions and event→session shards."""
    from footfall.sessions.shop_sessions import COUNT_COLUMNS

    event_schema = _arrow_schema(SHOP_EVENT_SCHEMA)
    session_schema = pa.schema(
        [
            ("customer_id", pa.string()),
            ("session_start", pa.timestamp("us", tz="UTC")),
            ("session_end", pa.timestamp("us", tz="UTC")),
            ("events", pa.int64()),
            *[(name, pa.int64()) for name in COUNT_COLUMNS.values()],
            ("other_events", pa.int64()),
            ("first_page", pa.string()),
            ("first_referrer", pa.string()),
            ("user_agent", pa.string()),
        ]
    )
    assignment_schema = pa.schema([("seq", pa.int64()), ("session_start", pa.timestamp("us", tz="UTC"))])
    with beam.Pipeline(options=PipelineOptions(options or ["--runner=DirectRunner"])) as p:
        parsed = (
            p
            | "files" >> beam.Create(list(enumerate(files)))
            | "spread" >> beam.Reshuffle()
            | "parse" >> beam.FlatMap(_parse_shop_file).with_outputs("rejects", main="events")
        )
        summarized = (
            parsed.events
            | "known customers" >> beam.Filter(lambda r: r["customer_id"] is not None)
            | "stamp" >> beam.Map(_stamped, "customer_id")
            | "session windows" >> beam.WindowInto(_windows(gap))
            | "by customer and session" >> beam.GroupByKey()
            | "summarize" >> beam.FlatMap(_shop_sessions, _us(gap)).with_outputs("assignment", main="sessions")
        )
        _write(parsed.events, f"{shards}/events", event_schema)
        _write(parsed.rejects, f"{shards}/rejects", _arrow_schema(REJECT_SCHEMA))
        _write(summarized.sessions | "global" >> beam.WindowInto(GlobalWindows()), f"{shards}/sessions", session_schema)
        _write(
            summarized.assignment | "global assignment" >> beam.WindowInto(GlobalWindows()),
            f"{shards}/assignment",
            assignment_schema,
        )


def _write(rows: Any, prefix: str, schema: pa.Schema) -> None:
    name = prefix.rsplit("/", 1)[-1]
    _ = rows | f"write {name}" >> beam.io.WriteToParquet(prefix, schema, file_name_suffix=".parquet")


def _arrow_schema(schema: Any) -> pa.Schema:
    """The Arrow schema of one of the engine's Polars schemas (each table is defined once)."""
    import polars as pl

    return pl.DataFrame(schema=schema).to_arrow().schema


def _from_micros(micros: int) -> Any:
    return _EPOCH + timedelta(microseconds=micros)
