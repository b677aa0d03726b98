"""Generate realistic web-shop event JSON lines.

Visitors come back over days (multi-session journeys); about 60 % are logged in (a
customer id), the rest anonymous. A visit opens with a page view from a referrer (search,
social, e-mail, ads, or none), browses, searches and fills a cart; about 30 % of customers'
journeys end in an order, some in their very first visit. Devices follow a mobile-first mix,
a few bots browse anonymously, a few events have a type the shop added later. Timestamps
have no offset (UTC) and lines are out of time order; a few lines are malformed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from footfall.synth._units import DAY_US, MINUTE_US, utc_midnight_us

__all__ = ["ShopSpec", "generate_shop_events"]

_START_US = utc_midnight_us(date(2022, 4, 28))
_AGENTS = np.array(
    [
        "Mozilla/5.0 (iPhone; CPU iPhone OS 16_2 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 Chrome/112.0 Mobile Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/112.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 13_3) AppleWebKit/605.1.15 Version/16.4 Safari/605.1.15",
        "Mozilla/5.0 (iPad; CPU OS 16_2 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    ]
)
_AGENT_WEIGHTS = np.array([0.33, 0.22, 0.25, 0.12, 0.06, 0.02])
_REFERRERS = np.array(
    [
        "https://www.google.com/",
        "https://www.bing.com/search?q=shears",
        "https://www.facebook.com/",
        "https://t.co/abc",
        "https://mail.example.org/",
        "https://ads.example.net/click?id=7",
        "",
    ]
)
_REFERRER_WEIGHTS = np.array([0.3, 0.06, 0.1, 0.04, 0.1, 0.08, 0.32])
_BROWSE = np.array(
    [
        "page_view",
        "search",
        "visit_related_product",
        "visit_recently_visited_product",
        "visit_personal_recommendation",
        "add_product_to_cart",
        "remove_product_from_cart",
        "add_to_wishlist",
    ]
)
_BROWSE_WEIGHTS = np.array([0.42, 0.15, 0.11, 0.05, 0.06, 0.12, 0.05, 0.04])
_PAGES = np.array(["", "/category/10", "/category/42", "/products/3553", "/products/1685", "/cart", "/sale"])
_QUERIES = np.array(["yak shaving shears", "garden gnome", "rubber duck", "usb cable", "coffee beans"])


@dataclass(frozen=True)
class ShopSpec:
    """What to generate; the same spec gives the same file. `events` good lines are written."""

    events: int = 100_000
    seed: int = 0
    days: int = 30
    logged_in: float = 0.6
    converting: float = 0.3
    bad_fraction: float = 0.001


def generate_shop_events(spec: ShopSpec, out: Path) -> int:
    """Write the JSON-lines file; return the number of lines (good and bad)."""
    rng = np.random.default_rng(spec.seed)
    visitors = max(1, spec.events // 14)
    visits = rng.geometric(1 / 2.5, visitors)
    visit_owner = np.repeat(np.arange(visitors), visits)
    first = np.r_[True, visit_owner[1:] != visit_owner[:-1]]
    last = np.r_[visit_owner[1:] != visit_owner[:-1], True]
    gap_between = (rng.exponential(1.5 * DAY_US, len(visit_owner)) + 35 * MINUTE_US).astype(np.int64)
    gap_between[first] = rng.integers(0, spec.days * DAY_US, visitors)
    visit_start = _START_US + _cumsum_by_group(gap_between, first)
    logged_in = rng.random(visitors) < spec.logged_in
    converts = logged_in & (rng.random(visitors) < spec.converting)
    agent = rng.choice(len(_AGENTS), visitors, p=_AGENT_WEIGHTS)
    logged_in &= agent != len(_AGENTS) - 1  # bots never log in
    ordering_visit = converts[visit_owner] & last
    length = rng.geometric(1 / 7, len(visit_owner)) + np.where(ordering_visit, 2, 0)
    total = int(length.sum())
    if total > spec.events:  # trim whole visits, then the last one, to hit `events` exactly
        keep = int(np.searchsorted(np.cumsum(length), spec.events))
        length = length[: keep + 1].copy()
        length[-1] -= int(length.sum() - spec.events)
        visit_owner, visit_start, ordering_visit = (
            visit_owner[: keep + 1],
            visit_start[: keep + 1],
            ordering_visit[: keep + 1],
        )
    n = int(length.sum())
    visit = np.repeat(np.arange(len(length)), length)
    starts = np.r_[True, visit[1:] != visit[:-1]]
    ends = np.r_[visit[1:] != visit[:-1], True]
    step = rng.exponential(45e6, n).astype(np.int64) + rng.integers(0, 1_000_000, n)
    step[starts] = 0
    ts = visit_start[visit] + _cumsum_by_group(step, starts)
    kind = _BROWSE[rng.choice(len(_BROWSE), n, p=_BROWSE_WEIGHTS)]
    kind[starts] = "page_view"
    placing = ends & ordering_visit[visit]
    kind[placing] = "placed_order"
    kind[np.roll(placing, -1) & ~starts] = "add_product_to_cart"
    owner = visit_owner[visit]
    customer = np.where(logged_in[owner], owner + 1000, -1)
    kind[starts & (customer >= 0) & (rng.random(n) < 0.05)] = "sign_up_success"
    referrer = np.where(starts, _REFERRERS[rng.choice(len(_REFERRERS), n, p=_REFERRER_WEIGHTS)], "")
    page = np.char.add("https://xcc-webshop.com", _PAGES[rng.integers(0, len(_PAGES), n)])
    product = rng.integers(1000, 5000, n)
    frame = pl.DataFrame(
        {
            "id": np.arange(1, n + 1) + 10_000,
            "type": kind,
            "ua": _AGENTS[agent[owner]],
            "ip": np.char.add("203.0.113.", (owner % 250 + 1).astype(str)),
            "customer": customer,
            "ts": ts,
            "page": page,
            "referrer": referrer,
            "query": _QUERIES[rng.integers(0, len(_QUERIES), n)],
            "product": product,
            "position": rng.integers(1, 11, n),
            "order": ts + rng.integers(0, 90_000_000, n),
        }
    ).sort("order")
    lines = frame.select(_json_line())["line"]
    n_bad = rng.binomial(n, spec.bad_fraction) if spec.bad_fraction > 0 else 0
    if n_bad:
        bad = [
            '{"id": 1, "type": "page_view", "event": {',
            "",
            '{"id": 2, "type": "search"}',
            "[]",
            '{"id": 3, "type": "search", "event": {"timestamp": "28/04/2022 07:00"}}',
        ]
        at = np.sort(rng.integers(0, n + 1, n_bad))
        lines = pl.Series(
            np.insert(lines.to_numpy().astype(object), at, [bad[i % len(bad)] for i in range(n_bad)]), dtype=pl.String
        )
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    tmp.write_text("\n".join(lines.to_list()) + "\n", encoding="utf-8")
    tmp.replace(out)
    return len(lines)


def _cumsum_by_group(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Cumulative sums restarting where `starts` is true."""
    total = np.cumsum(values)
    offsets = np.maximum.accumulate(np.where(starts, np.arange(len(values)), 0))
    restarted: np.ndarray = total - total[offsets] + values[offsets]
    return restarted


