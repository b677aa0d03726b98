"""Generate a realistic voucher export: one row per voucher, with the user's attributes.

Users live in the programme as BG/NBD customers do (Fader, Hardie & Lee 2005): each joins on a
day (half of them in the year before the export starts, the rest during it), is issued vouchers
at a rate of their own (Gamma-distributed: occasional users and regulars) while active, and
leaves after each voucher with a chance of their own (Beta-distributed), so most regulars keep
coming back and some users lapse. New members are keen and settle to about a third of their
first weeks' activity over a few months. Every user follows the same seasonal clock (weekends
and paydays busier, the Great Singapore Sale in weeks 22-26 of every year) and the daily rhythm
in local time of the report zone (or the zone given). The export holds exactly `vouchers` of the
vouchers these lives produce inside its days (a random subset, the base rate scaled to have
enough). Rewards are Zipf-popular from a catalogue of 60 in six categories; each user has tastes
(most of their vouchers come from one or two categories, as coffee lovers, shoppers or families
do), so a recommender has something to learn and heavy users still have rewards left to
discover. About 55 % of vouchers are redeemed after a log-normal delay (hours to weeks),
unredeemed vouchers expire 30 days after issue (those still inside that window at the export
date stay `issued`). A few bad rows are added on purpose (an unknown status, a bad timestamp, a
redeemed voucher without its date).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from footfall.synth._local_days import local_midnights
from footfall.synth._units import DAY_US, HOUR_US, utc_midnight_us

__all__ = ["CATEGORIES", "REWARDS", "VouchersSpec", "generate_vouchers"]

CATEGORIES = ("food & drink", "shopping", "entertainment", "travel", "wellness", "everyday")
# (reward name, campaign, category, value in S$, cost to the business in S$), most popular first
REWARDS = [
    ("Free Coffee", "Morning Boost", "food & drink", 5.0, 1.2),
    ("Bubble Tea", "Morning Boost", "food & drink", 6.5, 1.8),
    ("S$5 Cashback", "Payday Perks", "everyday", 5.0, 5.0),
    ("10% Off Groceries", "Payday Perks", "everyday", 12.0, 4.0),
    ("Movie Ticket", "Weekend Warriors", "entertainment", 13.5, 7.0),
    ("Cinema Popcorn", "Weekend Warriors", "entertainment", 8.0, 2.0),
    ("Free Delivery", "Great Singapore Sale", "shopping", 4.0, 3.0),
    ("S$20 Fashion Voucher", "Great Singapore Sale", "shopping", 20.0, 9.0),
    ("Spa Day", "Great Singapore Sale", "wellness", 88.0, 35.0),
    ("Double Points", "Loyalty Week", "everyday", 10.0, 2.5),
    ("Airport Lounge", "Loyalty Week", "travel", 45.0, 20.0),
    ("Hawker Meal", "Morning Boost", "food & drink", 4.5, 3.5),
    ("Kaya Toast Set", "Morning Boost", "food & drink", 4.0, 1.5),
    ("S$10 Taxi Ride", "Payday Perks", "travel", 10.0, 8.0),
    ("Gym Day Pass", "Weekend Warriors", "wellness", 25.0, 6.0),
    ("Zoo Entry", "Weekend Warriors", "entertainment", 48.0, 18.0),
    ("Sneaker Discount", "Great Singapore Sale", "shopping", 30.0, 12.0),
    ("Electronics 15% Off", "Great Singapore Sale", "shopping", 60.0, 22.0),
    ("Triple Points", "Loyalty Week", "everyday", 15.0, 3.5),
    ("Birthday Cake", "Loyalty Week", "food & drink", 35.0, 14.0),
    ("Car Wash", "Payday Perks", "everyday", 18.0, 7.0),
    ("Laksa Lunch", "Morning Boost", "food & drink", 6.0, 3.0),
    ("Museum Pass", "Weekend Warriors", "entertainment", 20.0, 5.0),
    ("Fruit Box", "Payday Perks", "food & drink", 15.0, 8.0),
    ("Croissant & Latte", "Morning Boost", "food & drink", 7.5, 2.5),
    ("Dim Sum Brunch", "Weekend Warriors", "food & drink", 28.0, 11.0),
    ("Chicken Rice Meal", "Morning Boost", "food & drink", 5.5, 3.0),
    ("Craft Beer Pint", "Weekend Warriors", "food & drink", 12.0, 4.0),
    ("Ice Cream Scoop", "Weekend Warriors", "food & drink", 4.0, 1.0),
    ("Bakery S$5 Off", "Morning Boost", "food & drink", 5.0, 2.0),
    ("Handbag 20% Off", "Great Singapore Sale", "shopping", 50.0, 20.0),
    ("Bookshop Voucher", "Payday Perks", "shopping", 15.0, 6.0),
    ("Toy Store S$10 Off", "Great Singapore Sale", "shopping", 10.0, 4.5),
    ("Watch Strap Free", "Great Singapore Sale", "shopping", 25.0, 5.0),
    ("Department Store S$15", "Payday Perks", "shopping", 15.0, 7.0),
    ("Phone Case", "Great Singapore Sale", "shopping", 18.0, 3.0),
    ("Concert Ticket 10% Off", "Weekend Warriors", "entertainment", 15.0, 6.0),
    ("Bowling Game", "Weekend Warriors", "entertainment", 12.0, 4.0),
    ("Escape Room", "Weekend Warriors", "entertainment", 30.0, 12.0),
    ("Karaoke Hour", "Weekend Warriors", "entertainment", 20.0, 6.0),
    ("Theme Park Fast Pass", "Loyalty Week", "entertainment", 40.0, 15.0),
    ("Hotel Night 15% Off", "Loyalty Week", "travel", 60.0, 25.0),
    ("Ferry to Bintan", "Loyalty Week", "travel", 35.0, 15.0),
    ("Airport Transfer", "Payday Perks", "travel", 25.0, 12.0),
    ("Travel Insurance Discount", "Loyalty Week", "travel", 15.0, 5.0),
    ("Luggage Tag Set", "Great Singapore Sale", "travel", 10.0, 2.0),
    ("Cable Car Ride", "Weekend Warriors", "travel", 35.0, 14.0),
    ("Yoga Class", "Weekend Warriors", "wellness", 25.0, 8.0),
    ("Massage 30 min", "Loyalty Week", "wellness", 45.0, 18.0),
    ("Facial Treatment", "Great Singapore Sale", "wellness", 60.0, 24.0),
    ("Pharmacy S$5 Off", "Payday Perks", "wellness", 5.0, 2.5),
    ("Smoothie Bowl", "Morning Boost", "wellness", 9.0, 3.0),
    ("Swim Pass", "Weekend Warriors", "wellness", 8.0, 2.0),
    ("Free Parking", "Payday Perks", "everyday", 6.0, 3.0),
    ("Mobile Top-up S$5", "Payday Perks", "everyday", 5.0, 4.5),
    ("Laundry Service", "Payday Perks", "everyday", 12.0, 6.0),
    ("Petrol S$10 Off", "Payday Perks", "everyday", 10.0, 8.0),
    ("Grocery S$8 Off", "Payday Perks", "everyday", 8.0, 5.0),
    ("Flower Bouquet", "Loyalty Week", "everyday", 30.0, 12.0),
    ("Bicycle Rental", "Weekend Warriors", "everyday", 10.0, 3.0),
]
_COUNTRIES = [
    ("Singapore", ["Singapore"], 0.7),
    ("Malaysia", ["Kuala Lumpur", "Johor Bahru", "Penang"], 0.18),
    ("Indonesia", ["Jakarta", "Batam"], 0.08),
    ("Philippines", ["Manila"], 0.04),
]
# local hours of the day, weighted: breakfast, lunch and evening peaks, quiet nights
_HOUR_WEIGHTS = np.array([3, 1, 1, 1, 1, 1, 2, 5, 8, 8, 8, 10, 14, 13, 9, 8, 8, 9, 12, 14, 14, 12, 9, 6], float)
_TASTE_CONCENTRATION = 0.4  # Dirichlet: most users favour one or two categories
_TASTE_OPEN = 0.05  # the share of a user's vouchers spread evenly over every category
_STICKY = 0.6  # the chance a voucher is of the same category as the user's previous one
_HISTORY_DAYS = 365  # users who joined before the export did so in the year before its start
_EXISTING = 0.5  # the share of users who joined before the export starts
_RATE_SHAPE = 1.0  # Gamma shape of the users' voucher rates: occasional users and regulars
_DROPOUT = (2.0, 60.0)  # Beta(a, b) of the chance a user leaves after a voucher (mean 7 %)
_SETTLED, _SETTLING_DAYS = 0.3, 90.0  # members settle to 30 % of their first weeks' activity, over ~3 months
_SALE = 0.6  # the sale weeks' extra activity


@dataclass(frozen=True, kw_only=True)
class VouchersSpec:
    """What to generate; the same spec gives the same file. `zone`: the IANA zone whose local
    day the issues follow (None: the report zone, `FOOTFALL_REPORT_TZ`)."""

    vouchers: int = 30_000
    users: int = 3_000
    start: date = date(2024, 1, 1)
    days: int = 182
    seed: int = 0
    zone: str | None = None
    bad_rows: bool = True


def generate_vouchers(spec: VouchersSpec, out: Path) -> int:
    """Write the export CSV at `out`; return the number of data rows written."""
    rng = np.random.default_rng(spec.seed)
    n, u = spec.vouchers, spec.users
    start_us = utc_midnight_us(spec.start)
    export_us = int(local_midnights(spec.start, spec.days + 1, spec.zone)[-1])  # the export: local midnight after
    # users: demographics, and a programme life (rate, dropout) from which their vouchers follow
    birth_year = np.clip(rng.normal(1988, 11, u).round(), 1945, 2008).astype(int)
    gender = rng.choice(["female", "male", "other"], u, p=[0.52, 0.46, 0.02])
    country_idx = rng.choice(len(_COUNTRIES), u, p=[c[2] for c in _COUNTRIES])
    city = [str(rng.choice(_COUNTRIES[i][1])) for i in country_idx]
    lives = _Lives.draw(rng, spec)
    user, day = lives.vouchers(rng, n)
    signup_us = start_us + ((lives.joined - _HISTORY_DAYS) * DAY_US).astype(np.int64)
    signup_us -= (rng.exponential(np.where(lives.joined < _HISTORY_DAYS, 400, 20)) * DAY_US).astype(np.int64)
    activity = lives.rate
    issued = _issue_instants(rng, spec, day)
    reward = _rewards_chosen(rng, user, issued, u)
    delay = (rng.lognormal(np.log(30), 1.2, n) * HOUR_US).astype(np.int64)  # median ~30 h
    redeem_prob = 0.45 + 0.2 * (activity[user] > np.median(activity)) + 0.1 * (reward % 3 == 0)
    redeemed_at = issued + delay
    expires = issued + 30 * DAY_US
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
            "value": [REWARDS[r][3] for r in reward],
            "cost": [REWARDS[r][4] for r in reward],
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


def _day_weights(first: date, days: int) -> np.ndarray:
    """Each day's relative activity: weekends and paydays (25th to 28th) busier, the Great Singapore
    Sale in ISO weeks 22-26 of every year, and a slow drift."""
    dates = [first + timedelta(days=d) for d in range(days)]
    weekday = np.array([d.weekday() for d in dates])  # 0 = Monday
    dom = np.array([d.day for d in dates])
    week_of_year = np.array([d.isocalendar()[1] for d in dates])
    weights = (
        1.0
        + 0.35 * (weekday >= 5)
        + 0.5 * ((dom >= 25) & (dom <= 28))
        + _SALE * ((week_of_year >= 22) & (week_of_year <= 26))
        + 0.15 * np.sin(np.arange(days) / 9.0)
    )
    return np.asarray(weights, dtype=float)


@dataclass(frozen=True)
class _Lives:
    """Every user's life in the programme, BG/NBD-like (Fader, Hardie & Lee 2005): joined on a day
    (`joined`, days from `_HISTORY_DAYS` before the start), then vouchers at their own Gamma-drawn
    `rate` while active (on the seasonal clock of `_day_weights`), leaving after each voucher with
    their own Beta-drawn chance, so `lifetime` vouchers at most (the first included)."""

    joined: np.ndarray
    rate: np.ndarray
    lifetime: np.ndarray
    clock: np.ndarray  # seasonal time at the start of each day from `_HISTORY_DAYS` before the start
    history: int

    @classmethod
    def draw(cls, rng: np.random.Generator, spec: VouchersSpec) -> _Lives:
        days = _HISTORY_DAYS + spec.days
        weights = _day_weights(spec.start - timedelta(days=_HISTORY_DAYS), days)
        clock = np.concatenate([[0.0], np.cumsum(weights)])
        existing = rng.random(spec.users) < _EXISTING
        joined = np.where(
            existing, rng.uniform(0, _HISTORY_DAYS, spec.users), rng.uniform(_HISTORY_DAYS, days, spec.users)
        )
        rate = rng.gamma(_RATE_SHAPE, 1.0 / _RATE_SHAPE, spec.users)  # mean 1: scaled to the vouchers asked for
        lifetime = rng.geometric(rng.beta(*_DROPOUT, spec.users))
        return cls(joined, rate, lifetime, clock, _HISTORY_DAYS)

    def vouchers(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        """(user, day from the start) of exactly `n` vouchers: the lives' vouchers inside the export, at
        a base rate scaled until there are at least `n`, then `n` of them kept at random. Lives that cannot
        hold `n` (a few users asked for many vouchers) start by the export's first day and never end."""
        scale, lives = 0.05, self
        for attempt in itertools.count():
            user, day = lives._simulate(rng, scale)
            if len(user) >= n:
                break
            scale *= min(10.0, 1.1 * n / max(len(user), 1))
            if attempt == 5:
                forever = np.full_like(self.lifetime, 2**40)
                lives, scale = replace(self, joined=np.maximum(self.joined, self.history), lifetime=forever), 0.05
        keep = np.sort(rng.choice(len(user), n, replace=False))
        return user[keep], day[keep]

    def _simulate(self, rng: np.random.Generator, scale: float) -> tuple[np.ndarray, np.ndarray]:
        """Every voucher of every life at base rate `scale` (vouchers per seasonal day, new members keener: see
        `_effort`) and with at most their `lifetime` of vouchers, inside the export (users, then days, in order)."""
        users = len(self.rate)
        born = np.interp(self.joined, np.arange(len(self.clock)), self.clock)
        ages = np.linspace(0.0, self.clock[-1], 20_001)
        efforts = _effort(ages)  # a life's activity up to each age, in settled seasonal days
        effort = _effort(self.clock[-1] - born)  # ... up to the export's end
        later = rng.poisson(self.rate * scale * effort)  # the vouchers after the first of a user who never left
        count = np.minimum(later, self.lifetime - 1)  # those before leaving: the first `count` of them
        owner = np.repeat(np.arange(users), count)
        # the first `count` of `later` uniform points on (0, effort): exponential spacings over their sum
        steps = np.concatenate([[0.0], np.cumsum(rng.exponential(1.0, len(owner)))])
        start = np.cumsum(count) - count
        walked = steps[1:] - np.repeat(steps[start], count)
        whole = steps[start + count] - steps[start] + rng.gamma((later - count + 1).astype(float))
        at = born[owner] + np.interp(walked / np.repeat(whole, count) * effort[owner], efforts, ages)
        owner = np.concatenate([np.arange(users), owner])  # the first voucher is the joining one
        at = np.concatenate([born, at])
        day = np.searchsorted(self.clock, at, side="right") - 1 - self.history
        inside = (day >= 0) & (day < len(self.clock) - 1 - self.history)
        order = np.lexsort((at[inside], owner[inside]))
        return owner[inside][order], day[inside][order]


