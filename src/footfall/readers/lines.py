"""Stream a text file (plain or gzip) as batches of lines without a Python loop per line."""

from __future__ import annotations

import gzip
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import polars as pl
import pyarrow as pa

from footfall.errors import InputError

__all__ = ["REJECT_SCHEMA", "LineBatch", "ParsedBatch", "iter_line_batches", "iter_parsed", "open_input"]

CHUNK_BYTES = 16 * 1024 * 1024
MIN_CHUNK_BYTES = 1024 * 1024
PARSE_WORKERS = 2  # this machine has 2 cores; more batches in flight only cost memory
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class LineBatch:
    """Consecutive whole lines of one file as bytes (ending with a newline), from line `first_line` (1-based)."""

    first_line: int
    data: bytes
    count: int
    bytes_read: int

    def lines(self) -> pl.Series:
        """The lines as text, line endings removed (split zero-copy; run on a worker thread)."""
        return _split_lines(self.data)


# Every line-based reader rejects into this shape: where, why (a code and a sentence), what.
REJECT_SCHEMA = pl.Schema(
    {
        "source_file": pl.String(),
        "line_number": pl.Int64(),
        "reason": pl.String(),
        "detail": pl.String(),
        "raw": pl.String(),
    }
)


@dataclass(frozen=True)
class ParsedBatch:
    """Parsed lines of one chunk of one file: accepted rows and rejected lines."""

    events: pl.DataFrame
    rejects: pl.DataFrame
    bytes_read: int


# parse(lines, source_file, first_line, first_seq) -> (accepted rows, rejected lines)
LineParser = Callable[[pl.Series, str, int, int], tuple[pl.DataFrame, pl.DataFrame]]


def iter_parsed(
    paths: Sequence[Path],
    parse: LineParser,
    *,
    chunk_bytes: int = CHUNK_BYTES,
    workers: int = PARSE_WORKERS,
    first_seq: int = 0,
) -> Iterator[ParsedBatch]:
    """Stream files in the given order through `parse`; `seq` numbers lines across all files from `first_seq`.

    Blocks are read in order on this thread (which only counts their newlines) while up to
    `workers` batches are split into lines and parsed at once on a thread pool (Polars and
    Arrow release the GIL); results are yielded in file order. Inputs smaller than two
    blocks per worker in all are cut into that many smaller blocks (of at least
    MIN_CHUNK_BYTES), so one hourly file keeps every worker busy too.
    """
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="footfall-parse") as pool:
        pending: deque[tuple[Future[tuple[pl.DataFrame, pl.DataFrame]], int]] = deque()
        seq = first_seq
        block = _block_bytes(paths, chunk_bytes, workers)
        try:
            for path in paths:
                for batch in iter_line_batches(path, chunk_bytes=block):
                    job = pool.submit(_split_and_parse, parse, batch, str(path), seq)
                    pending.append((job, batch.bytes_read))
                    seq += batch.count
                    while len(pending) > workers:
                        yield _done(pending.popleft())
            while pending:
                yield _done(pending.popleft())
        finally:
            for future, _ in pending:
                future.cancel()


def _block_bytes(paths: Sequence[Path], chunk_bytes: int, workers: int) -> int:
    """`chunk_bytes`, or less for small inputs: two blocks per worker, none under MIN_CHUNK_BYTES."""
    size = sum(path.stat().st_size for path in paths if path.is_file())  # a missing one: open_input reports it
    return min(chunk_bytes, max(MIN_CHUNK_BYTES, size // (2 * workers) + 1))


def _split_and_parse(
    parse: LineParser, batch: LineBatch, source: str, first_seq: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    return parse(batch.lines(), source, batch.first_line, first_seq)


def _done(item: tuple[Future[tuple[pl.DataFrame, pl.DataFrame]], int]) -> ParsedBatch:
    future, bytes_read = item
    events, rejects = future.result()
    return ParsedBatch(events, rejects, bytes_read)


def open_input(path: Path) -> BinaryIO:
    """Open a user's input file for binary reading, transparently gunzipping `.gz` content."""
    try:
        raw = path.open("rb")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    if raw.peek(2)[:2] != _GZIP_MAGIC:
        return raw
    raw.close()
    return gzip.open(path, "rb")  # type: ignore[return-value]


def iter_line_batches(path: Path, *, chunk_bytes: int = CHUNK_BYTES) -> Iterator[LineBatch]:
    """Yield the file's lines in batches; `\\n` or `\\r\\n` endings are removed, bytes kept."""
    next_line = 1
    with open_input(path) as stream:
        carry = b""
        while True:
            try:
                block = stream.read(chunk_bytes)
            except (OSError, EOFError) as exc:
                raise InputError(f"{path}: cannot be read ({exc})") from None
            if not block:
                break
            data = carry + block
            cut = data.rfind(b"\n")
            if cut < 0:
                carry = data
                continue
            carry = data[cut + 1 :]
            whole = data[: cut + 1]
            count = whole.count(b"\n")
            yield LineBatch(next_line, whole, count, len(block))
            next_line += count
        if carry:
            yield LineBatch(next_line, carry + b"\n", 1, 0)


def _split_lines(data: bytes) -> pl.Series:
    """Lines of `data` (which ends with a newline) as a string Series, built zero-copy."""
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    starts = np.empty(len(ends) + 1, dtype=np.int64)
    starts[0] = 0
    starts[1:] = ends + 1
    binary = pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), len(ends), [None, pa.py_buffer(starts), pa.py_buffer(data)]
    )
    try:
        text = binary.cast(pa.large_string())  # validates UTF-8
    except pa.ArrowInvalid:
        text = _decode_lines_lossy(binary)
    series = pl.Series("line", text).str.strip_suffix("\n")
    return series.str.strip_suffix("\r") if b"\r" in data else series


def _decode_lines_lossy(binary: pa.LargeBinaryArray) -> pa.Array:
    """Decode line by line (only in a chunk with bad bytes); a bad line is marked by a leading NUL.

    A NUL cannot occur in valid text lines of the formats we read, so parsers reject such a
    line with reason `invalid_utf8` and keep its text (with replacement characters) as raw.
    """
    out = []
    for value in binary.to_pylist():
        try:
            out.append(value.decode("utf-8"))
        except UnicodeDecodeError:
            out.append("\x00" + value.decode("utf-8", errors="replace"))
    return pa.array(out, type=pa.large_string())
