"""Promotion: a candidate becomes current only when it is not worse than the current model on the same data."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from footfall.cli.main import app
from footfall.errors import InputError
from footfall.recsys.registry import Registry
from footfall.recsys.retrain import evaluate_current_on, train_candidate
from tests.recsys.factories import clustered_interactions, clustered_movielens


def test_better_is_promoted_worse_is_not_and_figures_are_on_the_same_data(tmp_path: Path) -> None:
    data = clustered_interactions(tmp_path / "ml")
    store = Registry(tmp_path / "reg")
    first, _ = train_candidate(data, model="popularity", registry=store)
    decision = store.promote_if_better(first)
    assert decision.promoted and decision.reason == "the first model is always promoted"
    assert store.current() == first

    better, ease = train_candidate(data, model="ease", registry=store)
    decision = store.promote_if_better(better)
    assert decision.promoted and store.current() == better
    assert decision.current_version == first and decision.candidate == ease["ndcg@10"]
    assert decision.candidate is not None and decision.current is not None
    assert decision.candidate > decision.current

    worse, popularity = train_candidate(data, model="popularity", registry=store)
    decision = store.promote_if_better(worse)
    assert not decision.promoted and store.current() == better
    assert decision.candidate == popularity["ndcg@10"] and decision.current == ease["ndcg@10"]
    assert "below" in decision.reason
    # a tolerance wide enough lets the worse model through; force does regardless
    assert decision.candidate is not None and decision.current is not None
    drop = 1 - decision.candidate / decision.current
    assert store.promote_if_better(worse, tolerance=min(0.99, drop + 0.01)).promoted
    store.promote(better)
    assert store.promote_if_better(worse, force=True).reason == "forced" and store.current() == worse
    with pytest.raises(InputError, match="bad promotion tolerance"):
        store.promote_if_better(worse, tolerance=1.5)
    with pytest.raises(InputError, match="no model version 'nope'"):
        store.promote_if_better("nope")


def test_figures_on_other_data_are_not_compared_until_the_current_recipe_is_evaluated_on_it(tmp_path: Path) -> None:
    store = Registry(tmp_path / "reg")
    old_data = clustered_interactions(tmp_path / "old", seed=1)
    new_data = clustered_interactions(tmp_path / "new", users=120, seed=2)
    current, _ = train_candidate(old_data, model="ease", registry=store)
    store.promote(current)
    candidate, _ = train_candidate(new_data, model="ease", registry=store)
    refused = store.promote_if_better(candidate)
    assert not refused.promoted and refused.reason.startswith("not comparable")
    assert "MovieLens 100K" in refused.reason and store.current() == current

    baseline = evaluate_current_on(store, new_data)
    assert baseline is not None and baseline["data"]["sha256"] != store.evaluation(current)["data"]["sha256"]
    assert evaluate_current_on(store, new_data) == baseline  # stored: not evaluated twice
    decision = store.promote_if_better(candidate)
    assert decision.promoted and decision.current == baseline["ndcg@10"]  # same recipe, same data: not worse
    assert not list((tmp_path / "reg").rglob(".*tmp"))


def test_cli_train_prints_the_decision_and_force_overrides(tmp_path: Path) -> None:
    folder = clustered_movielens(tmp_path / "ml")
    registry = ["--movielens", str(folder), "--registry", str(tmp_path / "reg"), "--promote"]
    runner = CliRunner()
    first = runner.invoke(app, ["recsys", "train", "--model", "ease", *registry])
    assert first.exit_code == 0 and "now current" in first.output and "first model" in first.output, first.output
    worse = runner.invoke(app, ["recsys", "train", "--model", "popularity", *registry])
    assert worse.exit_code == 0 and "not promoted" in worse.output and "now current" not in worse.output
    assert Registry(tmp_path / "reg").current().endswith("-ease")
    forced = runner.invoke(app, ["recsys", "train", "--model", "popularity", "--force", *registry])
    assert forced.exit_code == 0 and "forced" in forced.output
    assert Registry(tmp_path / "reg").current().endswith("-popularity")