def _effort(age: np.ndarray) -> np.ndarray:
    """A member's activity from joining up to `age` (seasonal days), new members keen: the integral of
    `_SETTLED` + (1 − `_SETTLED`)·exp(−age / `_SETTLING_DAYS`), their first days' activity settling to a
    third over a few months."""
    return _SETTLED * age + (1 - _SETTLED) * _SETTLING_DAYS * (1 - np.exp(-age / _SETTLING_DAYS))


def _issue_instants(rng: np.random.Generator, spec: VouchersSpec, day: np.ndarray) -> np.ndarray:
    """Issue instants (µs) on the given days from the start, at the local hours of the zone's day."""
    hour = rng.choice(24, len(day), p=_HOUR_WEIGHTS / _HOUR_WEIGHTS.sum())
    midnight = local_midnights(spec.start, spec.days, spec.zone)
    return np.asarray(midnight[day] + hour * HOUR_US + rng.integers(0, HOUR_US, len(day)), dtype=np.int64)


def _rewards_chosen(rng: np.random.Generator, user: np.ndarray, issued: np.ndarray, users: int) -> np.ndarray:
    """Each voucher's reward (index into REWARDS): a category by the user's taste, kept from the user's
    previous voucher with probability `_STICKY` (people redeem in runs: a cinema week, a food week),
    then a reward of it by popularity (Zipf over the catalogue)."""
    taste = rng.dirichlet(np.full(len(CATEGORIES), _TASTE_CONCENTRATION), users)
    taste = (1 - _TASTE_OPEN) * taste + _TASTE_OPEN / len(CATEGORIES)
    drawn = (taste.cumsum(axis=1)[user] < rng.random(len(user))[:, None]).sum(axis=1)
    runs = pl.DataFrame({"user": user, "at": issued, "drawn": drawn, "sticky": rng.random(len(user)) < _STICKY})
    runs = runs.with_row_index("i").sort("user", "at")
    first = pl.col("user") != pl.col("user").shift(1)
    kept = pl.when(pl.col("sticky") & first.not_().fill_null(False)).then(None).otherwise(pl.col("drawn"))
    chosen = np.empty(len(user), dtype=np.int64)
    ordered = runs.with_columns(kept.forward_fill().alias("category"))
    chosen[ordered["i"].to_numpy()] = np.minimum(ordered["category"].to_numpy(), len(CATEGORIES) - 1)
    category = np.array([CATEGORIES.index(r[2]) for r in REWARDS])
    popularity = 1.0 / np.arange(1, len(REWARDS) + 1) ** 0.8
    reward = np.empty(len(user), dtype=np.int64)
    for c in range(len(CATEGORIES)):
        members = np.flatnonzero(category == c)
        at = np.flatnonzero(chosen == c)
        reward[at] = rng.choice(members, len(at), p=popularity[members] / popularity[members].sum())
    return reward


def _utc_text(us: np.ndarray) -> pl.Series:
    """`2024-03-01 10:00:00 UTC` text for microsecond instants."""
    return pl.select(pl.from_epoch(pl.Series(us), time_unit="us").dt.strftime("%Y-%m-%d %H:%M:%S UTC")).to_series()
