"""The options every sessions command shares (engine, incremental state, watch, lateness) and one run
or a watch over their inputs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from footfall.cli._common import byte_progress, console, err_console
from footfall.errors import FootfallError
from footfall.sessions.beam_runners import Runner

if TYPE_CHECKING:
    from footfall.runs import RunSummary
    from footfall.sessions.engines import EngineChoice

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
    str | None,
    typer.Option(
        "--lateness",
        help="With --incremental: accept lines up to this much older than the newest event already processed; "
        "older lines are rejected with reason 'late' (reported, never lost: a full run includes them). "
        "Default 1h.",
        show_default=False,
    ),
]
AllowEmptyOption = Annotated[
    bool,
    typer.Option(
        "--allow-empty",
        help="Let a full run that accepts no line (empty inputs, or every line rejected) replace the results "
        "with nothing; without it such a run fails and changes nothing.",
    ),
]

EngineOption = Annotated[
    Literal["embedded", "beam", "spark"],
    typer.Option(
        "--engine",
        help="embedded (Polars, this machine), beam (Apache Beam: the same report on any Beam runner) or spark "
        "(Apache Spark: the same report on any Spark cluster).",
    ),
]
MasterOption = Annotated[
    str,
    typer.Option(
        "--master",
        help="With --engine spark: the Spark master URL, e.g. spark://host:7077 (default: local[*], this machine). "
        "Spark settings go after `--` as spark.key=value.",
    ),
]
RunnerOption = Annotated[
    Runner,
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
        help="With --engine beam or spark: folder (or gs://… URL) for the pipeline's Parquet shards, reachable by "
        "the workers and this machine (default: a local temp folder).",
        show_default=False,
    ),
]


def split_pipeline_options(args: list[Path]) -> tuple[list[Path], tuple[str, ...]]:
    """(input files, engine options): arguments after `--` that start with `-` (Beam pipeline options) or
    read `spark.key=value` (Spark settings) are options."""
    from footfall.sessions.engines import is_spark_conf

    def is_option(arg: Path) -> bool:
        return str(arg).startswith("-") or is_spark_conf(str(arg))

    return [a for a in args if not is_option(a)], tuple(str(a) for a in args if is_option(a))


@dataclass(frozen=True)
class SessionsArgs:
    """What every sessions command's options amount to, checked before any work."""

    files: list[Path]
    engine: EngineChoice
    state_dir: Path | None
    gap: timedelta | None
    lateness: timedelta | None


def sessions_args(
    args: list[Path],
    *,
    pipeline: str,
    incremental: bool,
    state_dir: Path | None,
    gap: str | None,
    lateness: str | None,
    engine: str,
    runner: str,
    shards: str | None,
    master: str | None = None,
) -> SessionsArgs:
    """The files, engine, state folder, gap and lateness of a sessions command (one-line errors)."""
    from footfall.durations import parse_duration
    from footfall.sessions.engines import EngineChoice

    files, extra = split_pipeline_options(args)
    choice = EngineChoice(
        engine=engine,  # type: ignore[arg-type]
        runner=runner,
        options=extra,
        shards=shards,
        **({"master": master} if master else {}),
    )
    state = state_folder(incremental, state_dir, pipeline)
    choice.check(incremental=state is not None)
    gap_delta = parse_duration(gap, param="gap") if gap else None
    late_delta = parse_duration(lateness, param="lateness") if lateness else None
    return SessionsArgs(files, choice, state, gap_delta, late_delta)


def run_or_watch(
    args: SessionsArgs, watch: float | None, run: Callable[[list[Path], Callable[[int], None] | None], RunSummary]
) -> RunSummary | None:
    """One run over the files with a progress bar, or (`--watch`) a run for each new file until Ctrl-C."""
    if watch is None:
        with byte_progress(args.files, "sessionizing") as progress:
            return run(args.files, progress)
    if args.state_dir is None or args.engine.engine != "embedded":
        raise FootfallError("--watch needs --incremental and the embedded engine")
    watch_and_print(args.files, watch, lambda files: run(files, None))
    return None


def state_folder(incremental: bool, state_dir: Path | None, pipeline: str) -> Path | None:
    """The incremental state folder of `pipeline` (default: FOOTFALL_DATA_DIR/state/<pipeline>), or None."""
    if not incremental:
        if state_dir is not None:
            raise FootfallError("--state is only used with --incremental")
        return None
    from footfall.config import get_settings

    return state_dir or get_settings().state_dir(pipeline)


def watch_and_print(sources: list[Path], every: float, run: Callable[[list[Path]], RunSummary]) -> None:
    """Run `run` on new files of `sources` every `every` seconds until Ctrl-C, printing each run."""
    from footfall.watch import Changed, Failed, Ran, watch

    def report(event: Ran | Failed | Changed) -> None:
        if isinstance(event, Changed):
            err_console.print(
                f"[bold red]error:[/] {event.path}: changed after it was processed; its new content is not read "
                "(deliver each hour as a new file; write it as NAME.part and rename it when complete)",
                highlight=False,
                soft_wrap=True,
            )
        elif isinstance(event, Failed):
            err_console.print(f"[bold red]error:[/] {event.error} (state unchanged; still watching)", highlight=False)
        else:
            s = event.summary
            console.print(
                f"{s.started_at:%Y-%m-%d %H:%M:%S}  {len(event.files)} file(s)  read {s.read:,}  "
                f"accepted {s.accepted:,}  rejected {s.rejected:,}  written {s.written:,}  {event.seconds:.2f} s",
                highlight=False,
                soft_wrap=True,
            )

    if every > 0:
        err_console.print(f"watching {', '.join(map(str, sources))} every {every:g} s; Ctrl-C stops", highlight=False)
    watch(sources, every=every, run=run, report=report)
