"""The nightly retrain: a worse candidate leaves `current` alone; a better one is promoted and served at once."""

import json
import time
import urllib.request
from pathlib import Path
from typing import Any

import dagster as dg

from footfall.api.process import serve_in_background
from footfall.config import Settings
from footfall.orchestration.definitions import build_definitions
from footfall.recsys.registry import Registry
from tests.recsys.factories import clustered_movielens

GROUPS, ITEMS_PER_GROUP = 3, 10


def _retrain(defs: dg.Definitions, instance: dg.DagsterInstance, model: str) -> dict[str, Any]:
    config = {"ops": {"candidate_model": {"config": {"model": model}}}}
    result = defs.resolve_job_def("retrain_job").execute_in_process(run_config=config, instance=instance)
    assert result.success
    (event,) = [
        e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == "promoted_model"
    ]
    return {k: v.value for k, v in event.materialization.metadata.items()}


def _recommend(base: str, user: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{base}/recommendations/{user}?n=3", timeout=10) as response:
        body: dict[str, Any] = json.load(response)
    return body


def _recommend_after_swap(base: str, user: str, old: str) -> dict[str, Any]:
    """The answer once the server has swapped `old` out (the new version loads in a thread; `old` answers meanwhile)."""
    deadline = time.monotonic() + 10
    body = _recommend(base, user)
    while body["model"] == old and time.monotonic() < deadline:
        time.sleep(0.02)
        body = _recommend(base, user)
    return body


def _in_own_group(user: int, items: list[str]) -> bool:
    group = user % GROUPS
    return all(group * ITEMS_PER_GROUP + 2 <= int(i) < (group + 1) * ITEMS_PER_GROUP + 2 for i in items)


def test_worse_is_not_promoted_better_is_and_the_api_serves_it(tmp_path: Path) -> None:
    movielens = clustered_movielens(tmp_path / "ml", groups=GROUPS, items=GROUPS * ITEMS_PER_GROUP)
    url = f"duckdb:///{tmp_path / 'footfall.duckdb'}"
    defs = build_definitions(Settings(data_dir=tmp_path, warehouse=url, movielens=movielens))
    registry = Registry(tmp_path / "models")
    (tmp_path / "dagster").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "dagster")) as instance:
        first = _retrain(defs, instance, "popularity")
        assert first["promoted"] is True and first["reason"] == "the first model is always promoted"
        with serve_in_background(url, env={"FOOTFALL_DATA_DIR": str(tmp_path)}) as base:
            before = _recommend(base, "1")
            assert before["model"] == first["current"] == registry.current()
            assert not _in_own_group(1, [i["item_id"] for i in before["items"]])  # popularity ignores groups

            better = _retrain(defs, instance, "ease")
            assert better["promoted"] is True and better["candidate ndcg@10"] > better["previous ndcg@10"]
            served = _recommend_after_swap(base, "1", before["model"])  # the same server process: no restart
            assert served["model"] == better["candidate"] == registry.current() != first["current"]
            assert served["model"].endswith("-ease") and _in_own_group(1, [i["item_id"] for i in served["items"]])

            worse = _retrain(defs, instance, "popularity")
            assert worse["promoted"] is False and "below" in worse["reason"]
            assert worse["candidate ndcg@10"] < worse["previous ndcg@10"] == better["candidate ndcg@10"]
            assert registry.current() == better["candidate"] == _recommend(base, "1")["model"]
    assert len(registry.versions()) == 3
