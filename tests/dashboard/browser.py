"""Helpers of the browser tests: open a dashboard page, read its charts, read an endpoint."""

from __future__ import annotations

import json
import os
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

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
