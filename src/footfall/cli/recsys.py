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
