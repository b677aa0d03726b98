"""Generate a realistic HTTP access log and its campaign ↔ reward mapping.

Shape: heavy-tailed user activity (a few users make many visits), visits as bursts of
requests seconds apart separated by idle hours, a daily rhythm in local time of a zone (the
report zone unless told: people use the app by day), Zipf-popular campaigns and
rewards, rewards mostly issued after viewing a linked campaign, some gaps of exactly the
5-minute threshold, mixed UTC offsets and fraction lengths, lines out of time order (merged
from several servers), and a few bad lines of every kind. `events` good lines are written;
bad lines come on top of them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from footfall.synth._local_days import local_midnights
from footfall.synth._units import HOUR_US, MINUTE_US

__all__ = ["HttpLogSpec", "generate_http_log"]

_OTHER_PATHS = np.array(
    [
        "/home",
        "/profile",
        "/campaigns",
        "/rewards",
        "/static/app.js",
        "/login",
        "/wallet",
        "/search?q=coffee",
        "/campaigns?sort=popular",
        "/help",
    ]
)
_OFFSETS = np.array([0, 480, 0, -240, 330, 60])  # minutes; the second 0 is written as Z
_OFFSET_WEIGHTS = np.array([0.45, 0.3, 0.1, 0.08, 0.04, 0.03])
_BAD_LINES = [
    "{ts} POST /rewards/{r}",
    "not-a-timestamp GET /campaigns/{c} {u}",
    "2019-13-45T00:00:00+00:00 GET /campaigns/{c} {u}",
    "{ts} GET /campaigns/ {u}",
    "{ts} GET /campaigns/{c} {u} extra-field",
    "",
    "{naive} GET /campaigns/{c} {u}",
    "2019-08-27T25:07:05+00:00 GET /campaigns/{c} {u}",
    "{ts} POST /rewards/{r} ",
]


@dataclass(frozen=True, kw_only=True)
class HttpLogSpec:
    """What to generate; the same spec and seed always give the same bytes.

    Campaign ids are 1..`campaigns`, reward ids `first_reward_id` onwards, unless `generate_http_log`
    is given the links (then theirs). `zone`: the IANA zone whose local day the activity follows
    (None: the report zone, `FOOTFALL_REPORT_TZ`).
    """

    events: int
    users: int = 10_000
    seed: int = 0
    campaigns: int = 300
    rewards: int = 600
    first_reward_id: int = 1000
    days: int = 7
    zone: str | None = None
    bad_fraction: float = 0.001


def generate_http_log(
    spec: HttpLogSpec,
    out: Path,
    *,
    mapping_out: Path | None = None,
    links: pl.DataFrame | None = None,
    chunk_events: int = 2_000_000,
) -> int:
    """Write the log (and mapping CSV) and return the number of lines written.

    `links` (`campaign_id, reward_id`, integer ids as text) are the programme's campaigns and their
    rewards, e.g. the rewards export's `reward_campaign`: visits view those campaigns and are
    issued those rewards, so reports can name them. Without it, a random many-to-many mapping.
    """
    rng = np.random.default_rng(spec.seed)
    given = links is not None
    links = _mapping(rng, spec) if links is None else links.select(pl.col("campaign_id", "reward_id").cast(pl.String))
    if mapping_out is not None:
        dup = links.sample(n=max(1, links.height // 20), seed=spec.seed)  # real exports repeat rows
        pl.concat([links, dup]).write_csv(mapping_out)
    lengths = _session_lengths(rng, spec.events)
    users = _user_ids(rng, spec.users)
    weights = rng.pareto(1.2, spec.users) + 1.0
    session_user = rng.choice(spec.users, size=len(lengths), p=weights / weights.sum())
    hour_w = np.array([2, 1, 1, 1, 1, 2, 4, 6, 8, 8, 7, 8, 10, 9, 8, 8, 9, 10, 12, 13, 12, 9, 6, 3], float)
    starts = (
        local_midnights(date(2019, 8, 1), spec.days, spec.zone)[rng.integers(0, spec.days, len(lengths))]
        + rng.choice(24, len(lengths), p=hour_w / hour_w.sum()) * HOUR_US
        + rng.integers(0, HOUR_US, len(lengths))
    )
    order = np.argsort(starts, kind="stable")
    lengths, session_user, starts = lengths[order], session_user[order], starts[order]
    ids = _Ids.of(links, spec, given=given)
    written = 0
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as stream:
        bounds = np.searchsorted(np.cumsum(lengths), np.arange(chunk_events, spec.events, chunk_events))
        for part in np.split(np.arange(len(lengths)), bounds):
            lines = _session_lines(rng, spec, ids, lengths[part], users[session_user[part]], starts[part])
            stream.write(("\n".join(lines.to_list()) + "\n").encode("utf-8"))
            written += len(lines)
    tmp.replace(out)
    return written


@dataclass(frozen=True)
class _Ids:
    """The campaign and reward ids visits use, and each campaign's first linked reward (by position)."""

    campaigns: np.ndarray
    rewards: np.ndarray
    first_link: np.ndarray

    @classmethod
    def of(cls, links: pl.DataFrame, spec: HttpLogSpec, *, given: bool) -> _Ids:
        """The given links' ids (in numeric order), or 1..campaigns and the spec's reward ids."""
        if given:
            campaigns = np.array(sorted(set(links["campaign_id"].to_list()), key=_numeric_first), dtype=str)
            rewards = np.array(sorted(set(links["reward_id"].to_list()), key=_numeric_first), dtype=str)
        else:
            campaigns = np.arange(1, spec.campaigns + 1).astype(str)
            rewards = np.arange(spec.first_reward_id, spec.first_reward_id + spec.rewards).astype(str)
        by_campaign = links.group_by("campaign_id").agg("reward_id")
        linked = dict(zip(by_campaign["campaign_id"].to_list(), by_campaign["reward_id"].to_list(), strict=True))
        first_link = np.array([linked.get(str(c), [rewards[0]])[0] for c in campaigns], dtype=str)
        return cls(campaigns, rewards, first_link)


