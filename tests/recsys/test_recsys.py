"""Recommender foundation: MovieLens readers, the model interface, leave-last-out evaluation."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from footfall.cli.main import app
from footfall.errors import InputError
from footfall.recsys.data import read_movielens
from footfall.recsys.evaluate import evaluate_leave_last_out, evaluate_temporal, leave_last_out, temporal_split
from footfall.recsys.models import MODELS, Ease, ItemKnn, Popularity, load_model, make_model, top_n


def _ml100k(folder: Path, rows: list[tuple[int, int, int, int]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "u.data").write_text("".join(f"{u}\t{i}\t{r}\t{t}\n" for u, i, r, t in rows))
    (folder / "u.item").write_bytes(
        "1|Toy Story (1995)|01-Jan-1995||http://x|0|1\n2|Amélie (2001)|x||y|0\n".encode("latin-1")
    )
    return folder


def _events(pairs: list[tuple[str, str]]) -> pl.DataFrame:
    t = datetime(2000, 1, 1, tzinfo=UTC)
    return pl.DataFrame(
        {
            "user_id": [u for u, _ in pairs],
            "item_id": [i for _, i in pairs],
            "weight": [1.0] * len(pairs),
            "ts": [t] * len(pairs),
            "seq": list(range(len(pairs))),
        }
    )


def test_reads_ml100k_and_ml1m_formats(tmp_path: Path, samples: Path) -> None:
    data = read_movielens(_ml100k(tmp_path / "100k", [(1, 1, 5, 881250949), (2, 2, 3, 891717742)]))
    assert data.source == "MovieLens 100K"
    assert data.events.select("user_id", "item_id", "weight").rows() == [("1", "1", 5.0), ("2", "2", 3.0)]
    assert data.events["ts"][0] == datetime(1997, 12, 4, 15, 55, 49, tzinfo=UTC)
    assert data.items["title"].to_list() == ["Toy Story (1995)", "Amélie (2001)"]  # latin-1
    ml1m = tmp_path / "1m"
    ml1m.mkdir()
    for name in ("ratings", "movies", "users"):
        (ml1m / f"{name}.dat").write_bytes((samples / f"ml-1m.{name}.sample.dat").read_bytes())
    one_m = read_movielens(ml1m)
    assert one_m.source == "MovieLens 1M" and one_m.events.height == len(
        (ml1m / "ratings.dat").read_text().splitlines()
    )


def test_reader_mistakes_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such folder"):
        read_movielens(tmp_path / "nope")
    with pytest.raises(InputError, match=r"neither ratings\.dat"):
        read_movielens(tmp_path)
    bad = _ml100k(tmp_path / "bad", [(1, 1, 5, 1)])
    (bad / "u.data").write_text("1\t1\t5\t1\n2\t2\n")
    with pytest.raises(InputError, match=r"u.data: line 2: 2 fields, expected 4"):
        read_movielens(bad)


def test_leave_last_out_holds_out_the_last_by_time_then_file_order() -> None:
    events = _events([("a", "1"), ("a", "2"), ("a", "3"), ("b", "1")])  # all at the same instant
    train, test = leave_last_out(events)
    assert test.select("user_id", "item_id").rows() == [("a", "3")]  # the later line wins the tie
    assert sorted(train["item_id"].to_list()) == ["1", "1", "2"]  # b has one interaction: kept in train


def test_ease_weights_and_recommendations() -> None:
    events = _events([("a", "1"), ("a", "2"), ("b", "1"), ("b", "2"), ("c", "1"), ("c", "3"), ("d", "2")])
    model = Ease(params={"l2": 1.0}).fit(events)
    assert np.allclose(np.diag(model.weights), 0)
    rec = model.recommend("d", 2)
    assert rec.items[0] == "1" and "2" not in rec.items and not rec.cold_start  # seen items excluded
    cold = model.recommend("stranger", 2)
    assert cold.cold_start and cold.items == ["1", "2"]  # the popularity list
    with pytest.raises(InputError, match="bad n 0"):
        model.recommend("a", 0)


def test_item_knn_keeps_the_k_most_similar_items() -> None:
    events = _events([("a", "1"), ("a", "2"), ("b", "1"), ("b", "2"), ("c", "1"), ("c", "3"), ("d", "4")])
    model = ItemKnn(params={"k": 1, "shrink": 0.0}).fit(events)
    assert np.allclose(np.diag(model.weights), 0)
    assert (np.count_nonzero(model.weights, axis=0) <= 1).all()
    assert model.recommend("d", 1).items == ["1"]  # no neighbours: ties by item order among zeros
    assert model.recommend("c", 1).items == ["2"]  # 2 is item 1's nearest neighbour


def test_save_and_load_give_the_same_recommendations(tmp_path: Path) -> None:
    events = _events([("a", "1"), ("a", "2"), ("b", "2"), ("b", "3"), ("c", "3")])
    for name in MODELS:
        model = make_model(name, {"factors": 4} if name == "als" else None).fit(events)
        model.save(tmp_path / f"{name}.npz")
        again = load_model(tmp_path / f"{name}.npz")
        for user in ("a", "b", "c", "x"):
            assert again.recommend(user, 3) == model.recommend(user, 3)
    (tmp_path / "junk.npz").write_bytes(b"not a model")
    with pytest.raises(InputError, match="not a footfall model"):
        load_model(tmp_path / "junk.npz")
    assert make_model("default").name == "sequence-rank"


@given(st.lists(st.integers(0, 5), min_size=1, max_size=30), st.integers(1, 40))
def test_top_n_is_the_best_first_with_ties_by_index(values: list[int], n: int) -> None:
    scores = np.array(values, dtype=float)
    expected = sorted(range(len(values)), key=lambda i: (-values[i], i))[:n]
    assert top_n(scores, n).tolist() == expected


def test_hit_rate_and_ndcg_on_a_hand_made_case() -> None:
    # held out (each user's last line): p→4, q→3, r→3, z→1, y→4; training popularity 1:3, 2:2, 3:2, 4:1
    pairs = [("p", "1"), ("p", "3"), ("p", "4"), ("q", "1"), ("q", "3"), ("r", "1"), ("r", "4"), ("r", "3")]
    pairs += [("z", "2"), ("z", "1"), ("y", "2"), ("y", "3"), ("y", "4")]
    events = _events(pairs)
    result = evaluate_leave_last_out(Popularity(), events, k=10)
    # unseen rankings: p [2, 4], q [2, 3, 4], r [2, 3], z [1, 3, 4], y [1, 4] (ties: item order)
    assert result["users"] == 5
    assert result["hr@10"] == 1.0
    assert result["ndcg@10"] == pytest.approx((4 / np.log2(3) + 1.0) / 5)
    assert evaluate_leave_last_out(Popularity(), events, k=1)["hr@1"] == pytest.approx(0.2)


def test_cli_evaluate_json(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    rows = [(int(u), int(i), 4, 880000000 + k) for k, (u, i) in enumerate(rng.integers(1, 30, size=(600, 2)))]
    folder = _ml100k(tmp_path / "ml", rows)
    result = CliRunner().invoke(app, ["recsys", "evaluate", "--movielens", str(folder), "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert [o["model"] for o in out] == list(MODELS)
    assert list(MODELS) == ["popularity", "item-knn", "ease", "recency-ease", "sequence-ease", "sequence-rank", "als"]
    required = {
        "model",
        "protocol",
        "hr@10",
        "ndcg@10",
        "recall@20",
        "ndcg@20",
        "coverage@10",
        "train_seconds",
        "params",
    }
    assert all(required <= set(o) for o in out)
    bad = CliRunner().invoke(app, ["recsys", "evaluate", "--movielens", str(folder), "--model", "svd"])
    assert bad.exit_code == 2 and "unknown model 'svd'" in bad.output


def test_temporal_split_tests_warm_users_on_later_new_items() -> None:
    t = datetime(2000, 1, 1, tzinfo=UTC)
    rows = [("a", "1", 0), ("a", "2", 1), ("b", "1", 2), ("b", "3", 3), ("c", "1", 4), ("a", "3", 5), ("a", "1", 6)]
    rows += [("new", "1", 7), ("b", "9", 8), ("c", "2", 9)]
    events = pl.DataFrame(
        {
            "user_id": [u for u, _, _ in rows],
            "item_id": [i for _, i, _ in rows],
            "weight": [1.0] * len(rows),
            "ts": [t.replace(minute=m) for _, _, m in rows],
            "seq": list(range(len(rows))),
        }
    )
    train, test = temporal_split(events, test_share=0.5)
    assert train.height == 5
    # a→3 (new for a), a→1 (already in a's training: not counted), new user (cold): out,
    # b→9 (item unseen in training: out), c→2 (new for c)
    assert test.select("user_id", "item_id").rows() == [("a", "3"), ("c", "2")]
    result = evaluate_temporal(Popularity(), events)
    assert result["protocol"] == "temporal" and result["users"] >= 1
    assert 0.0 <= result["recall@20"] <= 1.0


@pytest.mark.parametrize("protocol", ["leave-last-out", "next-session"])
def test_cli_evaluate_table_shows_the_json_figures_whole(tmp_path: Path, protocol: str) -> None:
    # an 80-column terminal once showed "0.12" for 0.1245 and folded the parameters a few letters a line
    rng = np.random.default_rng(1)
    rows = [(int(u), int(i), 4, 880000000 + 600 * k) for k, (u, i) in enumerate(rng.integers(1, 30, size=(600, 2)))]
    folder = _ml100k(tmp_path / "ml", rows)
    base = ["recsys", "evaluate", "--movielens", str(folder), "--protocol", protocol, "--model", "all"]
    figures = json.loads(CliRunner().invoke(app, [*base, "--format", "json"]).output)
    shown = CliRunner().invoke(app, base, terminal_width=80)
    assert shown.exit_code == 0, shown.output
    first_table = shown.output.split("by the gap")[0].splitlines()
    listed = {part.split(":")[0]: part for part in shown.output.split("parameters:")[1].split("\n  ")}
    metric = "ndcg@10"
    for figure in figures:
        line = next(line for line in first_table if f" {figure['model']} " in line)
        assert f"{figure[metric]:.4f}" in line, (figure["model"], line)
        for key, value in figure["params"].items():  # each parameter whole, as typed on the command line
            typed = re.search(rf"\b{key}=([^,\s]+)", listed[figure["model"]])
            assert typed is not None and float(typed.group(1)) == pytest.approx(value), key
    assert max(len(line) for line in shown.output.splitlines()) <= 80
