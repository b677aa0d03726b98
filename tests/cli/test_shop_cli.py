"""`footfall shop …` end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from footfall.cli.main import app
from footfall.warehouse import connect
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


@pytest.mark.parametrize("layout", ["array-lines", "array-pretty"])
def test_a_json_array_of_events_loads_like_json_lines(layout: str, tmp_path: Path) -> None:
    """The web-shop brief's events.json is one JSON array (one event per line, trailing commas), not JSON
    lines: every valid event is loaded and the sessions are those of the same events as JSON lines."""
    import json

    from footfall.synth.shop_events import ShopSpec, generate_shop_events

    lines = tmp_path / "events.jsonl"
    generate_shop_events(ShopSpec(events=400, seed=4), lines)
    events = [json.loads(line) for line in lines.read_text().splitlines() if line.startswith("{")]
    events = [e for e in events if isinstance(e.get("event"), dict)]
    lines.write_text("".join(json.dumps(e) + "\n" for e in events))
    array = tmp_path / "events.json"
    if layout == "array-lines":
        array.write_text("[\n" + ",\n".join(json.dumps(e) for e in events) + "\n]\n")
    else:
        array.write_text(json.dumps(events, indent=2) + "\n")
    results = {}
    for name, path in (("lines", lines), ("array", array)):
        url = f"duckdb:///{tmp_path / name}.duckdb"
        done = CliRunner().invoke(app, ["shop", "sessions", str(path), "--warehouse", url])
        assert done.exit_code == 0, done.output
        with connect(url) as wh:
            results[name] = (
                wh.query("SELECT count(*) AS n FROM shop_events")["n"][0],
                wh.query("SELECT count(*) AS n FROM shop_events_rejects")["n"][0],
                wh.query("SELECT customer_id, session_start, events FROM shop_sessions ORDER BY 1, 2").rows(),
            )
    assert results["array"] == results["lines"]
    assert results["array"][0] + results["array"][1] == len(events)
