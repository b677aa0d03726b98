"""What every command shares: options, the one-line error handling, progress and summaries."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console

from footfall.errors import FootfallError

if TYPE_CHECKING:
    import polars as pl

    from footfall.runs import RunSummary
    from footfall.warehouse import Warehouse

console = Console()
err_console = Console(stderr=True)

WarehouseOption = Annotated[
    str | None,
    typer.Option(
        "--warehouse",
        help="Warehouse URL: duckdb:///path.duckdb (default: FOOTFALL_WAREHOUSE, else "
        "footfall-data/footfall.duckdb) or postgresql://user@host:5432/db.",
        show_default=False,
    ),
]

IncrementalOption = Annotated[
    bool,
    typer.Option(
        "--incremental",
        help="Read only files not processed before and update the report over all data seen so far; sessions "
        "that new data can still extend are marked open=true.",
    ),
]
StateOption = Annotated[
    Path | None,
    typer.Option(
        "--state",
        help="Folder of the incremental state (default: FOOTFALL_DATA_DIR/state/<pipeline>). A new folder starts over.",
        show_default=False,
    ),
]
WatchOption = Annotated[
    float | None,
    typer.Option(
        "--watch",
        metavar="SECONDS",
        help="With --incremental: keep running; every SECONDS, run on the files of the inputs (a folder: the "
        "files in it) that are new and no longer changing, in this one process. Ctrl-C stops; every run "
        "commits whole or not at all.",
        show_default=False,
    ),
]
LatenessOption = Annotated[
    str,
    typer.Option(
        "--lateness",
        help="With --incremental: accept lines up to this much older than the newest event already processed; "
        "older lines are rejected with reason 'late' (reported, never lost: a full run includes them).",
    ),
]

EngineOption = Annotated[
    str,
    typer.Option(
        "--engine",
        help="embedded (Polars, this machine) or beam (Apache Beam: the same report on any Beam runner).",
    ),
]
RunnerOption = Annotated[
    str,
    typer.Option(
        "--runner",
        help="With --engine beam: DirectRunner, PrismRunner, FlinkRunner, SparkRunner or DataflowRunner. "
        "Further Beam pipeline options go after `--`.",
    ),
]
ShardsOption = Annotated[
    str | None,
    typer.Option(
        "--shards",
        help="With --engine beam: folder (or gs://… URL) for the pipeline's Parquet shards, reachable by the "
        "workers and this machine (default: a local temp folder).",
        show_default=False,
    ),
]

F = TypeVar("F", bound=Callable[..., Any])


def split_pipeline_options(args: list[Path]) -> tuple[list[Path], list[str]]:
    """(input files, Beam pipeline options): arguments after `--` that start with `-` are options."""
    files = [a for a in args if not str(a).startswith("-")]
    return files, [str(a) for a in args if str(a).startswith("-")]


def beam_options(engine: str, runner: str, extra: list[str], *, incremental: bool = False) -> list[str] | None:
    """The Beam pipeline options for `--engine beam` (None for the embedded engine), or a one-line error."""
    from footfall.sessions.beam_runners import RUNNERS

    if engine not in ("embedded", "beam"):
        raise FootfallError(f"bad --engine {engine!r}: use embedded or beam")
    if engine == "embedded":
        if extra:
            raise FootfallError(f"pipeline options {' '.join(extra)} are only used with --engine beam")
        return None
    if incremental:
        raise FootfallError("--incremental runs on the embedded engine; the Beam engine recomputes in full")
    if runner not in RUNNERS:
        raise FootfallError(f"bad --runner {runner!r}: use one of {', '.join(RUNNERS)}")
    return [f"--runner={runner}", *extra]


def state_folder(incremental: bool, state: Path | None, pipeline: str) -> Path | None:
    """The incremental state folder of `pipeline`, or None for a full run."""
    if not incremental:
        if state is not None:
            raise FootfallError("--state is only used with --incremental")
        return None
    from footfall.config import get_settings

    return state or get_settings().data_dir / "state" / pipeline


def watch_runs(
    sources: list[Path],
    every: float,
    run_once: Callable[[list[Path]], RunSummary],
    *,
    incremental: bool,
    embedded: bool,
) -> None:
    """Run `run_once` on each look's ready files until interrupted; a failed run is reported and skipped."""
    from footfall.interrupts import start_run
    from footfall.watch import ready_files

    if not (incremental and embedded):
        raise FootfallError("--watch needs --incremental and the embedded engine")
    if every <= 0:
        raise FootfallError("--watch takes a positive number of seconds, e.g. --watch 60")
    err_console.print(f"watching {', '.join(map(str, sources))} every {every:g} s; Ctrl-C stops", highlight=False)
    for look in ready_files(sources, every=every):
        for path in look.changed:
            err_console.print(
                f"[bold red]error:[/] {path}: changed after it was processed; its new content is not read "
                "(deliver each hour as a new file; write it as NAME.part and rename it when complete)",
                highlight=False,
                soft_wrap=True,
            )
        files = look.ready
        if not files:
            continue
        started = time.perf_counter()
        start_run()
        try:
            summary = run_once(files)
        except FootfallError as exc:
            err_console.print(f"[bold red]error:[/] {exc} (state unchanged; still watching)", highlight=False)
            continue
        console.print(
            f"{summary.started_at:%Y-%m-%d %H:%M:%S}  {len(files)} file(s)  read {summary.read:,}  "
            f"accepted {summary.accepted:,}  rejected {summary.rejected:,}  written {summary.written:,}  "
            f"{time.perf_counter() - started:.2f} s",
            highlight=False,
            soft_wrap=True,
        )


