"""The recommendations page's model card and default user, in words a business reader uses.

The registry stores each model's evaluation under the evaluator's keys (`hr@10`, `ndcg@10_ci95`,
`coverage@10`, `train_seconds`; docs/recsys.md → Evaluation); this page names them and says how
they were measured. The user shown first is the one the model is surest about (a full list, the highest scores).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from footfall.recsys.serving import Loaded

__all__ = ["Figure", "default_user", "figures", "protocol_line"]

SHOWN = 10  # the recommendations table's length (the page asks the items endpoint for its default)


@dataclass(frozen=True)
class Figure:
    """One model figure as the page shows it: a name, the value, and what the value means."""

    name: str
    value: str
    detail: str = ""


def figures(evaluation: Mapping[str, Any]) -> list[Figure]:
    """The evaluation's figures with human names, in reading order; figures the protocol lacks are left out."""
    out = []
    for key, name, detail in _FIGURES:
        value = evaluation.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            out.append(Figure(name, _format(key, float(value), evaluation.get(f"{key}_ci95")), detail))
    return out


def protocol_line(evaluation: Mapping[str, Any]) -> str:
    """One sentence on how the figures were measured."""
    users = evaluation.get("users")
    who = f"{users:,} users" if isinstance(users, int) else "every user with two or more redemptions"
    if evaluation.get("protocol") == "temporal":
        return (
            "How these were measured: the last 20 % of redemptions in time were hidden; the model, trained on "
            f"the earlier ones, ranked every reward each of {who} had not redeemed yet, and a hit is a hidden "
            "redemption in the top 20."
        )
    return (
        f"How these were measured: for each of {who}, the most recent redemption was hidden; the model, "
        "trained on everything else, ranked every reward they had not redeemed, and a hit is the hidden "
        "reward in the top 10."
    )


def default_user(users: Sequence[str], loaded: Loaded | None) -> str:
    """Of `users`, the one the model is surest about: a full list of rewards with the highest total score.

    A user the model does not know, or for whom fewer rewards are left than the page shows, is
    passed over; ties go to the earlier user (the page lists the busiest first).
    """
    best, best_total = (users[0] if users else ""), -1.0
    if loaded is None:
        return best
    for user in users:
        rec = loaded.model.recommend(user, SHOWN)
        total = float(sum(rec.scores))
        if not rec.cold_start and len(rec.items) == SHOWN and total > best_total:
            best, best_total = user, total
    return best


# evaluator key → (name on the page, what it means)
_FIGURES = [
    ("hr@10", "hit rate in the top 10", "users whose hidden reward was among their 10 recommendations"),
    ("ndcg@10", "ranking quality (NDCG@10)", "1 = the hidden reward always first; 0 = never in the top 10"),
    ("recall@20", "found in the top 20", "hidden redemptions among each user's 20 recommendations"),
    ("ndcg@20", "ranking quality (NDCG@20)", "1 = hidden rewards always first; 0 = never in the top 20"),
    ("coverage@10", "catalogue recommended", "rewards in at least one user's top 10"),
    ("users", "users tested", "users with a hidden redemption"),
    ("train_seconds", "training time", "on this server"),
]
_PERCENT = {"hr@10", "recall@20", "coverage@10"}


def _format(key: str, value: float, interval: object) -> str:
    """`49.8 % ± 2.5`, `0.275 ± 0.016`, `1,592`, `0.01 s`."""
    spread = float(interval) if isinstance(interval, int | float) and not isinstance(interval, bool) else None
    if key in _PERCENT:
        text = f"{100 * value:.1f} %"
        return f"{text} ± {100 * spread:.1f}" if spread is not None else text
    if key == "users":
        return f"{int(value):,}"
    if key == "train_seconds":
        return f"{value:,.2f} s"
    return f"{value:.3f} ± {spread:.3f}" if spread is not None else f"{value:.3f}"
