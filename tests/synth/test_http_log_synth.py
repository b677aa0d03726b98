"""The access-log generator: seeded, realistic, and exactly as many good lines as asked."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import polars as pl

from footfall.readers.http_log import iter_http_log
from footfall.readers.mapping import read_campaign_reward_mapping
from footfall.sessions.http_sessions import http_sessions
from footfall.synth.http_log import HttpLogSpec, generate_http_log


def test_same_seed_same_bytes_and_the_asked_number_of_good_lines(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.log", tmp_path / "b.log", tmp_path / "c.log"
    spec = HttpLogSpec(events=5_000, users=200, seed=11)
    generate_http_log(spec, a, mapping_out=tmp_path / "m.csv")
    generate_http_log(spec, b)
    generate_http_log(HttpLogSpec(events=5_000, users=200, seed=12), c)
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()
    batches = list(iter_http_log([a]))
    events = pl.concat([x.events for x in batches])
    rejects = pl.concat([x.rejects for x in batches])
    assert events.height == 5_000
    assert rejects.height > 0
    assert rejects["reason"].n_unique() == min(rejects.height, 9)  # bad lines cycle through nine kinds


def test_the_data_has_the_shape_real_logs_have(tmp_path: Path) -> None:
    log, mapping = tmp_path / "l.log", tmp_path / "m.csv"
    generate_http_log(HttpLogSpec(events=50_000, users=2_000, seed=5), log, mapping_out=mapping)
    events = pl.concat([x.events for x in iter_http_log([log])])
    assert not events["ts"].is_sorted()  # merged from several servers
    assert events["utc_offset_minutes"].n_unique() >= 4  # mixed offsets
    per_user = events.group_by("user_id").len()["len"]
    assert per_user.max() > 10 * per_user.median()  # heavy-tailed users  # type: ignore[operator]
    views = events.filter(pl.col("kind") == "campaign_view")["campaign_id"].value_counts(sort=True)
    assert views["count"][0] > 5 * views["count"][20]  # Zipf-popular campaigns
    assert (events["user_id"].str.len_chars() >= 13).any()  # ids beyond 32 bits
    raw = pl.read_csv(mapping)
    assert raw.height > raw.unique().height  # the mapping repeats rows, as real exports do
    report = http_sessions(events, read_campaign_reward_mapping(mapping), gap=timedelta(minutes=5))
    assert report["events"].mean() > 3  # type: ignore[operator]
    driven = report.filter(pl.col("rewards_issued_count") > 0)["reward_driven_by_campaign_view"].mean()
    assert 0.2 < driven < 0.95  # type: ignore[operator]
