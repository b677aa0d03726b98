"""The sequence-aware model and the next-session protocol: whole sessions held out, earlier sessions trained on."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from footfall.cli.main import app
from footfall.recsys.evaluate import evaluate_leave_last_out
from footfall.recsys.models import Popularity, RecencyEase, SequenceEase
from footfall.recsys.next_session import SESSION_GAP, evaluate_next_session, next_session_split
from footfall.recsys.tuning import tune
from tests.recsys.factories import T0, clustered_movielens, timed_events


def test_what_comes_after_the_last_item_ranks_first() -> None:
    # many users saw a then z, many saw b then a: a co-occurs with b and z alike, but z follows a
    rows = [(f"p{k}", "a", 0) for k in range(6)] + [(f"p{k}", "z", 10) for k in range(6)]
    rows += [(f"q{k}", "b", 0) for k in range(6)] + [(f"q{k}", "a", 10) for k in range(6)]
    rows += [("me", "c", 0), ("me", "a", 100)]
    events = timed_events(rows)
    params = {"l2": 1.0, "floor": 0.0, "backward": 0.0, "pop": 0.0}
    assert SequenceEase(params=params).fit(events).recommend("me", 1).items == ["z"]
    assert RecencyEase(params={"l2": 1.0, "floor": 0.0}).fit(events).recommend("me", 1).items == ["b"]  # a tie


def test_without_transitions_it_is_the_recency_model() -> None:
    events = timed_events([(f"u{k % 7}", f"i{(k * 5) % 11}", k * 97) for k in range(60)])
    shared = {"l2": 5.0, "tau": 60.0, "floor": 0.05}
    plain = RecencyEase(params=shared).fit(events)
    flat = SequenceEase(params=shared | {"beta": 0.0, "pop": 0.0}).fit(events)
    rows = np.arange(len(plain.users))
    np.testing.assert_allclose(flat.score_users(rows), plain.score_users(rows), rtol=1e-6)


def test_what_is_popular_lately_reaches_a_user_whose_history_says_nothing() -> None:
    # "old" was everyone's film two months ago, "new" is what five users watched in the last days
    day = 86_400
    rows = [(f"o{k}", "old", k) for k in range(10)] + [(f"n{k}", "new", 60 * day + k) for k in range(5)]
    rows += [("me", "c", 0), ("o0", "c", 1)]
    events = timed_events(rows)
    assert Popularity().fit(events).recommend("me", 1).items == ["old"]
    lately = SequenceEase(params={"l2": 1.0, "pop": 0.5, "days": 30.0}).fit(events)
    assert lately.recommend("me", 1).items == ["new"]  # asked at the data's end: me has been away 60 days
    assert SequenceEase(params={"l2": 1.0, "pop": 0.5, "days": 90.0}).fit(events).recommend("me", 1).items == ["old"]
    # asked an hour after me's last visit, me is not back from an absence: only the history speaks
    assert lately.recommend("me", 1, at=T0 + timedelta(hours=1)).items == ["old"]
    assert lately.recommend("me", 1, at=T0 + timedelta(days=2)).items == ["new"]


@st.composite
def histories(draw: st.DrawFn) -> pl.DataFrame:
    """Users with interactions seconds to days apart, many in the same second, in any file order."""
    rows = draw(
        st.lists(
            st.tuples(st.integers(0, 5), st.integers(0, 8), st.sampled_from([0, 0, 1, 59, 3599, 3600, 7200, 200_000])),
            min_size=1,
            max_size=50,
        )
    )
    seconds = np.cumsum([gap for _, _, gap in rows]).tolist()
    order = draw(st.permutations(range(len(rows))))  # the file need not be in time order
    return timed_events([(f"u{rows[k][0]}", f"i{rows[k][1]}", int(seconds[k])) for k in order])


@settings(max_examples=100, deadline=None)
@given(events=histories())
def test_next_session_holds_out_whole_last_sessions(events: pl.DataFrame) -> None:
    train, test = next_session_split(events)
    assert sorted(train["seq"].to_list() + test["seq"].to_list()) == sorted(events["seq"].to_list())
    for user, held in test.group_by("user_id"):
        earlier = train.filter(pl.col("user_id") == user[0])
        assert earlier.height > 0  # only users with an earlier session are tested
        # train has only earlier sessions: an hour or more before the held-out session starts
        assert earlier["ts"].max() + SESSION_GAP <= held["ts"].min()
        # the held-out session is whole: no gap of an hour inside it, and nothing of the user after it
        gaps = held.sort("ts")["ts"].diff().drop_nulls()
        assert (gaps < SESSION_GAP).all()
    for user, kept in train.group_by("user_id"):
        if test.filter(pl.col("user_id") == user[0]).height == 0:  # untested: one session only
            assert (kept.sort("ts")["ts"].diff().drop_nulls() < SESSION_GAP).all()


@settings(max_examples=50, deadline=None)
@given(events=histories())
def test_ties_inside_a_second_never_decide_what_is_held_out(events: pl.DataFrame) -> None:
    reordered = events.with_columns(seq=pl.col("seq").reverse())  # break every same-second tie the other way
    held = next_session_split(events)[1].select("user_id", "item_id", "ts").sort(pl.all())
    assert next_session_split(reordered)[1].select("user_id", "item_id", "ts").sort(pl.all()).equals(held)


def test_next_session_figures_on_a_hand_made_case() -> None:
    # x and y each come back a day later; x's next visit has two new items, y's only items it had already
    rows = [("x", "1", 0), ("x", "2", 5), ("x", "3", 86_400), ("x", "4", 86_410), ("x", "1", 86_420)]
    rows += [("y", "1", 0), ("y", "1", 90_000), ("o", "3", 0), ("o", "4", 1), ("o", "3", 2), ("o", "5", 3)]
    result = evaluate_next_session(Popularity(), timed_events(rows))
    # only x is tested (y's last session has nothing new); popularity ranks 3, 4 first: NDCG 1, Recall 1
    assert result["users"] == 1 and result["protocol"] == "next-session"
    assert result["recall@20"] == 1.0 and result["ndcg@10"] == 1.0
    assert result["by_gap"] == {"1 h-1 day": {"users": 1, "recall@20": 1.0, "ndcg@10": 1.0}}


def test_the_protocols_ask_at_the_moment_the_held_out_data_begins() -> None:
    # the training data ends an hour after me's first visit; me comes back two days later for "zz",
    # which others took lately: only a model asked at me's return knows that me has been away
    rows = [(f"o{k}", "old", k) for k in range(10)] + [(f"n{k}", "zz", 3600 + k) for k in range(5)]
    rows += [("o0", "c", 20), ("me", "c", 0), ("me", "zz", 2 * 86_400)]
    events = timed_events(rows)
    params = {"l2": 1.0, "pop": 0.5, "days": 0.01}  # lately: the last 864 s of the training data
    trained = SequenceEase(params=params).fit(next_session_split(events)[0])
    assert trained.recommend("me", 1).items == ["old"]  # asked at the training data's end, an hour after me's visit
    assert trained.recommend("me", 1, at=T0 + timedelta(days=2)).items == ["zz"]
    assert evaluate_next_session(SequenceEase(params=params), events)["ndcg@10"] == 1.0
    assert evaluate_leave_last_out(SequenceEase(params=params), events)["ndcg@10"] == 1.0
    without = SequenceEase(params=params | {"pop": 0.0})
    assert evaluate_leave_last_out(without, events)["ndcg@10"] < 1.0  # "old" first: a tie, broken by id


def test_leave_last_out_breaks_figures_down_by_gap() -> None:
    rows = [("a", "1", 0), ("a", "2", 0), ("b", "1", 0), ("b", "2", 7200), ("c", "2", 0), ("c", "1", 100)]
    result = evaluate_leave_last_out(Popularity(), timed_events(rows))
    assert {label: group["users"] for label, group in result["by_gap"].items()} == {
        "<1 min": 1,
        "1 min-1 h": 1,
        "1 h-1 day": 1,
    }


def test_tuning_on_next_session_never_sees_the_test_sessions() -> None:
    rows = [(f"u{u}", f"i{(u * 3 + k) % 9}", k * 5000 + u) for u in range(20) for k in range(6)]
    events = timed_events(rows)
    chosen = tune("popularity", events, protocol="next-session")
    _, test = next_session_split(events)
    changed = events.join(test.select("seq", new=pl.lit("i0")), on="seq", how="left")
    changed = changed.with_columns(item_id=pl.coalesce("new", "item_id")).drop("new")
    assert tune("popularity", changed, protocol="next-session") == chosen


def test_cli_evaluates_the_next_session_protocol(tmp_path: Path) -> None:
    folder = clustered_movielens(tmp_path / "ml")
    lines = (folder / "u.data").read_text().splitlines()  # every 4th rating a day later: sessions to hold out
    spread = [
        f"{u}\t{i}\t{r}\t{int(t) + (k % 4 == 3) * 86_400 * (k // 4)}"
        for k, (u, i, r, t) in enumerate(line.split("\t") for line in lines)
    ]
    (folder / "u.data").write_text("\n".join(spread) + "\n")
    base = ["recsys", "evaluate", "--movielens", str(folder), "--protocol", "next-session", "--format", "json"]
    result = CliRunner().invoke(app, [*base, "--model", "sequence-ease"])
    assert result.exit_code == 0, result.output
    (out,) = json.loads(result.output)
    assert out["protocol"] == "next-session" and out["users"] > 0 and 0.0 <= out["recall@20"] <= 1.0
    assert set(out["by_gap"]) <= {"1 h-1 day", ">1 day"}
    table = CliRunner().invoke(app, [*base[:-2], "--model", "popularity"])
    assert table.exit_code == 0 and "by the gap before the held-out interaction" in table.output
    bad = CliRunner().invoke(app, ["recsys", "evaluate", "--movielens", str(folder), "--protocol", "random"])
    assert bad.exit_code == 2 and "bad --protocol 'random'" in bad.output


@settings(max_examples=50, deadline=None)
@given(
    events=histories(),
    pop=st.sampled_from([0.1, 1.0, 3.0]),
    days=st.sampled_from([0.5, 2.0, 30.0]),
    away=st.sampled_from([1.0, 3600.0, 86_400.0]),
)
def test_the_recent_popularity_term_reaches_exactly_the_users_back_from_an_absence(
    events: pl.DataFrame, pop: float, days: float, away: float
) -> None:
    shared = {"l2": 5.0, "window": 3, "days": days, "away": away, "pop": 0.0}
    without = SequenceEase(params=shared).fit(events)
    blended = SequenceEase(params=shared | {"pop": pop}).fit(events)
    rows = np.arange(len(without.users))
    added = blended.score_users(rows) - without.score_users(rows)  # asked at the data's last instant
    last = events.group_by("user_id").agg(pl.col("ts").max())
    back = dict(zip(last["user_id"], (last["ts"] <= events["ts"].max() - timedelta(seconds=away)), strict=True))
    later = SequenceEase(params=shared | {"pop": pop}).fit(events)
    asked = np.full(len(rows), events["ts"].max().timestamp() + away)  # type: ignore[union-attr]
    vector = later.score_users(rows, asked)[0] - without.score_users(rows)[0]  # everyone is back by then
    assert vector.min() >= -1e-5 and abs(vector.max() - pop) < 1e-5  # the item most interacted with lately gets pop
    lately = set(events.filter(pl.col("ts") >= events["ts"].max() - timedelta(days=days))["item_id"].to_list())
    assert {str(i) for i in blended.items[vector > 1e-6]} == lately  # only items interacted with lately
    for row, user in enumerate(without.users):
        np.testing.assert_allclose(added[row], vector if back[user] else 0.0, atol=1e-5)
