"""How many rows each pipeline table holds (the orchestrator's checks and metadata)."""

from __future__ import annotations

from footfall.reports._sql import report_sql
from footfall.warehouse import Warehouse

__all__ = ["table_counts"]


def table_counts(warehouse: Warehouse) -> dict[str, int]:
    """Rows per loaded table and per rejects table (`sql/table_counts.sql` names them)."""
    rows = warehouse.query(report_sql("table_counts")).rows()
    return {str(name): int(n) for name, n in rows}
