"""The SageMaker inference contract (`GET /ping`, `POST /invocations`) against a real server process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from footfall.api.process import free_port
from footfall.recsys.models import make_model
from footfall.recsys.registry import Registry
from tests.recsys.test_recsys import _events

EVENTS = [("a", "1"), ("a", "2"), ("b", "2"), ("b", "3"), ("c", "3"), ("c", "1"), ("d", "3")]


@contextmanager
def sagemaker_server(args: list[str], env: dict[str, str] | None = None) -> Iterator[str]:
    """`footfall serve …` in its own session on a free port; yields its base URL; stopped by pid."""
    port = free_port()
    with tempfile.TemporaryFile() as log:  # a file, not a pipe: a full pipe would block the server's logging
        proc = subprocess.Popen(
            [sys.executable, "-m", "footfall", "serve", "--port", str(port), *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, **(env or {})},
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while call(base, "GET", "/ping")[0] == 0:  # any HTTP answer (a 503 too) means it listens
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"the server did not answer within 60 s: {log.read().decode()[-2000:]}")
                time.sleep(0.1)
            yield base
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)


def call(base: str, method: str, path: str, body: bytes | None = None, ctype: str | None = None) -> tuple[int, Any]:
    """(status, parsed JSON body) of one request; status 0 when nothing answers."""
    request = urllib.request.Request(base + path, data=body, method=method)
    if ctype is not None:
        request.add_header("Content-Type", ctype)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())
    except OSError:
        return 0, None


def invoke(base: str, payload: object, ctype: str = "application/json") -> tuple[int, Any]:
    return call(base, "POST", "/invocations", json.dumps(payload).encode(), ctype)


def test_ping_and_invocations_on_a_real_server(tmp_path: Path) -> None:
    store = Registry(tmp_path / "model")
    with sagemaker_server(["--sagemaker", "--host", "127.0.0.1", "--registry", str(store.root)]) as base:
        status, body = call(base, "GET", "/ping")
        assert status == 503 and "no model loaded" in body["error"]  # SageMaker routes no traffic here yet
        assert invoke(base, {"model": "recommender", "user_id": "a"})[0] == 503

        first = store.register(make_model("popularity").fit(_events(EVENTS)), {})
        store.promote(first)
        assert call(base, "GET", "/ping") == (200, {"status": "ok", "models": {"recommender": first}})
        status, body = invoke(base, {"model": "recommender", "user_id": "a", "n": 2})
        expected = make_model("popularity").fit(_events(EVENTS)).recommend("a", 2)
        assert status == 200 and body["model"] == first and body["cold_start"] is False
        assert [i["item_id"] for i in body["items"]] == expected.items == ["3"]  # a saw 1 and 2
        assert invoke(base, {"model": "recommender", "user_id": "stranger"})[1]["cold_start"] is True

        second = store.register(make_model("ease").fit(_events(EVENTS)), {})
        store.promote(second)  # promoted in the registry: the running server swaps it in, no restart
        deadline, answered = time.monotonic() + 10, first
        while answered == first and time.monotonic() < deadline:  # it loads in a thread; `first` answers meanwhile
            answered = invoke(base, {"model": "recommender", "user_id": "d"})[1]["model"]
            time.sleep(0.02)
        assert answered == second


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = Registry(tmp_path_factory.mktemp("sm") / "model")
    store.promote(store.register(make_model("popularity").fit(_events(EVENTS)), {}))
    with sagemaker_server(["--sagemaker", "--host", "127.0.0.1", "--registry", str(store.root)]) as base:
        yield base


@pytest.mark.parametrize("ctype", ["text/csv", "application/x-www-form-urlencoded", None])
def test_a_wrong_content_type_is_415(served: str, ctype: str | None) -> None:
    status, body = call(served, "POST", "/invocations", b'{"model": "recommender", "user_id": "a"}', ctype)
    assert status == 415 and body["error"].endswith("is not supported: send application/json")


def test_json_with_a_charset_is_accepted(served: str) -> None:
    assert invoke(served, {"model": "recommender", "user_id": "a"}, "Application/JSON; charset=utf-8")[0] == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"model": "recommender", "user_id": ', "body is not valid JSON"),
        (b"\xff\xfe", "body is not valid JSON"),
        (b"[1, 2]", "body is a JSON list: send one JSON object"),
        (b'{"user_id": "a"}', "no model key: give one of recommender"),
        (b'{"model": "churn", "user_id": "a"}', "unknown model 'churn': give one of recommender"),
        (b'{"model": ["recommender"], "user_id": "a"}', "unknown model ['recommender']"),
        (b'{"model": "recommender"}', "missing key(s) user_id: this model takes n, user_id"),
        (b'{"model": "recommender", "user": "a"}', "unknown key(s) user: this model takes n, user_id"),
        (b'{"model": "recommender", "user_id": 196}', "bad user_id 196: give the user's id as a non-empty string"),
        (b'{"model": "recommender", "user_id": "a", "n": 0}', "bad n 0: ask for 1 to 1000 items"),
        (b'{"model": "recommender", "user_id": "a", "n": "5"}', "bad n '5': ask for 1 to 1000 items"),
        (b'{"model": "recommender", "user_id": "a", "n": true}', "bad n True: ask for 1 to 1000 items"),
    ],
)
def test_a_malformed_body_is_400_with_a_json_error(served: str, body: bytes, message: str) -> None:
    status, answer = call(served, "POST", "/invocations", body, "application/json")
    assert status == 400 and list(answer) == ["error"] and answer["error"].startswith(message)


def test_the_images_serve_argument_with_footfall_sagemaker_set(tmp_path: Path) -> None:
    """SageMaker runs `<image> serve`, i.e. `footfall serve`: FOOTFALL_SAGEMAKER selects the contract."""
    store = Registry(tmp_path / "model")
    store.promote(version := store.register(make_model("popularity").fit(_events(EVENTS)), {}))
    with sagemaker_server(["--registry", str(store.root)], env={"FOOTFALL_SAGEMAKER": "true"}) as base:
        assert call(base, "GET", "/ping") == (200, {"status": "ok", "models": {"recommender": version}})
        assert call(base, "GET", "/health")[0] == 404  # the main API is not what runs


def test_the_contract_listens_on_0_0_0_0_8080_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    from footfall.api.sagemaker import SAGEMAKER_MODEL_DIR, serve_sagemaker

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(kw, app=app))
    serve_sagemaker()
    assert (seen["host"], seen["port"]) == ("0.0.0.0", 8080) and str(SAGEMAKER_MODEL_DIR) == "/opt/ml/model"


def test_a_warehouse_with_sagemaker_is_a_one_line_error() -> None:
    from footfall.cli.main import app

    result = CliRunner().invoke(app, ["serve", "--sagemaker", "--warehouse", "duckdb:///x.duckdb"])
    assert result.exit_code == 2 and "serves models only: leave out the warehouse" in result.output
