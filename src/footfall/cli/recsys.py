"""`footfall recsys …`: recommender data and evaluation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from footfall.cli._common import FormatOption, check_format, console, print_frame, user_errors

app = typer.Typer(help="Recommender: MovieLens data, models and their evaluation.", no_args_is_help=True)


@app.command()
def evaluate(
    movielens: Annotated[
        Path, typer.Option("--movielens", help="Folder with ML-1M ratings.dat or ML-100K u.data.", show_default=False)
    ],
    model: Annotated[str, typer.Option("--model", help="popularity, ease, default, or all.")] = "all",
    protocol: Annotated[
        str, typer.Option("--protocol", help="leave-last-out (more protocols to come).")
    ] = "leave-last-out",
    fmt: FormatOption = "table",
) -> None:
    """Evaluate models with full ranking over the items each user has not seen.

    leave-last-out: each user's last interaction (ties: file order) held out; HR@10, NDCG@10
    (95 % intervals), coverage@10. temporal: one global cut, the last 20 % of interactions are
    the test set for warm users; Recall@20 (hits / min(20, items)) and NDCG@20. JSON gives one
    object per model with keys model, protocol, hr@10, ndcg@10, recall@20, ndcg@20, coverage@10,
    train_seconds, params.
    """
    from footfall.errors import InputError
    from footfall.recsys.data import read_movielens
    from footfall.recsys.evaluate import evaluate_leave_last_out, evaluate_temporal
    from footfall.recsys.models import MODELS, make_model

    with user_errors():
        check_format(fmt)
        if protocol not in ("leave-last-out", "temporal"):
            raise InputError(f"bad --protocol {protocol!r}: use leave-last-out or temporal")
        names = list(MODELS) if model == "all" else [model]
        data = read_movielens(movielens)
        run = evaluate_leave_last_out if protocol == "leave-last-out" else evaluate_temporal
        results = [run(make_model(name), data.events) for name in names]
    if fmt == "json":
        typer.echo(json.dumps(results))
        return
    import polars as pl

    shown = ["model", "hr@10", "hr@10_ci95", "ndcg@10", "ndcg@10_ci95", "coverage@10", "train_seconds"]
    if protocol == "temporal":
        shown = ["model", "recall@20", "recall@20_ci95", "ndcg@20", "ndcg@20_ci95", "train_seconds"]
    frame = pl.DataFrame([{k: r[k] for k in shown} | {"params": json.dumps(r["params"])} for r in results])
    frame = frame.with_columns(pl.col(pl.Float64).round(4))
    print_frame(frame, fmt, title=f"{data.source}: {protocol}, {results[0]['users']:,} users")
    console.print("intervals: normal approximation over users (95 %)")


RegistryOption = Annotated[
    Path | None,
    typer.Option("--registry", help="Model registry folder (default: FOOTFALL_DATA_DIR/models).", show_default=False),
]


def registry_path(path: Path | None) -> Path:
    """The registry folder named by the option, else under the data dir."""
    from footfall.config import get_settings

    return path or get_settings().data_dir / "models"


@app.command()
def train(
    movielens: Annotated[
        Path, typer.Option("--movielens", help="Folder with ML-1M ratings.dat or ML-100K u.data.", show_default=False)
    ],
    model: Annotated[str, typer.Option("--model", help="popularity, item-knn, ease, als or default.")] = "default",
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
    from footfall.recsys.data import read_movielens
    from footfall.recsys.registry import Registry
    from footfall.recsys.retrain import evaluate_current_on, train_candidate

    with user_errors():
        data = read_movielens(movielens)
        store = Registry(registry_path(registry))
        version, figures = train_candidate(data, model=model, registry=store)
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

    with user_errors():
        check_format(fmt)
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
