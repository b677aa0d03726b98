"""The README's examples run as a first-time reader types them, and print what the README shows.

Every fenced block marked ```` ```sh runnable ```` is run in order, in one empty folder, with the
project's `footfall` first on PATH (what `source .venv/bin/activate` does) and no `FOOTFALL_*`
setting but a fresh data folder. A command followed by `# → TEXT` must print TEXT (spaces
collapsed). `footfall serve &` starts the server in the background (on a free port, which the
block's `localhost:8000` then means) and `kill %1` stops it, as in a shell. Blocks without the
mark (a Flink cluster, AWS, a download) are not run.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
RUNNABLE = re.compile(r"^```sh runnable\n(.*?)^```", re.S | re.M)
ARROW = "# → "


@dataclass(frozen=True)
class Example:
    """One command of a runnable block and the text it must print (empty: anything)."""

    command: str
    expected: str


def examples(text: str) -> list[Example]:
    """The commands of the runnable blocks, continuation lines joined, with their expected output."""
    found = []
    for block in RUNNABLE.findall(text):
        for line in block.replace("\\\n", " ").splitlines():
            command, _, expected = line.partition(ARROW)
            command = command.strip()
            if command and not command.startswith("#"):
                found.append(Example(command, expected.strip()))
    return found


def readme_output(command_start: str) -> str:
    """What the README shows the first runnable command starting with `command_start` printing."""
    return next(e.expected for e in examples(README.read_text(encoding="utf-8")) if e.command.startswith(command_start))


def _collapsed(text: str) -> str:
    return " ".join(text.split())


def test_the_quick_start_is_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"## Quick start\n\n```sh\n(.*?)```", text, re.S)
    assert block is not None
    assert [line.split("#")[0].strip() for line in block.group(1).splitlines()] == ["make demo", "make test"]


def test_the_readme_states_what_a_first_time_reader_needs() -> None:
    text = README.read_text(encoding="utf-8")
    for needed in ("Python 3.11", "make", "disk", "source .venv/bin/activate", ".venv/bin/footfall", "PostgreSQL"):
        assert needed in text, needed
    commands = " ".join(e.command for e in examples(text))
    for needed in ("synth split-hourly", "synth sales", "synth applications", "synth vouchers", "synth covid"):
        assert needed in commands, needed  # every input an example reads is made by an example before it
    assert "recsys data movielens --path data/ --download --dataset ml-100k" in text


@pytest.mark.slow
def test_every_runnable_example_runs_and_prints_what_the_readme_shows(tmp_path: Path) -> None:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    from footfall.api.process import free_port, wait_until_answers

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOOTFALL_")}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        FOOTFALL_DATA_DIR=str(tmp_path / "footfall-data"),
        FOOTFALL_PORT=str(port),
        COLUMNS="200",
    )
    server: subprocess.Popen[bytes] | None = None
    try:
        for example in examples(README.read_text(encoding="utf-8")):
            command = example.command.replace("localhost:8000", f"localhost:{port}")
            if command.startswith("footfall serve"):
                argv = [a for a in shlex.split(command, comments=True) if a != "&"]
                server = subprocess.Popen(
                    argv,
                    cwd=tmp_path,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
                wait_until_answers(server, f"http://127.0.0.1:{port}/health", timeout=60, what="footfall serve")
                continue
            if shlex.split(command, comments=True) == ["kill", "%1"]:
                assert server is not None, "kill %1 without footfall serve &"
                _stop(server)
                server = None
                continue
            done = subprocess.run(
                ["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
            )
            assert done.returncode == 0, (command, done.stdout[-2000:], done.stderr[-2000:])
            assert _collapsed(example.expected) in _collapsed(done.stdout), (command, done.stdout[-3000:])
    finally:
        if server is not None:
            _stop(server)


def test_the_orders_example_is_json_the_api_serves() -> None:
    shown = json.loads(readme_output("curl -s localhost:8000/metrics/orders"))
    assert set(shown) == {"median_visits_before_order", "median_session_duration_minutes_before_order"}


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the background server (its own process group) and wait for it."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
