"""`footfall recsys …`: recommender data, models, their evaluation and the model registry."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from footfall.cli._common import (
    Format,
    FormatOption,
    WarehouseOption,
    command_group,
    console,
    open_warehouse,
    print_frame,
)
from footfall.cli.registry_commands import RegistryOption, promote, registry_path, versions

if TYPE_CHECKING:
    from footfall.recsys.data import Interactions

app = command_group("Recommender: interactions, models, their evaluation and the registry.")
data_app = command_group("Look at the interactions a model would learn from.")
app.add_typer(data_app, name="data")
app.command()(versions)
app.command()(promote)

MovieLensOption = Annotated[
    Path | None,
    typer.Option(
        "--movielens",
        help="Folder with ML-1M ratings.dat or ML-100K u.data (default: the warehouse's interactions).",
        show_default=False,
    ),
]
SourceOption = Annotated[
    str,
    typer.Option("--interactions", help="Warehouse interactions when no --movielens: rewards or shop."),
]
TuneOption = Annotated[
    bool,
    typer.Option("--tune", help="Choose parameters by a grid search on a validation split of the training part."),
]


def load_interactions(movielens: Path | None, source: str, warehouse: str | None) -> Interactions:
    """MovieLens files when a folder is given, else the warehouse's `source` interactions."""
    from footfall.recsys.data import read_movielens
    from footfall.recsys.warehouse_data import read_warehouse_interactions

    if movielens is not None:
        return read_movielens(movielens)
    with open_warehouse(warehouse) as wh:
        return read_warehouse_interactions(wh, source)


def describe(data: Interactions, fmt: Format) -> None:
    """Print what an interaction set holds: users, items, interactions, time span, titles."""
    import polars as pl

    events = data.events
    summary = pl.DataFrame(
        {
            "source": [data.source],
            "users": [events["user_id"].n_unique()],
            "items": [events["item_id"].n_unique()],
            "interactions": [events.height],
            "first": [events["ts"].min()],
            "last": [events["ts"].max()],
            "titled_items": [data.items.height],
        }
    )
    print_frame(summary, fmt, title=data.source)


@data_app.command("movielens")
def data_movielens(
    path: Annotated[
        Path, typer.Option("--path", "--movielens", help="Folder with the MovieLens files (or to download into).")
    ],
    download: Annotated[
        bool, typer.Option("--download", help="Fetch the official zip from files.grouplens.org and verify its MD5.")
    ] = False,
    dataset: Annotated[str, typer.Option("--dataset", help="With --download: ml-1m or ml-100k.")] = "ml-1m",
    fmt: FormatOption = "table",
) -> None:
    """Read MovieLens 1M (ratings.dat, movies.dat) or 100K (u.data, u.item) and summarise it."""
    from footfall.recsys.data import read_movielens
    from footfall.recsys.download import download_movielens

    folder = download_movielens(dataset, path) if download else path
    data = read_movielens(folder)
    describe(data, fmt)
    if download:
        console.print(f"files in {folder} (MD5 verified)")


@data_app.command("warehouse")
def data_warehouse(
    source: SourceOption = "rewards", warehouse: WarehouseOption = None, fmt: FormatOption = "table"
) -> None:
    """Summarise the warehouse's interactions: rewards (issued, vouchers) or shop (products)."""
    data = load_interactions(None, source, warehouse)
    describe(data, fmt)


