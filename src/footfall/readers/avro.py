"""The Avro archive of HTTP-log events: write with the hand-written `schemas/http_log.avsc`, read back."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import fastavro
import polars as pl

from footfall.errors import InputError
from footfall.readers.http_log import EVENT_SCHEMA

__all__ = ["CODECS", "http_log_schema", "read_http_log_avro", "write_http_log_avro"]

CODECS = ("deflate", "snappy", "null")
_AVRO_COLUMNS = [
    "timestamp",
    "utc_offset_minutes",
    "sub_micro_nanos",
    "method",
    "path",
    "user_id",
    "kind",
    "campaign_id",
    "reward_id",
    "source_file",
    "line_number",
]


@lru_cache(maxsize=1)
def http_log_schema() -> dict[str, Any]:
    """The parsed `http_log.avsc`."""
    text = (resources.files("footfall.readers") / "schemas" / "http_log.avsc").read_text("utf-8")
    parsed = fastavro.parse_schema(json.loads(text))
    assert isinstance(parsed, dict)
    return parsed


def write_http_log_avro(batches: Iterable[pl.DataFrame], out: Path, *, codec: str = "deflate") -> int:
    """Write event batches (in file order) to one Avro container file; return the record count."""
    if codec not in CODECS:
        raise InputError(f"bad {{param}} {codec!r}: use one of {', '.join(CODECS)}", param="codec")
    if out.parent and not out.parent.is_dir():
        raise InputError(f"{out}: folder {out.parent} does not exist")
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    count = 0
    try:
        with tmp.open("wb") as stream:
            writer = fastavro.write.Writer(stream, http_log_schema(), codec=codec)
            for batch in batches:
                records = batch.select(
                    pl.col("ts").dt.epoch("us").alias("timestamp"),
                    *[c for c in _AVRO_COLUMNS if c != "timestamp"],
                ).to_dicts()
                for record in records:
                    writer.write(record)
                count += len(records)
            writer.flush()
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return count


def read_http_log_avro(paths: Sequence[Path]) -> pl.DataFrame:
    """Events from Avro archives in the order given; `seq` is the record's position overall."""
    frames = []
    for path in paths:
        if not path.is_file():
            raise InputError(f"{path}: no such file")
        try:
            with path.open("rb") as stream:
                reader = fastavro.reader(stream)
                _check_writer_schema(path, reader.writer_schema)
                records: list[Any] = list(reader)
        except (ValueError, EOFError) as exc:
            raise InputError(f"{path}: not an Avro file ({exc})") from None
        frames.append(pl.from_dicts(records, schema=_avro_frame_schema()))
    events = pl.concat(frames) if frames else pl.DataFrame(schema=_avro_frame_schema())
    return (
        events.select(
            seq=pl.int_range(pl.len(), dtype=pl.Int64),
            ts=pl.col("timestamp"),
            **{c: pl.col(c) for c in _AVRO_COLUMNS if c != "timestamp"},
        )
        .select(EVENT_SCHEMA.names())
        .cast(EVENT_SCHEMA)
    )


def _check_writer_schema(path: Path, schema: Any) -> None:
    """Refuse an archive whose record is not our HttpLogEvent with every field we read."""
    name = schema.get("name", "") if isinstance(schema, dict) else ""
    fields = {f["name"] for f in schema.get("fields", [])} if isinstance(schema, dict) else set()
    missing = [c for c in _AVRO_COLUMNS if c not in fields]
    if not name.endswith("HttpLogEvent") or missing:
        detail = f"missing field {missing[0]!r}" if name.endswith("HttpLogEvent") else f"record {name or '?'!r}"
        raise InputError(f"{path}: not an http_log Avro archive ({detail})")


def _avro_frame_schema() -> dict[str, Any]:
    schema = dict(EVENT_SCHEMA)
    schema["timestamp"] = schema.pop("ts")
    return {c: schema[c] for c in _AVRO_COLUMNS}
