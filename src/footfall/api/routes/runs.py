"""`GET /runs`: the pipeline run history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from footfall.api.deps import WarehouseDep
from footfall.reports.runs import recent_runs

router = APIRouter(tags=["runs"])


@router.get("/runs", summary="The most recent pipeline runs with their counts")
def runs(wh: WarehouseDep, limit: Annotated[int, Query(ge=1, le=1000)] = 20) -> list[dict[str, Any]]:
    """Newest first: command, status, rows read/accepted/rejected/written, duration, inputs."""
    return recent_runs(wh, limit=limit).to_dicts()
