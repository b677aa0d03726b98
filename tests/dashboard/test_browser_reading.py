"""The dashboard read as a business reader reads it, in Chromium on the demo's data (docs/dashboard.md → Reading rules).

One measure per value axis and no second axis; ticks at round values; numbers grouped the same
way everywhere (never `16.662k` beside `8138`); names where a name exists; the time-zone select
only where a chart depends on the zone; tables that fit a 1,400-pixel screen; the recommender's
figures in words and its fallback labelled.
"""

from __future__ import annotations

import json
import math
import re
import urllib.request
from typing import Any

import pytest

from footfall.api.dashboard import PAGES
from footfall.api.dashboard.pages import ZONE_PAGES
from tests.dashboard.browser import chart_json, open_page
from tests.test_readme import readme_output

pytestmark = pytest.mark.slow

# per Plotly figure: its axes, the axes its traces use, and its value axis (title, tick values and texts)
FIGURES = """figures => figures.filter(f => f.querySelector('.js-plotly-plot')).map(f => {
  const plot = f.querySelector('.js-plotly-plot'), full = plot._fullLayout, spec = JSON.parse(f.dataset.spec);
  const value = full[spec.type === 'hbar' ? 'xaxis' : 'yaxis'];
  const category = full[spec.type === 'hbar' ? 'yaxis' : 'xaxis'];
  return {
    caption: f.querySelector('figcaption').textContent, type: spec.type,
    axes: Object.keys(full).filter(k => /^[xy]axis\\d*$/.test(k)),
    traceAxes: plot.data.map(t => (t.xaxis || 'x') + (t.yaxis || 'y')),
    measure: value && value.title ? value.title.text : '',
    valueType: value ? value.type : null,
    ticks: value && value._vals ? value._vals.map(v => v.x) : [],
    tickTexts: value && value._vals ? value._vals.map(v => v.text) : [],
    categories: category && category._vals ? category._vals.map(v => v.text) : [],
    texts: Array.from(plot.querySelectorAll('text.bartext, .funnel text')).map(t => t.textContent),
  };
})"""
NUMBER_CELLS = "cells => cells.map(c => c.textContent)"
SI_SUFFIX = re.compile(r"\d(\.\d+)?\s?[kMGB]\b")  # Plotly's default 16.662k
UNGROUPED = re.compile(r"(?<![\d.,])\d{4,}")  # 8138 instead of 8,138


