"""A corpus of hostile files through every loader, on both warehouses: never a traceback, never a stuck load.

Each file holds good records around hostile ones (NUL bytes, invalid UTF-8, a 2 MiB line, JSON
nested 1,000 deep, instants outside the years 1-9999 after offset conversion, numbers out of range,
unterminated quotes, ragged rows). A load ends with exit code 0 (the hostile records rejected with
reasons, the good ones loaded) or 2 (one line: the whole file is unusable) — and never leaves a
file that blocks the next run.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from footfall.cli.main import app
from footfall.warehouse import connect

HOSTILE = [
    b"\x00\x00",
    b"\xff\xfe not utf-8",
    b"z" * (2 << 20),
    b"[" * 1000 + b"]" * 1000,
    b'{"id": 9, "type": "x", "event": ' + b'{"a": ' * 1000 + b"1" + b"}" * 1001,
    b'{"id": 8, "type": "x\\u0000y", "event": {"customer-id": 7, "timestamp": "2022-05-01T10:00:00"}}',
    b"9999-12-31T23:00:00-01:00 GET /home u1",
    b"0001-01-01T00:30:00+01:00 GET /campaigns/1 u1",
    b"2019-08-27T00:07:06+00:00 GET /ho\x00me u1",
    b'{"id": 7, "type": "page_view", "event": {"customer-id": 7, "timestamp": "9999-12-31T23:59:59.9999999"}}',
    b"7,redeemed,9999-12-31 23:00:00-01:00,1",
    b"v7,r1,C,S,u7,9999-12-31T23:00:00-01:00,,issued",
    b"Singapore,9999-12-31,1e400,-1e400",
    b'"unterminated,quote',
    b",,,,,,,,,,,,,,,,,,,,",
]
GOOD = {  # a header (or none) and two good records
    "logs": (None, "2019-08-27T00:07:05+00:00 GET /campaigns/1 u1", "2019-08-27T00:08:05+00:00 GET /home u2"),
    "shop": (
        None,
        '{"id": 1, "type": "page_view", "event": {"customer-id": 7, "timestamp": "2022-05-01T10:00:00"}}',
        '{"id": 2, "type": "search", "event": {"customer-id": 7, "timestamp": "2022-05-01T10:01:00"}}',
    ),
    "rewards": (
        "id,status,updated_at,reward_campaign_id",
        "1,redeemed,2019-08-12 11:04:10.041 UTC,1",
        "2,issued,2019-08-12 12:00:00 UTC,1",
    ),
    "vouchers": (
        "voucher_id,reward_id,user_id,issued_at,status",
        "v1,r1,u1,2024-03-01T10:00:00Z,issued",
        "v2,r1,u2,2024-03-01T11:00:00Z,issued",
    ),
    "covid": ("location,date,new_cases,total_cases", "Singapore,2020-03-01,2,108", "Singapore,2020-03-02,2,110"),
}


def _file(folder: Path, kind: str) -> Path:
    header, first, last = GOOD[kind]
    path = folder / f"{kind}.txt"
    body = b"\n".join([*([header.encode()] if header else []), first.encode(), *HOSTILE, last.encode()])
    path.write_bytes(body + b"\n")
    return path


def _command(kind: str, path: Path, folder: Path, url: str) -> list[str]:
    if kind == "logs":
        mapping = folder / "mapping.csv"
        mapping.write_text("campaign_id,reward_id\n1,1\n")
        return ["logs", "sessions", str(path), "--mapping", str(mapping), "--out", str(folder / "s.parquet")]
    if kind == "rewards":
        campaigns, rewards = folder / "c.csv", folder / "r.csv"
        campaigns.write_text("id,name,status\n1,Summer,active\n")
        rewards.write_text("id,reward_name,updated_at,campaign_id\n1,Coffee,2019-08-01 00:00:00 UTC,1\n")
        exports = ["--campaigns", str(campaigns), "--rewards", str(rewards), "--transactions", str(path)]
        return ["rewards", "load", *exports]
    return {"shop": ["shop", "sessions", str(path)], "vouchers": ["vouchers", "load", str(path)]}.get(
        kind, ["covid", "load", str(path)]
    )


@pytest.mark.parametrize("kind", list(GOOD))
def test_a_hostile_file_is_loaded_without_a_traceback(kind: str, tmp_path: Path, warehouse_url: str) -> None:
    path = _file(tmp_path, kind)
    before = path.read_bytes()
    args = [*_command(kind, path, tmp_path, warehouse_url), "--warehouse", warehouse_url]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output[-2000:]
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert path.read_bytes() == before  # inputs are never modified
    again = CliRunner().invoke(app, args)  # nothing left behind blocks the next run; loads are idempotent
    assert again.exit_code == 0, again.output[-2000:]
    with connect(warehouse_url) as wh:
        runs = wh.query("SELECT rows_read, rows_accepted, rows_rejected FROM runs ORDER BY started_at DESC")
    read, accepted, rejected = runs.row(0)
    assert read == accepted + rejected and accepted >= 2 and rejected >= len(HOSTILE) - 3
