"""`footfall logs …` end to end, as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from footfall.cli.main import app
from footfall.warehouse import connect

FOOTFALL = [sys.executable, "-m", "footfall"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*FOOTFALL, *args], capture_output=True, text=True, timeout=300)


def test_sessions_on_the_samples_end_to_end(tmp_path: Path, samples: Path) -> None:
    out, db = tmp_path / "sessions.csv", tmp_path / "w.duckdb"
    done = run(
        "logs",
        "sessions",
        str(samples / "http_log.sample.txt"),
        str(samples / "http_log.bad.txt"),
        "--mapping",
        str(samples / "campaign_reward_mapping.sample.csv"),
        "--out",
        str(out),
        "--warehouse",
        f"duckdb:///{db}",
    )
    assert done.returncode == 0, done.stderr
    assert "read" in done.stdout and "24" in done.stdout and "rejected" in done.stdout
    report = pl.read_csv(out)
    assert report.height == 8
    assert json.loads(report.filter(pl.col("user_id") == 1009125)["campaigns"][0]) == ["42", "11"]
    rejects = pl.read_csv(tmp_path / "sessions.rejects.csv")
    assert rejects["reason"].n_unique() == 9 and rejects["line_number"].to_list() == list(range(1, 10))
    with duckdb.connect(str(db), read_only=True) as con:
        run_row = con.sql("SELECT rows_read, rows_accepted, rows_rejected, rows_written FROM runs").fetchall()
        assert run_row == [(24, 15, 9, 8)]
        assert con.sql("SELECT count(*) FROM http_sessions").fetchall() == [(8,)]
        assert con.sql("SELECT count(*) FROM http_log_rejects").fetchall() == [(9,)]


@pytest.mark.parametrize("fmt", [".parquet", ".jsonl", ".csv"])
def test_generated_log_on_every_warehouse_gives_the_same_table(
    tmp_path: Path, generated_log: tuple[Path, Path], warehouse_url: str, fmt: str
) -> None:
    log, mapping = generated_log
    out = tmp_path / f"sessions{fmt}"
    args = ["logs", "sessions", str(log), "--mapping", str(mapping), "--out", str(out), "--warehouse", warehouse_url]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    again = CliRunner().invoke(app, args)  # idempotent: a second run changes nothing
    assert again.exit_code == 0, again.output
    with connect(warehouse_url) as wh:
        table = wh.query("SELECT * FROM http_sessions ORDER BY user_id, session_start")
        counts = (
            wh.query("SELECT count(*) AS n FROM http_log")["n"][0],
            wh.query("SELECT count(*) AS n FROM runs")["n"][0],
        )
    assert counts == (20_000, 2)
    from_file = pl.read_parquet(out) if fmt == ".parquet" else None
    if from_file is not None:
        assert table.equals(from_file.sort("user_id", "session_start"))
    assert table["events"].sum() == 20_000
    assert 0 < table["reward_driven_by_campaign_view"].mean() < 1  # type: ignore[operator]


def test_duckdb_and_postgres_hold_identical_sessions(
    tmp_path: Path, generated_log: tuple[Path, Path], postgres_schema_url: str
) -> None:
    log, mapping = generated_log
    tables = []
    for url in (f"duckdb:///{tmp_path / 'w.duckdb'}", postgres_schema_url):
        result = CliRunner().invoke(
            app,
            [
                "logs",
                "sessions",
                str(log),
                "--mapping",
                str(mapping),
                "--out",
                str(tmp_path / "s.parquet"),
                "--warehouse",
                url,
            ],
        )
        assert result.exit_code == 0, result.output
        with connect(url) as wh:
            tables.append(wh.query("SELECT * FROM http_sessions ORDER BY user_id, session_start"))
    assert tables[0].equals(tables[1])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"log": "missing.log"}, "missing.log: no such file"),
        ({"mapping": "missing.csv"}, "missing.csv: no such mapping file"),
        ({"gap": "5"}, "bad --gap '5': give a number with a unit"),
        ({"gap": "0m"}, "bad --gap '0m': it must be longer than zero"),
        ({"out": "x.xlsx"}, "unknown output format '.xlsx'"),
        ({"bad_mapping": "campaign,reward\n1,2\n"}, "line 1: missing column 'campaign_id'"),
        ({"bad_mapping": "campaign_id,reward_id\n1,\n"}, "line 2: field reward_id is empty"),
    ],
)
def test_user_mistakes_give_one_line_and_exit_2(
    tmp_path: Path, generated_log: tuple[Path, Path], change: dict[str, str], message: str
) -> None:
    log, mapping = generated_log
    db = tmp_path / "w.duckdb"
    if "bad_mapping" in change:
        mapping = tmp_path / "bad.csv"
        mapping.write_text(change["bad_mapping"])
    args = [
        "logs",
        "sessions",
        str(tmp_path / change["log"]) if "log" in change else str(log),
        "--mapping",
        str(tmp_path / change["mapping"]) if "mapping" in change else str(mapping),
        "--out",
        str(tmp_path / change.get("out", "s.parquet")),
        "--gap",
        change.get("gap", "5m"),
        "--warehouse",
        f"duckdb:///{db}",
    ]
    done = run(*args)
    assert done.returncode == 2
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "s.parquet").exists()


def test_a_failed_load_leaves_the_warehouse_as_it_was(
    tmp_path: Path, generated_log: tuple[Path, Path], warehouse_url: str
) -> None:
    log, mapping = generated_log
    args = [
        "logs",
        "sessions",
        str(log),
        "--mapping",
        str(mapping),
        "--out",
        str(tmp_path / "s.parquet"),
        "--warehouse",
        warehouse_url,
    ]
    assert CliRunner().invoke(app, args).exit_code == 0
    with connect(warehouse_url) as wh:
        before = wh.query("SELECT * FROM http_sessions ORDER BY user_id, session_start")
        wh.execute("ALTER TABLE runs ADD COLUMN must_not_be_null TEXT NOT NULL DEFAULT 'x'")
        wh.execute("ALTER TABLE runs ALTER COLUMN must_not_be_null DROP DEFAULT")  # the run's record now fails
    other = tmp_path / "other.log"
    other.write_text("2019-08-27T00:00:00Z GET /campaigns/1 someone\n")
    failed = CliRunner().invoke(app, ["logs", "sessions", str(other), *args[3:]])
    assert failed.exit_code == 2
    with connect(warehouse_url) as wh:
        assert wh.query("SELECT * FROM http_sessions ORDER BY user_id, session_start").equals(before)
        assert wh.query("SELECT count(*) AS n FROM http_log WHERE source_file = :s", {"s": str(other)})["n"][0] == 0


def test_to_avro_and_load_from_the_command_line(tmp_path: Path, generated_log: tuple[Path, Path]) -> None:
    log, _ = generated_log
    archive, db = tmp_path / "log.avro", tmp_path / "w.duckdb"
    done = run("logs", "to-avro", str(log), "--out", str(archive), "--codec", "snappy")
    assert done.returncode == 0, done.stderr
    done = run("logs", "load", str(archive), "--warehouse", f"duckdb:///{db}")
    assert done.returncode == 0, done.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.sql("SELECT count(*) FROM http_log").fetchall() == [(20_000,)]
    assert run("logs", "to-avro", str(log), "--out", str(archive), "--codec", "lz4").returncode == 2


def test_every_command_has_help() -> None:
    for command in (
        ["logs", "sessions"],
        ["logs", "to-avro"],
        ["logs", "load"],
        ["synth", "http-log"],
        ["demo"],
        ["serve"],
        ["runs"],
    ):
        result = CliRunner().invoke(app, [*command, "--help"])
        assert result.exit_code == 0
        assert "Usage" in result.output
    assert "strictly less than --gap" in CliRunner().invoke(app, ["logs", "sessions", "--help"]).output


def test_assume_tz_accepts_offsetless_lines(tmp_path: Path) -> None:
    log = tmp_path / "naive.log"
    log.write_text("2019-08-27T08:00:00 GET /campaigns/1 u\n2019-08-27T00:00:00Z POST /rewards/1 u\n")
    mapping = tmp_path / "m.csv"
    mapping.write_text("campaign_id,reward_id\n1,1\n")
    args = [
        "logs",
        "sessions",
        str(log),
        "--mapping",
        str(mapping),
        "--out",
        str(tmp_path / "s.parquet"),
        "--warehouse",
        f"duckdb:///{tmp_path / 'w.duckdb'}",
    ]
    assert CliRunner().invoke(app, args).exit_code == 0
    assert pl.read_parquet(tmp_path / "s.rejects.parquet")["reason"].to_list() == ["missing_offset"]
    assert CliRunner().invoke(app, [*args, "--assume-tz", "Asia/Singapore"]).exit_code == 0
    report = pl.read_parquet(tmp_path / "s.parquet")
    assert report["events"].to_list() == [2]  # 08:00 SGT is 00:00 UTC: the same instant as the reward
    assert report["reward_driven_by_campaign_view"].to_list() == [True]
    bad_zone = CliRunner().invoke(app, [*args, "--assume-tz", "Mars/Olympus"])
    assert bad_zone.exit_code == 2 and "bad --assume-tz 'Mars/Olympus': not an IANA time zone" in bad_zone.output


def test_http_log_rows_are_replaced_per_source_file(tmp_path: Path, warehouse_url: str) -> None:
    a, b = tmp_path / "a.log", tmp_path / "b.log"
    a.write_text("2019-08-27T00:00:00Z GET /campaigns/1 u\n")
    b.write_text("2019-08-27T01:00:00Z GET /campaigns/2 u\n2019-08-27T01:00:01Z GET /home u\n")
    mapping = tmp_path / "m.csv"
    mapping.write_text("campaign_id,reward_id\n1,1\n")
    common = ["--mapping", str(mapping), "--out", str(tmp_path / "s.jsonl"), "--warehouse", warehouse_url]
    for files in ([a], [b], [a]):
        assert CliRunner().invoke(app, ["logs", "sessions", *map(str, files), *common]).exit_code == 0
    with connect(warehouse_url) as wh:
        per_file = wh.query("SELECT source_file, count(*) AS n FROM http_log GROUP BY 1 ORDER BY 1")
        sessions = wh.query("SELECT count(*) AS n FROM http_sessions")["n"][0]
    assert per_file.rows() == [(str(a), 1), (str(b), 2)]
    assert sessions == 1  # http_sessions holds the latest run's report


def test_ctrl_c_leaves_the_warehouse_unchanged(tmp_path: Path, generated_log: tuple[Path, Path]) -> None:
    import signal
    import time

    from footfall.synth.http_log import HttpLogSpec, generate_http_log

    log, mapping = generated_log
    db = tmp_path / "w.duckdb"
    common = ["--mapping", str(mapping), "--warehouse", f"duckdb:///{db}"]
    first = CliRunner().invoke(app, ["logs", "sessions", str(log), *common, "--out", str(tmp_path / "a.parquet")])
    assert first.exit_code == 0

    def snapshot() -> list[list[tuple[object, ...]]]:
        with connect(f"duckdb:///{db}") as wh:
            return [wh.query(f"SELECT * FROM {t} ORDER BY ALL").rows() for t in ("http_sessions", "http_log", "runs")]

    big = tmp_path / "big.log"
    generate_http_log(HttpLogSpec(events=1_500_000, users=20_000, seed=9), big)
    interrupted = 0
    for delay in (1.2, 2.0, 3.0):  # while parsing, and later (sessionizing, loading or committing)
        before = snapshot()
        command = [*FOOTFALL, "logs", "sessions", str(big), *common, "--out", str(tmp_path / "b.parquet")]
        proc = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
        if proc.returncode == 0:
            continue  # it finished before the signal arrived
        assert proc.returncode == 130, err
        assert "Traceback" not in err
        if "interrupted after the run committed" in err:  # the signal came during or after the COMMIT: it is whole
            sessions, _, runs = snapshot()
            assert len(sessions) == pl.read_parquet(tmp_path / "b.parquet").height and len(runs) == len(before[2]) + 1
            continue
        interrupted += 1
        assert "interrupted: the run in progress committed nothing" in err
        assert snapshot() == before
    assert interrupted >= 1
