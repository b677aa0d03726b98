"""Ctrl-C around commits: never cut in half, and the run knows whether it committed."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from footfall.interrupts import committing, run_committed, start_run


@pytest.fixture(autouse=True)
def ctrl_c_as_in_the_cli() -> Iterator[None]:
    """Ctrl-C raising KeyboardInterrupt, as `footfall`'s entry point sets it (cli/main.py `run`), whatever
    pytest inherited: a test run started in the background (`cmd &`) starts with SIGINT ignored."""
    inherited = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, inherited)


def test_ctrl_c_during_a_commit_waits_for_its_end_then_stops() -> None:
    start_run()
    steps = []
    with pytest.raises(KeyboardInterrupt), committing():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)  # the handler has run by now: the signal was held, not raised here
        steps.append("rest of the commit")
    assert steps == ["rest of the commit"]
    assert run_committed()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_failed_commit_is_not_marked_and_ctrl_c_works_again() -> None:
    start_run()
    with pytest.raises(RuntimeError), committing():
        raise RuntimeError("COMMIT failed")
    assert not run_committed()
    with pytest.raises(KeyboardInterrupt):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)


def test_a_commit_without_interrupt_marks_the_run() -> None:
    start_run()
    assert not run_committed()
    with committing():
        pass
    assert run_committed()
    start_run()
    assert not run_committed()


def test_a_migration_commit_does_not_mark_the_run(tmp_path: Path) -> None:
    """Connecting to a new warehouse applies migrations (commits); an interrupt after that still
    finds nothing of the run committed."""
    from footfall.warehouse import connect

    start_run()
    with connect(f"duckdb:///{tmp_path / 'w.duckdb'}") as wh:
        assert wh.table_exists("http_sessions")
        assert not run_committed()
        with wh.transaction():
            wh.execute("DELETE FROM http_sessions")
    assert run_committed()
