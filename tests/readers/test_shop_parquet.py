"""Web-shop events from Parquet (docs/data-contracts.md → Web-shop events): the JSON events' sessions, rows as
lines in rejects, and one-line errors for a file of the wrong shape."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from polars.testing import assert_frame_equal

from footfall.errors import InputError
from footfall.readers.shop_events import EVENT_FIELDS, iter_shop_events
from footfall.sessions.shop_pipeline import run_shop_sessions
from footfall.synth.shop_events import ShopSpec, generate_shop_events
from footfall.warehouse import connect

_WHOLE = ("id", "customer-id", "product", "position")


def parquet_of(jsonl: Path, out: Path, *, typed_time: bool) -> Path:
    """The events of a JSON-lines file as a Parquet file of the contract's columns (numbers stay numbers;
    the timestamp a Parquet timestamp without a zone, or the JSON text)."""
    records = [json.loads(line) for line in jsonl.read_text().splitlines()]
    columns: dict[str, list[object]] = {name: [] for name in ("id", "type", *EVENT_FIELDS)}
    for record in records:
        flat = {"id": record["id"], "type": record["type"], **record["event"]}
        for name, values in columns.items():
            values.append(flat.get(name))
    types = {name: pl.Int64 if name in _WHOLE else pl.String for name in columns}
    frame = pl.DataFrame(columns, schema=types)
    if typed_time:
        frame = frame.with_columns(pl.col("timestamp").str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", time_unit="us"))
    frame.write_parquet(out, row_group_size=700)
    return out


_TABLES = {
    "shop_sessions": "SELECT * FROM shop_sessions ORDER BY session_id",
    "shop_events": "SELECT * EXCLUDE (source_file) FROM shop_events ORDER BY line_number",
    "customers": "SELECT * FROM customers ORDER BY customer_id",
}


@pytest.mark.parametrize("typed_time", [True, False])
def test_a_parquet_file_of_the_json_events_gives_their_sessions(tmp_path: Path, typed_time: bool) -> None:
    events = tmp_path / "shop.jsonl"
    generate_shop_events(ShopSpec(events=3_000, seed=8, days=3, bad_fraction=0), events)
    parquet = parquet_of(events, tmp_path / "shop.parquet", typed_time=typed_time)
    url_j, url_p = f"duckdb:///{tmp_path / 'j.duckdb'}", f"duckdb:///{tmp_path / 'p.duckdb'}"
    with connect(url_j) as j, connect(url_p) as p:
        run_shop_sessions([events], warehouse=j)
        summary = run_shop_sessions([parquet], warehouse=p)
        assert summary.read == 3_000 and summary.rejected == 0
        for sql in _TABLES.values():
            expected = j.query(sql)
            assert expected.height > 0
            assert_frame_equal(p.query(sql), expected)


def bad_rows(folder: Path) -> Path:
    """A Parquet file whose rows break each rule once (and two good rows), timestamps as text."""
    rows = pl.DataFrame(
        {
            "id": ["1", None, "3", "4", "5", "6", "7"],
            "type": ["page_view", "x", "", "x", "x", "x", "search"],
            "timestamp": [
                "2022-04-28T07:00:00",
                "2022-04-28T07:00:00",
                "2022-04-28T07:00:00",
                None,
                "28/04/2022",
                "2022-04-28T07:00:00+08:00",
                "2022-04-28T07:00:01.5Z",
            ],
            "customer-id": [7, 7, 7, 7, 7, 7, 7],
            "page": ["/a", "/b", "/c", "/d", "/e", "nul \x00", "/g"],
            "extra": [1, 2, 3, 4, 5, 6, 7],  # ignored
        }
    )
    path = folder / "bad.parquet"
    rows.write_parquet(path)
    return path


def test_bad_rows_are_rejects_with_their_row_number_and_reason(tmp_path: Path) -> None:
    batches = list(iter_shop_events([bad_rows(tmp_path)]))
    events, rejects = pl.concat([b.events for b in batches]), pl.concat([b.rejects for b in batches])
    assert events.select("line_number", "event_id", "customer_id").rows() == [(1, "1", "7"), (7, "7", "7")]
    assert events["ts"].to_list() == [
        datetime(2022, 4, 28, 7, tzinfo=UTC),
        datetime(2022, 4, 28, 7, 0, 1, 500000, tzinfo=UTC),
    ]
    assert rejects.select("line_number", "reason").rows() == [
        (2, "missing_id"),
        (3, "missing_type"),
        (4, "missing_timestamp"),
        (5, "bad_timestamp"),
        (6, "nul_byte"),
    ]
    details = rejects["detail"].to_list()  # Parquet has columns, not the JSON's nested fields: the details say so
    missing = [
        "column id is missing or empty",
        "column type is missing or empty",
        "column timestamp is missing or empty",
    ]
    assert details[:3] == missing
    assert details[3].startswith("column timestamp: '28/04/2022' is not an ISO-8601 timestamp")
    assert json.loads(rejects["raw"][0]) == {
        "id": None,
        "type": "x",
        "event": {**dict.fromkeys(EVENT_FIELDS), "timestamp": "2022-04-28T07:00:00", "customer-id": "7", "page": "/b"},
    }


def test_a_typed_instant_past_the_year_9999_is_out_of_range(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    stamps = pa.array([0, 253_402_300_800_000_000], pa.timestamp("us", tz="UTC"))
    pq.write_table(pa.table({"id": ["1", "2"], "type": ["x", "x"], "timestamp": stamps}), path)
    (batch,) = iter_shop_events([path])
    assert batch.events["ts"].to_list() == [datetime(1970, 1, 1, tzinfo=UTC)]
    assert batch.rejects.select("line_number", "reason").rows() == [(2, "out_of_range")]


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"id": ["1"], "type": ["x"]}, "column timestamp is missing (web-shop Parquet needs id, type, timestamp)"),
        ({"id": ["1"], "type": [3], "timestamp": ["t"]}, "column type is whole number; it must be text"),
        ({"id": [1.5], "type": ["x"], "timestamp": ["t"]}, "column id is double; it must be text or whole number"),
        (
            {"id": ["1"], "type": ["x"], "timestamp": ["t"], "position": ["3"]},
            "column position is text; it must be whole number",
        ),
        (
            {"id": ["1"], "type": ["x"], "timestamp": pa.array([1], pa.date32())},
            "column timestamp is date32[day]; it must be timestamp or text",
        ),
        (
            {"id": ["1"], "type": ["x"], "timestamp": ["t"], "customer_id": ["c"]},
            "column customer_id: name it customer-id",
        ),
    ],
)
def test_a_file_of_the_wrong_shape_is_one_line_naming_it_and_the_column(
    tmp_path: Path, columns: dict[str, object], message: str
) -> None:
    path = tmp_path / "wrong.parquet"
    pq.write_table(pa.table(columns), path)
    with pytest.raises(InputError) as caught:
        list(iter_shop_events([path]))
    assert str(caught.value).startswith(f"{path}: {message}")
    assert "\n" not in str(caught.value)


def test_the_cli_refuses_a_file_of_the_wrong_shape_in_one_line(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from footfall.cli.main import app

    path = tmp_path / "wrong.parquet"
    pq.write_table(pa.table({"id": ["1"], "type": ["x"]}), path)
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    result = CliRunner().invoke(app, ["shop", "sessions", str(path), "--warehouse", url])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"error: {path}: column timestamp is missing (web-shop Parquet needs id, type, timestamp)"
    ]
