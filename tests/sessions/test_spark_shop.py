"""Web-shop events on Spark (local[2]): Spark SQL parses the common JSON lines, footfall's reader the rest,
and the result is the embedded engine's — events, rejects (reason, detail, raw, line), sessions, tables.

docs/distributed.md → Spark: what the job does; readers/shop_events.py is the contract's reader.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyspark.sql import DataFrame, SparkSession

from footfall.errors import InputError
from footfall.readers.shop_events import EVENT_SCHEMA, REJECT_SCHEMA, iter_shop_events
from footfall.sessions.engines import EngineChoice
from footfall.sessions.shop_pipeline import run_shop_sessions
from footfall.sessions.spark_lines import numbered_lines
from footfall.sessions.spark_parse import with_the_rest
from footfall.sessions.spark_setup import spark_session
from footfall.sessions.spark_shop_parquet import parquet_rows, parse_parquet_rows
from footfall.sessions.spark_shop_parse import parse_shop_lines_on_spark, read_the_shop_rest
from footfall.synth.shop_events import ShopSpec, generate_shop_events
from footfall.warehouse import connect
from tests.readers.test_shop_parquet import bad_rows, parquet_of
from tests.sessions.same_results import SHOP_TABLES, assert_parsed_like_reader, assert_same_tables

SPARK = EngineChoice(engine="spark", master="local[2]", options=("spark.sql.shuffle.partitions=2",))
_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 16_2 like Mac OS X) Safari/604.1"
COMMON = [  # lines of the common shape, in every style of spacing, value and offset
    '{"id": 1001, "type": "page_view", "event": {"user-agent": "' + _UA + '", "ip": "203.0.113.7", '
    '"customer-id": 2868, "timestamp": "2022-04-28T07:00:00.290271", "page": "https://x.com", "referrer": null}}',
    '{"id":"e-2","type":"visit_personal_recommendation","event":{"customer-id":"c9","timestamp":'
    '"2022-04-28T07:00:01Z","product":1685,"position":3}}',
    '{"id": 3, "type": "search", "event": {"timestamp": "2022-04-28T15:00:00.123456789+08:00", "query": "ü ½"}}',
    '{"id": -4, "type": "x", "event": {"customer-id": "", "timestamp": "2022-04-28T00:00:00-04:30", "position": "0"}}',
    '{"id": 0, "type": "placed_order", "event": {"customer-id": null, "timestamp": "2022-04-28T07:00:02.5"}}',
]
ODD = [  # good or bad, each is read by footfall's reader
    '{"id": 5, "type": "x", "event": {"timestamp": "2022-04-28T07:00:00+0800"}}',  # offset without a colon
    '{"id": 6, "type": "x", "event": {"timestamp": "2022-04-28t07:00:00"}}',
    '{"id": 7, "type": "x", "event": {"timestamp": "2022-04-28T07:00:00", "page": "a\\/b"}}',  # an escape
    '{"id": 8.0, "type": "x", "event": {"timestamp": "2022-04-28T07:00:00"}}',  # a float
    '{"id": 9, "type": "x", "event": {"ip": true, "timestamp": "2022-04-28T07:00:00"}}',
    '{"id": 29, "type": "x", "event": {"timestamp": "2022-04-28T07:00:00", "ip": "1"}}',  # another order
    '{"id": 30, "type": "x", "event": {"ip": "1", "ip": "2", "timestamp": "2022-04-28T07:00:00"}}',
    '{"id": 31, "type": "x", "event": {"ip": "1", "timestamp": "2022-04-28T07:00:00", }}',  # a trailing comma
    '{"id": 10, "id": 11, "type": "x", "event": {"timestamp": "2022-04-28T07:00:00"}}',
    '{"id": 12, "type": "x", "event": {"timestamp": "2022-04-28T07:00:00", "timestamp": "2023-01-01T00:00:00"}}',
    '{"id": 13, "type": "x", "event": {"timestamp": "2022-04-28T07:00:00"}, "v": 2}',  # an extra field
    '{"id": 14, "type": "x", "event": {"timestamp": "2022-04-28T07:00:00", "colour": "red"}}',
    '{"id":  15, "type": "x", "event": {"timestamp": "2022-04-28T07:00:00"}}',  # two spaces
    '{"id": 16,\t"type": "x", "event": {"timestamp": "2022-04-28T07:00:00"}}',
    ' {"id": 17, "type": "x", "event": {"timestamp": "2022-04-28T07:00:00"}}',
    '{"type": "x", "id": 18, "event": {"timestamp": "2022-04-28T07:00:00"}}',  # another order
    '{"id": 019, "type": "x", "event": {"timestamp": "2022-04-28T07:00:00"}}',
    '{"id": 20, "type": "x", "event": {"timestamp": "2022-04-28T07:00:00", "position": "03"}}',
    '{"id": 21, "type": "x", "event": {"timestamp": "2022-04-28T07:00:00", "position": 3.0}}',
    '{"id": 1234567890123456789, "type": "x", "event": {"timestamp": "2022-04-28T07:00:00"}}',
    '{"id": 22, "type": "x", "event": {"timestamp": "2022-02-29T07:00:00"}}',
    '{"id": 23, "type": "x", "event": {"timestamp": "0001-01-01T00:00:00+00:01"}}',
    '{"id": "", "type": "x", "event": {"timestamp": "2022-04-28T07:00:00"}}',
    '{"id": 24, "type": "x", "event": {"timestamp": "2022-04-28T07:00:00", "page": "nul \\u0000"}}',
    '{"id": 25, "type": "x", "event": {"timestamp": "2022-04-28T07:00:00", "page": {"a": 1}}}',
    '{"id": 26, "type": "x", "event": {"timestamp": "2022-04-28T07:00:00", "position": "third"}}',
    '{"id": 27, "type": "x", "event": {}}',
    '{"id": 28, "type": "x", "event": null}',
    "not json",
    "",
    "[1]",
]


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    ctrl_c = signal.getsignal(signal.SIGINT)
    with spark_session("local[2]", {"spark.sql.shuffle.partitions": "2"}) as session:
        yield session
    assert signal.getsignal(signal.SIGINT) is ctrl_c


def _sql_pass(spark: SparkSession, files: list[Path], arrays: list[bool]) -> DataFrame:
    return parse_shop_lines_on_spark(
        numbered_lines(spark, [str(f) for f in files]), arrays=arrays, max_line_bytes=1 << 20
    )


def test_only_odd_lines_cross_into_python(spark: SparkSession, tmp_path: Path) -> None:
    """The SQL pass keeps the bytes (for the reader, in Python) of the odd lines only, in JSON lines and in
    a JSON array of one event per line."""
    lines, array = tmp_path / "e.jsonl", tmp_path / "a.json"
    lines.write_text("\n".join([*COMMON, *ODD, *COMMON]) + "\n")
    array.write_text("[\n" + ",\n".join([*COMMON, ODD[0], *COMMON]) + "\n]\n")
    rows = _sql_pass(spark, [lines, array], [False, True])
    to_reader = rows.where(rows["bytes"].isNotNull()).select("file_index", "line_number").toArrow()
    start = len(COMMON) + 1
    assert to_reader.to_pylist() == [
        *({"file_index": 0, "line_number": n} for n in range(start, start + len(ODD))),
        *({"file_index": 1, "line_number": n} for n in (1, len(COMMON) + 2, 2 * len(COMMON) + 3)),
    ]


def test_only_the_bad_lines_of_generated_events_cross_into_python(spark: SparkSession, tmp_path: Path) -> None:
    """Generated events (compact JSON, numbers as ids, nulls) stay in the JVM; the reader gets the bad lines."""
    events = tmp_path / "shop.jsonl"
    generate_shop_events(ShopSpec(events=2_000, seed=3, bad_fraction=0.01), events)
    rejects = pl.concat([b.rejects for b in iter_shop_events([events])])
    rows = _sql_pass(spark, [events], [False])
    to_reader = rows.where(rows["bytes"].isNotNull()).select("line_number").toArrow()
    assert rejects.height > 0
    assert to_reader.column("line_number").to_pylist() == rejects["line_number"].to_list()


def _parsed_alike(spark: SparkSession, folder: Path, lines: list[str], *, array: bool = False) -> None:
    """Spark's two passes over a file of `lines` give the reader's events and rejects, line for line."""
    path = folder / ("x.json" if array else "x.jsonl")
    text = "[\n" + ",\n".join(lines) + "\n]\n" if array else "\n".join(lines) + "\n"
    path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
    batches = list(iter_shop_events([path]))
    rows = _sql_pass(spark, [path], [array])
    got = pl.from_arrow(with_the_rest(rows, read_the_shop_rest(rows, max_line_bytes=1 << 20)).toArrow())
    assert isinstance(got, pl.DataFrame)
    assert_parsed_like_reader(got, batches, EVENT_SCHEMA, REJECT_SCHEMA)


@pytest.mark.parametrize("array", [False, True])
def test_spark_parses_common_and_odd_lines_as_the_reader(spark: SparkSession, tmp_path: Path, array: bool) -> None:
    _parsed_alike(
        spark, tmp_path, [*COMMON, *ODD, *COMMON, "bad \udcff line", "nul\x00 x", COMMON[0] + "\r"], array=array
    )


_VALUES = st.one_of(
    st.sampled_from(["2022-04-28T07:00:00", "2022-04-28T07:00:00.5+01:00", "2022-04-28T07:00:00Z", "x", ""]),
    st.text(max_size=6),
    st.integers(-(10**20), 10**20),
    st.sampled_from([None, True, 1.5, 0.0, [], {}]),
)
_KEYS = ["user-agent", "ip", "customer-id", "timestamp", "page", "referrer", "query", "product", "position", "x"]


@st.composite
def shop_lines(draw: st.DrawFn) -> str:
    """JSON lines of every shape: mostly near the common one (a valid timestamp, known fields), often not."""
    event = {k: draw(_VALUES) for k in draw(st.lists(st.sampled_from(_KEYS), max_size=5))}
    if draw(st.booleans()):
        event["timestamp"] = draw(st.sampled_from(["2022-04-28T07:00:00", "2022-04-28T09:00:00.123+02:00"]))
    record = {
        "id": draw(st.one_of(st.integers(-5, 10**6), st.text(max_size=4))),
        "type": draw(st.sampled_from(["page_view", "x", ""])),
        "event": event,
    }
    text = json.dumps(
        record,
        separators=draw(st.sampled_from([(", ", ": "), (",", ":"), (" , ", " : ")])),
        ensure_ascii=draw(st.booleans()),
    )
    if draw(st.integers(0, 9)) == 0:  # a damaged line
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + draw(st.sampled_from(["", "\\", '"', "}", " ", "\t"])) + text[cut + 1 :]
    return text


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(shop_lines(), min_size=1, max_size=40))
def test_spark_parses_generated_lines_as_the_reader(spark: SparkSession, lines: list[str]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        _parsed_alike(spark, Path(folder), lines)


def _same_tables(files: list[Path], tmp_path: Path, url_s: str | None = None) -> None:
    """Every web-shop table of a Spark run (into `url_s`, default a DuckDB file) equals the embedded engine's."""
    url_e, url_s = f"duckdb:///{tmp_path / 'e.duckdb'}", url_s or f"duckdb:///{tmp_path / 's.duckdb'}"
    with connect(url_e) as e, connect(url_s) as s:
        run_shop_sessions(files, warehouse=e)
        run_shop_sessions(files, warehouse=s, engine=SPARK)
        assert_same_tables(e, s, SHOP_TABLES, check_dtypes=url_s.startswith("duckdb"))


