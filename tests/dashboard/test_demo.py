"""`footfall demo` loads what every dashboard page shows, and can be run again on the same folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from footfall.recsys.registry import Registry
from footfall.warehouse import connect


def test_demo_loads_every_dashboard_dataset_and_runs_again(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "footfall", "demo", "--no-serve", "--events", "3000", "--data-dir", str(tmp_path)]
    for _ in range(2):
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
    with connect(f"duckdb:///{tmp_path / 'footfall.duckdb'}") as wh:
        counts = {
            table: wh.query(f"SELECT count(*) AS n FROM {table}")["n"][0]
            for table in ("vouchers", "covid_cases", "http_sessions", "shop_sessions", "members", "orders")
        }
        batches = wh.query("SELECT count(*) AS n FROM runs WHERE command = 'members process' AND rows_read > 0")
    assert counts["vouchers"] == 30_000 and counts["covid_cases"] == 1_074
    assert all(n > 0 for n in counts.values()), counts
    assert batches["n"][0] == 3  # the second run finds the applications already processed
    assert len(Registry(tmp_path / "models").versions()) == 1  # trained once, kept on the second run
