"""Metadata every asset attaches to its materialization: the run summary's counts and where outputs went."""

from pathlib import Path
from typing import Any

import dagster as dg
import polars as pl

from footfall.outputs import markdown_table
from footfall.runs import RunSummary

__all__ = ["sessions_result", "summary_metadata", "write_report"]


def summary_metadata(summary: RunSummary, *, rows: int, **extra: Any) -> dict[str, Any]:
    """The run's rows read, accepted, rejected and written, seconds, footfall run id; `rows` in the table now."""
    return {
        "dagster/row_count": rows,
        "rows_written": summary.written,
        "rows_read": summary.read,
        "rows_accepted": summary.accepted,
        "rows_rejected": summary.rejected,
        "seconds": round(summary.seconds, 3),
        "footfall_run_id": summary.run_id,
        "inputs": len(summary.inputs),
        **extra,
    }


def sessions_result(
    context: dg.AssetExecutionContext, summary: RunSummary, *, sessions: int, unit: str, **extra: Any
) -> dg.MaterializeResult[None]:
    """Log what an incremental sessions run read (`unit`: lines, events) and made; its summary as metadata."""
    context.log.info(f"{summary.read:,} {unit} read from {len(summary.inputs)} new file(s); {sessions:,} sessions")
    return dg.MaterializeResult(
        metadata=summary_metadata(summary, rows=sessions, **extra, reject_reasons=summary.details.reject_reasons)
    )


def write_report(frame: pl.DataFrame, path: Path) -> dg.MaterializeResult[None]:
    """Write a report table as CSV and describe it: row count, path, the first rows as Markdown."""
    frame.write_csv(path)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": frame.height,
            "path": dg.MetadataValue.path(str(path)),
            "preview": dg.MetadataValue.md(_markdown(frame.head(10))),
        }
    )


def _markdown(frame: pl.DataFrame) -> str:
    """A small table as Markdown, for the UI."""
    return markdown_table(frame) if frame.height else "(no rows)"
