"""Session summaries (what incremental runs keep): merged in any split, they give the contract's report."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from footfall.sessions.http_sessions import http_sessions
from footfall.sessions.summaries import merge_into, merge_summaries, report_rows, summarize
from tests.sessions.reference import reference_sessions
from tests.sessions.strategies import event_sets, links_frame, links_sets, to_frame

GAP = timedelta(seconds=300)


@settings(max_examples=200, deadline=None)
@given(event_sets(gap_seconds=300), links_sets, st.data())
def test_summaries_of_any_split_merge_into_the_report(
    events: list[dict[str, Any]], links: set[tuple[str, str]], data: st.DataObject
) -> None:
    pieces = data.draw(st.integers(1, 4))
    where = data.draw(st.lists(st.integers(0, pieces - 1), min_size=len(events), max_size=len(events)))
    frame, mapping = to_frame(events), links_frame(links)
    parts = [summarize(frame.filter(pl.Series(where) == p), gap=GAP) for p in range(pieces)]
    # merging is associative: fold the parts in two steps when there are several
    merged = merge_summaries([merge_summaries(parts[:1], gap=GAP), *parts[1:]], gap=GAP)
    got = report_rows(merged, mapping).sort("user_id", "session_start")
    assert got.equals(http_sessions(frame, mapping, gap=GAP))
    assert got.to_dicts() == reference_sessions(events, links, GAP)


@settings(max_examples=100, deadline=None)
@given(event_sets(gap_seconds=300), links_sets, st.data())
def test_merging_into_kept_summaries_passes_untouched_users_through(
    events: list[dict[str, Any]], links: set[tuple[str, str]], data: st.DataObject
) -> None:
    where = data.draw(st.lists(st.booleans(), min_size=len(events), max_size=len(events)))
    frame, mapping = to_frame(events), links_frame(links)
    kept = summarize(frame.filter(~pl.Series(where)), gap=GAP)
    new = summarize(frame.filter(pl.Series(where)), gap=GAP)
    got = report_rows(merge_into(kept, new, gap=GAP), mapping).sort("user_id", "session_start")
    assert got.equals(http_sessions(frame, mapping, gap=GAP))


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.tuples(st.sampled_from("abc"), st.integers(0, 10**6)), min_size=12, max_size=30),
    far=st.booleans(),
)
def test_the_latest_end_before_restarts_per_user(rows: list[tuple[str, int]], far: bool) -> None:
    """The packed running maximum equals a per-user window (and is replaced by it when the span does not fit)."""
    from footfall.sessions.summaries import _latest_end_before

    step = 4 * 10**16 if far else 1  # far: ends over 12,000 years apart, too wide to pack with 12+ rows
    frame = (
        pl.DataFrame({"user_id": [u for u, _ in rows], "us": [i * step + t for i, (_, t) in enumerate(rows)]})
        .select("user_id", session_end=pl.from_epoch("us", time_unit="us").dt.replace_time_zone("UTC"))
        .sort("user_id", maintain_order=True)
        .with_columns(_new_user=(pl.col("user_id") != pl.col("user_id").shift(1)).fill_null(True))
    )
    window = pl.col("session_end").cum_max().over("user_id").shift(1)
    both = frame.with_columns(got=_latest_end_before(frame), want=window).filter(~pl.col("_new_user"))
    assert both["got"].dt.epoch("us").to_list() == both["want"].dt.epoch("us").to_list()
