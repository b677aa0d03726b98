"""Peer: the pandas approach typical of take-home solutions (split, to_datetime, sort,
groupby-shift-cumsum, then a row-wise apply per session), with the same contract rules.

Usage: python -m benchmarks.peers.pandas_takehome LOG MAPPING OUT.parquet
"""

from __future__ import annotations

import re
import sys

import pandas as pd

TS = re.compile(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d{1,9})?([Zz]|[+-]\d\d(:?\d\d)?)")
CAMPAIGN = re.compile(r"^/campaigns/([^/?#]+)/?([?#].*)?$")
REWARD = re.compile(r"^/rewards/([^/?#]+)/?([?#].*)?$")
NO_ID = re.compile(r"^/(campaigns|rewards)/([/?#]|$)")


def parse_line(line: str) -> dict[str, object] | None:
    fields = re.split(r"[ \t]+", line.rstrip("\r\n"))
    if len(fields) != 4 or not fields[0] or not fields[3] or not TS.fullmatch(fields[0]):
        return None
    ts, method, path, user = fields
    if not re.fullmatch(r"[A-Z]+", method) or not path.startswith("/") or NO_ID.match(path):
        return None
    c = CAMPAIGN.match(path) if method == "GET" else None
    r = REWARD.match(path) if method == "POST" else None
    return {
        "ts_text": re.sub(r"(\.\d{6})\d+", r"\1", ts),
        "user_id": user,
        "c": c.group(1) if c else None,
        "r": r.group(1) if r else None,
    }


def main(log: str, mapping: str, out: str) -> None:
    with open(log, encoding="utf-8", errors="replace") as f:
        rows = [p for p in (parse_line(line) for line in f) if p is not None]
    df = pd.DataFrame(rows)
    df["seq"] = range(len(df))
    df["ts"] = pd.to_datetime(df["ts_text"], utc=True, format="ISO8601", errors="coerce")
    df = df.dropna(subset=["ts"]).sort_values(["user_id", "ts", "seq"])
    df["gap"] = df.groupby("user_id")["ts"].diff()
    df["new_session"] = df["gap"].isna() | (df["gap"] >= pd.Timedelta(minutes=5))
    df["sid"] = df["new_session"].cumsum()
    links = pd.read_csv(mapping, dtype=str).drop_duplicates()
    linked = set(zip(links["campaign_id"], links["reward_id"], strict=True))

    def summarize(g: pd.DataFrame) -> pd.Series:
        campaigns: list[str] = []
        rewards: list[str] = []
        views = [(row.ts, row.c) for row in g.itertuples() if isinstance(row.c, str)]
        driven = False
        for row in g.itertuples():
            if isinstance(row.c, str) and row.c not in campaigns:
                campaigns.append(row.c)
            if isinstance(row.r, str):
                if row.r not in rewards:
                    rewards.append(row.r)
                driven = driven or any(t <= row.ts and (c, row.r) in linked for t, c in views)
        return pd.Series(
            {
                "user_id": g["user_id"].iloc[0],
                "session_start": g["ts"].min(),
                "session_end": g["ts"].max(),
                "campaigns": campaigns,
                "rewards_issued": rewards,
                "reward_driven_by_campaign_view": driven,
                "events": len(g),
                "campaign_views": int(g["c"].notna().sum()),
                "rewards_issued_count": int(g["r"].notna().sum()),
            }
        )

    report = df.groupby("sid", sort=False).apply(summarize, include_groups=False).reset_index(drop=True)
    report.sort_values(["user_id", "session_start"]).to_parquet(out, index=False)


if __name__ == "__main__":
    main(*sys.argv[1:4])
