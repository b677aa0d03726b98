"""The `--engine beam` runs: the Beam pipeline writes shards, then the embedded engine's outputs and load.

The shards' folder defaults to a local temp folder; on a remote runner pass one every worker
and this process can reach (e.g. `gs://bucket/footfall-shards`). After the pipeline, the shards
are read back, given the columns the Beam pipeline leaves to this step (`open`, and for shop
sessions the id, index, duration, device and referrer domain, with the same expressions as
the embedded engine), written to `--out` and loaded by the same warehouse step.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import polars as pl

from footfall.errors import InputError, UnavailableError
from footfall.outputs import StagedOutputs, check_output_path, recover_outputs, sibling_path
from footfall.readers.http_log import EVENT_SCHEMA as HTTP_EVENT_SCHEMA
from footfall.readers.lines import REJECT_SCHEMA
from footfall.readers.mapping import read_campaign_reward_mapping
from footfall.readers.shop_events import EVENT_SCHEMA as SHOP_EVENT_SCHEMA
from footfall.runs import RunSummary, committed_in
from footfall.sessions.engines import EngineChoice
from footfall.sessions.http_pipeline import load_http_results
from footfall.sessions.http_sessions import REPORT_SCHEMA
from footfall.sessions.incremental import newest, open_sessions
from footfall.sessions.loading import check_inputs
from footfall.sessions.pipeline import refuse_empty
from footfall.sessions.shop_pipeline import load_shop_results
from footfall.sessions.shop_sessions import SHOP_SESSION_SCHEMA, device_class, referrer_domain, session_id
from footfall.warehouse import Warehouse

__all__ = ["beam_http_sessions", "beam_shop_sessions"]


def beam_http_sessions(
    logs: Sequence[Path],
    *,
    mapping: Path,
    out: Path,
    gap: timedelta,
    warehouse: Warehouse | None,
    assume_tz: str | None = None,
    engine: EngineChoice,
    allow_empty: bool = False,
) -> RunSummary:
    """HTTP-log sessions on Beam: the same report files and warehouse load as `run_http_sessions`."""
    options, shards = engine.beam_options(), engine.shards
    from footfall.sessions.beam import run_http_pipeline

    check_output_path(out)
    check_inputs(logs)
    recover_outputs(out.parent, committed_in(warehouse))
    links = read_campaign_reward_mapping(mapping)
    summary = RunSummary("logs sessions", inputs=[str(p) for p in logs])
    with _shards(shards) as folder:
        pairs = list(zip(links["campaign_id"].to_list(), links["reward_id"].to_list(), strict=True))
        with _runner_failures(options):
            run_http_pipeline(
                [str(p) for p in logs], mapping=pairs, gap=gap, shards=folder, assume_tz=assume_tz, options=options
            )
        events = _read(folder, "events", HTTP_EVENT_SCHEMA).sort("seq")
        rejects = _read(folder, "rejects", REJECT_SCHEMA).sort("source_file", "line_number")
        raw = _read(folder, "sessions", None)
    report = (
        raw.with_columns(open=open_sessions(newest(None, events), gap))
        .select(REPORT_SCHEMA.names())
        .cast(REPORT_SCHEMA)
        .sort("user_id", "session_start")
    )
    _count(summary, events, rejects, report, gap=gap, options=options)
    refuse_empty(summary, logs, allow_empty=allow_empty)
    rejects_out = sibling_path(out, "rejects")
    with StagedOutputs(tag=summary.run_id) as outputs:
        outputs.write(report, out)
        outputs.write(rejects, rejects_out)
        summary.details.output, summary.details.rejects_output = str(out), str(rejects_out)
        if warehouse is None:
            outputs.publish()
        else:
            load_http_results(warehouse, summary, events=[events], rejects=rejects, sessions=[report], outputs=outputs)
    return summary


def beam_shop_sessions(
    files: Sequence[Path],
    *,
    gap: timedelta,
    warehouse: Warehouse,
    engine: EngineChoice,
    allow_empty: bool = False,
) -> RunSummary:
    """Web-shop sessions on Beam: the same tables as `run_shop_sessions`."""
    options, shards = engine.beam_options(), engine.shards
    from footfall.readers.shop_parquet import checked_file, is_parquet
    from footfall.sessions.beam import run_shop_pipeline

    check_inputs(files)
    for path in files:
        if is_parquet(path):
            checked_file(path)  # a file of the wrong shape: one line, before the pipeline starts
    summary = RunSummary("shop sessions", inputs=[str(p) for p in files])
    with _shards(shards) as folder:
        with _runner_failures(options):
            run_shop_pipeline([str(p) for p in files], gap=gap, shards=folder, options=options)
        events = _read(folder, "events", SHOP_EVENT_SCHEMA).sort("seq")
        rejects = _read(folder, "rejects", REJECT_SCHEMA).sort("source_file", "line_number")
        raw = _read(folder, "sessions", None)
        assignment = _read(folder, "assignment", None)
    sessions = (
        raw.sort("customer_id", "session_start")
        .with_columns(
            session_id=session_id(pl.col("customer_id"), pl.col("session_start")),
            session_index=pl.int_range(pl.len()).over("customer_id").cast(pl.Int64),
            duration_seconds=(pl.col("session_end") - pl.col("session_start")).dt.total_microseconds() * 1e-6,
            has_order=pl.col("orders") > 0,
            referrer_domain=referrer_domain(pl.col("first_referrer")),
            device=device_class(pl.col("user_agent")),
            open=open_sessions(newest(None, events), gap),
        )
        .select(*SHOP_SESSION_SCHEMA.names(), "open")
        .cast(dict(SHOP_SESSION_SCHEMA))  # type: ignore[arg-type]
    )
    ids = assignment.join(events.select("seq", "customer_id"), on="seq").select(
        "seq", session_id=session_id(pl.col("customer_id"), pl.col("session_start"))
    )
    loaded = events.join(ids, on="seq", how="left")
    _count(summary, events, rejects, sessions, gap=gap, options=options)
    refuse_empty(summary, files, allow_empty=allow_empty)
    summary.details.anonymous_events = events["customer_id"].null_count()
    load_shop_results(warehouse, summary, events=[loaded], rejects=rejects, sessions=[sessions])
    return summary


@contextmanager
def _shards(shards: str | None) -> Iterator[str]:
    """The shards' folder: the one given (kept), or a local temp folder (removed afterwards)."""
    if shards is not None:
        yield shards.rstrip("/")
        return
    folder = tempfile.mkdtemp(prefix="footfall-beam-")
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _read(folder: str, name: str, schema: pl.Schema | None) -> pl.DataFrame:
    """All shards of one output (none when the pipeline wrote no rows)."""
    pattern = f"{folder}/{name}-*.parquet"
    try:
        frame = pl.read_parquet(pattern)
    except (FileNotFoundError, pl.exceptions.ComputeError) as exc:
        if schema is None:
            raise InputError(f"{pattern}: the Beam pipeline wrote no {name} ({exc})") from None
        return pl.DataFrame(schema=schema)
    return frame if schema is None else frame.select(schema.names()).cast(schema)


