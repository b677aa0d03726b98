"""The dashboard in a real browser: Debian's Chromium driven by Playwright against `footfall serve`.

The data is what `footfall demo` generates and loads (so this is also the demo's acceptance
test). Screenshots of every page are saved to `test-artifacts/screenshots/`. Skipped, with the
reason, where Chromium or Playwright is absent (`make test` installs Chromium when it can).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from footfall.api.dashboard import PAGES
from footfall.api.process import serve_in_background

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("FOOTFALL_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# points drawn in each chart: data points of a Plotly figure, rows of a table, figures of a KPI list
POINTS = """figures => figures.map(f => {
  const plot = f.querySelector('.js-plotly-plot');
  if (!plot) return f.querySelectorAll('tbody tr, dl.kpis > div').length;
  return plot.data.reduce((n, t) => n + (t.z ? t.z.flat().length : (t.x || t.y || []).length), 0);
})"""


@pytest.fixture(scope="module")
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


def open_page(page: Any, url: str) -> list[dict[str, Any]]:
    """Go to `url`, wait until every chart has settled, and return each chart's caption, state and points."""
    page.goto(url)
    page.wait_for_selector("body[data-charts=done]", timeout=60_000)
    charts: list[dict[str, Any]] = page.eval_on_selector_all(
        "figure[data-chart]",
        "fs => fs.map(f => ({title: f.querySelector('figcaption').textContent, state: f.dataset.state,"
        " points: Number(f.dataset.points), status: f.querySelector('.status').textContent}))",
    )
    for chart, drawn in zip(charts, page.eval_on_selector_all("figure[data-chart]", POINTS), strict=True):
        chart["drawn"] = drawn
    return charts


@pytest.mark.slow
@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_shows_the_demo_data_without_console_errors(demo_server: str, page: Any, name: str) -> None:
    charts = open_page(page, f"{demo_server}/{name}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    assert page.problems == []
    assert page.locator("h1").inner_text() == PAGES[name][1]
    assert page.get_attribute(f"nav a[href^='/{name}']", "aria-current") == "page"
    assert len(charts) >= 2
    for chart in charts:
        assert chart["state"] == "ready", chart
        assert chart["points"] > 0 and chart["drawn"] > 0, chart  # data points are in the rendered figure


def plotted(page: Any, caption: str, trace: int = 0) -> list[Any]:
    """The y values of a trace of the Plotly chart with `caption`."""
    values: list[Any] = page.evaluate(
        "([caption, trace]) => { const f = [...document.querySelectorAll('figure[data-chart]')]"
        ".find(f => f.querySelector('figcaption').textContent === caption);"
        " return Array.from(f.querySelector('.js-plotly-plot').data[trace].y); }",
        [caption, trace],
    )
    return values


def chart_json(base: str, path: str, **params: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{base}/api/charts/{path}?{urllib.parse.urlencode(params)}", timeout=10) as r:
        rows: list[dict[str, Any]] = json.load(r)["rows"]
    return rows


@pytest.mark.slow
def test_a_campaign_filter_goes_into_the_url_and_redraws_the_chart(demo_server: str, page: Any) -> None:
    open_page(page, f"{demo_server}/rewards")
    before = plotted(page, "Issued vs redeemed")
    page.select_option("select[name=campaign]", "Payday Perks")  # applies at once
    page.wait_for_url("**/rewards?campaign=Payday+Perks&tz=Asia%2FSingapore")  # empty fields stay out of the URL
    charts = open_page(page, page.url)  # the shared link itself redraws the same view
    after = plotted(page, "Issued vs redeemed")
    expected = chart_json(demo_server, "rewards/over-time", campaign="Payday Perks")
    assert after == [r["issued"] for r in expected]
    assert 0 < sum(after) < sum(before)
    assert page.input_value("select[name=campaign]") == "Payday Perks"
    assert all(c["state"] == "ready" for c in charts) and page.problems == []
    # navigation keeps the shared filters (dates, zone), not the page's own
    assert page.get_attribute("nav a[href^='/engagement']", "href") == "/engagement?tz=Asia%2FSingapore"


@pytest.mark.slow
def test_a_time_zone_change_moves_the_weekday_hour_heatmap(demo_server: str, page: Any) -> None:
    open_page(page, f"{demo_server}/engagement")
    heat = "([c]) => document.querySelector('figure[data-chart*=weekday-hour] .js-plotly-plot').data[0].z"
    singapore = page.evaluate(heat, [None])
    page.select_option("select[name=tz]", "America/New_York")
    page.wait_for_url("**/engagement?tz=America%2FNew_York")
    open_page(page, page.url)
    new_york = page.evaluate(heat, [None])
    assert new_york != singapore and sum(map(sum, new_york)) == sum(map(sum, singapore))
    rows = chart_json(demo_server, "engagement/weekday-hour", tz="America/New_York")
    assert new_york[0] == [r["sessions"] for r in rows if r["weekday"] == 1]


@pytest.mark.slow
def test_empty_and_error_states_are_shown_not_thrown(demo_server: str, page: Any) -> None:
    charts = open_page(page, f"{demo_server}/rewards?from=2031-01-01&to=2031-01-31")
    assert {c["state"] for c in charts} == {"empty"}
    assert {c["status"] for c in charts} == {"No data for these filters."}
    assert page.problems == []
    charts = open_page(page, f"{demo_server}/recommendations?user=nobody-at-all")
    history = next(c for c in charts if c["title"].startswith("History"))
    assert history["state"] == "empty" and history["status"] == "This user has no vouchers."


@pytest.mark.slow
def test_the_layout_fits_a_phone(demo_server: str, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    tab = context.new_page()
    try:
        open_page(tab, f"{demo_server}/rewards")
        width = tab.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390
        assert tab.locator("a.skip").get_attribute("href") == "#main"
        assert tab.locator("form.filters label", has_text="Campaign").count() == 1
    finally:
        context.close()


@pytest.mark.slow
@pytest.mark.parametrize(("path", "drawn"), [("/docs", ".opblock"), ("/redoc", "[data-section-id]")])
def test_the_api_documents_run_under_the_content_security_policy(
    demo_server: str, page: Any, path: str, drawn: str
) -> None:
    """Swagger UI and ReDoc, served from the package, draw every operation with no CSP violation or error."""
    response = page.goto(f"{demo_server}{path}")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(drawn, timeout=60_000)
    assert page.locator(drawn).count() >= 10
    # ReDoc's bundle links its own logo on a CDN: the policy blocks it, which is the point; nothing else may fail
    blocked_logo = "https://cdn.redoc.ly/redoc/logo-mini.svg"
    assert [p for p in page.problems if blocked_logo not in p] == []
