"""Interactions with structure a recommender can learn: users in groups, each liking its group's items."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
from hypothesis import strategies as st

from footfall.recsys.data import Interactions, read_movielens


def clustered_movielens(folder: Path, *, groups: int = 3, users: int = 90, items: int = 30, seed: int = 0) -> Path:
    """An ML-100K folder (`u.data`, `u.item`) where user u likes items of group u % groups, plus one
    item everyone sees: popularity ranks that item and other groups' items high; EASE learns the groups."""
    rng = np.random.default_rng(seed)
    per_group = items // groups
    lines = []
    t = 880_000_000
    for user in range(1, users + 1):
        group = user % groups
        liked = rng.choice(per_group, size=6, replace=False) + group * per_group + 2  # items 2..items+1
        for item in [1, *liked.tolist()]:  # item 1 is the item everyone sees
            t += 1
            lines.append(f"{user}\t{item}\t4\t{t}\n")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "u.data").write_text("".join(lines))
    (folder / "u.item").write_text("".join(f"{i}|Item {i}|\n" for i in range(1, items + 2)), encoding="latin-1")
    return folder


def clustered_interactions(folder: Path, **kwargs: int) -> Interactions:
    """`clustered_movielens` read back as interactions."""
    return read_movielens(clustered_movielens(folder, **kwargs))


T0 = datetime(2000, 1, 1, tzinfo=UTC)


def timed_events(rows: list[tuple[str, str, int]]) -> pl.DataFrame:
    """`(user, item, seconds after T0)` rows as interactions, in file order."""
    return pl.DataFrame(
        {
            "user_id": [u for u, _, _ in rows],
            "item_id": [i for _, i, _ in rows],
            "weight": [1.0] * len(rows),
            "ts": [T0 + timedelta(seconds=s) for _, _, s in rows],
            "seq": list(range(len(rows))),
        }
    )


@st.composite
def interactions(
    draw: st.DrawFn, users: int = 12, items: int = 10, min_size: int = 2, max_size: int = 60, weighted: bool = False
) -> pl.DataFrame:
    """Up to `users` × `items`, instants drawn from a second to days apart (ties included); weights 1 to 5 when
    `weighted`, else 1."""
    rows = draw(
        st.lists(
            st.tuples(st.integers(0, users - 1), st.integers(0, items - 1), st.sampled_from([0, 1, 30, 4000, 90_000])),
            min_size=min_size,
            max_size=max_size,
        )
    )
    seconds = np.cumsum([gap for _, _, gap in rows])
    return pl.DataFrame(
        {
            "user_id": [f"u{u}" for u, _, _ in rows],
            "item_id": [f"i{i}" for _, i, _ in rows],
            "weight": [float(1 + (u * i) % 5) if weighted else 1.0 for u, i, _ in rows],
            "ts": [T0 + timedelta(seconds=int(s)) for s in seconds],
            "seq": list(range(len(rows))),
        }
    )