def fail(message: str) -> typer.Exit:
    """Print a one-line error and return the exit to raise (code 2, a user's mistake)."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a FootfallError into a one-line message and exit code 2; never a traceback."""
    try:
        yield
    except FootfallError as exc:
        raise fail(str(exc)) from None


def open_warehouse(url: str | None) -> Warehouse:
    """Connect to the warehouse named by the option, else by the settings."""
    from footfall.config import get_settings
    from footfall.warehouse import connect

    return connect(url or get_settings().warehouse_url())


@contextmanager
def byte_progress(paths: list[Path], label: str) -> Iterator[Callable[[int], None]]:
    """A Rich progress bar over the input bytes (shown only on a terminal)."""
    total = sum(p.stat().st_size for p in paths if p.is_file()) or None
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn, TransferSpeedColumn

    columns = [TextColumn(label), BarColumn(), DownloadColumn(), TransferSpeedColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=err_console, transient=True, disable=not sys.stderr.isatty()) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


FormatOption = Annotated[str, typer.Option("--format", help="Output: table, csv or json (an array of objects).")]


FORMATS = ("table", "csv", "json")


def check_format(fmt: str) -> str:
    """`fmt` if it is an output format, else a one-line error (checked before any work)."""
    if fmt not in FORMATS:
        raise FootfallError(f"bad --format {fmt!r}: use table, csv or json")
    return fmt


def print_frame(frame: pl.DataFrame, fmt: str, *, title: str = "") -> None:
    """Print a report as a Rich table, CSV or JSON on stdout."""
    check_format(fmt)
    if fmt == "csv":
        sys.stdout.write(frame.write_csv())
    elif fmt == "json":
        sys.stdout.write(frame.write_json() + "\n")
    else:
        from rich.table import Table

        table = Table(*frame.columns, title=title or None, title_justify="left")
        for row in frame.iter_rows():
            table.add_row(*(_cell(v) for v in row))
        console.print(table)
        if not frame.height:
            console.print("(no rows)")


def _cell(value: object) -> str:
    """A table cell: thousands separators, 2 decimals for floats, empty for null."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def print_summary(summary: RunSummary) -> None:
    """Print a run's summary: counts, reject reasons, where results went."""
    from rich.table import Table

    table = Table(title=f"{summary.command} — run {summary.run_id[:12]}", show_header=False, title_justify="left")
    table.add_row("read", f"{summary.read:,}")
    table.add_row("accepted", f"{summary.accepted:,}")
    table.add_row("rejected", f"{summary.rejected:,}")
    for reason, count in summary.details.get("reject_reasons", {}).items():
        table.add_row(f"  {reason}", f"{count:,}")
    table.add_row("written", f"{summary.written:,}")
    table.add_row("seconds", f"{summary.seconds:.2f}")
    for key in ("output", "rejects_output", "warehouse", "incremental_state", "watermark"):
        if key in summary.details:
            table.add_row(key.replace("_", " "), str(summary.details[key]))
    skipped = summary.details.get("skipped_already_processed")
    if skipped:
        table.add_row("skipped (already processed)", f"{len(skipped):,} file(s)")
    console.print(table)
