"""`GET /segments/{customer_id}`, `POST /predictions/{model}`, and the Segments page's charts (docs/ml.md#serving)."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import polars as pl
from fastapi import APIRouter, Body, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from footfall.api.access import requires
from footfall.api.errors import error_responses
from footfall.api.routes.charts import Chart
from footfall.auth import Role
from footfall.errors import NotFoundError

# a named customer's segment, and predictions on customers' features: analysts and admins (docs/serving.md#roles)
router = APIRouter(
    tags=["customer models"], dependencies=[requires(Role.analyst)], responses=error_responses(401, 403, 503)
)
# the Segments page's aggregates: every role
charts = APIRouter(
    prefix="/api/charts/segments",
    tags=["charts"],
    dependencies=[requires(Role.viewer)],
    responses=error_responses(401, 403, 503),
)


class Segment(BaseModel):
    """A customer's segment in the current segmentation, with the segment's median profile."""

    customer_id: str
    segment: int
    name: str
    model: str
    profile: dict[str, float]


class Predictions(BaseModel):
    """One prediction per row, in order: P(return) for `returns`, expected purchases for `purchases`."""

    model: str
    version: str
    horizon_weeks: float
    predictions: list[float]


@router.get(
    "/segments/{customer_id}",
    response_model=Segment,
    summary="A customer's segment",
    responses=error_responses(404),
)
def customer_segment(request: Request, customer_id: Annotated[str, Path(description="The customer's id.")]) -> Any:
    """The customer's segment in the current segmentation (404 when the segmentation does not know them)."""
    loaded = request.app.state.ml.get("segments")
    found = loaded.tables["assignments"].filter(pl.col("customer_id") == customer_id)
    if not found.height:
        raise NotFoundError(f"customer {customer_id!r} is not in segmentation {loaded.version}")
    row = found.row(0, named=True)
    profile = next(s["profile"] for s in loaded.model.meta["segments"] if s["segment"] == row["segment"])
    return Segment(
        customer_id=customer_id, segment=row["segment"], name=row["name"], model=loaded.version, profile=profile
    )


@router.post(
    "/predictions/{model}",
    response_model=Predictions,
    summary="Predict for feature rows",
    responses=error_responses(422),
)
def predictions(
    request: Request,
    model: Annotated[Literal["returns", "purchases"], Path(description="returns or purchases.")],
    rows: Annotated[list[dict[str, Any]], Body(description="Feature rows: every input column of the model.")],
) -> Any:
    """P(any purchase in the horizon) or expected purchases for each row (422 naming the first bad field)."""
    loaded = request.app.state.ml.get(model)
    predictor = loaded.model
    problem = _check_rows(rows, predictor.inputs)
    if problem:
        return JSONResponse({"error": problem}, 422)
    frame = pl.DataFrame(
        [{c: float(r[c]) for c in predictor.inputs} for r in rows], schema=dict.fromkeys(predictor.inputs, pl.Float64)
    )
    values = [float(v) for v in predictor.predict(frame)] if rows else []
    return Predictions(model=model, version=loaded.version, horizon_weeks=predictor.horizon_weeks, predictions=values)


def _check_rows(rows: list[dict[str, Any]], inputs: list[str]) -> str | None:
    """The first problem as `rows[i].field: what is wrong`, or None."""
    allowed = set(inputs) | {"customer_id"}
    for i, row in enumerate(rows):
        for key in row:
            if key not in allowed:
                return f"rows[{i}].{key}: unknown column; the model takes {', '.join(inputs)} (and customer_id)"
        for column in inputs:
            value = row.get(column)
            if column not in row:
                return f"rows[{i}].{column}: missing"
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                return f"rows[{i}].{column}: must be a finite number, got {value!r}"
    return None


@charts.get("/sizes", response_model=Chart, summary="Segment sizes and value share")
def segment_sizes(request: Request) -> Chart:
    """`segment, name, size, customer_share, value_share` of the current segmentation."""
    loaded = request.app.state.ml.get("segments")
    rows = [
        {
            "segment": s["segment"],
            "name": s["name"],
            "size": s["size"],
            "customer_share": s["profile"]["customer_share"],
            "value_share": s["profile"]["value_share"],
        }
        for s in loaded.model.meta["segments"]
    ]
    return Chart(chart="sizes", rows=rows)


@charts.get("/profiles", response_model=Chart, summary="Segment profiles")
def segment_profiles(request: Request) -> Chart:
    """Median recency (weeks), frequency (repeat purchases), spend per purchase and total spend per segment."""
    loaded = request.app.state.ml.get("segments")
    rows = [
        {"segment": s["segment"], "name": s["name"], "size": s["size"], **s["profile"]}
        for s in loaded.model.meta["segments"]
    ]
    return Chart(chart="profiles", rows=rows)


@charts.get("/calibration", response_model=Chart, summary="Holdout calibration of the returns model")
def calibration(request: Request) -> Chart:
    """`predicted, observed, customers` per bin of predicted P(return) on the current returns model's holdout."""
    loaded = request.app.state.ml.get("returns")
    rows = [{**r, "model": loaded.version} for r in loaded.evaluation.get("calibration", [])]
    return Chart(chart="calibration", rows=rows)
