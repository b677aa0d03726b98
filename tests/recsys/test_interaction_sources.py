"""Interactions from the warehouse (rewards issued, shop products) and MovieLens downloads."""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import socket
import threading
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from footfall.cli.main import app
from footfall.errors import InputError
from footfall.readers.http_log import iter_http_log
from footfall.recsys.data import INTERACTION_SCHEMA
from footfall.recsys.download import download_movielens
from footfall.recsys.warehouse_data import read_warehouse_interactions
from footfall.sessions.http_pipeline import run_http_sessions
from footfall.sessions.shop_pipeline import run_shop_sessions
from footfall.synth.shop_events import ShopSpec, generate_shop_events
from footfall.warehouse import Warehouse


def test_reward_interactions_are_the_logs_reward_issued_lines(
    warehouse: Warehouse, generated_log: tuple[Path, Path], tmp_path: Path
) -> None:
    log, mapping = generated_log
    run_http_sessions([log], mapping=mapping, out=tmp_path / "s.parquet", gap=timedelta(minutes=5), warehouse=warehouse)
    data = read_warehouse_interactions(warehouse, "rewards")
    assert data.events.schema == INTERACTION_SCHEMA
    lines = [line for line in _parsed(log) if line[2] == "reward_issued"]
    got = data.events.select("user_id", "item_id").sort("user_id", "item_id")
    expected = pl.DataFrame({"user_id": [u for u, _, _ in lines], "item_id": [r for _, r, _ in lines]})
    assert got.equals(expected.sort("user_id", "item_id"))
    assert data.events["ts"].is_sorted() and data.events["seq"].to_list() == list(range(data.events.height))


def _parsed(log: Path) -> list[tuple[str, str, str]]:
    """`(user, reward, kind)` of every accepted line, read by the log reader itself."""
    out = []
    for batch in iter_http_log([log]):
        lines = batch.events.filter(pl.col("reward_id").is_not_null())
        out += list(zip(lines["user_id"], lines["reward_id"], lines["kind"], strict=True))
    return out


def test_shop_interactions_are_customers_products(warehouse: Warehouse, tmp_path: Path) -> None:
    events_file = tmp_path / "shop.jsonl"
    generate_shop_events(ShopSpec(events=3_000, seed=4), events_file)
    run_shop_sessions([events_file], gap=timedelta(minutes=30), warehouse=warehouse)
    data = read_warehouse_interactions(warehouse, "shop")
    raw = [_json(line) for line in events_file.read_text().splitlines()]
    wanted = {
        (str(r["event"]["customer-id"]), str(r["event"]["product"]))
        for r in raw
        if isinstance(r.get("event"), dict)
        and r["event"].get("customer-id")
        and r["event"].get("product")
        and r.get("type") != "remove_product_from_cart"
    }
    got = set(data.events.select("user_id", "item_id").iter_rows())
    assert got and got <= wanted and len(got) >= 0.95 * len(wanted)  # rejected lines (bad records) are the rest


def _json(line: str) -> dict[str, object]:
    """A JSON line as a dict; the generator's deliberately broken lines as `{}`."""
    try:
        value = json.loads(line)
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def test_an_empty_warehouse_says_what_to_load(warehouse: Warehouse) -> None:
    with pytest.raises(InputError, match="no rewards interactions: load some first"):
        read_warehouse_interactions(warehouse, "rewards")
    with pytest.raises(InputError, match="unknown interaction source 'likes'"):
        read_warehouse_interactions(warehouse, "likes")


def _zip_of(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        for name, text in files.items():
            zipped.writestr(name, text)
    return buffer.getvalue()


@pytest.fixture
def file_server() -> Iterator[tuple[str, dict[str, bytes]]]:
    """A loopback HTTP server answering GET /<name> from a dict (filled by the test)."""
    files: dict[str, bytes] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = files.get(self.path.lstrip("/"))
            self.send_response(200 if body is not None else 404)
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", files
    server.shutdown()
    server.server_close()


def test_download_verifies_the_checksum_and_unpacks_once(
    file_server: tuple[str, dict[str, bytes]], tmp_path: Path
) -> None:
    base, files = file_server
    archive = _zip_of({"ml-100k/u.data": "1\t10\t5\t881250949\n2\t10\t3\t881250950\n", "ml-100k/u.item": "10|Up|x\n"})
    files["ml-100k.zip"] = archive
    md5 = hashlib.md5(archive).hexdigest()
    with pytest.raises(InputError, match="checksum mismatch"):
        download_movielens("ml-100k", tmp_path, url=f"{base}/ml-100k.zip", md5="0" * 32)
    assert not (tmp_path / "ml-100k").exists() and list(tmp_path.iterdir()) == []
    folder = download_movielens("ml-100k", tmp_path, url=f"{base}/ml-100k.zip", md5=md5)
    assert (folder / "u.data").read_text().startswith("1\t10\t5")
    del files["ml-100k.zip"]  # a second call uses the unpacked files, no download
    assert download_movielens("ml-100k", tmp_path, url=f"{base}/ml-100k.zip", md5=md5) == folder


def test_download_offline_is_a_one_line_message(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nothing listens on: connection refused, as when offline
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(InputError, match="looks offline; fetch the zip elsewhere"):
        download_movielens("ml-1m", tmp_path, url=f"http://127.0.0.1:{port}/ml-1m.zip")
    with pytest.raises(InputError, match="unknown data set 'ml-2m'"):
        download_movielens("ml-2m", tmp_path)


def test_cli_data_summaries(tmp_path: Path, warehouse_url: str) -> None:
    folder = tmp_path / "ml"
    folder.mkdir()
    (folder / "u.data").write_text("1\t10\t5\t881250949\n2\t10\t3\t881250950\n2\t11\t3\t881250951\n")
    shown = CliRunner().invoke(app, ["recsys", "data", "movielens", "--path", str(folder), "--format", "json"])
    assert shown.exit_code == 0, shown.output
    (row,) = json.loads(shown.output)
    assert (row["users"], row["items"], row["interactions"]) == (2, 2, 3)
    # `--movielens DIR`, as `recsys evaluate` and `recsys train` spell it, names the same folder
    same = CliRunner().invoke(app, ["recsys", "data", "movielens", "--movielens", str(folder), "--format", "json"])
    assert same.exit_code == 0 and json.loads(same.output) == [row], same.output
    empty = CliRunner().invoke(app, ["recsys", "data", "warehouse", "--warehouse", warehouse_url])
    assert empty.exit_code == 2 and "no rewards interactions" in empty.output
