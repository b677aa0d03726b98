"""The recommender benchmark's sequential half: the next-session protocol, gap breakdowns, the SASRec anchor.

Every model is tuned on the protocol's own validation split (never the test sessions). The
next-session table gives Recall@20 and NDCG@10 with 95 % bootstrap intervals over users, then
per gap group, then paired bootstrap intervals of the differences between the default and each
other model on the same users, on both protocols. SASRec (`recsys_sasrec`) is trained in the same run on
the same splits with `--sasrec` when torch is importable (about 20-40 minutes of CPU); otherwise
the figures measured for issue 23 on leave-last-out are printed as the recorded anchor.
"""

from __future__ import annotations

import importlib.util
import json

import numpy as np
import polars as pl

from benchmarks._common import table
from footfall.recsys.evaluate import GAP_GROUPS, bootstrap, by_gap, leave_last_out_by_user
from footfall.recsys.models import DEFAULT_MODEL, MODELS
from footfall.recsys.next_session import next_session_by_user
from footfall.recsys.tuning import tuned_model

Results = dict[str, tuple[dict[str, object], pl.DataFrame]]  # model → (parameters, per-user figures)

NAMES = {"ndcg@10": "NDCG@10", "recall@20": "Recall@20", "hr@10": "HR@10"}

# Issue 23, measured on exactly our leave-last-out split of ML-100K (CPU torch, 2 cores).
SASREC_ANCHOR = [
    ["SASRec, BCE, 1 negative (the paper's setup), two seeds", "0.179 / 0.182", "0.100 / 0.095", "9-34 min"],
    ["SASRec, full-softmax cross-entropy", "0.203", "0.104", "38 min"],
    ["SASRec, cross-entropy, dropout 0.5, early-stopped", "0.214", "0.114", "21 min"],
    ["the same, retrained on train + validation, two seeds (best)", "0.217 / 0.213", "0.117 / 0.120", "15 min each"],
    ["leave-last-out, >1 h before the held-out item: SASRec / popularity", "", "0.093 / 0.055", ""],
]


def sequential_report(events: pl.DataFrame, last: Results, *, sasrec: bool) -> str:
    """Next-session tables for every model tuned on that protocol, both protocols by gap and paired, the SASRec peer.

    `last`: each model's per-user leave-last-out figures (`leave_last_out_by_user`), SASRec's added here."""
    session = {}
    for name in MODELS:
        model = tuned_model(name, events, protocol="next-session")[0]
        session[name] = model.params, next_session_by_user(model, events)
    peer = sasrec_peer(events, session, last) if sasrec else None
    last_by_gap = {n: by_gap(users, ["hr@10", "ndcg@10"]) for n, (_, users) in last.items()}
    session_by_gap = {n: by_gap(users, ["recall@20", "ndcg@10"]) for n, (_, users) in session.items()}
    parts = [next_session_table(session), gap_table(last_by_gap, "hr@10", "ndcg@10", "leave-last-out")]
    parts += [gap_table(session_by_gap, "recall@20", "ndcg@10", "next-session")]
    parts += [paired_table(session, ("ndcg@10", "recall@20"), "next-session")]
    parts += [paired_table(last, ("ndcg@10", "hr@10"), "leave-last-out")]
    if peer is None:
        why = "torch is not importable" if importlib.util.find_spec("torch") is None else "run without --sasrec"
        title = (
            f"SASRec, the sequential peer ({why}: the figures recorded in issue 23, ML-100K leave-last-out, same split)"
        )
        peer = table(title, ["model", "HR@10", "NDCG@10", "training"], SASREC_ANCHOR)
    return "\n\n".join([*parts, peer])


def sasrec_peer(events: pl.DataFrame, session: Results, last: Results) -> str:
    """Train SASRec (cross-entropy) on both protocols' training parts; add its per-user figures to both results."""
    from benchmarks.recsys_sasrec import SasRec

    model = SasRec()
    users = leave_last_out_by_user(model, events)[0]
    last_seconds, epochs = model.train_seconds, model.epochs_run
    last["sasrec"] = model.params, users
    session["sasrec"] = model.params, next_session_by_user(model, events)
    hr, ndcg = users["hr@10"].to_numpy(), users["ndcg@10"].to_numpy()
    row = [f"{hr.mean():.4f} [{interval(hr)}]", f"{ndcg.mean():.4f} [{interval(ndcg)}]"]
    row += [f"{last_seconds:.0f} s ({epochs} epochs)", f"{model.train_seconds:.0f} s ({model.epochs_run} epochs)"]
    header = ["model", "leave-last-out HR@10", "NDCG@10", "training (LLO)", "training (next-session)"]
    return table("SASRec, cross-entropy, trained in this run on the same splits", header, [["sasrec", *row]])


def next_session_table(session: Results) -> str:
    """Recall@20 and NDCG@10 with bootstrap intervals per model."""
    rows = []
    for name, (params, users) in session.items():
        recall, ndcg = users["recall@20"].to_numpy(), users["ndcg@10"].to_numpy()
        rows.append(
            [
                name + (" = default" if name == DEFAULT_MODEL else ""),
                f"{recall.mean():.4f} [{interval(recall)}]",
                f"{ndcg.mean():.4f} [{interval(ndcg)}]",
                json.dumps(params),
            ]
        )
    users = next(iter(session.values()))[1]
    title = (
        f"ML-100K next-session: sessions end at 1 h gaps; each user's last session held out ({users.height} users, "
        f"{users['relevant'].sum():,} new items); full ranking; 95 % bootstrap intervals; tuned on the "
        "second-to-last session"
    )
    return table(title, ["model", "Recall@20", "NDCG@10", "tuned"], rows)


def gap_table(groups: dict[str, dict[str, dict[str, float | int]]], first: str, second: str, protocol: str) -> str:
    """`first` / `second` per model and per group of the gap before the held-out interaction (from `by_gap`)."""
    labels = [label for _, label in GAP_GROUPS if any(label in g for g in groups.values())]
    counts = {label: next(g[label]["users"] for g in groups.values() if label in g) for label in labels}
    rows: list[list[object]] = [
        [name, *(f"{g[label][first]:.3f} / {g[label][second]:.3f}" if label in g else "-" for label in labels)]
        for name, g in groups.items()
    ]
    header = ["model", *(f"{label} ({counts[label]} users)" for label in labels)]
    return table(f"ML-100K {protocol} by the gap before the held-out interaction: {first} / {second}", header, rows)


def paired_table(results: Results, metrics: tuple[str, str], protocol: str) -> str:
    """The default's `metrics` minus each other model's, user by user, with paired bootstrap intervals."""
    base = results[DEFAULT_MODEL][1]
    rows: list[list[object]] = []
    for name, (_, users) in results.items():
        if name == DEFAULT_MODEL:
            continue
        same = base.select("user_id").join(users, on="user_id", how="left", maintain_order="left")  # same users, order
        cells: list[object] = [name]
        for metric in metrics:
            diff = base[metric].to_numpy() - same[metric].to_numpy()
            cells.append(f"{diff.mean():+.4f} [{interval(diff)}]")
        rows.append(cells)
    title = f"{protocol}, {DEFAULT_MODEL} minus each model on the same users (95 % paired bootstrap)"
    return table(title, ["model", *(f"{NAMES[metric]} difference" for metric in metrics)], rows)


def interval(values: np.ndarray) -> str:
    interval = bootstrap(values)
    return "-" if interval is None else f"{interval[0]:+.4f}, {interval[1]:+.4f}"
