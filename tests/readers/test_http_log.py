"""The access-log reader (docs/data-contracts.md → HTTP access log)."""

from __future__ import annotations

import gzip
import random
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from footfall.readers.http_log import iter_http_log, parse_http_log_lines


def read(paths: list[Path], **kwargs: object) -> tuple[pl.DataFrame, pl.DataFrame]:
    batches = list(iter_http_log(paths, **kwargs))  # type: ignore[arg-type]
    return pl.concat([b.events for b in batches]), pl.concat([b.rejects for b in batches])


def test_every_line_of_the_good_sample_is_accepted(samples: Path) -> None:
    """ "every line of http_log.sample.txt is good"."""
    events, rejects = read([samples / "http_log.sample.txt"])
    assert rejects.height == 0
    assert events.height == 15
    first = events.row(0, named=True)
    assert first["ts"] == datetime(2019, 6, 1, 10, 0, 0, 829000, tzinfo=UTC)
    assert first["utc_offset_minutes"] == 480
    assert (first["kind"], first["campaign_id"], first["user_id"]) == ("campaign_view", "42", "1009125")
    kinds = dict(zip(events["line_number"], events["kind"], strict=True))
    assert kinds[3] == "reward_issued" and kinds[14] == "other" and kinds[15] == "other"  # GET /home, DELETE /rewards/1


def test_every_line_of_the_bad_sample_is_rejected_for_a_different_reason(samples: Path) -> None:
    """ "Every line of http_log.bad.txt is bad, each for a different reason"."""
    events, rejects = read([samples / "http_log.bad.txt"])
    assert events.height == 0
    assert rejects["line_number"].to_list() == list(range(1, 10))
    assert rejects["reason"].n_unique() == 9
    raw_lines = (samples / "http_log.bad.txt").read_text().split("\n")
    assert rejects["raw"].to_list() == raw_lines[:9]
    by_line = dict(zip(rejects["line_number"], rejects["detail"], strict=True))
    assert by_line[9] == "field user_id is empty"
    assert "'2019-13-45T00:00:00+00:00'" in by_line[3]
    assert "assume_tz" in by_line[7]


def test_ids_are_single_path_segments_kept_as_strings() -> None:
    lines = pl.Series(
        [
            "2019-08-27T00:00:00Z GET /campaigns/007 u1",
            "2019-08-27T00:00:00Z GET /campaigns/42/?ref=mail u1",
            "2019-08-27T00:00:00Z GET /campaigns/42/banner.png u1",
            "2019-08-27T00:00:00Z POST /campaigns/42 u1",
            "2019-08-27T00:00:00Z POST /rewards/9?x=1 u1",
            "2019-08-27T00:00:00Z GET /rewards/9 u1",
            "2019-08-27T00:00:00Z POST /rewards/ u1",
            "2019-08-27T00:00:00Z\tGET   /campaigns/5  99999999999999999999",
            "2019-08-27T00:00:00Z get /campaigns/5 u1",
            "2019-08-27T00:00:00Z GET campaigns/5 u1",
        ]
    )
    events, rejects = parse_http_log_lines(lines, source_file="x.log")
    assert events.select("kind", "campaign_id", "reward_id").rows() == [
        ("campaign_view", "007", None),
        ("campaign_view", "42", None),
        ("other", None, None),
        ("other", None, None),
        ("reward_issued", None, "9"),
        ("other", None, None),
        ("campaign_view", "5", None),
    ]
    assert events["user_id"][-1] == "99999999999999999999"
    assert rejects.select("line_number", "reason").rows() == [(7, "missing_id"), (9, "bad_method"), (10, "bad_path")]


