"""The inbox pipeline: one batch per run, each row in exactly one output, idempotent, crash-safe."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from footfall.cli.main import app
from footfall.members.inbox import process_inbox
from footfall.outputs import StagedOutputs
from footfall.synth.members import generate_applications
from footfall.warehouse import connect

REF = date(2022, 1, 1)
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def _outputs(out: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    ok = pl.concat([pl.read_csv(p, infer_schema=False) for p in sorted((out / "successful").glob("*.csv"))])
    bad = pl.concat([pl.read_csv(p, infer_schema=False) for p in sorted((out / "unsuccessful").glob("*.csv"))])
    return ok, bad


def test_sample_file_every_row_lands_in_exactly_one_output(samples: Path, tmp_path: Path, warehouse_url: str) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(samples / "membership_applications.sample.csv", inbox)
    with connect(warehouse_url) as wh:
        summary = process_inbox(inbox, out, reference_date=REF, warehouse=wh, now=NOW)
        members = wh.query("SELECT * FROM members ORDER BY membership_id")
    ok, bad = _outputs(out)
    source = pl.read_csv(samples / "membership_applications.sample.csv", infer_schema=False)
    assert ok.height + bad.height == source.height == summary.read
    lines = sorted(int(n) for n in ok["line_number"].to_list() + bad["line_number"].to_list())
    assert lines == list(range(2, source.height + 2))
    by_name = {r["name"]: r for r in ok.iter_rows(named=True)}
    assert by_name["Dr. Kimberly Chang"]["date_of_birth"] == "19740227"
    assert by_name["Mary Ball MD"]["first_name"] == "Mary" and by_name["Mary Ball MD"]["date_of_birth"] == "19680205"
    failed = {r["name"]: json.loads(r["reasons"]) for r in bad.iter_rows(named=True)}
    assert failed["Benjamin Craig"] == ["email: not a valid address"]
    assert failed["Kristen Horn"] == ["email: domain is not .com or .net"]
    assert failed["Cathy Werner"] == ["date_of_birth: not over 18 on 2022-01-01"]
    assert failed[""] == ["name: missing"]
    assert failed["Mr. Paul Farley Jr."] == ["mobile_no: not 8 digits"]
    # 18th birthday on the reference date passes (2004/01/01), as does the day before
    assert by_name["Sarah  Mcdaniel"]["date_of_birth"] == "20040101" and "Sarah Mcdaniel" in by_name
    assert set(members["membership_id"]) == set(ok["membership_id"])
    assert not list(inbox.iterdir())  # moved to the archive
    assert (out / "archive" / summary.details.batch / "membership_applications.sample.csv").exists()


def test_a_rerun_adds_nothing_and_a_copied_file_is_not_processed_twice(tmp_path: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    (first,) = generate_applications(inbox, files=1, rows=50, seed=1)
    kept = tmp_path / "copy.csv"
    shutil.copy(first, kept)
    once = process_inbox(inbox, out, reference_date=REF, warehouse=None, now=NOW)
    assert once.read == 50
    again = process_inbox(inbox, out, reference_date=REF, warehouse=None, now=NOW)
    assert again.read == 0 and again.details.batch is None
    shutil.copy(kept, inbox / "renamed-but-same.csv")  # the same content dropped again
    third = process_inbox(inbox, out, reference_date=REF, warehouse=None, now=NOW)
    assert third.read == 0 and third.details.already_processed == [str(inbox / "renamed-but-same.csv")]
    ok, bad = _outputs(out)
    assert ok.height + bad.height == 50
    assert len(list((out / "successful").iterdir())) == 1


def test_a_failure_mid_run_leaves_no_partial_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    generate_applications(inbox, files=2, rows=20, seed=2)
    real = StagedOutputs.write
    calls = []

    def fail_on_second(self: StagedOutputs, frame: pl.DataFrame, path: Path) -> None:
        calls.append(path)
        if len(calls) == 2:
            raise OSError("disk full")
        real(self, frame, path)

    monkeypatch.setattr(StagedOutputs, "write", fail_on_second)
    with pytest.raises(OSError, match="disk full"):
        process_inbox(inbox, out, reference_date=REF, warehouse=None, now=NOW)
    assert not list((out / "successful").iterdir()) and not list((out / "unsuccessful").iterdir())
    assert not (out / "manifest.json").exists()
    assert len(list(inbox.iterdir())) == 2  # nothing archived
    monkeypatch.setattr(StagedOutputs, "write", real)
    done = process_inbox(inbox, out, reference_date=REF, warehouse=None, now=NOW)
    assert done.read == 40


_KILLED_AFTER_COMMIT = """
import os, signal, sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from footfall.members import batches
from footfall.members.inbox import process_inbox
from footfall.warehouse import connect
batches.Manifest.write = lambda self, out: os.kill(os.getpid(), signal.SIGKILL)  # right after the commit
with connect(sys.argv[3]) as wh:
    process_inbox(Path(sys.argv[1]), Path(sys.argv[2]), reference_date=date(2022, 1, 1), warehouse=wh,
                  now=datetime(2026, 11, 23, 10, tzinfo=UTC))
