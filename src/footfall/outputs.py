"""Write report tables to files, format chosen by extension, atomically (temp name, then rename)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

from footfall.errors import InputError

__all__ = [
    "FORMATS",
    "StagedOutputs",
    "check_output_path",
    "markdown_table",
    "recover_outputs",
    "sibling_path",
    "to_text_frame",
    "write_table",
]

FORMATS = {".parquet": "parquet", ".csv": "csv", ".jsonl": "jsonl"}


def check_output_path(path: Path, *, folder_ok: bool = False) -> str:
    """The format for `path` (by extension; `dataset` for a folder where allowed), or a one-line error."""
    if folder_ok and (path.is_dir() or not path.suffix):
        return "dataset"
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        folder = "; a folder (a Parquet dataset) only with --incremental" if not path.suffix or path.is_dir() else ""
        raise InputError(f"{path}: unknown output format {path.suffix!r}; use .parquet, .csv or .jsonl{folder}")
    if path.parent and not path.parent.is_dir():
        raise InputError(f"{path}: folder {path.parent} does not exist")
    return fmt


def sibling_path(path: Path, tag: str) -> Path:
    """A file next to `path` with `.tag` before its extension: sessions.csv → sessions.rejects.csv
    (a folder: sessions/ → sessions.rejects.parquet)."""
    if not path.suffix or path.is_dir():
        return path.with_name(f"{path.name}.{tag}.parquet")
    return path.with_name(f"{path.stem}.{tag}{path.suffix}")


def write_table(frame: pl.DataFrame | pl.LazyFrame, path: Path) -> None:
    """Write Parquet, CSV (lists as JSON arrays) or JSON lines, streaming a lazy frame; never a partial file."""
    with StagedOutputs(tag=str(os.getpid())) as staged:
        staged.write(frame, path)
        staged.publish()


class StagedOutputs:
    """Output files written under temporary names and renamed into place together by `publish`
    (after the run's warehouse commit); `discard` removes what was not published.

    A staged file is `.<name>.<tag>.pending` beside its final name. `publish` first writes a marker
    `.<tag>.commit` in each folder, then renames, then removes the markers: a kill in between leaves
    a marker that `recover_outputs` completes. Pending files without a marker belong to a run that
    was killed before publishing: `recover_outputs` publishes them if the run committed (the
    warehouse holds it), else removes them."""

    def __init__(self, *, tag: str) -> None:
        self.tag = tag  # the run's id: a staged file names the run that wrote it
        self._staged: list[tuple[Path, Path]] = []

    def write(self, frame: pl.DataFrame | pl.LazyFrame, path: Path) -> None:
        """Write `frame` to a temporary name beside `path` (format by `path`'s extension)."""
        fmt = check_output_path(path)
        tmp = path.with_name(f".{path.name}.{self.tag}.pending")
        self._staged.append((tmp, path))
        lazy = frame.lazy()
        if fmt == "parquet":
            lazy.sink_parquet(tmp)
        elif fmt == "csv":
            to_text_frame(lazy).sink_csv(tmp)
        else:
            to_text_frame(lazy, lists_as_json=False).sink_ndjson(tmp)

    def publish(self) -> None:
        """Rename every staged file into place (a marker first, so a kill half-way is completed later)."""
        folders = {tmp.parent for tmp, _ in self._staged}
        for folder in folders:
            (folder / f".{self.tag}.commit").write_text(self.tag)
        for tmp, path in self._staged:
            tmp.replace(path)
        for folder in folders:
            (folder / f".{self.tag}.commit").unlink(missing_ok=True)
        self._staged.clear()

    def discard(self) -> None:
        """Remove staged files that were not published."""
        for tmp, _ in self._staged:
            tmp.unlink(missing_ok=True)
        self._staged.clear()

    def __enter__(self) -> StagedOutputs:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()


def recover_outputs(folder: Path, committed: Callable[[str], bool]) -> None:
    """Finish or undo what killed runs left in `folder`: pending files of a run with a commit marker, or
    that `committed(tag)` says committed, are published; other pending files are removed."""
    if not folder.is_dir():
        return
    marked = {m.name[1:].removesuffix(".commit") for m in folder.glob(".*.commit")}
    for pending in sorted(folder.glob(".*.pending")):
        stem = pending.name[1:].removesuffix(".pending")
        final, _, tag = stem.rpartition(".")
        if final and (tag in marked or committed(tag)):
            pending.replace(folder / final)
        else:
            pending.unlink(missing_ok=True)
    for tag in marked:
        (folder / f".{tag}.commit").unlink(missing_ok=True)


FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)


def to_text_frame(frame: FrameT, *, lists_as_json: bool = True) -> FrameT:
    """Instants as ISO-8601 UTC text (`...Z`); lists as JSON array text when `lists_as_json`."""
    conversions = []
    schema = frame.collect_schema() if isinstance(frame, pl.LazyFrame) else frame.schema
    for name, dtype in schema.items():
        if isinstance(dtype, pl.Datetime):
            col = pl.col(name)
            if dtype.time_zone is not None:
                col = col.dt.convert_time_zone("UTC")
            conversions.append(col.dt.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").alias(name))
        elif isinstance(dtype, pl.List) and lists_as_json:
            conversions.append(
                pl.col(name)
                .list.eval(pl.element().cast(pl.String))
                .map_batches(_json_lists, return_dtype=pl.String)
                .alias(name)
            )
    return frame.with_columns(conversions) if conversions else frame


def _json_lists(series: pl.Series) -> pl.Series:
    """JSON array text for each list (vectorized through the struct → JSON encoder)."""
    encoded = series.to_frame("v").select(pl.struct("v").struct.json_encode())["v"]
    text = encoded.str.strip_prefix('{"v":').str.strip_suffix("}")
    return pl.select(pl.when(series.is_not_null()).then(text)).to_series()


def markdown_table(frame: pl.DataFrame, *, cell: Callable[[Any], str] | None = None) -> str:
    """The frame as a Markdown table, each value written by `cell` (default: null empty, the rest `str`)."""
    write = cell or _plain_cell
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * frame.width]
    lines += ["| " + " | ".join(write(v) for v in row) + " |" for row in frame.iter_rows()]
    return "\n".join(lines)


def _plain_cell(value: Any) -> str:
    return "" if value is None else str(value)
