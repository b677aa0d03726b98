"""JSON arrays of records, as some sources deliver them instead of JSON lines, read as a stream.

`array_layout` tells a file's layout from its first bytes: `jsonl` (one record per line), `lines`
(one JSON array with one record per line — `[`, then `{...},` lines, then `]`: read line by line
like JSON lines) or `pretty` (an array whose records span lines). `iter_array_objects` streams a
pretty-printed array: each top-level element is reassembled into one line of text (JSON allows
any white space between tokens) and numbered by the line it starts on; nothing holds more than
one record in memory, and a record longer than the maximum line length is rejected.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal

import polars as pl

from footfall.readers.lines import ParsedBatch, open_input

__all__ = ["Layout", "array_layout", "iter_array_objects"]

Layout = Literal["jsonl", "lines", "pretty"]
RecordParser = Callable[..., tuple[pl.DataFrame, pl.DataFrame]]
_PEEK = 1 << 16
_BATCH = 50_000  # records parsed at once


def array_layout(path: Path) -> Layout:
    """How the records of `path` are laid out (a missing file: `jsonl`, and the reader reports it)."""
    if not path.is_file():
        return "jsonl"
    with open_input(path) as stream:
        head = stream.read(_PEEK).decode("utf-8", errors="replace")
    text = head.lstrip("\ufeff \t\r\n")
    if not text.startswith("["):
        return "jsonl"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines[0] != "[":
        return "pretty"  # `[{...` on the first line: elements are found wherever they are
    first = lines[1] if len(lines) > 1 else "]"
    whole = first.startswith("{") and first.rstrip(",").endswith("}")
    return "lines" if whole or first.startswith("]") else "pretty"


def iter_array_objects(path: Path, parse: RecordParser, *, first_seq: int = 0) -> Iterator[ParsedBatch]:
    """The records of a pretty-printed JSON array through `parse`, in batches, numbered by first line."""
    from footfall.config import get_settings

    limit = get_settings().max_line_bytes
    texts: list[str] = []
    numbers: list[int] = []
    seq, read = first_seq, 0
    with open_input(path) as raw:
        stream = io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="")
        for number, text in _elements(stream, limit):
            texts.append(text)
            numbers.append(number)
            if len(texts) >= _BATCH:
                yield _batch(parse, texts, numbers, path, seq, raw.tell() - read)
                seq, read, texts, numbers = seq + len(texts), raw.tell(), [], []
        if texts:
            yield _batch(parse, texts, numbers, path, seq, raw.tell() - read)


def _batch(
    parse: RecordParser, texts: list[str], numbers: list[int], path: Path, seq: int, bytes_read: int
) -> ParsedBatch:
    lines = pl.Series("line", texts, dtype=pl.String)
    events, rejects = parse(lines, source_file=str(path), line_numbers=pl.Series(numbers, dtype=pl.Int64))
    if "seq" in events.columns:
        events = events.with_columns(pl.col("seq") + seq)
    return ParsedBatch(events, rejects, bytes_read)


def _elements(stream: io.TextIOBase, limit: int) -> Iterator[tuple[int, str]]:
    """(first line, text) of each top-level element of the array in `stream`; an unfinished one at the end too."""
    element = _Element(limit)
    depth, in_string, escaped = 0, False, False
    for number, line in enumerate(stream, start=1):
        for char in line:
            if in_string:
                element.add(char, number)
                escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
            elif depth == 0:
                depth = 1 if char == "[" else 0  # before the array (a BOM, white space) or after it
            elif depth == 1 and char in ",]":
                if element:
                    yield element.take()
                depth = 0 if char == "]" else 1
            elif depth == 1 and char in " \t\r\n":
                continue
            else:
                element.add(" " if char in "\r\n" else char, number)
                in_string = char == '"'
                depth += 1 if char in "[{" else -1 if char in "]}" else 0
    if element:
        yield element.take()


class _Element:
    """The text of the element being read (its start only, once longer than `limit`)."""

    def __init__(self, limit: int) -> None:
        self.limit, self.chars, self.size, self.line = limit, list[str](), 0, 0

    def __bool__(self) -> bool:
        return self.size > 0

    def add(self, char: str, line: int) -> None:
        if not self.size:
            self.line = line
        self.size += 1
        if self.size <= self.limit:
            self.chars.append(char)

    def take(self) -> tuple[int, str]:
        text = "".join(self.chars)
        if self.size > self.limit:
            text = f"\x00line_too_long\x00{text[:1000]}"
        result = (self.line, text)
        self.chars, self.size = [], 0
        return result
