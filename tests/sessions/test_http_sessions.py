"""The sessions engine against the definition (docs/data-contracts.md → HTTP-log sessions report)."""

from __future__ import annotations

import random
import tempfile
from datetime import timedelta
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from footfall.sessions.http_sessions import http_sessions
from footfall.sessions.sessionize import assign_sessions
from tests.sessions.reference import reference_sessions
from tests.sessions.strategies import BASE, event_sets, links_frame, links_sets, to_frame

GAP = timedelta(minutes=5)


@settings(max_examples=200, deadline=None)
@given(events=event_sets(gap_seconds=300), links=links_sets)
def test_report_equals_the_brute_force_definition(events: list[dict[str, Any]], links: set[tuple[str, str]]) -> None:
    report = http_sessions(to_frame(events), links_frame(links), gap=GAP)
    assert report.to_dicts() == reference_sessions(events, links, GAP)


@settings(max_examples=100, deadline=None)
@given(events=event_sets(gap_seconds=300), gap_seconds=st.sampled_from([1, 60, 300, 1800]))
def test_sessions_partition_events_with_gaps_on_the_right_side(events: list[dict[str, Any]], gap_seconds: int) -> None:
    gap = timedelta(seconds=gap_seconds)
    out = assign_sessions(to_frame(events).lazy(), gap=gap).collect()
    assert sorted(out["seq"].to_list()) == sorted(e["seq"] for e in events)  # each event exactly once
    spans = out.group_by("session_no").agg(
        pl.col("user_id").n_unique().alias("users"), pl.col("ts").diff().max().alias("max_gap")
    )
    assert spans["users"].max() == 1
    assert all(g is None or g < gap for g in spans["max_gap"])  # inside: every gap < gap
    bounds = (
        out.group_by("user_id", "session_no")
        .agg(start=pl.col("ts").min(), end=pl.col("ts").max())
        .sort("user_id", "start")
    )
    between = bounds.with_columns(prev_end=pl.col("end").shift(1).over("user_id")).drop_nulls("prev_end")
    assert all(s - e >= gap for s, e in zip(between["start"], between["prev_end"], strict=True))  # between: >= gap


@settings(max_examples=100, deadline=None)
@given(events=event_sets(gap_seconds=300), links=links_sets, seed=st.integers(0, 2**16))
def test_shuffling_lines_changes_nothing_but_tie_order(
    events: list[dict[str, Any]], links: set[tuple[str, str]], seed: int
) -> None:
    shuffled = events[:]
    random.Random(seed).shuffle(shuffled)
    shuffled = [{**e, "seq": i} for i, e in enumerate(shuffled)]
    a = http_sessions(to_frame(events), links_frame(links), gap=GAP)
    b = http_sessions(to_frame(shuffled), links_frame(links), gap=GAP)
    unordered = [pl.col("campaigns").list.sort(), pl.col("rewards_issued").list.sort()]
    assert a.with_columns(unordered).equals(b.with_columns(unordered))
    if len({(e["user_id"], e["ts"]) for e in events}) == len(events):  # no ties: lists identical too
        assert a.equals(b)


def _events(*rows: tuple[str, int, str, str]) -> pl.DataFrame:
    return to_frame(
        [
            {
                "seq": i,
                "user_id": u,
                "ts": BASE + timedelta(seconds=s),
                "kind": k,
                "campaign_id": ident if k == "campaign_view" else None,
                "reward_id": ident if k == "reward_issued" else None,
            }
            for i, (u, s, k, ident) in enumerate(rows)
        ]
    )


def test_a_gap_of_exactly_the_threshold_starts_a_new_session() -> None:
    report = http_sessions(
        _events(("u", 0, "other", ""), ("u", 299, "other", ""), ("u", 599, "other", ""), ("u", 899, "other", "")),
        links_frame(set()),
        gap=GAP,
    )
    assert report["events"].to_list() == [2, 1, 1]  # 299 → 599 and 599 → 899 are exactly 300 s


def test_attribution_needs_a_linked_view_at_or_before_the_issue() -> None:
    links = links_frame({("c1", "r1")})
    same_instant = _events(("u", 10, "reward_issued", "r1"), ("u", 10, "campaign_view", "c1"))
    later_view = _events(("u", 10, "reward_issued", "r1"), ("u", 11, "campaign_view", "c1"))
    unlinked = _events(("u", 10, "campaign_view", "c2"), ("u", 11, "reward_issued", "r1"))
    other_session = _events(("u", 0, "campaign_view", "c1"), ("u", 300, "reward_issued", "r1"))
    assert http_sessions(same_instant, links, gap=GAP)["reward_driven_by_campaign_view"].to_list() == [True]
    assert http_sessions(later_view, links, gap=GAP)["reward_driven_by_campaign_view"].to_list() == [False]
    assert http_sessions(unlinked, links, gap=GAP)["reward_driven_by_campaign_view"].to_list() == [False]
    assert http_sessions(other_session, links, gap=GAP)["reward_driven_by_campaign_view"].to_list() == [False, False]


