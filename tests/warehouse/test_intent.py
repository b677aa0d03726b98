"""A DuckDB writer announces itself before it opens the file, waits a bounded time, and names what holds the file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from footfall.errors import WarehouseError
from footfall.warehouse import connect
from footfall.warehouse._intent import announce, describe_process, intent_path, withdraw, writer_pid

HOLD = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(60)"


def test_a_writer_announces_itself_while_it_holds_the_file_and_withdraws_after(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with connect(f"duckdb:///{db}") as wh:
        assert writer_pid(db) == os.getpid() and intent_path(db).read_text().strip() == str(os.getpid())
        wh.execute("CREATE TABLE t (i INTEGER)")
    assert not intent_path(db).exists()
    with connect(f"duckdb:///{db}", read_only=True):  # a reader announces nothing
        assert not intent_path(db).exists()


def test_an_announcement_of_a_dead_process_is_ignored_and_another_writers_stays(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    intent_path(db).write_text(dead.stdout)
    assert writer_pid(db) is None
    announce(db)
    intent_path(db).write_text("1\n")  # another writer (pid 1 is always alive) announced meanwhile
    withdraw(db)
    assert writer_pid(db) == 1  # ours is gone, theirs is kept


def test_a_writer_waits_a_bounded_time_and_names_what_holds_the_file(
    tmp_path: Path, settings_env: Callable[..., None]
) -> None:
    db = tmp_path / "w.duckdb"
    connect(f"duckdb:///{db}").close()
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db)], stdout=subprocess.PIPE, start_new_session=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"held"
        settings_env(duckdb_lock_timeout="0.5")
        started = time.monotonic()
        with pytest.raises(WarehouseError) as held:
            connect(f"duckdb:///{db}")
        waited = time.monotonic() - started
        message = str(held.value)
        assert 0.5 <= waited < 3 and "\n" not in message
        assert f"{describe_process(holder.pid)} still holds it after 0.5 s" in message
        assert "FOOTFALL_DUCKDB_LOCK_TIMEOUT" in message and "PostgreSQL" in message
        assert not intent_path(db).exists()  # the writer that gave up withdrew its announcement
    finally:
        _stop(holder)


def test_the_cli_shows_the_wait_as_one_line(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    connect(f"duckdb:///{db}").close()
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db)], stdout=subprocess.PIPE, start_new_session=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"held"
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "footfall",
                "auth",
                "token",
                "create",
                "--role",
                "viewer",
                "--warehouse",
                f"duckdb:///{db}",
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "FOOTFALL_DUCKDB_LOCK_TIMEOUT": "0.3"},
            timeout=60,
        )
    finally:
        _stop(holder)
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and f"(pid {holder.pid}) still holds it" in done.stderr


def _stop(holder: subprocess.Popen[bytes]) -> None:
    os.killpg(holder.pid, signal.SIGKILL)
    holder.wait(timeout=10)
    if holder.stdout is not None:
        holder.stdout.close()
