"""Read a user's CSV file as text columns, with one-line errors for what makes it unusable."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from footfall.errors import InputError

__all__ = ["read_text_csv"]


def read_text_csv(path: Path, *, required: Sequence[str], expected: str, noun: str = "") -> pl.DataFrame:
    """Every column as text, header names lower-cased and stripped; `required` columns must exist.

    `expected` is the header to suggest when a column is missing; `noun` names the file in
    messages ("no such mapping file").
    """
    if not path.is_file():
        raise InputError(f"{path}: no such {noun + ' ' if noun else ''}file")
    try:
        frame = pl.read_csv(path, infer_schema=False)
    except (pl.exceptions.PolarsError, UnicodeDecodeError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{path}: not a readable CSV{' ' + noun if noun else ''} ({first})") from None
    frame = frame.rename({c: c.strip().lower() for c in frame.columns})
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: line 1: missing column {missing[0]!r} (expected header {expected})")
    return frame
