"""`GET /api/charts/...`: every chart's JSON, checked against figures computed here from the inputs.

Each test runs on DuckDB and on PostgreSQL (the `loaded` fixture).
"""

from __future__ import annotations

import csv
import itertools
import json
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from fastapi.testclient import TestClient

from footfall.api import create_app
from footfall.recsys.registry import Registry
from tests.api.helpers import local_client
from tests.dashboard.conftest import Loaded
from tests.dashboard.reference import local_day, pct_change, retention, seven_day_mean, week_start


@pytest.fixture(scope="module")
def client(loaded: Loaded) -> Iterator[TestClient]:
    with local_client(create_app(loaded.url, models=loaded.models)) as client:
        yield client


def rows(client: TestClient, path: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get(f"/api/charts/{path}", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"chart", "rows"}
    result: list[dict[str, Any]] = body["rows"]
    return result


def source_vouchers(loaded: Loaded) -> list[dict[str, Any]]:
    """The export's good rows (the generator's bad rows have ids V999…), instants parsed."""
    out = []
    with loaded.vouchers.open() as handle:
        for row in csv.DictReader(handle):
            if row["voucher_id"].startswith("V999"):
                continue
            for key in ("issued_at", "redeemed_at"):
                text = row[key]
                row[key] = datetime.strptime(text, "%Y-%m-%d %H:%M:%S UTC").replace(tzinfo=UTC) if text else None
            out.append(row)
    return out


def test_issued_vs_redeemed_per_local_day_with_every_filter(client: TestClient, loaded: Loaded) -> None:
    tz, campaign = "America/New_York", "Payday Perks"
    start, end = date(2024, 1, 15), date(2024, 2, 10)
    issued: Counter[date] = Counter()
    redeemed: Counter[date] = Counter()
    for v in source_vouchers(loaded):
        if v["campaign"] == campaign:
            issued[local_day(v["issued_at"], tz)] += 1
            if v["redeemed_at"]:
                redeemed[local_day(v["redeemed_at"], tz)] += 1
    days = sorted(d for d in set(issued) | set(redeemed) if start <= d <= end)
    expected = [{"day": d.isoformat(), "issued": issued[d], "redeemed": redeemed[d]} for d in days]
    got = rows(client, "rewards/over-time", campaign=campaign, tz=tz, **{"from": str(start), "to": str(end)})
    assert got == expected and len(got) > 20


def test_redemption_by_reward_and_campaign(client: TestClient, loaded: Loaded) -> None:
    vouchers = source_vouchers(loaded)
    by_reward: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for v in vouchers:
        by_reward[v["reward_id"]].append(v)
    got = {r["reward_id"]: r for r in rows(client, "rewards/by-reward")}
    assert set(got) == set(by_reward)
    for reward, items in by_reward.items():
        done = [v for v in items if v["status"] == "redeemed"]
        hours = [(v["redeemed_at"] - v["issued_at"]).total_seconds() / 3600 for v in done]
        row = got[reward]
        assert (row["issued"], row["redeemed"]) == (len(items), len(done))
        assert row["redemption_rate"] == pytest.approx(len(done) / len(items))
        assert row["median_hours_to_redeem"] == (pytest.approx(statistics.median(hours)) if hours else None)
        assert row["redeemed_value"] == pytest.approx(sum(float(v["value"]) for v in done))
    ordered = [r["redeemed"] for r in rows(client, "rewards/by-reward")]
    assert ordered == sorted(ordered, reverse=True)  # top rewards first
    campaigns = rows(client, "rewards/by-campaign", reward="R01")
    assert [c["campaign"] for c in campaigns] == [by_reward["R01"][0]["campaign"]]
    assert campaigns[0]["issued"] == len(by_reward["R01"])


def test_week_over_week(client: TestClient, loaded: Loaded) -> None:
    tz = "Asia/Singapore"
    issued: Counter[date] = Counter()
    redeemed: Counter[date] = Counter()
    for v in source_vouchers(loaded):
        if v["reward_id"] == "R02":
            issued[week_start(local_day(v["issued_at"], tz))] += 1
            if v["redeemed_at"]:
                redeemed[week_start(local_day(v["redeemed_at"], tz))] += 1
    got = rows(client, "rewards/weekly", reward="R02")
    weeks = [date.fromisoformat(r["week_start"]) for r in got]
    assert weeks[0] == min(issued) and all((b - a).days == 7 for a, b in itertools.pairwise(weeks))
    assert [r["issued"] for r in got] == [issued[w] for w in weeks]
    assert [r["redeemed"] for r in got] == [redeemed[w] for w in weeks]
    expected_change = [None] + [pct_change(redeemed[a], redeemed[b]) for a, b in itertools.pairwise(weeks)]
    assert [r["redeemed_pct_change"] for r in got] == expected_change


def test_segments_by_gender_and_age(client: TestClient, loaded: Loaded) -> None:
    vouchers = source_vouchers(loaded)
    got = {r["segment"]: r for r in rows(client, "rewards/segments", dimension="gender")}
    for gender in {v["gender"] for v in vouchers}:
        mine = [v for v in vouchers if v["gender"] == gender]
        assert got[gender]["issued"] == len(mine)
        assert got[gender]["users"] == len({v["user_id"] for v in mine})
    ages = rows(client, "rewards/segments", dimension="age_band")
    assert sum(r["issued"] for r in ages) == len(vouchers)
    bands = ["under 25", "25-34", "35-44", "45-54", "55+", "unknown"]
    assert [r["segment"] for r in ages] == [b for b in bands if b in {r["segment"] for r in ages}]  # in age order
    bad = client.get("/api/charts/rewards/segments", params={"dimension": "shoe_size"})
    assert bad.status_code == 400 and bad.json()["error"].startswith("dimension: Input should be")


def table(client: TestClient, sql: str) -> pl.DataFrame:
    """Rows read through the app's own pool (a second DuckDB connection in one process is refused)."""
    pool = client.app.state.serving.pool  # type: ignore[attr-defined]
    wh = pool.checkout()
    try:
        frame: pl.DataFrame = wh.query(sql)
    finally:
        pool.checkin(wh)
    return frame


def test_engagement_charts(client: TestClient, loaded: Loaded) -> None:
    tz = "Asia/Kolkata"
    sessions = table(client, "SELECT * FROM http_sessions")
    pairs = list(zip(sessions["user_id"], sessions["session_start"], strict=True))
    daily: dict[date, set[str]] = defaultdict(set)
    for user, start in pairs:
        daily[local_day(start, tz)].add(user)
    dau = rows(client, "engagement/active-users", tz=tz)
    assert [(r["period_start"], r["active_users"]) for r in dau] == [
        (d.isoformat(), len(daily[d])) for d in sorted(daily)
    ]
    assert sum(r["sessions"] for r in dau) == sessions.height
    wau = rows(client, "engagement/active-users", tz=tz, period="week")
    assert len(wau) >= 3 and all(date.fromisoformat(r["period_start"]).weekday() == 0 for r in wau)

    cells = rows(client, "engagement/weekday-hour", tz=tz)
    assert len(cells) == 7 * 24 and sum(c["sessions"] for c in cells) == sessions.height
    local = [s.astimezone(ZoneInfo(tz)) for _, s in pairs]
    by_cell = Counter((t.isoweekday(), t.hour) for t in local)
    assert {(c["weekday"], c["hour"]): c["sessions"] for c in cells} == {
        (d, h): by_cell[(d, h)] for d in range(1, 8) for h in range(24)
    }

    per_user = Counter(sessions["user_id"])
    histogram = rows(client, "engagement/sessions-per-user", tz=tz)
    assert sum(r["users"] for r in histogram) == len(per_user)
    assert {r["sessions_per_user"]: r["users"] for r in histogram}["1"] == sum(1 for n in per_user.values() if n == 1)

    lengths = rows(client, "engagement/session-length", tz=tz)
    assert sum(r["sessions"] for r in lengths) == sessions.height
    zero = (sessions["session_end"] == sessions["session_start"]).sum()
    assert {r["session_length"]: r["sessions"] for r in lengths}.get("0 min", 0) == zero

    first_day = {u: min(local_day(s, tz) for uu, s in pairs if uu == u) for u in per_user}
    new_returning = rows(client, "engagement/new-returning", tz=tz)
    for r in new_returning:
        day = date.fromisoformat(r["day"])
        assert r["new_users"] == sum(1 for u in daily[day] if first_day[u] == day)
        assert r["new_users"] + r["returning_users"] == len(daily[day])

    cohorts = rows(client, "engagement/retention", tz=tz)
    expected = retention(pairs, tz)
    assert {
        (date.fromisoformat(r["cohort_week"]), r["week_number"]): (r["cohort_users"], r["active_users"])
        for r in cohorts
    } == expected
    assert all(r["retention"] == pytest.approx(r["active_users"] / r["cohort_users"]) for r in cohorts)
    assert max(r["week_number"] for r in cohorts) >= 2


def test_sessions_and_attribution(client: TestClient, loaded: Loaded) -> None:
    sessions = table(client, "SELECT * FROM http_sessions")
    daily = rows(client, "sessions/daily", tz="UTC")
    assert sum(r["sessions"] for r in daily) == sessions.height
    assert sum(r["reward_driven_sessions"] for r in daily) == sessions["reward_driven_by_campaign_view"].sum()
    campaigns = rows(client, "sessions/campaigns", n=5)
    viewing = Counter(c for cs in sessions["campaigns"] for c in cs)
    top = campaigns[0]["campaign_id"]
    assert len(campaigns) == 5 and campaigns[0]["viewing_sessions"] == max(viewing.values()) == viewing[top]
    viewed_top = sessions.filter(pl.col("campaigns").list.contains(top))
    assert campaigns[0]["reward_driven_sessions"] == viewed_top["reward_driven_by_campaign_view"].sum()
    assert campaigns[0]["attribution_rate"] == pytest.approx(
        viewed_top["reward_driven_by_campaign_view"].sum() / viewed_top.height
    )
    only_top = rows(client, "sessions/daily", campaign=top, tz="UTC")
    assert sum(r["sessions"] for r in only_top) == viewed_top.height
    rewards = rows(client, "sessions/rewards", campaign=top)
    issued = Counter(r for rs in viewed_top["rewards_issued"] for r in rs)
    assert [r["sessions"] for r in rewards] == sorted(issued.values(), reverse=True)[:15]
    assert all(r["sessions"] == issued[r["reward_id"]] for r in rewards)


def test_sessions_name_campaigns_and_rewards_from_the_rewards_export(client: TestClient) -> None:
    """Names instead of ids: the access log's ids are the rewards export's (docs/dashboard.md → Names)."""
    names = dict(table(client, "SELECT id, name FROM campaign").rows())
    rewards = dict(table(client, "SELECT id, reward_name FROM reward_campaign").rows())
    campaigns = rows(client, "sessions/campaigns", n=100)
    assert campaigns and all(c["campaign"] == names[c["campaign_id"]] for c in campaigns)
    issued = rows(client, "sessions/rewards", n=100)
    shared = {n for n in rewards.values() if list(rewards.values()).count(n) > 1}
    for r in issued:  # a name two rewards share carries the id, so bars never merge
        name = rewards[r["reward_id"]]
        assert r["reward"] == (f"{name} ({r['reward_id']})" if name in shared else name)


def test_shop_charts(client: TestClient, loaded: Loaded) -> None:
    shop = table(client, "SELECT page_views, cart_adds, orders FROM shop_sessions")
    funnel = rows(client, "shop/funnel")
    assert [(r["step"], r["sessions"]) for r in funnel] == [
        ("sessions", shop.height),
        ("viewed a page", (shop["page_views"] > 0).sum()),
        ("added to cart", (shop["cart_adds"] > 0).sum()),
        ("placed an order", (shop["orders"] > 0).sum()),
    ]
    assert funnel[0]["share"] == 1.0
    orders = rows(client, "shop/orders")
    assert orders == [client.get("/metrics/orders").json()]
    referrers = rows(client, "shop/referrers")
    assert sum(r["sessions"] for r in referrers) == shop.height


def test_members_batches_and_rejection_reasons(client: TestClient, loaded: Loaded) -> None:
    outcomes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    reasons: Counter[str] = Counter()
    for kind, index in (("successful", 0), ("unsuccessful", 1)):
        for path in sorted((loaded.members / kind).glob("*.csv")):
            for row in csv.DictReader(path.read_text().splitlines()):
                outcomes[row["batch_id"]][index] += 1
                for reason in json.loads(row.get("reasons") or "[]"):
                    reasons[reason.split(" (")[0]] += 1
    batches = rows(client, "members/batches", tz="Asia/Kolkata")
    assert [(b["batch"], b["successful"], b["unsuccessful"]) for b in batches] == [
        (batch, ok, bad) for batch, (ok, bad) in sorted(outcomes.items())
    ]
    for i, b in enumerate(batches, start=1):  # a batch is named by its number and its local time
        cut = datetime.strptime(b["batch"][:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        assert b["label"] == f"batch {i} · {cut.astimezone(ZoneInfo('Asia/Kolkata')):%Y-%m-%d %H:%M}"
    assert all(b["success_rate"] == pytest.approx(b["successful"] / b["applications"]) for b in batches)
    top = rows(client, "members/rejection-reasons", n=3)
    assert [r["applications"] for r in top] == sorted(reasons.values(), reverse=True)[:3]
    assert all(r["applications"] == reasons[r["reason"]] for r in top)
    assert len(rows(client, "members/top-members", n=5)) >= 5
    items = rows(client, "members/top-items", n=3)
    assert [i["rank"] for i in items][:1] == [1] and items[0]["times_bought"] >= items[-1]["times_bought"]


def test_covid_cases_with_seven_day_mean(client: TestClient, loaded: Loaded) -> None:
    source = pl.read_csv(loaded.covid, try_parse_dates=True)
    series = {d: float(n) for d, n in zip(source["date"], source["new_cases"], strict=True)}
    means = seven_day_mean(series)
    got = rows(client, "covid/cases", **{"from": "2020-02-10", "to": "2020-03-01"})
    assert [r["date"] for r in got] == [
        d.isoformat() for d in sorted(series) if date(2020, 2, 10) <= d <= date(2020, 3, 1)
    ]
    for r in got:
        day = date.fromisoformat(r["date"])
        assert r["new_cases"] == series[day]
        assert r["new_cases_7day_mean"] == pytest.approx(means[day])
        assert r["total_cases"] == sum(v for d, v in series.items() if d <= day)
    assert rows(client, "covid/cases", location="Atlantis") == []


def test_recommendations_history_and_items(client: TestClient, loaded: Loaded) -> None:
    user = Counter(v["user_id"] for v in source_vouchers(loaded)).most_common(20)[-1][0]
    history = rows(client, "recommendations/history", user=user, n=500)
    mine = sorted(
        (v for v in source_vouchers(loaded) if v["user_id"] == user), key=lambda v: v["issued_at"], reverse=True
    )
    assert [h["voucher_id"] for h in history] == [v["voucher_id"] for v in mine]
    _, model, _ = Registry(loaded.models).load()
    expected = model.recommend(user, 5)
    items = rows(client, "recommendations/items", user=user, n=5)
    assert [i["item_id"] for i in items] == expected.items and [i["rank"] for i in items] == list(
        range(1, len(items) + 1)
    )
    assert all(i["title"] for i in items) and not any(i["cold_start"] for i in items)
    stranger = rows(client, "recommendations/items", user="nobody-at-all", n=3)
    assert len(stranger) == 3 and all(i["cold_start"] for i in stranger)  # popular items, flagged


def test_bad_filters_are_one_line_400s(client: TestClient) -> None:
    for params, message in (
        ({"from": "soon"}, "bad from 'soon': use a date like 2024-03-01"),
        (
            {"tz": "Mars/Olympus"},
            "bad tz 'Mars/Olympus': not an IANA time zone; use a name such as Europe/London or UTC",
        ),
        (
            {"from": "2024-03-02", "to": "2024-03-01"},
            "bad date range: from 2024-03-02 is after the last date 2024-03-01",
        ),
    ):
        response = client.get("/api/charts/rewards/over-time", params=params)
        assert response.status_code == 400 and response.json() == {"error": message}
    empty = client.get("/api/charts/rewards/over-time", params={"from": "", "campaign": "", "tz": ""})
    assert empty.status_code == 200 and len(empty.json()["rows"]) > 60  # empty form fields mean no filter
