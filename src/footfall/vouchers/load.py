"""Load a voucher export: upsert on voucher_id, rejects kept with file, line and reason, one transaction."""

from __future__ import annotations

from pathlib import Path

from footfall.readers.vouchers import read_vouchers_csv
from footfall.runs import RunSummary
from footfall.warehouse import Warehouse

__all__ = ["load_vouchers"]


def load_vouchers(path: Path, *, warehouse: Warehouse, columns: dict[str, str] | None = None) -> RunSummary:
    """Upsert the export's good rows into `vouchers` and its bad rows into `vouchers_rejects`, atomically.

    Re-loading the same file changes nothing; rejects of an earlier load of the same file are replaced.
    """
    summary = RunSummary("vouchers load", inputs=[str(path)])
    rows, rejects = read_vouchers_csv(path, columns=columns)  # the whole file is checked before any write
    with warehouse.transaction():
        summary.written = warehouse.upsert("vouchers", rows.drop("line_number", "raw"), key="voucher_id")
        warehouse.execute("DELETE FROM vouchers_rejects WHERE source_file = :s", {"s": str(path)})
        if rejects.height:
            warehouse.insert("vouchers_rejects", rejects)
        summary.read = rows.height + rejects.height
        summary.accepted, summary.rejected = rows.height, rejects.height
        summary.count_rejects(rejects["reason"])
        summary.details.columns = columns or None
        summary.record(warehouse)
    return summary
