"""Load report SQL files shipped in `footfall/reports/sql/`."""

from __future__ import annotations

from functools import cache
from importlib import resources

__all__ = ["report_sql"]


@cache
def report_sql(name: str) -> str:
    """The text of `sql/<name>.sql`."""
    return (resources.files("footfall.reports") / "sql" / f"{name}.sql").read_text("utf-8")
