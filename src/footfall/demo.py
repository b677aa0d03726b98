"""The demo: realistic sample data, every pipeline run into one warehouse, and what came out.

`run_demo` is what `footfall demo` (and `make demo`) runs before it serves the dashboard; each
step is handed to `on_step` as it finishes, so a caller can show progress.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from footfall.runs import RunSummary
from footfall.warehouse import connect

__all__ = ["Demo", "DemoStep", "run_demo"]

SEED = 7
REFERENCE_DATE = date(2022, 1, 1)  # the membership rules' reference date (docs/members.md)


@dataclass(frozen=True)
class DemoStep:
    """One pipeline of the demo: its runs and the report tables it shows."""

    title: str
    summaries: list[RunSummary] = field(default_factory=list)
    tables: list[tuple[str, pl.DataFrame]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Demo:
    """Where the demo put everything, and each step's results."""

    data_dir: Path
    warehouse_url: str
    steps: list[DemoStep] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)


def run_demo(
    data_dir: Path,
    *,
    warehouse_url: str | None = None,
    events: int = 200_000,
    report_tz: str | None = None,
    on_step: Callable[[DemoStep], None] | None = None,
) -> Demo:
    """Generate sample data under `data_dir/demo` and run every pipeline into the warehouse."""
    from footfall.demo_steps import STEPS, DemoContext

    url = warehouse_url or f"duckdb:///{data_dir / 'footfall.duckdb'}"
    demo = Demo(data_dir, url)
    folder = data_dir / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    with connect(url) as warehouse:
        context = DemoContext(folder, data_dir, warehouse, events=events, report_tz=report_tz, outputs=demo.outputs)
        for step in STEPS:
            done = step(context)
            demo.steps.append(done)
            if on_step is not None:
                on_step(done)
    return demo
