"""Generate realistic rewards exports: campaigns, their rewards, and reward transactions.

Transactions follow Singapore daily rhythm (lunch and late evening, so many fall at
16:00-17:00 UTC, on the next SGT date), vary by week with one week without any
transaction, favour popular rewards (Zipf), and end as issued, redeemed (updated when
redeemed, a heavy-tailed delay after issue) or expired. A few rows are bad on purpose:
an orphan transaction, a bad timestamp, a repeated id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from footfall.synth._units import DAY_US, HOUR_US, WEEK_US, utc_midnight_us

__all__ = ["RewardsSpec", "generate_rewards"]

_START_US = utc_midnight_us(date(2019, 7, 1))  # a Monday
_REWARDS = [
    "Free Coffee",
    "10% Voucher",
    "Movie Ticket",
    "Double Points",
    "Free Delivery",
    "Bubble Tea",
    "S$5 Cashback",
    "Spa Day",
    "Cinema Popcorn",
    "Airport Lounge",
    "Kaya Toast Set",
    "Hawker Meal",
    "S$10 Taxi Ride",
    "Gym Day Pass",
    "Zoo Entry",
    "Sneaker Discount",
    "Electronics 15% Off",
    "Triple Points",
    "Birthday Cake",
    "Car Wash",
    "Laksa Lunch",
    "Museum Pass",
    "Fruit Box",
    "Free Parking",
    "Ice Kacang",
    "Bookshop Voucher",
    "Yoga Class",
    "Cable Car Ride",
    "Massage 30 min",
    "Grocery S$8 Off",
]  # unique names for up to 30 rewards; beyond, names repeat
_CAMPAIGNS = [
    "Spring Rewards",
    "Double Points Week",
    "Great Singapore Sale",
    "Mid-Autumn Treats",
    "National Day",
    "Back to School",
    "Weekend Warriors",
    "Payday Perks",
]
# hours of day in SGT, weighted: lunch and evening peaks; 0-1 SGT is 16-17 UTC
_SGT_HOUR_WEIGHTS = np.array([6, 3, 1, 1, 1, 1, 2, 4, 6, 7, 8, 10, 14, 13, 9, 8, 8, 9, 11, 13, 14, 13, 11, 8], float)


@dataclass(frozen=True)
class RewardsSpec:
    """What to generate; the same spec gives the same files."""

    transactions: int = 20_000
    campaigns: int = 8
    rewards: int = 24
    weeks: int = 10
    gap_week: int = 4
    seed: int = 0


def generate_rewards(spec: RewardsSpec, out_dir: Path) -> dict[str, Path]:
    """Write campaign.csv, reward_campaign.csv and reward_transaction.csv; return their paths."""
    rng = np.random.default_rng(spec.seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    campaign_ids = np.arange(1, spec.campaigns + 1)
    campaigns = pl.DataFrame(
        {
            "Id": campaign_ids,
            "name": [
                _CAMPAIGNS[i % len(_CAMPAIGNS)] + ("" if i < len(_CAMPAIGNS) else f" {i // len(_CAMPAIGNS) + 1}")
                for i in range(spec.campaigns)
            ],
            "status": np.where(rng.random(spec.campaigns) < 0.8, "active", "inactive"),
            "updated_at": _utc_text(_START_US - rng.integers(1, 90, spec.campaigns) * DAY_US),
        }
    )
    reward_campaign = rng.integers(1, spec.campaigns + 1, spec.rewards)
    rewards = pl.DataFrame(
        {
            "id": np.arange(1, spec.rewards + 1),
            "reward_name": [_REWARDS[i % len(_REWARDS)] for i in range(spec.rewards)],
            "updated_at": _utc_text(_START_US - rng.integers(1, 30, spec.rewards) * DAY_US),
            "campaign_id": reward_campaign,
        }
    )
    n = spec.transactions
    weeks = np.array([w for w in range(spec.weeks) if w != spec.gap_week])
    week_weight = 1.0 + 0.5 * np.sin(weeks / 1.5) + rng.random(len(weeks)) * 0.3
    week = rng.choice(weeks, n, p=week_weight / week_weight.sum())
    sgt_hour = rng.choice(24, n, p=_SGT_HOUR_WEIGHTS / _SGT_HOUR_WEIGHTS.sum())
    issued = (
        _START_US
        + week * WEEK_US
        + rng.integers(0, 7, n) * DAY_US
        + (sgt_hour - 8) * HOUR_US
        + rng.integers(0, HOUR_US, n)
    )
    popularity = 1.0 / np.arange(1, spec.rewards + 1) ** 0.9
    reward = rng.choice(spec.rewards, n, p=popularity / popularity.sum()) + 1
    fate = rng.random(n)
    redeemed_at = issued + (rng.pareto(1.5, n) * 6 * HOUR_US).astype(np.int64)
    in_gap = (redeemed_at - _START_US) // WEEK_US == spec.gap_week  # keep the gap week empty
    redeemed_at = np.where(in_gap, redeemed_at + WEEK_US, redeemed_at)
    status = np.where(fate < 0.55, "redeemed", np.where(fate < 0.9, "issued", "expired"))
    updated = np.where(status == "redeemed", redeemed_at, np.where(status == "expired", issued + 30 * DAY_US, issued))
    transactions = pl.DataFrame(
        {"id": np.arange(1, n + 1), "status": status, "updated_at": _utc_text(updated), "reward_campaign_id": reward}
    ).with_columns(pl.col(pl.Int64).cast(pl.String))
    bad = pl.DataFrame(
        {
            "id": [str(n + 1), str(n + 2), "1"],
            "status": ["redeemed", "redeemed", transactions["status"][0]],
            "updated_at": [transactions["updated_at"][1], "yesterday", transactions["updated_at"][0]],
            "reward_campaign_id": [str(spec.rewards + 999), "1", transactions["reward_campaign_id"][0]],
        }
    )
    transactions = pl.concat([transactions, bad])
    paths = {
        "campaigns": out_dir / "campaign.csv",
        "rewards": out_dir / "reward_campaign.csv",
        "transactions": out_dir / "reward_transaction.csv",
    }
    campaigns.write_csv(paths["campaigns"])
    rewards.write_csv(paths["rewards"])
    transactions.write_csv(paths["transactions"])
    return paths


def _utc_text(us: np.ndarray) -> pl.Series:
    """`2019-08-12 11:04:10.041 UTC` text for microsecond instants."""
    return pl.select(pl.from_epoch(pl.Series(us), time_unit="us").dt.strftime("%Y-%m-%d %H:%M:%S%.3f UTC")).to_series()