def _json_line() -> pl.Expr:
    """One event as JSON with only the fields its type carries."""
    t = pl.col("type")
    fields: dict[str, Any] = {
        "user-agent": pl.col("ua"),
        "ip": pl.col("ip"),
        "customer-id": pl.when(pl.col("customer") >= 0).then(pl.col("customer")),
        "timestamp": pl.from_epoch("ts", time_unit="us").dt.strftime("%Y-%m-%dT%H:%M:%S%.6f"),
    }
    page_view = pl.struct(
        **fields, page=pl.col("page"), referrer=pl.when(pl.col("referrer") != "").then(pl.col("referrer"))
    )
    search = pl.struct(**fields, query=pl.col("query"))
    product = pl.struct(**fields, product=pl.col("product"))
    recommended = pl.struct(**fields, product=pl.col("product"), position=pl.col("position"))
    plain = pl.struct(**fields)

    def line(event: pl.Expr) -> pl.Expr:
        return pl.struct(id=pl.col("id"), type=t, event=event).struct.json_encode()

    with_product = [
        "add_product_to_cart",
        "remove_product_from_cart",
        "visit_related_product",
        "visit_recently_visited_product",
        "add_to_wishlist",
    ]
    return (
        pl.when(t == "page_view")
        .then(line(page_view))
        .when(t == "search")
        .then(line(search))
        .when(t.is_in(with_product))
        .then(line(product))
        .when(t == "visit_personal_recommendation")
        .then(line(recommended))
        .otherwise(line(plain))
        .alias("line")
    )
