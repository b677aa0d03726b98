"""The web-shop event reader (docs/data-contracts.md → Web-shop events)."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from footfall.readers.shop_events import iter_shop_events, parse_shop_lines


def read(paths: list[Path], **kwargs: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    batches = list(iter_shop_events(paths, **kwargs))
    return pl.concat([b.events for b in batches]), pl.concat([b.rejects for b in batches])


def test_the_sample_is_read_whole(samples: Path) -> None:
    events, rejects = read([samples / "webshop_events.sample.jsonl"])
    assert rejects.height == 0 and events.height == 13
    first = events.row(0, named=True)
    assert first["ts"] == datetime(2022, 4, 28, 7, 0, 0, 290271, tzinfo=UTC)  # no offset: UTC
    assert (first["customer_id"], first["page"], first["referrer"]) == (
        "2868",
        "https://xcc-webshop.com",
        "https://www.example-search.com",
    )
    assert events["customer_id"].null_count() == 1  # the anonymous page view is kept
    rec = events.filter(pl.col("type") == "visit_personal_recommendation").row(0, named=True)
    assert (rec["product"], rec["position"]) == ("1685", 3)


def test_every_malformed_line_gets_a_reason_and_unknown_types_are_kept() -> None:
    ok = {"id": 1, "type": "add_to_wishlist", "event": {"timestamp": "2022-04-28T07:00:00", "customer-id": 7}}
    lines = [
        json.dumps(ok),
        "{bad",
        "",
        "[1]",
        '{"id": 2, "type": "x", "event": 3}',
        '{"id": 3, "type": "x", "event": {"timestamp": "2022-04-28T07:00:00", "page": {"a": 1}}}',
        '{"id": 4, "event": {"timestamp": "2022-04-28T07:00:00"}}',
        '{"type": "x", "event": {"timestamp": "2022-04-28T07:00:00"}}',
        '{"id": 5, "type": "x", "event": {}}',
        '{"id": 6, "type": "x", "event": {"timestamp": "28/04/2022"}}',
        '{"id": 7, "type": "x", "event": {"timestamp": "2022-04-28T07:00:00", "position": "third"}}',
        '{"id": 8, "type": "x", "event": {"timestamp": "2022-04-28T15:00:00+08:00", "customer-id": "c-9"}}',
    ]
    events, rejects = parse_shop_lines(pl.Series(lines * 100), source_file="f.jsonl")  # spans several pieces
    assert events.height == 200 and rejects.height == 1000
    assert rejects.head(10).select("line_number", "reason").rows() == [
        (2, "invalid_json"),
        (3, "empty_line"),
        (4, "not_an_object"),
        (5, "event_not_an_object"),
        (6, "nested_value"),
        (7, "missing_type"),
        (8, "missing_id"),
        (9, "missing_timestamp"),
        (10, "bad_timestamp"),
        (11, "bad_position"),
    ]
    assert events["type"][0] == "add_to_wishlist"
    assert events.filter(pl.col("event_id") == "8")["ts"][0] == datetime(2022, 4, 28, 7, tzinfo=UTC)
    assert rejects["detail"][9] == "field event.position: 'third' is not a whole number"
    assert events["seq"].is_sorted()


def test_gzip_and_chunking_change_nothing(tmp_path: Path) -> None:
    from footfall.synth.shop_events import ShopSpec, generate_shop_events

    plain = tmp_path / "e.jsonl"
    generate_shop_events(ShopSpec(events=5_000, seed=2, bad_fraction=0.01), plain)
    gz = tmp_path / "e.jsonl.gz"
    gz.write_bytes(gzip.compress(plain.read_bytes()))
    base = read([plain])
    assert base[0].height == 5_000 and base[1].height > 0
    for path, chunk in ((gz, 1 << 20), (plain, 4_096)):
        events, rejects = read([path], chunk_bytes=chunk)
        assert events.drop("source_file").equals(base[0].drop("source_file"))
        assert rejects.drop("source_file").equals(base[1].drop("source_file"))
