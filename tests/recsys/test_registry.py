"""The model registry and the `recsys train` / `recommend` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from footfall.cli.main import app
from footfall.errors import InputError
from footfall.recsys.models import DEFAULT_MODEL, make_model
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
    with pytest.raises(InputError, match=r"holds 2 versions, none promoted\); .*footfall recsys train --promote"):
        store.current()
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
    assert body["cold_start"] is False and body["model"].endswith(f"-{DEFAULT_MODEL}")
    assert [item["item_id"] for item in body["items"]] == ["2", "3"]  # item 1 was seen
    assert body["items"][0]["title"] == "Amélie (2001)"
    stranger = json.loads(CliRunner().invoke(app, ["recommend", "zz", "--format", "json", *registry]).output)
    assert stranger["cold_start"] is True and stranger["items"][0]["title"] == "Toy Story (1995)"
    bad = CliRunner().invoke(app, ["recommend", "1", "-n", "0", *registry])
    assert bad.exit_code == 2 and "bad n 0" in bad.output
    empty = CliRunner().invoke(app, ["recommend", "1", "--registry", str(tmp_path / "none")])
    assert empty.exit_code == 2 and "no current model" in empty.output


def test_versions_are_listed_and_any_can_be_made_current_by_hand(tmp_path: Path) -> None:
    rows = [(u, i, 4, 880000000 + 10 * u + i) for u in range(1, 8) for i in range(1, 6) if (u + i) % 3]
    folder = _ml100k(tmp_path / "ml", rows)
    registry = ["--registry", str(tmp_path / "reg")]
    nothing = CliRunner().invoke(app, ["recsys", "versions", *registry])
    assert nothing.exit_code == 0 and "no versions yet" in " ".join(nothing.output.split())
    train = ["recsys", "train", "--movielens", str(folder), *registry]
    assert CliRunner().invoke(app, [*train, "--model", "popularity", "--promote"]).exit_code == 0
    assert CliRunner().invoke(app, [*train, "--model", "ease"]).exit_code == 0  # stored, not promoted
    listed = json.loads(CliRunner().invoke(app, ["recsys", "versions", "--format", "json", *registry]).output)
    assert [(v["version"].rsplit("-", 1)[-1], v["current"]) for v in listed] == [("popularity", True), ("ease", False)]
    assert all(0.0 <= v["ndcg@10"] <= 1.0 and v["data"].startswith("MovieLens 100K ") for v in listed)
    ease = listed[1]["version"]
    moved = CliRunner().invoke(app, ["recsys", "promote", ease, *registry])
    assert moved.exit_code == 0 and f"→ {ease}" in moved.output
    shown = json.loads(CliRunner().invoke(app, ["recommend", "1", "--format", "json", *registry]).output)
    assert shown["model"] == ease
    again = CliRunner().invoke(app, ["recsys", "promote", ease, *registry])
    assert again.exit_code == 0 and "already current" in again.output
    bad = CliRunner().invoke(app, ["recsys", "promote", "nope", *registry])
    assert bad.exit_code == 2 and "no model version 'nope'" in bad.output and len(bad.output.splitlines()) == 1
    table = CliRunner().invoke(app, ["recsys", "versions", *registry], terminal_width=80)
    assert ease in table.output and "✓" in table.output


def test_ml_families_list_and_promote_by_hand_as_the_recommender_does(tmp_path: Path) -> None:
    from footfall.ml.registry import ml_registry

    class Stored:  # what the registry keeps of a model: a name and a file (listing and promoting never load it)
        name = "forest"

        def save(self, path: Path) -> None:
            path.write_bytes(b"model")

    root = tmp_path / "models"
    store = ml_registry("tabular", models_root=root)
    first = store.store(Stored(), {"cv_accuracy": 0.5, "data": {"source": "cars", "sha256": "ab" * 32}})
    second = store.store(Stored(), {"cv_accuracy": 0.7})
    store.promote(first)
    base = ["ml", "versions", "tabular", "--registry", str(root)]
    listed = json.loads(CliRunner().invoke(app, [*base, "--format", "json"]).output)
    assert [(v["version"], v["cv_accuracy"], v["current"]) for v in listed] == [
        (first, 0.5, True),
        (second, 0.7, False),
    ]
    assert listed[0]["data"] == "cars abababab"
    moved = CliRunner().invoke(app, ["ml", "promote", "tabular", second, "--registry", str(root)])
    assert moved.exit_code == 0 and store.current() == second
    bad = CliRunner().invoke(app, ["ml", "versions", "cars", "--registry", str(root)])
    assert bad.exit_code == 2 and "unknown model family 'cars'" in bad.output
