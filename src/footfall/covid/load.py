"""Load a COVID-19 time series (OWID, JHU CSSE or covid19api): the file's locations replaced, rejects kept."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from footfall.readers.covid import read_covid
from footfall.runs import RunSummary
from footfall.warehouse import Warehouse

__all__ = ["load_covid"]


def load_covid(path: Path, *, warehouse: Warehouse, location: str | None = None) -> RunSummary:
    """Replace the rows of the locations in the file (all, or `location`) with its rows; re-loading changes nothing."""
    summary = RunSummary("covid load", inputs=[str(path)])
    rows, rejects = read_covid(path, location=location)
    locations = sorted(set(rows["location"].to_list()))
    with warehouse.transaction():
        for name in locations:
            warehouse.execute("DELETE FROM covid_cases WHERE location = :l", {"l": name})
        if rows.height:
            warehouse.insert("covid_cases", rows.drop("line_number").with_columns(source_file=pl.lit(str(path))))
        warehouse.execute("DELETE FROM covid_rejects WHERE source_file = :s", {"s": str(path)})
        if rejects.height:
            warehouse.insert("covid_rejects", rejects)
        summary.read = rows.height + rejects.height
        summary.accepted, summary.rejected, summary.written = rows.height, rejects.height, rows.height
        summary.count_rejects(rejects["reason"])
        summary.details.locations = len(locations)
        summary.record(warehouse)
    return summary