def test_gzip_crlf_and_chunk_boundaries_change_nothing(tmp_path: Path, generated_log: tuple[Path, Path]) -> None:
    log, _ = generated_log
    text = log.read_bytes()
    crlf = tmp_path / "crlf.log"
    crlf.write_bytes(text.replace(b"\n", b"\r\n"))
    gz = tmp_path / "log.gz"
    gz.write_bytes(gzip.compress(text))
    plain_events, plain_rejects = read([log])
    for path, chunk in ((gz, 1 << 25), (crlf, 65_536), (log, 65_537)):
        events, rejects = read([path], chunk_bytes=chunk)
        assert events.drop("source_file").equals(plain_events.drop("source_file"))
        assert rejects.drop("source_file").equals(plain_rejects.drop("source_file"))
    head = tmp_path / "head.log"
    head.write_bytes(b"".join(text.splitlines(keepends=True)[:400]))
    whole = read([head])
    for chunk in (1, 77, 1000):  # chunks smaller than a line, cutting lines anywhere
        events, rejects = read([head], chunk_bytes=chunk)
        assert events.equals(whole[0]) and rejects.equals(whole[1])
    assert plain_events.height == 20_000
    assert plain_events.height + plain_rejects.height == text.count(b"\n")


def test_last_line_without_newline_and_bad_utf8_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "odd.log"
    path.write_bytes(b"2019-08-27T00:00:00Z GET /campaigns/1 u\xff1\n2019-08-27T00:00:00Z GET /campaigns/2 u2")
    events, rejects = read([path])
    assert events["campaign_id"].to_list() == ["2"]
    assert rejects.select("line_number", "reason").rows() == [(1, "invalid_utf8")]
    assert rejects["raw"][0].endswith("u\ufffd1")


def test_seq_follows_file_order_across_files(tmp_path: Path) -> None:
    lines = [f"2019-08-27T00:00:0{i}Z GET /campaigns/{i} u" for i in range(6)]
    random.Random(1).shuffle(lines)
    a, b = tmp_path / "a.log", tmp_path / "b.log"
    a.write_text("\n".join(lines[:3]) + "\n")
    b.write_text("\n".join(lines[3:]) + "\n")
    events, _ = read([a, b])
    assert events["seq"].to_list() == list(range(6))
    assert events["source_file"].to_list() == [str(a)] * 3 + [str(b)] * 3
    assert events["line_number"].to_list() == [1, 2, 3, 1, 2, 3]


@pytest.mark.parametrize("missing", ["nope.log"])
def test_a_missing_file_is_a_user_error(tmp_path: Path, missing: str) -> None:
    from footfall.errors import InputError

    with pytest.raises(InputError, match=r"nope\.log: no such file"):
        read([tmp_path / missing])


_ZONES = ["Z", "+08:00", "-04:00", "+23:59", "z", "", "+0530", "+05", "+24:00", "-00:60", "+08:0"]
_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "get", "PURGE", ""]
_PATHS = ["/", "/home", "/campaigns/42", "/rewards/7", "/campaigns/", "/campaigns/42/", "/campaigns/4?x"]
_PATHS += ["/campaigns/a#b", "/rewards/", "/rewards/7#a", "/rewards//", "campaigns/5", "/campaignsX/1", "/rewards/é"]
_USERS = ["u1", "1009125", "20536203359041234567", "a\x0bb", "", "ü"]


