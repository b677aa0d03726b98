"""Stream a text file (plain or gzip) as batches of lines without a Python loop per line."""

from __future__ import annotations

import codecs
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

__all__ = [
    "MARK_DETAILS",
    "REJECT_SCHEMA",
    "LineBatch",
    "ParsedBatch",
    "decoded_line",
    "iter_line_batches",
    "iter_parsed",
    "mark_reason",
    "open_input",
    "unmarked",
]

CHUNK_BYTES = 16 * 1024 * 1024
MIN_CHUNK_BYTES = 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class LineBatch:
    """Consecutive whole lines of one file: `buffer[:end]`, ending with a newline (`buffer` may hold more)."""

    buffer: bytearray
    end: int
    bytes_read: int
    max_line_bytes: int = 1 << 20
    marked: str | None = None  # instead of a buffer: one line already marked (a too-long line's start)

    def lines(self) -> pl.Series:
        """The lines as text, line endings removed (zero-copy views; run on a worker thread)."""
        if self.marked is not None:
            return pl.Series("line", [self.marked], dtype=pl.String)
        return _split_lines(self.buffer, self.end, self.max_line_bytes)


# A line no parser can read — not UTF-8, holding a NUL byte, or longer than the maximum line
# length — reaches the parsers *marked*: NUL, its reason, NUL, then its text (lossy, without NUL
# bytes, cut to its first _KEPT bytes, or max_line_bytes if fewer, when too long). No text line of
# our formats starts with NUL.
MARK_DETAILS = {
    "invalid_utf8": "the line is not valid UTF-8",
    "nul_byte": "the line holds a NUL byte",
    "line_too_long": "the line is longer than the maximum line length (max_line_bytes); its start is kept",
}
_MARKED = r"^\x00([a-z_0-9]+)\x00"
_KEPT = 1_000


def mark_reason(line: pl.Expr) -> pl.Expr:
    """The reason a marked line could not be read (null for an ordinary line)."""
    return line.str.extract(_MARKED, 1)


def unmarked(line: pl.Expr) -> pl.Expr:
    """A line's text without its mark (the raw text a reject keeps)."""
    return line.str.replace(_MARKED, "")


def _marked(reason: str, text: str) -> str:
    return f"\x00{reason}\x00{text.replace(chr(0), chr(0xFFFD))}"


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


# parse(lines, source_file) -> (accepted rows, rejected lines), every record line in exactly one of
# them, numbered from line 1 and seq 0 (columns `line_number` and, for accepted rows, `seq`); a line
# that is not a record (the `[` and `]` of a JSON array) may be left out of both
LineParser = Callable[[pl.Series, str], tuple[pl.DataFrame, pl.DataFrame]]


def iter_parsed(
    paths: Sequence[Path],
    parse: LineParser,
    *,
    chunk_bytes: int = CHUNK_BYTES,
    workers: int | None = None,
    first_seq: int = 0,
) -> Iterator[ParsedBatch]:
    """Stream files in the given order through `parse`; `seq` numbers lines across all files from `first_seq`.

    Blocks are read in order on this thread while up to `workers` batches are split into
    lines and parsed at once on a thread pool (Polars and Arrow release the GIL); results
    are yielded in file order, their `line_number` and `seq` shifted from the batch's own
    numbering to the file's and the run's. Inputs smaller than a block per worker in all are
    cut into that many smaller blocks (of at least MIN_CHUNK_BYTES), so one hourly file keeps
    every worker busy too (more, smaller blocks only add per-block work).
    """
    if workers is None:
        from footfall.config import get_settings

        workers = get_settings().parse_workers  # FOOTFALL_PARSE_WORKERS: the cores, by default
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="footfall-parse") as pool:
        pending: deque[tuple[Future[tuple[pl.DataFrame, pl.DataFrame, int]], int, bool]] = deque()
        seq, line = first_seq, 1
        block = _block_bytes(paths, chunk_bytes, workers)

        def done() -> ParsedBatch:
            nonlocal seq, line
            future, bytes_read, first_of_file = pending.popleft()
            events, rejects, lines = future.result()
            line = 1 if first_of_file else line
            batch = ParsedBatch(_shifted(events, line - 1, seq), _shifted(rejects, line - 1, seq), bytes_read)
            line += lines
            seq += events.height + rejects.height
            return batch

        try:
            for path in paths:
                for i, batch in enumerate(iter_line_batches(path, chunk_bytes=block)):
                    pending.append((pool.submit(_split_and_parse, parse, batch, str(path)), batch.bytes_read, i == 0))
                    while len(pending) > workers:
                        yield done()
            while pending:
                yield done()
        finally:
            for future, _, _ in pending:
                future.cancel()