@app.command()
def evaluate(
    movielens: MovieLensOption = None,
    source: SourceOption = "rewards",
    warehouse: WarehouseOption = None,
    model: Annotated[str, typer.Option("--model", help="A model name (see train), default, or all.")] = "all",
    protocol: Annotated[
        str, typer.Option("--protocol", help="leave-last-out, temporal or next-session.")
    ] = "leave-last-out",
    tune: TuneOption = False,
    fmt: FormatOption = "table",
) -> None:
    """Evaluate models with full ranking over the items each user has not seen.

    leave-last-out: each user's last interaction (ties: file order) held out; HR@10, NDCG@10
    (95 % intervals), coverage@10. temporal: one global cut, the last 20 % of interactions are
    the test set for warm users; Recall@20 (hits / min(20, items)) and NDCG@20. next-session:
    sessions end at gaps of 1 hour, each user's last session (all of it) is held out and predicted
    from the earlier ones; Recall@20 and NDCG@10 with bootstrap intervals. leave-last-out and
    next-session also break the figures down by the gap before the held-out interaction. JSON
    gives one object per model with keys model, protocol, hr@10, ndcg@10, recall@20, ndcg@20,
    coverage@10, users, by_gap, train_seconds, params. --tune picks each model's parameters on a
    validation split cut from the training part (never the test part) and reports the chosen ones.
    """
    import polars as pl

    from footfall.errors import InputError
    from footfall.recsys.evaluate import evaluate_leave_last_out, evaluate_temporal
    from footfall.recsys.models import MODELS, Model, make_model
    from footfall.recsys.next_session import evaluate_next_session
    from footfall.recsys.tuning import PROTOCOLS, tuned_model

    runs: dict[str, Callable[[Model, pl.DataFrame], dict[str, Any]]] = {
        "leave-last-out": evaluate_leave_last_out,
        "temporal": evaluate_temporal,
        "next-session": evaluate_next_session,
    }
    if protocol not in PROTOCOLS:
        raise InputError(f"bad --protocol {protocol!r}: use {', '.join(PROTOCOLS)}")
    names = list(MODELS) if model == "all" else [model]
    data = load_interactions(movielens, source, warehouse)
    results = []
    for name in names:
        candidate = tuned_model(name, data.events, protocol=protocol)[0] if tune else make_model(name)
        results.append(runs[protocol](candidate, data.events))
    if fmt == "json":
        typer.echo(json.dumps(results))
        return
    print_evaluation(results, protocol, fmt, title=f"{data.source}: {protocol}" + (", tuned" if tune else ""))


def print_evaluation(results: list[dict[str, Any]], protocol: str, fmt: Format, *, title: str) -> None:
    """The figures per model, then (where the protocol has them) per gap before the held-out interaction.

    A table shows each figure to 4 decimals with its interval in the same cell, and the parameters
    below it as `key=value`, so it reads whole in 80 columns; CSV keeps one column per figure."""
    import polars as pl

    metrics = {"leave-last-out": ["hr@10", "ndcg@10"], "temporal": ["recall@20", "ndcg@20"]}
    metrics["next-session"] = ["recall@20", "ndcg@10"]
    title = f"{title}, {results[0]['users']:,} users"
    if fmt == "csv":
        rows = [_flat(r, metrics[protocol]) for r in results]
        print_frame(pl.DataFrame(rows), fmt, title=title)
        return
    rows = []
    for r in results:
        row = {"model": r["model"]} | {metric: _with_interval(r, metric) for metric in metrics[protocol]}
        if "coverage@10" in r and protocol == "leave-last-out":
            row["cover@10"] = f"{r['coverage@10']:.2f}"
        rows.append(row | {"train s": f"{r['train_seconds']:.2f}"})
    print_frame(pl.DataFrame(rows), fmt, title=title)
    gaps = [
        {"model": r["model"], "gap": g} | {k: v if k == "users" else f"{v:.4f}" for k, v in f.items()}
        for r in results
        for g, f in r.get("by_gap", {}).items()
    ]
    if gaps:
        print_frame(pl.DataFrame(gaps), fmt, title="by the gap before the held-out interaction")
    kind = "bootstrap over users" if protocol == "next-session" else "normal approximation over users"
    console.print(f"intervals: {kind} (95 %); parameters:")
    for r in results:
        console.print(f"  {r['model']}: " + (", ".join(f"{k}={_number(v)}" for k, v in r["params"].items()) or "none"))


def _with_interval(figures: dict[str, Any], metric: str) -> str:
    """`0.1313 ± 0.017` (normal approximation) or `0.1874 [0.1630, 0.2127]` (bootstrap); `-` when absent."""
    value = figures.get(metric)
    if value is None:
        return "-"
    if figures.get(f"{metric}_interval"):
        low, high = figures[f"{metric}_interval"]
        return f"{value:.4f} [{low:.4f}, {high:.4f}]"
    half = figures.get(f"{metric}_ci95")
    return f"{value:.4f}" + ("" if half is None else f" ± {half:.3f}")