def figures(page: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.eval_on_selector_all("figure[data-chart]", FIGURES)
    return found


def is_round_step(step: float) -> bool:
    """1, 2, 2.5 or 5 times a power of ten."""
    mantissa = step / 10 ** math.floor(math.log10(step))
    return any(math.isclose(mantissa, m, rel_tol=1e-9) for m in (1, 2, 2.5, 5, 10))


@pytest.mark.parametrize("name", list(PAGES))
def test_one_measure_per_axis_round_ticks_and_one_number_format(demo_server: str, page: Any, name: str) -> None:
    open_page(page, f"{demo_server}/{name}")
    for fig in figures(page):
        assert set(fig["axes"]) <= {"xaxis", "yaxis"}, fig  # no second value axis
        assert set(fig["traceAxes"]) == {"xy"}, fig
        if fig["type"] in ("heatmap", "funnel"):
            assert fig["type"] != "funnel" or fig["texts"], fig
        else:
            assert fig["measure"], fig  # the one measure is the value axis' title
            ticks = fig["ticks"]
            assert fig["valueType"] == "linear" and len(ticks) >= 2, fig
            step = ticks[1] - ticks[0]
            assert is_round_step(step), fig
            assert all(math.isclose(t / step, round(t / step), abs_tol=1e-6) for t in ticks), fig
        for text in [*fig["tickTexts"], *fig["texts"]]:
            assert not SI_SUFFIX.search(text) and not UNGROUPED.search(text), (fig["caption"], text)
    for text in page.eval_on_selector_all("figure td.num, figure dl.kpis dd", NUMBER_CELLS):
        assert not SI_SUFFIX.search(text) and not UNGROUPED.search(text), text
    assert page.problems == []


def test_the_time_zone_select_is_only_where_a_chart_depends_on_the_zone(demo_server: str, page: Any) -> None:
    for name in PAGES:
        open_page(page, f"{demo_server}/{name}")
        assert page.locator("select[name=tz]").count() == (1 if name in ZONE_PAGES else 0), name
    open_page(page, f"{demo_server}/shop?tz=UTC")
    assert page.locator(".zone-note").inner_text() == "Dates are local dates in UTC."
    assert page.locator("form.filters input[name=tz]").get_attribute("value") == "UTC"  # the link's zone is kept


@pytest.mark.parametrize("width", [1400])
def test_every_table_fits_the_screen(demo_server: str, browser: Any, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    tab = context.new_page()
    try:
        for name in PAGES:
            open_page(tab, f"{demo_server}/{name}")
            overflowing = tab.eval_on_selector_all(
                "figure .plot", "plots => plots.filter(p => p.scrollWidth > p.clientWidth + 1).map(p => p.innerText)"
            )
            assert overflowing == [], (name, [o[:80] for o in overflowing])
            assert tab.evaluate("() => document.documentElement.scrollWidth") <= width, name
    finally:
        context.close()


def test_campaigns_and_rewards_are_named_on_the_sessions_page(demo_server: str, page: Any) -> None:
    open_page(page, f"{demo_server}/sessions")
    campaigns = chart_json(demo_server, "sessions/campaigns")
    rewards = chart_json(demo_server, "sessions/rewards")
    by_caption = {f["caption"]: f for f in figures(page)}
    assert sorted(by_caption["Top campaigns"]["categories"]) == sorted(c["campaign"] for c in campaigns)
    assert sorted(by_caption["Top rewards issued"]["categories"]) == sorted(r["reward"] for r in rewards)
    for row in [*campaigns, *rewards]:  # the demo's access log uses the rewards export's campaigns and rewards
        label = row.get("campaign", row.get("reward"))
        assert not re.fullmatch(r"(campaign |reward )?\d+", label) and not label.isdigit(), row
    assert all(c["campaign_id"].isdigit() for c in campaigns)  # a listing page (/campaigns?sort=…) is no campaign
    table = page.eval_on_selector_all("figure[data-chart*='sessions/campaigns'] tbody tr td:first-child", NUMBER_CELLS)
    assert table == [c["campaign"] for c in campaigns]
    options = page.eval_on_selector_all("select[name=campaign] option", "os => os.map(o => [o.value, o.textContent])")
    assert options[0] == ["", "All campaigns"] and all(text != value for value, text in options[1:])


def test_member_batches_are_named_by_their_number_and_time(demo_server: str, page: Any) -> None:
    open_page(page, f"{demo_server}/members")
    for fig in figures(page):
        if fig["caption"] in ("Applications per batch", "Success rate per batch"):
            assert len(fig["categories"]) == 3
            assert all(re.fullmatch(r"batch \d · \d{4}-\d\d-\d\d \d\d:\d\d", c) for c in fig["categories"]), fig


def test_the_recommender_speaks_plainly_and_labels_its_fallback(demo_server: str, page: Any) -> None:
    open_page(page, f"{demo_server}/recommendations")
    names = page.eval_on_selector_all("dl.kpis dt", NUMBER_CELLS)
    assert "hit rate in the top 10" in names and not any(re.fullmatch(r"[\w@.]+", n) for n in names)  # no raw keys
    assert page.locator(".protocol").inner_text().startswith("How these were measured:")
    default = page.input_value("select[name=user]")
    items = chart_json(demo_server, "recommendations/items", user=default)
    assert len(items) == 10 and not any(i["cold_start"] for i in items)  # a user worth showing
    assert page.locator("figure[data-chart*='recommendations/items'] .flag").count() == 0
    open_page(page, f"{demo_server}/recommendations?user=nobody-at-all")
    flag = page.locator("figure[data-chart*='recommendations/items'] .flag")
    assert flag.is_visible() and flag.inner_text() == "popular items (new user)"


def test_the_demo_lives_in_local_daytime(demo_server: str) -> None:
    """Sessions start mostly between 07:00 and 23:00 in the report zone (the demo follows its day)."""
    cells = chart_json(demo_server, "engagement/weekday-hour")
    day = sum(c["sessions"] for c in cells if 7 <= c["hour"] <= 22)
    assert day > 0.85 * sum(c["sessions"] for c in cells)


def test_the_demo_serves_the_order_metrics_the_readme_shows(demo_server: str) -> None:
    """README, Web-shop sessions: `curl -s localhost:8000/metrics/orders` prints what `make demo` serves."""
    with urllib.request.urlopen(f"{demo_server}/metrics/orders", timeout=30) as response:
        served = json.load(response)
    assert served == json.loads(readme_output("curl -s localhost:8000/metrics/orders"))
