"""`footfall logs …`: HTTP access logs → sessions report, Avro archive, warehouse."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from footfall.cli._common import WarehouseOption, byte_progress, command_group, open_warehouse, print_summary
from footfall.cli.sessions_options import (
    AllowEmptyOption,
    EngineOption,
    IncrementalOption,
    LatenessOption,
    MasterOption,
    RunnerOption,
    ShardsOption,
    StateOption,
    WatchOption,
    run_or_watch,
    sessions_args,
)

if TYPE_CHECKING:
    from footfall.runs import RunSummary

CODECS = ("deflate", "snappy", "null")  # footfall.readers.avro.CODECS, kept here so --help needs no heavy imports

app = command_group("HTTP access logs: sessions with campaign attribution, Avro archive, warehouse loads.")

Logs = Annotated[
    list[Path],
    typer.Argument(help="Log files (plain or gzip), in the order their lines tie-break.", show_default=False),
]
AssumeTz = Annotated[
    str | None,
    typer.Option(
        "--assume-tz",
        help="IANA zone for timestamps written without a UTC offset (otherwise they are rejected).",
        show_default=False,
    ),
]


@app.command()
def sessions(
    logs: Logs,
    mapping: Annotated[
        Path,
        typer.Option("--mapping", help="Campaign ↔ reward mapping CSV (campaign_id,reward_id).", show_default=False),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Report file: .parquet, .csv (lists as JSON arrays) or .jsonl; with --incremental also a folder "
            "(a Parquet dataset: each run adds the rows that became final and replaces recent.parquet).",
            show_default=False,
        ),
    ],
    gap: Annotated[
        str | None, typer.Option("--gap", help="Session gap, e.g. 5m, 300s, 1h30m (default 5m).", show_default=False)
    ] = None,
    warehouse: WarehouseOption = None,
    no_warehouse: Annotated[bool, typer.Option("--no-warehouse", help="Write the report files only.")] = False,
    assume_tz: AssumeTz = None,
    incremental: IncrementalOption = False,
    state_dir: StateOption = None,
    lateness: LatenessOption = None,
    watch: WatchOption = None,
    allow_empty: AllowEmptyOption = False,
    engine: EngineOption = "embedded",
    runner: RunnerOption = "DirectRunner",
    shards: ShardsOption = None,
    master: MasterOption = "local[*]",
) -> None:
    """Sessionize access logs into one row per user session, with campaign → reward attribution.

    A session is a user's events ordered by instant (ties: file order) while each gap to the
    previous event is strictly less than --gap; a gap of exactly --gap starts a new session.
    reward_driven_by_campaign_view is true iff a reward issued in the session was preceded, at
    the same instant or earlier in the session, by a view of a campaign the mapping links to it.
    Bad lines go to <out>.rejects.<ext> and the warehouse table http_log_rejects with line
    number, reason and raw text; the summary shows read = accepted + rejected. The warehouse
    tables http_log and http_log_rejects get these files' rows replaced, and http_sessions is
    replaced by this report, in one transaction; the report files appear once it has committed.
    A session is open=true while its last event is within one gap of the newest event seen.

    With --incremental (e.g. hourly), only files not processed before (known by their content)
    are read; sessions that span files are merged, and the report and http_sessions hold all data
    seen so far, exactly as one run over all the files would give, for lines up to --lateness out
    of order. --watch SECONDS keeps one process running that does this for each new file of LOGS
    (folders allowed) once it stops changing: no start-up cost per hour.

    --engine beam runs the same pipeline on Apache Beam (LOGS may be gs://… URLs or Avro
    archives; Beam pipeline options go after `--`), with the same report and warehouse load.
    --engine spark runs it on Apache Spark (--master spark://host:7077, default local[*]; Spark
    settings after `--` as spark.key=value): --out is then a Parquet dataset partitioned by date.
    """
    from footfall.sessions.http_pipeline import run_http_sessions
    from footfall.zones import check_time_zone

    given = sessions_args(
        logs,
        pipeline="http-sessions",
        incremental=incremental,
        state_dir=state_dir,
        gap=gap,
        lateness=lateness,
        engine=engine,
        runner=runner,
        shards=shards,
        master=master,
    )
    if assume_tz:
        check_time_zone(assume_tz, param="assume_tz")

    def run(new: list[Path], progress: Callable[[int], None] | None) -> RunSummary:
        with ExitStack() as stack:
            wh = None if no_warehouse else stack.enter_context(open_warehouse(warehouse))
            return run_http_sessions(
                new,
                mapping=mapping,
                out=out,
                warehouse=wh,
                gap=given.gap,
                assume_tz=assume_tz,
                state_dir=given.state_dir,
                lateness=given.lateness,
                allow_empty=allow_empty,
                progress=progress,
                engine=given.engine,
            )

    summary = run_or_watch(given, watch, run)
    if summary is not None:
        print_summary(summary)


@app.command("to-avro")
def to_avro(
    logs: Logs,
    out: Annotated[Path, typer.Option("--out", help="The Avro file to write.", show_default=False)],
    codec: Annotated[str, typer.Option("--codec", help=f"Block compression: {', '.join(CODECS)}.")] = "deflate",
    assume_tz: AssumeTz = None,
) -> None:
    """Archive the accepted lines of access logs as Avro (schema: http_log.avsc).

    Each record keeps the UTC instant (timestamp-micros), the source's UTC offset in minutes and
    its sub-microsecond digits, the method, path, user id, parsed kind and ids, and the source
    file and line, so nothing of an accepted line is lost. Bad lines go to <out>.rejects.csv.
    """
    from footfall.sessions.http_pipeline import archive_http_logs
    from footfall.zones import check_time_zone

    if assume_tz:
        check_time_zone(assume_tz)
    with byte_progress(logs, "archiving") as progress:
        summary = archive_http_logs(logs, out=out, codec=codec, assume_tz=assume_tz, progress=progress)
    print_summary(summary)


@app.command()
def load(
    archives: Annotated[
        list[Path], typer.Argument(help="Avro archives written by `logs to-avro`.", show_default=False)
    ],
    warehouse: WarehouseOption = None,
) -> None:
    """Load Avro archives into the warehouse table http_log (rows of the same source files are replaced)."""
    from footfall.sessions.http_pipeline import load_http_log_archive

    with open_warehouse(warehouse) as wh:
        summary = load_http_log_archive(archives, warehouse=wh)
    print_summary(summary)