"""


def test_a_run_killed_after_its_commit_is_finished_by_the_next_run(tmp_path: Path, warehouse_url: str) -> None:
    """Killed (SIGKILL) between the warehouse commit and the manifest: the next run publishes the batch's
    files and neither processes its files again nor records a second run (the warehouse says it committed)."""
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    generate_applications(inbox, files=1, rows=30, seed=5)
    killed = subprocess.run([sys.executable, "-c", _KILLED_AFTER_COMMIT, str(inbox), str(out), warehouse_url])
    assert killed.returncode == -signal.SIGKILL
    assert not list((out / "successful").glob("*.csv")) and list((out / "successful").glob(".*.pending"))
    with connect(warehouse_url) as wh:
        again = process_inbox(inbox, out, reference_date=REF, warehouse=wh, now=NOW)
        runs = wh.query("SELECT count(*) AS n FROM runs WHERE command = 'members process'")["n"][0]
        members = wh.query("SELECT count(*) AS n FROM members")["n"][0]
    assert again.read == 0 and again.details.batch is None and runs == 1
    ok, bad = _outputs(out)
    assert ok.height + bad.height == 30 and ok.height == members
    assert json.loads((out / "manifest.json").read_text())["batches"] == ["20261123T100000Z"]
    assert not list(inbox.iterdir())  # archived as already processed


def test_files_that_cannot_be_inputs_are_quarantined_and_the_others_still_run(tmp_path: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    generate_applications(inbox, files=1, rows=10, seed=6)
    (inbox / "columns.csv").write_text("full_name,mail\nAda,ada@x.com\n")
    (inbox / "huge.csv").write_text(
        "name,email,date_of_birth,mobile_no\n" + "A" * (2 << 20) + ",a@x.com,1990-01-01,12345678\n"
    )
    (inbox / "nul.csv").write_bytes(b"name,email,date_of_birth,mobile_no\nA\x00da,a@x.com,1990-01-01,12345678\n")
    summary = process_inbox(inbox, out, reference_date=REF, warehouse=None, now=NOW)
    assert summary.read == 10 and summary.details.batch == "20261123T100000Z"
    quarantined = summary.details.quarantined or {}
    assert sorted(Path(p).name for p in quarantined) == ["columns.csv", "huge.csv", "nul.csv"]
    assert quarantined[str(inbox / "columns.csv")].startswith("header: missing column 'name'")
    assert "field larger than field limit" in quarantined[str(inbox / "huge.csv")]
    folder = out / "quarantine" / "20261123T100000Z"
    assert (folder / "columns.csv").exists() and "missing column" in (folder / "columns.csv.reason.txt").read_text()
    assert not list(inbox.iterdir())  # the good file archived, the bad ones quarantined: none blocks a later run
    result = CliRunner().invoke(app, ["members", "process", "--inbox", str(inbox), "--out", str(out), "--no-warehouse"])
    assert result.exit_code == 0  # nothing left to quarantine


def test_a_batch_left_by_a_killed_run_is_removed_by_the_next_run(tmp_path: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    generate_applications(inbox, files=1, rows=10, seed=3)
    (out / "successful").mkdir(parents=True)
    orphan = out / "successful" / "applications_20260101T000000Z.csv"
    orphan.write_text("half a batch\n")
    process_inbox(inbox, out, reference_date=REF, warehouse=None, now=NOW)
    assert not orphan.exists()
    assert [p.name for p in (out / "successful").iterdir()] == ["applications_20261123T100000Z.csv"]


def test_cli_process_and_mistakes(tmp_path: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    generate_applications(inbox, files=1, rows=5, seed=4)
    (inbox / "broken.csv").write_text("name,email\nAda,ada@x.com,extra\n")
    result = CliRunner().invoke(app, ["members", "process", "--inbox", str(inbox), "--out", str(out), "--no-warehouse"])
    assert result.exit_code == 2, result.output  # a file was quarantined: the run says so and fails
    assert f"error: {inbox / 'broken.csv'}: quarantined (header: missing column 'date_of_birth'" in result.output
    ok, bad = _outputs(out)
    assert ok.height + bad.height == 5  # the good file still made the batch
    assert (out / "quarantine").is_dir() and not (inbox / "broken.csv").exists()
    for args, message in [
        (["--inbox", str(tmp_path / "nope"), "--out", str(out)], "no such inbox folder"),
        (["--inbox", str(inbox), "--out", str(out), "--reference-date", "01/01/2022"], "bad --reference-date"),
    ]:
        bad_run = CliRunner().invoke(app, ["members", "process", *args, "--no-warehouse"])
        assert bad_run.exit_code == 2 and message in bad_run.output


def test_the_membership_id_key_setting_keys_every_id(tmp_path: Path, settings_env: Callable[..., None]) -> None:
    from footfall.members.applications import membership_id

    inbox = tmp_path / "inbox"
    generate_applications(inbox, files=1, rows=40, seed=8)
    settings_env(membership_id_key="s3cret")
    process_inbox(inbox, tmp_path / "out", reference_date=REF, warehouse=None, now=NOW)
    ok, _ = _outputs(tmp_path / "out")
    assert ok.height > 0
    for row in ok.iter_rows(named=True):
        assert row["membership_id"] == membership_id(row["last_name"], row["date_of_birth"], key="s3cret")
        assert row["membership_id"] != membership_id(row["last_name"], row["date_of_birth"])