def test_lists_keep_order_of_first_occurrence_and_ties_follow_file_order() -> None:
    report = http_sessions(
        _events(
            ("u", 5, "campaign_view", "b"),
            ("u", 1, "campaign_view", "a"),
            ("u", 5, "campaign_view", "c"),
            ("u", 6, "campaign_view", "a"),
        ),
        links_frame(set()),
        gap=GAP,
    )
    assert report["campaigns"].to_list() == [["a", "b", "c"]]
    assert report["campaign_views"].to_list() == [4]


def test_sample_log_sessions(samples: Any) -> None:
    from footfall.readers.http_log import iter_http_log
    from footfall.readers.mapping import read_campaign_reward_mapping

    events = pl.concat([b.events for b in iter_http_log([samples / "http_log.sample.txt"])])
    mapping = read_campaign_reward_mapping(samples / "campaign_reward_mapping.sample.csv")
    report = http_sessions(events, mapping, gap=GAP)
    rows = {(r["user_id"], r["session_start"].strftime("%H:%M:%S")): r for r in report.to_dicts()}
    assert report.height == 8
    first = rows[("1009125", "10:00:00")]
    assert (first["campaigns"], first["rewards_issued"], first["reward_driven_by_campaign_view"]) == (
        ["42", "11"],
        ["7993"],
        True,
    )
    assert rows[("2000042538627", "00:05:01")]["reward_driven_by_campaign_view"] is True
    assert ("2000042538627", "00:10:15") in rows  # exactly 5 minutes after 00:05:15: a new session


@pytest.mark.parametrize("spill", [False, True])
def test_partitioned_runs_give_the_in_memory_report(
    tmp_path: Any, generated_log: Any, spill: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Memory is bounded by partitioning on the user (kept in memory, or spilled to disk above
    MEMORY_BYTES of input); the report and the warehouse must not depend on it."""
    from footfall.sessions import partitions
    from footfall.sessions.http_pipeline import run_http_sessions
    from footfall.warehouse import connect

    if spill:
        monkeypatch.setattr(partitions, "MEMORY_BYTES", 0)
        spilled = []
        real_mkdtemp = tempfile.mkdtemp
        monkeypatch.setattr(tempfile, "mkdtemp", lambda **kw: spilled.append(kw) or real_mkdtemp(**kw))
    log, mapping = generated_log
    reports = []
    for n in (1, 3, 16):
        out = tmp_path / f"s{n}.parquet"
        with connect(f"duckdb:///{tmp_path / f'w{n}.duckdb'}") as wh:
            summary = run_http_sessions([log], mapping=mapping, out=out, gap=GAP, warehouse=wh, partitions=n)
            assert summary.details.partitions == n
            stored = wh.query("SELECT * FROM http_sessions ORDER BY user_id, session_start")
            logged = wh.query("SELECT count(*) AS n FROM http_log")["n"][0]
        report = pl.read_parquet(out)
        assert report.equals(stored)
        assert logged == report["events"].sum()
        reports.append(report)
    assert reports[0].equals(reports[1]) and reports[0].equals(reports[2])
    if spill:
        assert len(spilled) == 2 * 2  # events and report partitions, for n = 3 and 16


@settings(max_examples=50, deadline=None)
@given(events=event_sets(gap_seconds=300), links=links_sets, years=st.integers(1, 30))
def test_long_time_spans_use_the_general_sort_with_the_same_result(
    events: list[dict[str, Any]], links: set[tuple[str, str]], years: int
) -> None:
    """Spans over ~51 days cannot be packed into one sort key; the result must not change."""
    spread = [{**e, "ts": e["ts"] + timedelta(days=365 * years * (e["seq"] % 2))} for e in events]
    report = http_sessions(to_frame(spread), links_frame(links), gap=GAP)
    assert report.to_dicts() == reference_sessions(spread, links, GAP)


ids = st.sampled_from(["a", "b", "c", "d"])


@settings(max_examples=200, deadline=None)
@given(
    issues=st.lists(st.tuples(st.integers(0, 3), ids, st.integers(0, 9)), max_size=12),
    views=st.lists(st.tuples(st.integers(0, 3), ids, st.integers(0, 9)), max_size=12),
    links=st.lists(st.tuples(ids, ids), max_size=10),
)
def test_attribution_join_gives_the_same_keys_from_either_side_of_the_mapping(
    issues: list[tuple[int, str, int]], views: list[tuple[int, str, int]], links: list[tuple[str, str]]
) -> None:
    """Whichever side the mapping multiplies less is joined first; the answer is the definition's."""
    from footfall.sessions.http_sessions import linked_view_before_issue

    issued = pl.DataFrame(
        issues, schema={"k": pl.Int64, "reward_id": pl.String, "last_issue": pl.Int64}, orient="row"
    ).unique(["k", "reward_id"])
    viewed = pl.DataFrame(
        views, schema={"k": pl.Int64, "campaign_id": pl.String, "first_view": pl.Int64}, orient="row"
    ).unique(["k", "campaign_id"])
    mapping = pl.DataFrame(links, schema={"campaign_id": pl.String, "reward_id": pl.String}, orient="row")
    got = linked_view_before_issue(issued, viewed, mapping, key="k")["k"].sort().to_list()
    want = sorted(
        {
            k
            for k, reward, last in issued.iter_rows()
            for k2, campaign, first in viewed.iter_rows()
            if k == k2 and (campaign, reward) in set(links) and first <= last
        }
    )
    assert got == want
