"""The model registry and the `recsys train` / `recommend` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from footfall.cli.main import app
from footfall.errors import InputError
from footfall.recsys.models import make_model
from footfall.recsys.registry import Registry
from tests.recsys.test_recsys import _events, _ml100k


def test_register_promote_and_load(tmp_path: Path) -> None:
    store = Registry(tmp_path / "reg")
    with pytest.raises(InputError, match="no current model"):
        store.current()
    events = _events([("a", "1"), ("a", "2"), ("b", "2"), ("b", "3")])
    first = store.register(make_model("popularity").fit(events), {"ndcg@10": 0.1})
    second = store.register(make_model("ease").fit(events), {"ndcg@10": 0.2})
    assert store.versions() == [first, second]
    store.promote(first)
    assert store.load()[0] == first and store.load()[1].name == "popularity"
    store.promote(second)
    assert store.current() == second and store.evaluation(second) == {"ndcg@10": 0.2}
    with pytest.raises(InputError, match="no model version 'nope'"):
        store.promote("nope")
    (tmp_path / "reg" / "versions" / second / "model.npz").write_bytes(b"corrupt")
    with pytest.raises(InputError, match="not a footfall model"):
        store.load()
    assert not list((tmp_path / "reg").glob(".*"))  # no temp files left


def test_train_then_recommend_from_the_cli(tmp_path: Path) -> None:
    # user 1 has seen item 1 only; users 2-5 have seen 1, 2 and 3
    rows = [(1, 1, 4, 880000000)] + [(u, i, 4, 880000000 + 10 * u + i) for u in range(2, 6) for i in (1, 2, 3)]
    folder = _ml100k(tmp_path / "ml", rows)
    registry = ["--registry", str(tmp_path / "reg")]
    trained = CliRunner().invoke(app, ["recsys", "train", "--movielens", str(folder), "--promote", *registry])
    assert trained.exit_code == 0 and "now current" in " ".join(trained.output.split()), trained.output
    result = CliRunner().invoke(app, ["recommend", "1", "-n", "5", "--format", "json", *registry])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["cold_start"] is False and body["model"].endswith("-ease")
    assert [item["item_id"] for item in body["items"]] == ["2", "3"]  # item 1 was seen
    assert body["items"][0]["title"] == "Amélie (2001)"
    stranger = json.loads(CliRunner().invoke(app, ["recommend", "zz", "--format", "json", *registry]).output)
    assert stranger["cold_start"] is True and stranger["items"][0]["title"] == "Toy Story (1995)"
    bad = CliRunner().invoke(app, ["recommend", "1", "-n", "0", *registry])
    assert bad.exit_code == 2 and "bad n 0" in bad.output
    empty = CliRunner().invoke(app, ["recommend", "1", "--registry", str(tmp_path / "none")])
    assert empty.exit_code == 2 and "no current model" in empty.output