def _count(
    summary: RunSummary,
    events: pl.DataFrame,
    rejects: pl.DataFrame,
    sessions: pl.DataFrame,
    *,
    gap: timedelta,
    options: list[str] | None,
) -> None:
    summary.accepted, summary.rejected = events.height, rejects.height
    summary.read = events.height + rejects.height
    summary.written = sessions.height
    summary.count_rejects(rejects["reason"])
    summary.details.engine, summary.details.runner = "beam", _runner(options)
    summary.details.gap_seconds = gap.total_seconds()


@contextmanager
def _runner_failures(options: list[str] | None) -> Iterator[None]:
    """A runner that cannot be reached or started (no job server, no network, a wrong endpoint) is the
    user's setup, not a bug: one line naming the runner. Any other failure keeps its traceback."""
    try:
        yield
    except Exception as exc:
        if not _unreachable(exc):
            raise
        cause = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UnavailableError(
            f"the Beam {_runner(options)} could not run the pipeline: {cause[:300]} (check the runner's pipeline "
            "options such as flink_master or job_endpoint, and that the runner is reachable)",
            param="runner",
        ) from None


def _unreachable(exc: BaseException) -> bool:
    """Whether `exc` (or what caused it) is a failure to reach or start the runner."""
    seen: BaseException | None = exc
    while seen is not None:
        text = str(seen).lower()
        if isinstance(seen, ConnectionError | TimeoutError | OSError) or "job server" in text:
            return True
        if type(seen).__name__ in ("_InactiveRpcError", "RpcError") and "unavailable" in text:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _runner(options: list[str] | None) -> str:
    for option in options or []:
        if option.startswith("--runner="):
            return option.split("=", 1)[1]
    return "DirectRunner"