def test_shop_sessions_on_spark_equal_the_embedded_engine(warehouse_url: str, tmp_path: Path) -> None:
    """Generated events with bad lines, and a second file with the odd and common lines above (ties included),
    loaded by Spark into DuckDB and into PostgreSQL."""
    events, more = tmp_path / "shop.jsonl", tmp_path / "more.jsonl"
    generate_shop_events(ShopSpec(events=3_000, seed=8, days=3, bad_fraction=0.01), events)
    more.write_text("\n".join([*ODD, *COMMON, *COMMON]) + "\n")
    _same_tables([events, more], tmp_path, warehouse_url)


def test_the_shared_sample_stays_in_the_jvm_and_gives_the_same_tables(
    spark: SparkSession, samples: Path, tmp_path: Path
) -> None:
    """The hand-made sample (spaced JSON, numbers as ids, no offsets, an anonymous event) is all of the common
    shape; with the odd lines appended, every table equals the embedded engine's."""
    sample = samples / "webshop_events.sample.jsonl"
    rows = _sql_pass(spark, [sample], [False])
    assert rows.where(rows["bytes"].isNotNull()).count() == 0
    bad = tmp_path / "bad.jsonl"
    bad.write_text(sample.read_text() + "\n".join(ODD) + "\n")
    _same_tables([sample, bad], tmp_path)


