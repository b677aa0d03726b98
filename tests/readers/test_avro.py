"""The Avro archive is readable by an independent implementation (Apache `avro`), and loads back losslessly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import avro.datafile
import avro.io
import duckdb
import polars as pl
import pytest

from footfall.readers.avro import read_http_log_avro
from footfall.readers.http_log import iter_http_log
from footfall.sessions.http_pipeline import archive_http_logs, load_http_log_archive
from footfall.warehouse import Warehouse


@pytest.mark.parametrize("codec", ["deflate", "snappy"])
def test_the_reference_avro_library_reads_every_accepted_line(tmp_path: Path, samples: Path, codec: str) -> None:
    log = samples / "http_log.sample.txt"
    out = tmp_path / "archive.avro"
    summary = archive_http_logs([log, samples / "http_log.bad.txt"], out=out, codec=codec)
    assert (summary.accepted, summary.rejected, summary.written) == (15, 9, 15)
    with out.open("rb") as stream, avro.datafile.DataFileReader(stream, avro.io.DatumReader()) as reader:
        assert reader.codec == codec
        records = list(reader)
    assert len(records) == 15
    first = records[0]
    assert first["timestamp"] == datetime(2019, 6, 1, 10, 0, 0, 829000, tzinfo=UTC)
    # nothing is lost: the instant and the original offset rebuild the source's wall-clock text
    local = first["timestamp"].astimezone(timezone(timedelta(minutes=first["utc_offset_minutes"])))
    assert local.isoformat(timespec="milliseconds") == "2019-06-01T18:00:00.829+08:00"
    assert (first["method"], first["path"], first["user_id"], first["kind"], first["campaign_id"]) == (
        "GET",
        "/campaigns/42",
        "1009125",
        "campaign_view",
        "42",
    )
    assert [r["line_number"] for r in records] == list(range(1, 16))
    assert (tmp_path / "archive.rejects.csv").read_text().count("\n") == 10  # header + 9 bad lines


def test_log_to_avro_to_warehouse_keeps_every_accepted_line(
    tmp_path: Path, generated_log: tuple[Path, Path], warehouse: Warehouse
) -> None:
    log, _ = generated_log
    out = tmp_path / "archive.avro"
    archive_http_logs([log], out=out)
    direct = pl.concat([b.events for b in iter_http_log([log])])
    archived = read_http_log_avro([out])
    assert archived.drop("seq").equals(direct.drop("seq"))  # seq is an order key: same order, other numbers
    assert archived["seq"].is_sorted() and direct["seq"].is_sorted()
    for _ in range(2):  # loading twice changes nothing
        load_http_log_archive([out], warehouse=warehouse)
    loaded = warehouse.query("SELECT * FROM http_log ORDER BY line_number")
    assert loaded.equals(direct.drop("seq").sort("line_number"))


def test_a_file_that_is_not_our_archive_is_a_user_error(tmp_path: Path) -> None:
    from footfall.errors import InputError

    bogus = tmp_path / "x.avro"
    bogus.write_text("hello")
    with pytest.raises(InputError, match=r"x\.avro: not an Avro file"):
        read_http_log_avro([bogus])


def test_parquet_report_reads_back_in_duckdb_and_polars(
    tmp_path: Path, generated_log: tuple[Path, Path], warehouse: Warehouse
) -> None:
    from footfall.sessions.http_pipeline import run_http_sessions

    log, mapping = generated_log
    out = tmp_path / "sessions.parquet"
    summary = run_http_sessions([log], mapping=mapping, out=out, gap=timedelta(minutes=5), warehouse=warehouse)
    by_polars = pl.read_parquet(out)
    by_duckdb = duckdb.sql(f"SELECT * FROM read_parquet('{out}')").pl()
    assert by_polars.height == by_duckdb.height == summary.written
    assert by_duckdb["campaigns"].to_list() == by_polars["campaigns"].to_list()
    assert by_duckdb["session_start"].dt.convert_time_zone("UTC").equals(by_polars["session_start"])
