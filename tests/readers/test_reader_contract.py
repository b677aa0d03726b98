"""One contract every reader passes (as implicit runs one test class over every recommender).

A reader turns a user's file into accepted rows and rejects. For every reader:
- a good file is accepted whole, with no rejects;
- one bad record is one reject, with the reject shape (file, line, reason, detail, raw), the
  right line number, a reason code and a one-line detail;
- a missing file is a one-line InputError naming it;
- any bytes at all — NUL, invalid UTF-8, deep nesting, a very long line, numbers out of range —
  give rejects or a one-line InputError, never another exception (hypothesis fuzz);
- the input file is never modified.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from footfall.errors import InputError
from footfall.readers.lines import REJECT_SCHEMA

Read = Callable[[Path], tuple[int, pl.DataFrame]]  # → (accepted rows, rejects)


def _http(path: Path) -> tuple[int, pl.DataFrame]:
    from footfall.readers.http_log import iter_http_log

    batches = list(iter_http_log([path]))
    return sum(b.events.height for b in batches), pl.concat([b.rejects for b in batches] or [_no_rejects()])


def _shop(path: Path) -> tuple[int, pl.DataFrame]:
    from footfall.readers.shop_events import iter_shop_events

    batches = list(iter_shop_events([path]))
    return sum(b.events.height for b in batches), pl.concat([b.rejects for b in batches] or [_no_rejects()])


def _rewards(path: Path) -> tuple[int, pl.DataFrame]:
    from footfall.readers.rewards import read_rewards_csv

    rows, rejects = read_rewards_csv(path, "reward_transaction")
    return rows.height, rejects


def _vouchers(path: Path) -> tuple[int, pl.DataFrame]:
    from footfall.readers.vouchers import read_vouchers_csv

    rows, rejects = read_vouchers_csv(path)
    return rows.height, rejects


def _covid(path: Path) -> tuple[int, pl.DataFrame]:
    from footfall.readers.covid import read_covid

    rows, rejects = read_covid(path)
    return rows.height, rejects


def _no_rejects() -> pl.DataFrame:
    return pl.DataFrame(schema=REJECT_SCHEMA)


@dataclass(frozen=True)
class Reader:
    """A reader, a good file for it (header and rows), and one bad record with its reason."""

    name: str
    read: Read
    header: str | None
    good: list[str]
    bad: str
    reason: str


VOUCHER_HEADER = "voucher_id,reward_id,reward_name,campaign,user_id,issued_at,redeemed_at,status"
READERS = [
    Reader(
        "http_log",
        _http,
        None,
        ["2019-08-27T00:07:05+00:00 GET /campaigns/1 u1", "2019-08-27T00:08:05Z POST /rewards/2 u1"],
        "2019-08-27T00:09:05+00:00 POST /rewards/2",
        "too_few_fields",
    ),
    Reader(
        "shop_events",
        _shop,
        None,
        [
            '{"id": 1, "type": "page_view", "event": {"customer-id": 7, "timestamp": "2022-05-01T10:00:00"}}',
            '{"id": 2, "type": "search", "event": {"customer-id": null, "timestamp": "2022-05-01T10:01:00"}}',
        ],
        '{"id": 3, "type": "search", "event": {"customer-id": 7, "timestamp": "yesterday"}}',
        "bad_timestamp",
    ),
    Reader(
        "rewards",
        _rewards,
        "id,status,updated_at,reward_campaign_id",
        ["1,redeemed,2019-08-12 11:04:10.041 UTC,1", "2,issued,2019-08-12 12:00:00 UTC,1"],
        "3,redeemed,next tuesday,1",
        "bad_timestamp",
    ),
    Reader(
        "vouchers",
        _vouchers,
        VOUCHER_HEADER,
        [
            "v1,r1,Coffee,Summer,u1,2024-03-01T10:00:00Z,2024-03-02T10:00:00Z,redeemed",
            "v2,r1,Coffee,Summer,u2,2024-03-01T10:00:00Z,,issued",
        ],
        "v3,r1,Coffee,Summer,u3,2024-03-01T10:00:00Z,,lost",
        "bad_status",
    ),
    Reader(
        "covid",
        _covid,
        "location,date,new_cases,total_cases",
        ["Singapore,2020-03-01,2,108", "Singapore,2020-03-02,2,110"],
        "Singapore,2020-03-03,two,112",
        "bad_number",
    ),
]
IDS = [r.name for r in READERS]
_HOSTILE = (
    b"\x00\x00\x00",
    b"\xff\xfe\xfd not utf-8",
    b"[" * 1000 + b"]" * 1000,
    b'{"id": 1, "type": "x", "event": ' + b'{"a": ' * 1000 + b"1" + b"}" * 1001,
    b"9999-12-31T23:00:00-01:00 GET /home u1",
    b"0001-01-01T00:30:00+01:00 GET /home u1",
    b'{"id": 1, "type": "x", "event": {"customer-id": 1, "timestamp": "9999-12-31T23:59:59.999999"}}',
    b"x" * 200_000,
    b"y" * (2 << 20),  # over the maximum line length (1 MiB)
    b'{"id": 9, "type": "x\x00y", "event": {"customer-id": 7, "timestamp": "2022-05-01T10:00:00"}}',
    b"2019-08-27T00:07:06+00:00 GET /ho\x00me u1",
    b"v8,r1,C\x00,S,u8,2024-03-01T10:00:00Z,,issued",
    b'"' + b"y" * 200_000 + b'",a,b,c',
    b"1,redeemed,9999-12-31 23:59:59 UTC,1",
    b"v9,r1,C,S,u9,9999-12-31T23:00:00-01:00,,issued",
    b"Singapore,9999-12-31,1e400,-1e400",
    b",,,,,,,,,,,,,,,,,,,,,,,,",
    b'"unterminated,quote',
)


def _write(path: Path, reader: Reader, lines: list[str]) -> Path:
    path.write_text("".join(f"{line}\n" for line in ([reader.header] if reader.header else []) + lines))
    return path


def _has_the_reject_shape(rejects: pl.DataFrame) -> None:
    """Every reject table has the shared columns (a reader may add its own, e.g. the table a row was for)."""
    assert {name: rejects.schema.get(name) for name in REJECT_SCHEMA} == dict(REJECT_SCHEMA)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("reader", READERS, ids=IDS)
class TestReaderContract:
    def test_a_good_file_is_accepted_whole(self, reader: Reader, tmp_path: Path) -> None:
        accepted, rejects = reader.read(_write(tmp_path / "good.txt", reader, reader.good))
        assert accepted == len(reader.good) and rejects.height == 0

    def test_one_bad_record_is_one_reject_with_its_line_and_reason(self, reader: Reader, tmp_path: Path) -> None:
        path = _write(tmp_path / "bad.txt", reader, [reader.good[0], reader.bad, reader.good[1]])
        accepted, rejects = reader.read(path)
        assert accepted == 2 and rejects.height == 1
        _has_the_reject_shape(rejects)
        row = rejects.row(0, named=True)
        assert row["source_file"] == str(path)
        assert row["line_number"] == (3 if reader.header else 2)
        assert row["reason"] == reader.reason
        assert row["detail"] and "\n" not in row["detail"]
        assert reader.bad.split(",")[0].split(" ")[0] in row["raw"]

    def test_a_missing_file_is_a_one_line_input_error(self, reader: Reader, tmp_path: Path) -> None:
        with pytest.raises(InputError, match=r"nope\.txt: no such file") as caught:
            reader.read(tmp_path / "nope.txt")
        assert "\n" not in str(caught.value)

    @pytest.mark.parametrize("hostile", _HOSTILE, ids=range(len(_HOSTILE)))
    def test_each_hostile_line_gives_rejects_or_a_one_line_error(
        self, reader: Reader, tmp_path: Path, hostile: bytes
    ) -> None:
        path = tmp_path / "hostile.txt"
        head = (reader.header + "\n").encode() if reader.header else b""
        path.write_bytes(head + reader.good[0].encode() + b"\n" + hostile + b"\n" + reader.good[1].encode() + b"\n")
        try:
            accepted, rejects = reader.read(path)
        except InputError as exc:
            assert "\n" not in str(exc) and str(path) in str(exc)
            return
        _has_the_reject_shape(rejects)
        assert accepted >= 2  # the good lines around it are not lost
        assert "\x00" not in "".join(rejects["raw"].to_list() + rejects["detail"].to_list())  # storable anywhere

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(junk=st.lists(st.binary(max_size=300) | st.sampled_from(list(_HOSTILE)), min_size=1, max_size=6))
    def test_any_bytes_give_rejects_or_a_one_line_error(
        self, reader: Reader, tmp_path: Path, junk: list[bytes]
    ) -> None:
        path = tmp_path / "junk.txt"
        head = (reader.header + "\n").encode() if reader.header else b""
        path.write_bytes(head + reader.good[0].encode() + b"\n" + b"\n".join(junk) + b"\n")
        before = _digest(path)
        try:
            accepted, rejects = reader.read(path)
        except InputError as exc:
            assert "\n" not in str(exc)
        else:
            assert accepted >= 0
            _has_the_reject_shape(rejects)
            assert rejects["reason"].null_count() == 0
            assert rejects.height == 0 or rejects["line_number"].min() >= 1
        assert _digest(path) == before
