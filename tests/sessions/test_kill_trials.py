"""kill -9 at random points: files, warehouse, incremental state and `runs` always agree afterwards.

Each trial starts `footfall logs sessions --incremental` (or `members process`) over the next
files as a real process, kills it with SIGKILL after a random delay, and runs the recovery every
run starts with. Then the report files hold exactly the sessions of the warehouse's table, the
warehouse's `http_log` holds exactly the files the committed state knows, every committed run is
one row of `runs`, and nothing half-written is left. Trials go on for about half a minute per
warehouse (FOOTFALL_KILL_TRIAL_SECONDS); a last run then takes every file, and the result equals one
full run over all of them.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from footfall.members.inbox import process_inbox
from footfall.sessions.http_pipeline import recover_http_sessions, run_http_sessions
from footfall.sessions.state_folder import StateFolder
from footfall.synth.hourly import split_hourly
from footfall.synth.http_log import HttpLogSpec, generate_http_log
from footfall.synth.members import generate_applications
from footfall.warehouse import Warehouse, connect

SECONDS = float(os.environ.get("FOOTFALL_KILL_TRIAL_SECONDS", "30"))  # per warehouse: about a minute in all


def _sessions_command(files: list[Path], mapping: Path, out: Path, state: Path, url: str) -> list[str]:
    args = ["logs", "sessions", *map(str, files), "--mapping", str(mapping), "--out", str(out)]
    return [sys.executable, "-m", "footfall", *args, "--incremental", "--state", str(state), "--warehouse", url]


def _kill_after(command: list[str], delay: float) -> int | None:
    """Run `command`, SIGKILL it after `delay` seconds unless it ended; its exit code (None: killed)."""
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True) as proc:
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return None
        stderr = proc.communicate()[1].decode()
    assert proc.returncode == 0, stderr
    return 0


class _Delays:
    """Kill delays scaled to how long a run takes on this machine: most trials die part-way, whatever its speed."""

    def __init__(self, rng: random.Random, first_guess: float) -> None:
        self.rng, self.longest = rng, first_guess

    def run(self, command: list[str]) -> int | None:
        """Run `command` and kill it at a random point of a typical run; its exit code (None: killed)."""
        started = time.monotonic()
        code = _kill_after(command, self.rng.uniform(0.2, 1.2) * self.longest)
        # a completed run measures the length; a killed one nudges the guess up, so some runs complete
        self.longest = self.longest * 1.15 if code is None else time.monotonic() - started
        return code


def _report(out: Path) -> pl.DataFrame:
    files = sorted(out.glob("*.parquet")) if out.is_dir() else []
    if not files:
        return pl.DataFrame()
    return pl.read_parquet(files).sort("user_id", "session_start").drop("open")


def _check_consistent(out: Path, state: Path, wh: Warehouse) -> None:
    """The report equals the table, the state's files are the warehouse's, and no staged leftovers remain."""
    table = wh.query("SELECT * FROM http_sessions ORDER BY user_id, session_start").drop("open")
    report = _report(out)
    if report.height or table.height:
        table = table.with_columns(pl.col("campaigns", "rewards_issued").cast(pl.List(pl.String)))
        assert_frame_equal(report, table)
    version = StateFolder(state).current()
    known = set(json.loads((version / "state.json").read_text())["files"]) if version else set()
    loaded = set(wh.query("SELECT DISTINCT source_file FROM http_log")["source_file"].to_list())
    assert {str(Path(f).resolve()) for f in loaded} <= known  # nothing loaded that the state does not know
    runs = wh.query("SELECT run_id FROM runs WHERE command = 'logs sessions'")["run_id"].to_list()
    assert len(runs) == len(set(runs))
    leftovers = [p.name for p in [*out.parent.iterdir(), *(out.iterdir() if out.is_dir() else [])]]
    assert not [n for n in leftovers if n.endswith((".pending", ".commit"))], leftovers


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_sessions_killed_at_random_points_stay_consistent(tmp_path: Path, warehouse_url: str) -> None:
    day, mapping = tmp_path / "day.log", tmp_path / "mapping.csv"
    generate_http_log(HttpLogSpec(events=60_000, users=2_000, seed=9, days=1), day, mapping_out=mapping)
    hours = split_hourly(day, tmp_path / "hours", kind="http-log", late_fraction=0.0, max_delay_minutes=0, seed=9)
    out, state = tmp_path / "report", tmp_path / "state"
    rng = random.Random(18)
    delays, trials, killed = _Delays(rng, first_guess=1.0), 0, 0
    started, taken = time.monotonic(), 0
    while time.monotonic() - started < SECONDS and taken < len(hours):
        batch = hours[: taken + rng.randint(1, 4)]
        code = delays.run(_sessions_command(batch, mapping, out, state, warehouse_url))
        trials, killed = trials + 1, killed + (code is None)
        with connect(warehouse_url) as wh:
            recover_http_sessions(out, state_dir=state, warehouse=wh)
            _check_consistent(out, state, wh)
            version = StateFolder(state).current()
            taken = len(json.loads((version / "state.json").read_text())["files"]) if version else 0
    assert trials >= 5 and killed >= 2, (trials, killed)
    with connect(warehouse_url) as wh:
        run_http_sessions(hours, mapping=mapping, out=out, warehouse=wh, state_dir=state)
        _check_consistent(out, state, wh)
    full = tmp_path / "full.parquet"
    run_http_sessions(hours, mapping=mapping, out=full, warehouse=None)
    assert_frame_equal(_report(out), pl.read_parquet(full).sort("user_id", "session_start").drop("open"))


_MEMBERS = """
import sys
from datetime import date
from pathlib import Path
from footfall.members.inbox import process_inbox
from footfall.warehouse import connect
with connect(sys.argv[3]) as wh:
    process_inbox(Path(sys.argv[1]), Path(sys.argv[2]), reference_date=date(2022, 1, 1), warehouse=wh)
"""


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_membership_batches_killed_at_random_points_stay_consistent(tmp_path: Path, warehouse_url: str) -> None:
    """Every committed batch has its run, its members and its two files; no batch is processed twice."""
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    rng = random.Random(5)
    delays, started, trials, killed, dropped = _Delays(rng, first_guess=1.0), time.monotonic(), 0, 0, 0
    while time.monotonic() - started < SECONDS / 2:
        generate_applications(inbox, files=1, rows=rng.randint(200, 2_000), seed=trials + 100)
        dropped += 1
        command = [sys.executable, "-c", _MEMBERS, str(inbox), str(out), warehouse_url]
        code = delays.run(command)
        trials, killed = trials + 1, killed + (code is None)
        with connect(warehouse_url) as wh:
            process_inbox(inbox, out, reference_date=__import__("datetime").date(2022, 1, 1), warehouse=wh)
            runs = wh.query("SELECT details FROM runs WHERE command = 'members process'")
            batches = [json.loads(d)["batch"] for d in runs["details"] if "batch" in json.loads(d)]
            files = wh.query("SELECT count(*) AS n FROM member_files")["n"][0]
        manifest = json.loads((out / "manifest.json").read_text())
        assert sorted(batches) == sorted(manifest["batches"]) and len(set(batches)) == len(batches)
        assert files == dropped == len(manifest["files"])  # every drop processed exactly once
        for batch in batches:
            assert (out / "successful" / f"applications_{batch}.csv").is_file()
            assert (out / "unsuccessful" / f"applications_{batch}.csv").is_file()
        assert not list(inbox.iterdir())
    assert trials >= 3, trials
