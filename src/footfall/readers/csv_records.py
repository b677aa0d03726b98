"""Read a user's CSV export record by record: one bad record is a reject, never the end of the load.

A record is one line (quoted fields may hold commas and quotes, not line breaks: exports from
the sources we read never break a record across lines, and a stray quote must not swallow the
rest of the file). The header is the first non-blank line; a header without a required column
makes the file unusable (a one-line InputError). Every other line is a record or a reject:
`invalid_utf8`, `nul_byte`, `line_too_long` (over `max_line_bytes`), `bad_csv` (an unterminated
quote, text after a closing quote) or `bad_field_count`. Blank lines are not records. The file
is streamed (plain or gzip); records come back as text columns with their line and raw text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from footfall.errors import InputError
from footfall.readers.lines import MARK_DETAILS, REJECT_SCHEMA, open_input

__all__ = ["CsvRecords", "read_csv_records"]

_KEPT = 1_000


@dataclass(frozen=True)
class CsvRecords:
    """The records of a CSV file (`frame`: every column as text, plus `line_number` and `raw`) and the
    lines that are not records of it (`rejects`, in the reject shape)."""

    frame: pl.DataFrame
    rejects: pl.DataFrame


def read_csv_records(path: Path, *, required: Sequence[str], expected: str) -> CsvRecords:
    """The records of `path`; the header's names lower-cased and stripped, `required` ones present."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    from footfall.config import get_settings

    limit = get_settings().max_line_bytes
    csv.field_size_limit(max(limit, csv.field_size_limit()))  # a field may be as long as a line
    lines = _lines(path, limit)
    header_line, header = _header(lines, path)
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(f"{path}: line {header_line}: missing column {missing[0]!r} (expected header {expected})")
    columns: list[list[str | None]] = [[] for _ in header]
    numbers, raws, bad = [], [], []
    for number, text, mark in lines:
        fields, problem = _fields(text, mark, len(header))
        if problem is not None:
            bad.append((str(path), number, problem[0], problem[1], text[:_KEPT].replace("\x00", "\ufffd")))
            continue
        for column, value in zip(columns, fields, strict=True):
            column.append(value)
        numbers.append(number)
        raws.append(text)
    frame = pl.DataFrame(
        {"line_number": numbers, "raw": raws, **dict(zip(header, columns, strict=True))},
        schema={"line_number": pl.Int64, "raw": pl.String, **dict.fromkeys(header, pl.String)},
    )
    return CsvRecords(frame, pl.DataFrame(bad, schema=REJECT_SCHEMA, orient="row"))


def _header(lines: Iterator[tuple[int, str, str | None]], path: Path) -> tuple[int, list[str]]:
    for number, text, problem in lines:
        if problem is None and text.strip():
            try:
                names = next(csv.reader([text], strict=True))
            except csv.Error as exc:
                raise InputError(f"{path}: line {number}: the header is not readable CSV ({exc})") from None
            return number, [name.strip().lower() for name in names]
        if problem is not None:
            raise InputError(f"{path}: line {number}: the header is not readable ({MARK_DETAILS[problem]})")
    raise InputError(f"{path}: no header line: the file is empty")


def _fields(text: str, problem: str | None, width: int) -> tuple[list[str | None], tuple[str, str] | None]:
    """The record's fields (empty → None), or (reason, detail) of why the line is not a record."""
    if problem is not None:
        return [], (problem, MARK_DETAILS[problem])
    try:
        fields = next(csv.reader([text], strict=True))
    except csv.Error as exc:
        return [], ("bad_csv", f"the line is not a CSV record ({exc})")
    if len(fields) != width:
        return [], ("bad_field_count", f"{len(fields)} fields, the header has {width}")
    return [value if value else None for value in fields], None


def _lines(path: Path, limit: int) -> Iterator[tuple[int, str, str | None]]:
    """(line number, text, problem) of every non-blank line; a problem is a MARK_DETAILS reason."""
    with open_input(path) as stream:
        number = 0
        while True:
            raw = stream.readline(limit + 1)
            if not raw:
                return
            number += 1
            if len(raw) > limit and not raw.endswith(b"\n"):
                while (rest := stream.readline(1 << 20)) and not rest.endswith(b"\n"):
                    pass  # skip the rest of a too-long line as it streams by
                yield number, raw[: min(_KEPT, limit)].decode("utf-8", errors="replace"), "line_too_long"
                continue
            raw = raw.rstrip(b"\r\n").removeprefix(b"\xef\xbb\xbf" if number == 1 else b"")
            if not raw.strip():
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                yield number, raw.decode("utf-8", errors="replace"), "invalid_utf8"
                continue
            yield number, text, "nul_byte" if "\x00" in text else None
