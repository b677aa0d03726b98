"""`footfall orchestrate`: Dagster UI and daemon on loopback with the asset graph; a full run; stopped by pid."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from footfall.api.process import free_port, wait_until_answers
from footfall.orchestration.process import descendants, running
from footfall.orchestration.sample import stage_sample_inputs
from tests.orchestration.test_definitions import ASSET_KEYS

LOCATION = "footfall.orchestration.definitions"


def _graphql(base: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(f"{base}/graphql", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        result: dict[str, Any] = json.load(response)
    assert "errors" not in result, result
    return result["data"]


LAUNCH = """
mutation($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
  }
}"""
STATUS = "query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }"


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_orchestrate_serves_the_asset_graph_and_runs_it(tmp_path: Path) -> None:
    stage_sample_inputs(tmp_path, events=5_000, seed=5)
    port = free_port()
    env = {**os.environ, "FOOTFALL_DATA_DIR": str(tmp_path), "FOOTFALL_WAREHOUSE": ""}
    proc = subprocess.Popen(
        [sys.executable, "-m", "footfall", "orchestrate", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answers(proc, f"{base}/server_info", timeout=240, what="footfall orchestrate")
        nodes = _graphql(base, "{ assetNodes { assetKey { path } } }")["assetNodes"]
        assert {"/".join(n["assetKey"]["path"]) for n in nodes} == ASSET_KEYS
        selector = {"repositoryLocationName": LOCATION, "repositoryName": "__repository__", "jobName": "everything_job"}
        launched = _graphql(base, LAUNCH, {"params": {"selector": selector, "runConfigData": {}}})["launchRun"]
        assert launched["__typename"] == "LaunchRunSuccess", launched
        run_id = launched["run"]["runId"]
        deadline, status = time.monotonic() + 400, ""
        while time.monotonic() < deadline and status not in ("SUCCESS", "FAILURE", "CANCELED"):
            time.sleep(2)
            status = _graphql(base, STATUS, {"id": run_id})["runOrError"]["status"]
        assert status == "SUCCESS"
        assert (tmp_path / "models" / "current").is_file() and (tmp_path / "reports" / "top_members.csv").is_file()
        assert (tmp_path / "dagster" / "dagster.yaml").is_file()  # the instance lives under the data dir
    finally:
        family = descendants(proc.pid)
        os.kill(proc.pid, signal.SIGINT)  # Ctrl-C: `footfall orchestrate` stops dagster dev (its own session)
        started = time.monotonic()
        output = proc.communicate(timeout=60)[0].decode(errors="replace")
        stopped = time.monotonic() - started
        left = [pid for pid in family if running(pid)]
    assert len(family) >= 3, family  # the webserver, the daemon and their code servers
    assert stopped < 10 and left == [], (stopped, left, output[-2000:])
    assert "Dagster UI on http://127.0.0.1:" in output and "stopping the Dagster UI and daemon" in output
