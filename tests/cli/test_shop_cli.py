"""`footfall shop …` end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from footfall.cli.main import app
from tests.reports.test_shop_metrics import EVEN
from tests.shop.factories import write_events


def test_sessions_then_metrics(tmp_path: Path) -> None:
    events = write_events(tmp_path / "e.jsonl", *EVEN)
    with events.open("a") as f:
        f.write("{not json\n")
    wh = ["--warehouse", f"duckdb:///{tmp_path / 'w.duckdb'}"]
    done = subprocess.run(
        [sys.executable, "-m", "footfall", "shop", "sessions", str(events), *wh],
        capture_output=True,
        text=True,
        env={"COLUMNS": "200", "PATH": ""},
    )
    assert done.returncode == 0, done.stderr
    assert "invalid_json" in done.stdout and "anonymous events" in done.stdout
    out = CliRunner().invoke(app, ["shop", "metrics", "--format", "json", *wh])
    assert json.loads(out.output)["orders"] == {
        "median_visits_before_order": 1.5,
        "median_session_duration_minutes_before_order": 15.0,
    }


def test_generated_events_and_mistakes(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "g.jsonl"
    assert runner.invoke(app, ["synth", "shop-events", "--out", str(out), "--events", "3000"]).exit_code == 0
    wh = ["--warehouse", f"duckdb:///{tmp_path / 'w.duckdb'}"]
    ok = runner.invoke(app, ["shop", "sessions", str(out), "--gap", "45m", *wh])
    assert ok.exit_code == 0, ok.output
    for args, message in (
        (["shop", "sessions", str(tmp_path / "none.jsonl")], "none.jsonl: no such file"),
        (["shop", "sessions", str(out), "--gap", "soon"], "bad --gap 'soon'"),
    ):
        done = subprocess.run([sys.executable, "-m", "footfall", *args, *wh], capture_output=True, text=True)
        assert done.returncode == 2 and message in done.stderr and len(done.stderr.strip().splitlines()) == 1
