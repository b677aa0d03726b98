"""Generate a realistic voucher export: one row per voucher, with the user's attributes.

Issues follow seasonality (weekends and paydays busier, a mid-period sale), the Singapore daily
rhythm, Zipf-popular rewards and a few heavy users; about 55 % of vouchers are redeemed after a
log-normal delay (hours to weeks), unredeemed vouchers expire 30 days after issue (those still
inside that window at the export date stay `issued`). A few bad rows are added on purpose (an
unknown status, a bad timestamp, a redeemed voucher without its date).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

__all__ = ["REWARDS", "VouchersSpec", "generate_vouchers"]

# (reward name, campaign, value in S$, cost to the business in S$)
REWARDS = [
    ("Free Coffee", "Morning Boost", 5.0, 1.2),
    ("Bubble Tea", "Morning Boost", 6.5, 1.8),
    ("S$5 Cashback", "Payday Perks", 5.0, 5.0),
    ("10% Off Groceries", "Payday Perks", 12.0, 4.0),
    ("Movie Ticket", "Weekend Warriors", 13.5, 7.0),
    ("Cinema Popcorn", "Weekend Warriors", 8.0, 2.0),
    ("Free Delivery", "Great Singapore Sale", 4.0, 3.0),
    ("S$20 Fashion Voucher", "Great Singapore Sale", 20.0, 9.0),
    ("Spa Day", "Great Singapore Sale", 88.0, 35.0),
    ("Double Points", "Loyalty Week", 10.0, 2.5),
    ("Airport Lounge", "Loyalty Week", 45.0, 20.0),
    ("Hawker Meal", "Morning Boost", 4.5, 3.5),
    ("Kaya Toast Set", "Morning Boost", 4.0, 1.5),
    ("S$10 Taxi Ride", "Payday Perks", 10.0, 8.0),
    ("Gym Day Pass", "Weekend Warriors", 25.0, 6.0),
    ("Zoo Entry", "Weekend Warriors", 48.0, 18.0),
    ("Sneaker Discount", "Great Singapore Sale", 30.0, 12.0),
    ("Electronics 15% Off", "Great Singapore Sale", 60.0, 22.0),
    ("Triple Points", "Loyalty Week", 15.0, 3.5),
    ("Birthday Cake", "Loyalty Week", 35.0, 14.0),
    ("Car Wash", "Payday Perks", 18.0, 7.0),
    ("Laksa Lunch", "Morning Boost", 6.0, 3.0),
    ("Museum Pass", "Weekend Warriors", 20.0, 5.0),
    ("Fruit Box", "Payday Perks", 15.0, 8.0),
]
_COUNTRIES = [
    ("Singapore", ["Singapore"], 0.7),
    ("Malaysia", ["Kuala Lumpur", "Johor Bahru", "Penang"], 0.18),
    ("Indonesia", ["Jakarta", "Batam"], 0.08),
    ("Philippines", ["Manila"], 0.04),
]
_SGT_HOUR_WEIGHTS = np.array([3, 1, 1, 1, 1, 1, 2, 5, 8, 8, 8, 10, 14, 13, 9, 8, 8, 9, 12, 14, 14, 12, 9, 6], float)
_DAY_US = 86_400_000_000


@dataclass(frozen=True)
class VouchersSpec:
    """What to generate; the same spec gives the same file."""

    vouchers: int = 30_000
    users: int = 3_000
    start: date = date(2024, 1, 1)
    days: int = 182
    seed: int = 0
    bad_rows: bool = True


def generate_vouchers(spec: VouchersSpec, out: Path) -> int:
    """Write the export CSV at `out`; return the number of data rows written."""
    rng = np.random.default_rng(spec.seed)
    n, u = spec.vouchers, spec.users
    start_us = int(datetime(spec.start.year, spec.start.month, spec.start.day, tzinfo=UTC).timestamp()) * 1_000_000
    export_us = start_us + spec.days * _DAY_US
    # users: a few heavy users (Pareto activity), demographics, signup before their first voucher
    activity = rng.pareto(1.3, u) + 0.2
    birth_year = np.clip(rng.normal(1988, 11, u).round(), 1945, 2008).astype(int)
    gender = rng.choice(["female", "male", "other"], u, p=[0.52, 0.46, 0.02])
    country_idx = rng.choice(len(_COUNTRIES), u, p=[c[2] for c in _COUNTRIES])
    city = [str(rng.choice(_COUNTRIES[i][1])) for i in country_idx]
    signup_us = start_us - (rng.exponential(400, u) * _DAY_US).astype(np.int64)
    user = rng.choice(u, n, p=activity / activity.sum())
    # days: weekends and paydays (25th to 28th) busier, a sale in weeks 22-26 of the year
    day_index = np.arange(spec.days)
    dates = [spec.start + timedelta(days=int(d)) for d in day_index]
    weekday = np.array([d.weekday() for d in dates])  # 0 = Monday
    dom = np.array([d.day for d in dates])
    week_of_year = np.array([d.isocalendar()[1] for d in dates])
    day_weight = (
        1.0
        + 0.35 * (weekday >= 5)
        + 0.5 * ((dom >= 25) & (dom <= 28))
        + 0.8 * ((week_of_year >= 22) & (week_of_year <= 26))
        + 0.15 * np.sin(day_index / 9.0)
    )
    day = rng.choice(spec.days, n, p=day_weight / day_weight.sum())
    hour = rng.choice(24, n, p=_SGT_HOUR_WEIGHTS / _SGT_HOUR_WEIGHTS.sum())
    issued = start_us + day * _DAY_US + (hour - 8) * 3_600_000_000 + rng.integers(0, 3_600_000_000, n)
    popularity = 1.0 / np.arange(1, len(REWARDS) + 1) ** 0.8
    reward = rng.choice(len(REWARDS), n, p=popularity / popularity.sum())
    delay = (rng.lognormal(np.log(30), 1.2, n) * 3_600_000_000).astype(np.int64)  # median ~30 h
    redeem_prob = 0.45 + 0.2 * (activity[user] > np.median(activity)) + 0.1 * (reward % 3 == 0)
    redeemed_at = issued + delay
    expires = issued + 30 * _DAY_US
    redeemed = (rng.random(n) < redeem_prob) & (redeemed_at < np.minimum(expires, export_us))
    status = np.where(redeemed, "redeemed", np.where(expires <= export_us, "expired", "issued"))
    frame = pl.DataFrame(
        {
            "voucher_id": [f"V{i:07d}" for i in range(1, n + 1)],
            "reward_id": [f"R{r + 1:02d}" for r in reward],
            "reward_name": [REWARDS[r][0] for r in reward],
            "campaign": [REWARDS[r][1] for r in reward],
            "user_id": [f"U{x + 1:05d}" for x in user],
            "issued_at": _utc_text(issued),
            "redeemed_at": _utc_text(redeemed_at).zip_with(pl.Series(redeemed), pl.Series([None] * n, dtype=pl.String)),
            "status": status,
            "value": [REWARDS[r][2] for r in reward],
            "cost": [REWARDS[r][3] for r in reward],
            "gender": gender[user],
            "birth_year": birth_year[user],
            "signup_date": pl.Series(signup_us[user]).cast(pl.Datetime("us")).dt.date().cast(pl.String),
            "country": [_COUNTRIES[country_idx[x]][0] for x in user],
            "city": [city[x] for x in user],
        }
    ).sort("issued_at")
    frame = frame.with_columns(pl.col(c).cast(pl.String) for c in frame.columns)
    if spec.bad_rows:
        first = frame.row(0, named=True)
        bad = pl.DataFrame(
            [
                first | {"voucher_id": "V9999991", "status": "lost"},
                first | {"voucher_id": "V9999992", "issued_at": "last tuesday"},
                first | {"voucher_id": "V9999993", "status": "redeemed", "redeemed_at": None},
            ],
            schema=frame.schema,
        )
        frame = pl.concat([frame, bad])
    out.parent.mkdir(parents=True, exist_ok=True)
    frame.write_csv(out)
    return frame.height


def _utc_text(us: np.ndarray) -> pl.Series:
    """`2024-03-01 10:00:00 UTC` text for microsecond instants."""
    return pl.select(pl.from_epoch(pl.Series(us), time_unit="us").dt.strftime("%Y-%m-%d %H:%M:%S UTC")).to_series()
