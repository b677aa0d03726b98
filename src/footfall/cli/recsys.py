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
    """Evaluate models: each user's last interaction (ties: file order) held out, full ranking over unseen items.

    Reports HR@10 and NDCG@10 with 95 % intervals, coverage@10 and training time; JSON gives one
    object per model with keys model, protocol, hr@10, ndcg@10, recall@20, ndcg@20, coverage@10,
    train_seconds, params.
    """
    from footfall.errors import InputError
    from footfall.recsys.data import read_movielens
    from footfall.recsys.evaluate import evaluate_leave_last_out
    from footfall.recsys.models import MODELS, make_model

    with user_errors():
        check_format(fmt)
        if protocol != "leave-last-out":
            raise InputError(f"bad --protocol {protocol!r}: leave-last-out is the one implemented so far")
        names = list(MODELS) if model == "all" else [model]
        data = read_movielens(movielens)
        results = [evaluate_leave_last_out(make_model(name), data.events) for name in names]
    if fmt == "json":
        typer.echo(json.dumps(results))
        return
    import polars as pl

    shown = ["model", "hr@10", "hr@10_ci95", "ndcg@10", "ndcg@10_ci95", "coverage@10", "train_seconds"]
    frame = pl.DataFrame([{k: r[k] for k in shown} | {"params": json.dumps(r["params"])} for r in results])
    frame = frame.with_columns(pl.col(pl.Float64).round(4))
    print_frame(frame, fmt, title=f"{data.source}: {protocol}, {results[0]['users']:,} users")
    console.print("intervals: normal approximation over users (95 %)")