def _numeric_first(ident: str) -> tuple[int, int, str]:
    """Sort ids as numbers where they are numbers (2 before 10), then as text."""
    return (0, int(ident), "") if ident.isdigit() else (1, 0, ident)


def _mapping(rng: np.random.Generator, spec: HttpLogSpec) -> pl.DataFrame:
    """Each campaign links 1-4 rewards, popular rewards more often (many-to-many)."""
    per = rng.integers(1, 5, spec.campaigns)
    campaign = np.repeat(np.arange(1, spec.campaigns + 1), per)
    reward = _zipf(rng, spec.rewards, len(campaign), 1.1)
    return pl.DataFrame(
        {"campaign_id": campaign.astype(str), "reward_id": (reward + spec.first_reward_id).astype(str)}
    ).unique(maintain_order=True)


def _session_lengths(rng: np.random.Generator, events: int) -> np.ndarray:
    """Visit lengths (geometric, mean ~8) summing exactly to `events`."""
    lengths = rng.geometric(1 / 8, size=events // 6 + 16)
    total = np.cumsum(lengths)
    k = int(np.searchsorted(total, events))
    lengths = lengths[: k + 1].copy()
    lengths[-1] -= int(total[k] - events)
    return lengths[lengths > 0]


def _user_ids(rng: np.random.Generator, users: int) -> np.ndarray:
    """Opaque ids: a mix of short ones and 13-digit ones beyond 32 bits."""
    short = rng.choice(np.arange(100_000, 9_999_999), users, replace=False)
    long = 2_000_000_000_000 + rng.integers(0, 99_999_999_999, users)
    return np.where(rng.random(users) < 0.5, short, long).astype(str)


def _zipf(rng: np.random.Generator, n: int, size: int, a: float) -> np.ndarray:
    """Zipf-distributed indices in [0, n)."""
    p = 1.0 / np.arange(1, n + 1) ** a
    return rng.choice(n, size=size, p=p / p.sum())


def _session_lines(
    rng: np.random.Generator,
    spec: HttpLogSpec,
    ids: _Ids,
    lengths: np.ndarray,
    users: np.ndarray,
    starts: np.ndarray,
) -> pl.Series:
    """The lines of these visits, shuffled as a multi-server merge, with bad lines mixed in."""
    n = int(lengths.sum())
    sess = np.repeat(np.arange(len(lengths)), lengths)
    first = np.r_[True, sess[1:] != sess[:-1]]
    step = rng.exponential(40e6, n).astype(np.int64) + rng.integers(0, 1000, n) * 1000
    edge = rng.random(n)
    step = np.where(edge < 0.01, 300_000_000, step)  # exactly the default gap: splits
    step = np.where((edge >= 0.01) & (edge < 0.02), 299_999_000, step)  # just under: joins
    step[first] = 0
    cum = np.cumsum(step)
    ts = starts[sess] + cum - np.repeat(cum[first], lengths)
    # per visit: a focus campaign; views mostly of it, rewards mostly linked to it
    focus = _zipf(rng, len(ids.campaigns), len(lengths), 1.05)[sess]
    kind = rng.choice(3, n, p=[0.45, 0.15, 0.40])
    campaign = ids.campaigns[np.where(rng.random(n) < 0.7, focus, _zipf(rng, len(ids.campaigns), n, 1.05))]
    linked = rng.random(n) < 0.7
    reward = np.where(linked, ids.first_link[focus], ids.rewards[_zipf(rng, len(ids.rewards), n, 1.1)])
    other = _OTHER_PATHS[rng.integers(0, len(_OTHER_PATHS), n)]
    method = np.where(kind == 1, "POST", "GET")
    path = np.where(
        kind == 0,
        np.char.add("/campaigns/", campaign.astype(str)),
        np.where(kind == 1, np.char.add("/rewards/", reward), other),
    )
    method = np.where((kind == 2) & (other == "/login"), "POST", method)
    user_offset = rng.choice(len(_OFFSETS), len(users), p=_OFFSET_WEIGHTS)[sess]
    stamps = _format_timestamps(rng, ts, user_offset)
    frame = pl.DataFrame(
        {"t": stamps, "m": method, "p": path, "u": users[sess], "k": ts + rng.integers(0, 120_000_000, n)}
    )
    frame = frame.sort("k").with_columns(line=pl.concat_str("t", "m", "p", "u", separator=" "))
    lines = frame["line"]
    n_bad = rng.binomial(n, spec.bad_fraction) if spec.bad_fraction > 0 else 0
    if n_bad:
        bad = [
            _BAD_LINES[i % len(_BAD_LINES)].format(
                ts=lines[int(j)].split(" ")[0], naive=lines[int(j)][:19], c=1, r=1001, u=users[0]
            )
            for i, j in enumerate(rng.integers(0, n, n_bad))
        ]
        at = np.sort(rng.integers(0, n + 1, n_bad))
        lines = pl.Series(np.insert(lines.to_numpy().astype(object), at, bad).tolist(), dtype=pl.String)
    return lines


def _format_timestamps(rng: np.random.Generator, ts_us: np.ndarray, offset_idx: np.ndarray) -> pl.Series:
    """ISO-8601 text in each user's offset, with 0, 3, 6 or 9 fraction digits."""
    offset = _OFFSETS[offset_idx]
    digits = rng.choice([0, 3, 6, 9], len(ts_us), p=[0.4, 0.3, 0.2, 0.1])
    nanos = rng.integers(0, 1000, len(ts_us))
    sign = np.where(offset < 0, "-", "+")
    suffix = np.char.add(
        np.char.add(sign, np.char.zfill((np.abs(offset) // 60).astype(str), 2)),
        np.char.add(":", np.char.zfill((np.abs(offset) % 60).astype(str), 2)),
    )
    suffix = np.where(offset_idx == 2, "Z", suffix)
    frame = pl.DataFrame({"local": ts_us + offset * MINUTE_US, "digits": digits, "nanos": nanos, "suffix": suffix})
    micros = (pl.col("local") % 1_000_000).cast(pl.String).str.zfill(6)
    frac9 = micros + pl.col("nanos").cast(pl.String).str.zfill(3)
    frac = pl.when(pl.col("digits") == 0).then(pl.lit("")).otherwise(pl.lit(".") + frac9.str.slice(0, pl.col("digits")))
    text = pl.from_epoch("local", time_unit="us").dt.strftime("%Y-%m-%dT%H:%M:%S") + frac + pl.col("suffix")
    return frame.select(text.alias("t"))["t"]
