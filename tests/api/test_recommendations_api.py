"""`GET /recommendations/{user_id}`: the registry's current model, swapped in without restart."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from fastapi.testclient import TestClient

from footfall.api.app import create_app
from footfall.recsys.models import make_model
from footfall.recsys.registry import Registry
from tests.api.helpers import local_client
from tests.recsys.test_recsys import _events


def test_serves_the_current_model_and_follows_promotions(tmp_path: Path) -> None:
    store = Registry(tmp_path / "models")
    events = _events([("a", "1"), ("a", "2"), ("b", "2"), ("b", "3"), ("c", "3"), ("c", "1"), ("d", "3")])
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    with local_client(create_app(url, models=tmp_path / "models")) as client:
        none = client.get("/recommendations/a")
        assert none.status_code == 503 and "no model to serve" in none.json()["error"]

        first = store.register(make_model("popularity").fit(events), {})
        store.promote(first)
        body = client.get("/recommendations/a", params={"n": 2}).json()
        assert body["model"] == first and body["cold_start"] is False
        assert [i["item_id"] for i in body["items"]] == ["3"]  # a saw 1 and 2: one unseen item left

        second = store.register(make_model("ease").fit(events), {})
        store.promote(second)  # no restart: it loads beside the old one, which answers until it is ready
        assert _served_once_swapped(client, "/recommendations/d", {first, second}) == second

        broken = store.register(make_model("ease").fit(events), {})
        (tmp_path / "models" / "versions" / broken / "model.npz").write_bytes(b"corrupt")
        store.promote(broken)
        for _ in range(20):  # the failed load in its thread; never answered with, never retried
            kept = client.get("/recommendations/d")
            assert kept.status_code == 200 and kept.json()["model"] == second  # the previous model stays
            time.sleep(0.01)

        cold = client.get("/recommendations/stranger", params={"n": 2}).json()
        assert cold["cold_start"] is True and [i["item_id"] for i in cold["items"]] == ["3", "1"]  # most popular first
        for n in (0, 1001):
            bad = client.get("/recommendations/a", params={"n": n})
            assert bad.status_code == 400 and bad.json()["error"].startswith("n: Input should be")


def _served_once_swapped(client: TestClient, path: str, allowed: set[str], timeout: float = 10.0) -> str:
    """The version `path` answers with once it stops changing: every answer meanwhile is one of `allowed`."""
    deadline, versions = time.monotonic() + timeout, []
    while time.monotonic() < deadline:
        versions.append(client.get(path).json()["model"])
        assert versions[-1] in allowed, versions
        if versions[-1] != versions[0]:
            return versions[-1]
        time.sleep(0.01)
    return versions[-1]


def test_a_swap_never_stalls_requests(tmp_path: Path) -> None:
    """While a new version loads, every request is answered at once by the version the server has."""
    store = Registry(tmp_path / "models")
    events = _events([("a", "1"), ("a", "2"), ("b", "2"), ("b", "3"), ("c", "3"), ("c", "1")])
    first = store.register(make_model("popularity").fit(events), {})
    store.promote(first)
    with local_client(create_app(f"duckdb:///{tmp_path / 'w.duckdb'}", models=tmp_path / "models")) as client:
        assert client.get("/recommendations/a").json()["model"] == first
        second = store.register(make_model("ease").fit(events), {})
        slow = threading.Event()
        real_load = client.app.state.models.registry.load

        def load(version: str) -> object:
            slow.wait(10)  # a big model: the load takes until the test lets it finish
            return real_load(version)

        client.app.state.models.registry.load = load
        store.promote(second)
        for _ in range(5):
            start = time.monotonic()
            assert client.get("/recommendations/a").json()["model"] == first
            assert time.monotonic() - start < 1.0
        slow.set()
        assert _served_once_swapped(client, "/recommendations/a", {first, second}) == second


def test_the_current_model_is_loaded_and_prepared_before_the_first_request(tmp_path: Path) -> None:
    """The server loads and prepares the model at start: the first request does not pay for either."""
    store = Registry(tmp_path / "models")
    events = _events([("a", "1"), ("a", "2"), ("b", "2"), ("b", "3"), ("c", "3"), ("c", "1")])
    store.promote(store.register(make_model("sequence-ease").fit(events), {}))
    app = create_app(f"duckdb:///{tmp_path / 'w.duckdb'}", models=tmp_path / "models")
    with local_client(app):
        deadline = time.monotonic() + 10
        while app.state.models._loaded is None and time.monotonic() < deadline:  # the warm thread, no request
            time.sleep(0.01)
        loaded = app.state.models._loaded
        assert loaded is not None and loaded.model.history is not None  # scoring's caches are built already