def _flat(figures: dict[str, Any], metrics: list[str]) -> dict[str, Any]:
    """One CSV row: each figure and its interval in columns of their own, the parameters as JSON."""
    row: dict[str, Any] = {"model": figures["model"]}
    for metric in metrics:
        row[metric] = figures.get(metric)
        if f"{metric}_interval" in figures:
            row[f"{metric}_low"], row[f"{metric}_high"] = figures[f"{metric}_interval"] or (None, None)
        else:
            row[f"{metric}_ci95"] = figures.get(f"{metric}_ci95")
    return (
        row
        | {"coverage@10": figures.get("coverage@10"), "train_seconds": figures["train_seconds"]}
        | {"params": json.dumps(figures["params"])}
    )


def _number(value: Any) -> str:
    """A parameter as typed on the command line: 1000 for 1000.0, 0.01, 86400."""
    return f"{value:g}" if isinstance(value, float) else str(value)


@app.command()
def train(
    movielens: MovieLensOption = None,
    source: SourceOption = "rewards",
    warehouse: WarehouseOption = None,
    model: Annotated[
        str,
        typer.Option(
            "--model", help="popularity, item-knn, ease, recency-ease, sequence-ease, sequence-rank, als or default."
        ),
    ] = "default",
    tune: TuneOption = False,
    registry: RegistryOption = None,
    promote: Annotated[
        bool,
        typer.Option(
            "--promote",
            help="Make the new version current unless its NDCG@10 is worse than the current model's on the same "
            "data by more than FOOTFALL_PROMOTE_TOLERANCE (a relative drop; default 0). The first model is "
            "always promoted.",
        ),
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Promote even when worse (implies --promote).")] = False,
) -> None:
    """Evaluate a model (leave-last-out), train it on all interactions, and store both in the registry."""
    from footfall.config import get_settings
    from footfall.recsys.registry import Registry
    from footfall.recsys.retrain import evaluate_current_on, train_candidate
    from footfall.recsys.tuning import tuned_model

    data = load_interactions(movielens, source, warehouse)
    params = tuned_model(model, data.events)[0].params if tune else None
    store = Registry(registry_path(registry))
    version, figures = train_candidate(data, model=model, registry=store, params=params)
    decision = None
    if promote or force:
        evaluate_current_on(store, data, about=figures["data"])  # the current recipe on the same data
        decision = store.promote_if_better(version, tolerance=get_settings().promote_tolerance, force=force)
    console.print(
        f"version {version}: HR@10 {figures['hr@10']:.4f}, NDCG@10 {figures['ndcg@10']:.4f}"
        + (" — now current" if decision and decision.promoted else "")
    )
    if decision is not None:
        console.print(str(decision), highlight=False)


def recommend(
    user_id: Annotated[str, typer.Argument(help="The user to recommend for.", show_default=False)],
    n: Annotated[int, typer.Option("-n", "--n", help="How many items (1 to 1000).")] = 10,
    version: Annotated[str, typer.Option("--model", help="A registry version, or current.")] = "current",
    registry: RegistryOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Recommend items for a user from the registry's current model (unknown users: popular items, flagged)."""
    import polars as pl

    from footfall.recsys.registry import Registry

    name, model, titles = Registry(registry_path(registry)).load(version)
    rec = model.recommend(user_id, n)
    frame = pl.DataFrame(
        {"rank": range(1, len(rec.items) + 1), "item_id": rec.items, "score": rec.scores},
        schema={"rank": pl.Int64, "item_id": pl.String, "score": pl.Float64},
    )
    frame = frame.join(titles, on="item_id", how="left", maintain_order="left")
    if fmt == "json":
        typer.echo(
            json.dumps({"user_id": user_id, "model": name, "cold_start": rec.cold_start, "items": frame.to_dicts()})
        )
        return
    note = " (unknown user: the most popular items)" if rec.cold_start else ""
    print_frame(frame, fmt, title=f"recommendations for {user_id} from {name}{note}")
