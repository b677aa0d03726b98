"""`footfall rewards …` and `footfall demo` end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import typer
from typer.testing import CliRunner

from footfall.cli._common import reflow
from footfall.cli.main import app
from footfall.rewards.load import load_rewards
from footfall.warehouse import connect
from tests.rewards.factories import write_exports


def peak_engagement(first: str, last: str) -> list[str]:
    """`footfall rewards peak-engagement` of campaign 1 from `first` to `last`."""
    return ["rewards", "peak-engagement", "--campaign", "1", "--from", first, "--to", last]


def test_load_then_both_reports_in_every_format(tmp_path: Path) -> None:
    paths = write_exports(
        tmp_path,
        transactions=[
            ("1", "redeemed", "2019-08-12 16:30:00 UTC", "1"),
            ("2", "redeemed", "2019-08-26 16:30:00 UTC", "1"),
            ("3", "redeemed", "2019-08-12 16:30:00 UTC", "404"),
        ],
    )
    wh = ["--warehouse", f"duckdb:///{tmp_path / 'w.duckdb'}"]
    runner = CliRunner()
    loaded = runner.invoke(
        app,
        [
            "rewards",
            "load",
            "--campaigns",
            str(paths["campaigns"]),
            "--rewards",
            str(paths["rewards"]),
            "--transactions",
            str(paths["transactions"]),
            *wh,
        ],
    )
    assert loaded.exit_code == 0, loaded.output
    assert "unknown_reward" in loaded.output
    peak = runner.invoke(app, [*peak_engagement("2019-08-13", "2019-08-13"), "--format", "json", *wh])
    assert peak.exit_code == 0, peak.output
    assert json.loads(peak.output) == [{"transactions": 1, "date": "2019-08-13", "hour": 0}]
    matrix = runner.invoke(
        app, [*peak_engagement("2019-08-01", "2019-08-31"), "--by", "weekday-hour", "--format", "csv", *wh]
    )
    assert matrix.exit_code == 0 and matrix.output.count("\n") == 1 + 7 * 24
    weekly = runner.invoke(app, ["rewards", "weekly", "--format", "csv", *wh])
    assert weekly.output.splitlines() == [
        "reward_name,redeemed_count,pct_change_vs_previous_week,week_start,reward_id",
        "Free Coffee,1,,2019-08-12,1",
        "Free Coffee,0,-100.0,2019-08-19,1",
        "Free Coffee,1,,2019-08-26,1",
    ]
    table = runner.invoke(app, ["rewards", "weekly", *wh])
    assert "-100.00" in table.output and "weekly redeemed transactions (Asia/Singapore)" in table.output
    bogus = runner.invoke(app, ["rewards", "weekly", "--status", "bogus", *wh])
    assert bogus.exit_code == 2 and "unknown --status 'bogus': the transactions hold redeemed" in bogus.output


def test_the_report_zone_setting_is_the_default_of_every_report(
    tmp_path: Path, settings_env: Callable[..., None]
) -> None:
    """FOOTFALL_REPORT_TZ=UTC: 2019-08-12 16:30 UTC is hour 16 of 2019-08-12 (hour 0 of 08-13 in Singapore)."""
    paths = write_exports(tmp_path, transactions=[("1", "redeemed", "2019-08-12 16:30:00 UTC", "1")])
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    with connect(url) as wh:
        load_rewards(
            campaigns=paths["campaigns"], rewards=paths["rewards"], transactions=paths["transactions"], warehouse=wh
        )
    args = peak_engagement("2019-08-12", "2019-08-13")
    settings_env(report_tz="UTC")
    utc = CliRunner().invoke(app, [*args, "--format", "json", "--warehouse", url])
    assert json.loads(utc.output) == [{"transactions": 1, "date": "2019-08-12", "hour": 16}]
    settings_env(report_tz="Asia/Singapore")
    sgt = CliRunner().invoke(app, [*args, "--format", "json", "--warehouse", url])
    assert json.loads(sgt.output) == [{"transactions": 1, "date": "2019-08-13", "hour": 0}]
    given = CliRunner().invoke(app, [*args, "--tz", "UTC", "--format", "json", "--warehouse", url])
    assert json.loads(given.output) == json.loads(utc.output)  # --tz wins over the setting


def test_mistakes_are_one_line_with_exit_2(tmp_path: Path) -> None:
    wh = ["--warehouse", f"duckdb:///{tmp_path / 'w.duckdb'}"]
    connect(wh[1]).close()
    cases = [
        (peak_engagement("12/08/2019", "2019-08-13"), "bad --from"),
        (peak_engagement("2019-08-12", "2019-08-13"), "unknown campaign id '1'"),
        (
            [*peak_engagement("2019-08-12", "2019-08-13"), "--by", "minute"],
            "Invalid value for '--by': 'minute' is not one of 'slot', 'weekday-hour'.",
        ),
        (["rewards", "weekly", "--tz", "Nowhere/Town"], "bad --tz 'Nowhere/Town': not an IANA time zone"),
        (["rewards", "weekly", "--from", "2019-13-01"], "bad --from '2019-13-01': use a date like"),
        (["rewards", "weekly", "--format", "xml"], "Invalid value for '--format': 'xml' is not one of"),
        (["rewards", "load"], "give at least one of"),
        (["rewards", "load", "--campaigns", str(tmp_path / "none.csv")], "none.csv: no such file"),
    ]
    for args, message in cases:
        done = subprocess.run([sys.executable, "-m", "footfall", *args, *wh], capture_output=True, text=True)
        assert done.returncode == 2, (args, done.stderr)
        assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_help_explains_each_definition() -> None:
    runner = CliRunner()
    peak = runner.invoke(app, ["rewards", "peak-engagement", "--help"], terminal_width=200).output
    assert "2019-08-12 16:30 UTC counts on 2019-08-13 at hour 0" in peak and "both included" in peak
    weekly = runner.invoke(app, ["rewards", "weekly", "--help"], terminal_width=200).output
    assert "calendar week before" in weekly and "null" in weekly
    assert "unknown_reward" in runner.invoke(app, ["rewards", "load", "--help"], terminal_width=200).output


def test_demo_runs_every_pipeline_and_prints_both_reports(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "footfall", "demo", "--no-serve", "--data-dir", str(tmp_path), "--events", "20000"],
        capture_output=True,
        text=True,
        timeout=600,
        env={**__import__("os").environ, "COLUMNS": "200"},
    )
    assert done.returncode == 0, done.stderr
    for text in (
        "HTTP-log sessions",
        "peak engagement, campaign 1",
        "weekly redemptions of reward 1",
        "sessions report:",
        "reward-driven",
    ):
        assert text in done.stdout
    assert (tmp_path / "footfall.duckdb").exists() and (tmp_path / "demo" / "http_sessions.parquet").exists()


def test_help_paragraphs_are_reflowed_to_the_terminal() -> None:
    """A docstring's wrapped lines read as one paragraph in --help, not as ragged short lines."""
    root = typer.main.get_command(app)
    with root.make_context("footfall", ["shop", "sessions", "--help"], resilient_parsing=True) as ctx:
        shop = root.get_command(ctx, "shop")  # type: ignore[attr-defined]
        sessions = shop.get_command(ctx, "sessions")
    assert "form one session while each gap to the previous event is strictly less than --gap" in sessions.help
    assert reflow("Intro:\n- one\n- two\nwrapped\nline") == "Intro:\n- one\n- two wrapped line"