@st.composite
def log_lines(draw: st.DrawFn) -> str:
    """Lines of every shape: mostly common ones (each part is odd one time in four), and bad ones of each kind."""

    def pick(values: list[str], common: int) -> str:
        return draw(st.sampled_from(values if draw(st.integers(0, 3)) == 0 else values[:common]))

    if draw(st.integers(0, 19)) == 0:
        return draw(st.text(alphabet=st.sampled_from("0123456789-:T Z/ab\t"), max_size=40))
    year = pick(["2019", "2020", "2000", "2100", "1999", "0000", "19x9"], 4)
    month, day = draw(st.integers(0, 13)), draw(st.integers(0, 32))
    hour, minute, second = draw(st.integers(0, 24)), draw(st.integers(0, 60)), draw(st.integers(0, 60))
    digits = draw(st.integers(0, 10))
    fraction = "." + "".join(draw(st.sampled_from("0123456789")) for _ in range(digits)) if digits else ""
    stamp = f"{year}-{month:02}-{day:02}{pick(['T', 't', ' '], 1)}{hour:02}:{minute:02}:{second:02}{fraction}"
    method = pick(_METHODS, 7)
    path = draw(st.text(alphabet="/?#ab1", min_size=1, max_size=6)) if draw(st.integers(0, 9)) == 0 else pick(_PATHS, 4)
    fields = [stamp + pick(_ZONES, 4), method, path, pick(_USERS, 3)]
    gaps = [pick([" ", "  ", "\t"], 1) for _ in fields[:-1]] + [pick(["", " "], 1)]
    return "".join(f + g for f, g in zip(fields, gaps, strict=True))


_EDGES = [  # each one line of the common shape but for one detail
    "2019-08-27T00:00:00z GET /campaigns/1 u",
    "2019-08-27t00:00:00Z GET /campaigns/1 u",
    "2019-08-27T00:00:00.123456789+08:00 GET /campaigns/1 u",
    "2019-08-27T00:00:00.1234567890+08:00 GET /campaigns/1 u",
    "2019-08-27T00:00:00. GET /campaigns/1 u",
    "2019-08-27T00:00:00+24:00 GET /campaigns/1 u",
    "2019-08-27T00:00:00+0800 GET /campaigns/1 u",
    "2019-08-27T00:00:00 GET /campaigns/1 u",
    "2019-02-29T00:00:00Z GET /campaigns/1 u",
    "2020-02-29T23:59:59.5-00:30 POST /rewards/9 u",
    "2019-08-27T24:00:00Z GET /campaigns/1 u",
    "2019-08-27T00:00:00Z GET /campaigns/1/ u",
    "2019-08-27T00:00:00Z GET /campaigns/ u",
    "2019-08-27T00:00:00Z GET /campaigns/1 u ",
    "2019-08-27T00:00:00Z  GET /campaigns/1 u",
    "2019-08-27T00:00:00Z GET /campaigns/1 u\tv",
    "2019-08-27T00:00:00Z PURGE /campaigns/1 u",
    "2019-08-27T00:00:00Z GET /campaigns/ü u",
    "",
]


@pytest.mark.parametrize("assume_tz", [None, "Asia/Singapore"])
def test_the_fast_path_agrees_on_lines_one_detail_off_the_common_shape(assume_tz: str | None) -> None:
    check_fast_path(_EDGES, assume_tz)


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(log_lines(), min_size=1, max_size=40), assume_tz=st.sampled_from([None, "Asia/Singapore"]))
def test_the_fast_path_gives_exactly_what_the_general_parser_gives(lines: list[str], assume_tz: str | None) -> None:
    """Every line the common-shape path takes is parsed as the full grammar parses it."""
    check_fast_path(lines, assume_tz)


def check_fast_path(lines: list[str], assume_tz: str | None) -> None:
    """parse_http_log_lines gives exactly what the general classifier gives for every line."""
    from footfall.readers.http_log import EVENT_SCHEMA, REJECT_SCHEMA, _parse_general

    events, rejects = parse_http_log_lines(pl.Series(lines), source_file="x.log", assume_tz=assume_tz)
    n = len(lines)
    rows = pl.DataFrame({"seq": range(n), "line_number": range(1, 1 + n), "raw": lines})
    want_events, want_rejects = _parse_general(rows, assume_tz=assume_tz)
    assert events.equals(
        want_events.with_columns(source_file=pl.lit("x.log")).select(EVENT_SCHEMA.names()).cast(EVENT_SCHEMA)
    )
    assert rejects.equals(
        want_rejects.with_columns(source_file=pl.lit("x.log")).select(REJECT_SCHEMA.names()).cast(REJECT_SCHEMA)
    )
