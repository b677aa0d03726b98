"""HTTP access logs: raw files → Avro archive, and raw files + mapping → sessions tables and report.

Both steps read the raw text (the Avro archive keeps accepted lines only, so sessions from it
would lose the rejects); sessions run incrementally: each run reads only the log files not seen
before and the tables cover everything seen so far (docs/sessions.md#incremental-runs).
"""

import dagster as dg
from dagster import AssetExecutionContext

from footfall.orchestration.assets._inputs import external_input
from footfall.orchestration.assets._metadata import sessions_result
from footfall.orchestration.resources import DataDirResource, WarehouseResource
from footfall.reports.tables import table_counts
from footfall.sessions.http_pipeline import archive_http_logs, run_http_sessions

__all__ = ["ASSETS", "GROUP"]

GROUP = "http_logs"

raw_http_logs = external_input(
    "raw_http_logs",
    GROUP,
    "file",
    "HTTP access logs dropped into FOOTFALL_DATA_DIR/inbox/logs (text, optionally gzip).",
)
campaign_reward_mapping = external_input(
    "campaign_reward_mapping",
    GROUP,
    "csv",
    "The campaign ↔ reward mapping CSV at FOOTFALL_DATA_DIR/inbox/campaign_reward_mapping.csv.",
)


@dg.asset(deps=[raw_http_logs], group_name=GROUP, kinds={"avro"})
def http_log_archive(context: AssetExecutionContext, data: DataDirResource) -> dg.MaterializeResult[None]:
    """Each log file archived losslessly as Avro (`archive/http_log/<file>.avro`), once per version of the file."""
    archived, written, rejected = [], 0, 0
    for log in data.files("logs"):
        out = data.output("archive", "http_log", f"{log.name}.avro")
        if out.exists() and out.stat().st_mtime_ns >= log.stat().st_mtime_ns:
            continue  # archived already, and the log has not changed since
        summary = archive_http_logs([log], out=out, codec="deflate")
        archived.append(log.name)
        written += summary.written
        rejected += summary.rejected
    context.log.info(f"archived {len(archived)} log file(s): {', '.join(archived) or 'none new'}")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": written,
            "files_archived": len(archived),
            "rows_rejected": rejected,
            "folder": dg.MetadataValue.path(str(data.root / "archive" / "http_log")),
        }
    )


@dg.asset(deps=[raw_http_logs, campaign_reward_mapping], group_name=GROUP, kinds={"polars", "sql"})
def http_sessions(
    context: AssetExecutionContext, data: DataDirResource, warehouse: WarehouseResource
) -> dg.MaterializeResult[None]:
    """Sessions with campaign attribution (docs/sessions.md) in the tables `http_sessions`,
    `http_log` and `http_log_rejects`, and the report `reports/http_sessions.parquet` (+ its rejects)."""
    logs = data.files("logs")
    if not logs:
        raise dg.Failure(f"no log files in {data.inbox('logs')}: drop access logs there")
    if not data.mapping.is_file():
        raise dg.Failure(f"no campaign-reward mapping at {data.mapping}")
    with warehouse.open() as wh:
        summary = run_http_sessions(
            logs,
            mapping=data.mapping,
            out=data.output("reports", "http_sessions.parquet"),
            warehouse=wh,
            state_dir=data.state_dir("http-sessions"),
        )
        sessions = table_counts(wh)["http_sessions"]
    report = dg.MetadataValue.path(summary.details.output or "")
    return sessions_result(context, summary, sessions=sessions, unit="lines", report=report)


ASSETS: list[dg.AssetsDefinition | dg.AssetSpec] = [
    raw_http_logs,
    campaign_reward_mapping,
    http_log_archive,
    http_sessions,
]