def _shifted(frame: pl.DataFrame, lines: int, seq: int) -> pl.DataFrame:
    """`frame` with `line_number` moved on by `lines` and `seq` by `seq` (where it has them)."""
    shift = {c: pl.col(c) + k for c, k in (("line_number", lines), ("seq", seq)) if k and c in frame.columns}
    return frame.with_columns(**shift) if shift else frame


def _block_bytes(paths: Sequence[Path], chunk_bytes: int, workers: int) -> int:
    """`chunk_bytes`, or less for small inputs: a block per worker, none under MIN_CHUNK_BYTES."""
    size = sum(path.stat().st_size for path in paths if path.is_file())  # a missing one: open_input reports it
    return min(chunk_bytes, max(MIN_CHUNK_BYTES, size // workers + 1))


def _split_and_parse(parse: LineParser, batch: LineBatch, source: str) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    lines = batch.lines()
    return (*parse(lines, source), len(lines))


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


def iter_line_batches(
    path: Path, *, chunk_bytes: int = CHUNK_BYTES, max_line_bytes: int | None = None
) -> Iterator[LineBatch]:
    """Yield the file's lines in batches of about `chunk_bytes`, each read straight into its own buffer.

    A line longer than `max_line_bytes` (default: the setting) is not kept whole: its start is
    kept and the rest skipped as it streams by, so reading stays linear in the file's size and
    memory bounded, and the line comes out marked `line_too_long`.
    """
    limit = max_line_bytes or _max_line_bytes()
    with open_input(path) as stream:
        carry = b""  # the start of a line that continues in the next block
        skipping: bytes | None = None  # the start of a too-long line whose rest is being skipped
        while True:
            buffer = bytearray(len(carry) + chunk_bytes + _PAD)
            buffer[: len(carry)] = carry
            got = _read_block(stream, memoryview(buffer)[len(carry) : len(carry) + chunk_bytes], path)
            if not got:
                break
            filled = len(carry) + got
            if skipping is not None:
                newline = buffer.find(b"\n", 0, filled)
                if newline == -1:
                    carry = b""
                    continue
                yield _too_long(skipping, limit)
                skipping, carry = None, bytes(buffer[newline + 1 : filled])  # read on with the next block
                continue
            cut = buffer.rfind(b"\n", 0, filled) + 1
            carry = bytes(buffer[cut:filled])
            if len(carry) > limit:
                skipping, carry = carry[: min(_KEPT, limit)], b""
            if cut:
                yield LineBatch(buffer, cut, got, limit)
        if skipping is not None:
            yield _too_long(skipping, limit)
        elif carry:
            whole = carry if carry.endswith(b"\n") else carry + b"\n"
            yield LineBatch(bytearray(whole + bytes(_PAD)), len(whole), 0, limit)


def _max_line_bytes() -> int:
    from footfall.config import get_settings

    return get_settings().max_line_bytes


def _read_block(stream: BinaryIO, into: memoryview, path: Path) -> int:
    try:
        return _fill(stream, into)
    except (OSError, EOFError) as exc:
        raise InputError(f"{path}: cannot be read ({exc})") from None


def _too_long(start: bytes, limit: int) -> LineBatch:
    """A batch of one line: the marked start of a line longer than `limit`."""
    return LineBatch(bytearray(), 0, 0, limit, _marked("line_too_long", start.decode("utf-8", errors="replace")))


def _fill(stream: BinaryIO, into: memoryview) -> int:
    """Read until `into` is full or the stream ends (a gzip stream returns less per call); the bytes read."""
    got = 0
    while got < len(into):
        n = stream.readinto(into[got:])  # type: ignore[attr-defined]
        if not n:
            break
        got += n
    return got


_PAD = 16  # spare bytes after a batch's lines: building a view reads up to 12 bytes from a line's start


def _split_lines(buffer: bytearray, end: int, limit: int) -> pl.Series:
    """Lines of `buffer[:end]` (which ends with a newline) as a string Series of views into it (no copy).

    An Arrow string view is 16 bytes: the length, then up to 12 bytes inline, or else the first
    4 bytes, the buffer's index and the offset. `buffer` must have _PAD bytes after `end`. A
    block holding a NUL byte, invalid UTF-8 or a line over `limit` bytes is split line by line.
    """
    data = np.frombuffer(buffer, dtype=np.uint8)
    ends = np.flatnonzero(data[:end] == 10)
    longest = int(np.diff(ends, prepend=-1).max()) - 1 if len(ends) else 0
    if buffer.find(b"\x00", 0, end) != -1 or longest > limit or not (buffer.isascii() or _is_utf8(buffer, end)):
        return _lines_lossy(buffer, end, ends, limit)
    starts = np.empty(len(ends), dtype=np.int64)
    starts[:1] = 0
    starts[1:] = ends[:-1] + 1
    lengths = ends - starts
    lengths -= (lengths > 0) & (data[np.maximum(ends - 1, 0)] == 13)  # a \r\n ending
    views = np.zeros((len(ends), 4), dtype=np.int32)
    views[:, 0] = lengths
    prefix = data[starts] | (data[starts + 1].astype(np.uint32) << 8)
    prefix |= (data[starts + 2].astype(np.uint32) << 16) | (data[starts + 3].astype(np.uint32) << 24)
    views[:, 1] = prefix.view(np.int32)
    views[:, 3] = starts
    short = np.flatnonzero(lengths <= 12)
    if len(short):
        inline = data[starts[short, None] + np.arange(12)]
        inline[np.arange(12) >= lengths[short, None]] = 0
        views[short, 1:] = inline.view(np.int32)
    array = pa.Array.from_buffers(pa.string_view(), len(ends), [None, pa.py_buffer(views), pa.py_buffer(buffer)])
    return pl.Series("line", array)


def _is_utf8(buffer: bytearray, end: int) -> bool:
    try:
        codecs.utf_8_decode(memoryview(buffer)[:end], "strict", True)
    except UnicodeDecodeError:
        return False
    return True


def _lines_lossy(buffer: bytearray, end: int, ends: np.ndarray, limit: int) -> pl.Series:
    """Decode line by line (only in a block with a bad line), marking the lines no parser can read."""
    out = []
    start = 0
    for stop in ends.tolist():
        out.append(decoded_line(bytes(buffer[start : stop - (stop > start and buffer[stop - 1] == 13)]), limit))
        start = stop + 1
    return pl.Series("line", out, dtype=pl.String)


def decoded_line(raw: bytes, limit: int) -> str:
    """One line's text (its ending removed), marked when no parser can read it (too long, not UTF-8, NUL)."""
    if len(raw) > limit:
        return _marked("line_too_long", raw[: min(_KEPT, limit)].decode("utf-8", errors="replace"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _marked("invalid_utf8", raw.decode("utf-8", errors="replace"))
    return _marked("nul_byte", text) if "\x00" in text else text