def test_parquet_on_spark_equals_the_embedded_engine(spark: SparkSession, tmp_path: Path) -> None:
    """Parquet with typed and with text timestamps, bad rows, and JSON lines in one run: every table equals
    the embedded engine's; only the bad rows cross into Python."""
    events, other = tmp_path / "shop.jsonl", tmp_path / "other.jsonl"
    generate_shop_events(ShopSpec(events=2_000, seed=8, days=3, bad_fraction=0), events)
    generate_shop_events(ShopSpec(events=1_000, seed=9, days=3, bad_fraction=0), other)
    typed = parquet_of(events, tmp_path / "typed.parquet", typed_time=True)
    text = parquet_of(other, tmp_path / "text.parquet", typed_time=False)
    bad = bad_rows(tmp_path)
    more = tmp_path / "more.jsonl"
    more.write_text("\n".join([*ODD, *COMMON]) + "\n")
    files = [(0, str(typed), "t"), (1, str(bad), "b"), (2, str(text), "x")]
    rows = parse_parquet_rows(parquet_rows(spark, files))
    to_reader = rows.where(rows["_row"].isNotNull()).select("file_index", "line_number").toArrow().to_pylist()
    assert to_reader == [{"file_index": 1, "line_number": n} for n in (2, 3, 4, 5, 6)]
    _same_tables([typed, more, bad, text], tmp_path)


def test_a_parquet_file_of_the_wrong_shape_is_the_embedded_engines_one_line(
    spark: SparkSession, tmp_path: Path
) -> None:
    wrong = tmp_path / "wrong.parquet"
    pl.DataFrame({"id": ["1"], "type": [3], "timestamp": ["2022-04-28T07:00:00"]}).write_parquet(wrong)
    with connect(f"duckdb:///{tmp_path / 'w.duckdb'}") as wh:
        with pytest.raises(InputError) as embedded:
            run_shop_sessions([wrong], warehouse=wh)
        with pytest.raises(InputError) as on_spark:
            run_shop_sessions([wrong], warehouse=wh, engine=SPARK)
    assert str(on_spark.value) == str(embedded.value) == f"{wrong}: column type is whole number; it must be text"
