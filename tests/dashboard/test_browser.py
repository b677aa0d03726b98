"""The dashboard in a real browser: Debian's Chromium driven by Playwright against `footfall serve`.

The data is what `footfall demo` generates and loads (so this is also the demo's acceptance
test). Screenshots of every page are saved to `test-artifacts/screenshots/`. Skipped, with the
reason, where Chromium or Playwright is absent (`make test` installs Chromium when it can).
"""

from __future__ import annotations

from typing import Any

import pytest

from footfall.api.dashboard import PAGES
from tests.dashboard.browser import ARTIFACTS, chart_json, open_page, plotted


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
