"""A warehouse of each kind loaded with every dataset the dashboard shows (small generated data)."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from footfall.api.process import serve_in_background
from footfall.covid.load import load_covid
from footfall.members.inbox import process_inbox
from footfall.members.sales import replace_sales
from footfall.ml.pipeline import train_from_warehouse
from footfall.rewards.load import load_rewards
from footfall.sessions.http_pipeline import run_http_sessions
from footfall.sessions.shop_pipeline import run_shop_sessions
from footfall.synth.covid import generate_covid
from footfall.synth.http_log import HttpLogSpec, generate_http_log
from footfall.synth.members import generate_applications, generate_sales
from footfall.synth.rewards import RewardsSpec, generate_rewards
from footfall.synth.shop_events import ShopSpec, generate_shop_events
from footfall.synth.vouchers import VouchersSpec, generate_vouchers
from footfall.vouchers.load import load_vouchers
from footfall.vouchers.recommend import train_voucher_model
from footfall.warehouse import connect
from tests.dashboard.browser import ARGS, CHROMIUM


@dataclass(frozen=True)
class Loaded:
    """Where the data went: the warehouse URL, the model registry, and the generated inputs."""

    url: str
    models: Path
    vouchers: Path
    covid: Path
    members: Path


def load_everything(url: str, folder: Path) -> Loaded:
    """Generate and load vouchers, rewards exports and an access log of their campaigns and rewards (as the demo
    does), shop sessions, two member batches, sales, COVID-19 cases; train the recommender and the customer models."""
    vouchers, covid = folder / "vouchers.csv", folder / "covid.csv"
    generate_vouchers(VouchersSpec(vouchers=1_500, users=200, days=70, seed=11), vouchers)
    exports = generate_rewards(RewardsSpec(transactions=500, campaigns=6, rewards=12, seed=5), folder / "rewards")
    links = pl.read_csv(exports["rewards"], infer_schema=False).select("campaign_id", reward_id="id")
    log, mapping = folder / "http.log", folder / "mapping.csv"
    spec = HttpLogSpec(events=4_000, users=150, seed=3, days=21)
    generate_http_log(spec, log, mapping_out=mapping, links=links)
    shop = folder / "shop.jsonl"
    generate_shop_events(ShopSpec(events=3_000, days=10, seed=1), shop)
    generate_covid(covid, days=60, seed=4)
    with connect(url) as wh:
        load_rewards(
            campaigns=exports["campaigns"],
            rewards=exports["rewards"],
            transactions=exports["transactions"],
            warehouse=wh,
        )
        load_vouchers(vouchers, warehouse=wh)
        run_http_sessions([log], mapping=mapping, out=folder / "s.parquet", gap=timedelta(minutes=5), warehouse=wh)
        run_shop_sessions([shop], gap=timedelta(minutes=30), warehouse=wh)
        for seed in (1, 2):
            generate_applications(folder / "inbox", files=1, rows=80, seed=seed)
            process_inbox(folder / "inbox", folder / "members", reference_date=date(2022, 1, 1), warehouse=wh)
        members = wh.query("SELECT membership_id FROM members ORDER BY membership_id")["membership_id"].to_list()
        replace_sales(wh, generate_sales(members, orders=300, seed=2))
        load_covid(covid, warehouse=wh)
        train_voucher_model(wh, folder / "models")
        train_from_warehouse(wh, models_root=folder / "models")  # customer segments and predictions
    return Loaded(url, folder / "models", vouchers, covid, folder / "members")


@pytest.fixture(scope="module", params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    """Every dashboard dataset in DuckDB and in PostgreSQL (a fresh schema, dropped afterwards)."""
    folder = tmp_path_factory.mktemp(f"dashboard-{request.param}")
    if request.param == "duckdb":
        yield load_everything(f"duckdb:///{folder / 'w.duckdb'}", folder)
        return
    import psycopg

    base: str = request.getfixturevalue("postgres_url")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as con:
        con.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in base else "?"
    try:
        yield load_everything(f"{base}{sep}options=-csearch_path%3D{schema}", folder)
    finally:
        with psycopg.connect(base, autocommit=True) as con:
            con.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`footfall demo --no-serve` into a fresh data dir, then `footfall serve` over it on a free port."""
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (make test does when it can)")
    pytest.importorskip("playwright.sync_api", reason="Playwright is in the dev extra: make install")
    root = tmp_path_factory.mktemp("demo")
    url = f"duckdb:///{root / 'footfall.duckdb'}"
    subprocess.run(
        [sys.executable, "-m", "footfall", "demo", "--no-serve", "--events", "20000", "--data-dir", str(root)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    with serve_in_background(url, env={"FOOTFALL_DATA_DIR": str(root)}) as base:
        yield base


@pytest.fixture(scope="module")
def browser(demo_server: str) -> Iterator[Any]:
    """Chromium for one test module; closed with it, so Playwright's event loop never outlives the module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page that records console errors and uncaught exceptions in `page.problems`."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.problems = []
    tab.on("console", lambda m: tab.problems.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
    tab.on("pageerror", lambda e: tab.problems.append(f"uncaught: {e}"))
    yield tab
    context.close()
