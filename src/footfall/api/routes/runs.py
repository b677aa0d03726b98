"""`GET /runs`: the pipeline run history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from footfall.api.access import requires
from footfall.api.deps import WarehouseDep
from footfall.api.errors import error_responses
from footfall.auth import Role
from footfall.reports.runs import recent_runs

# run records name input files and folders: analysts and admins only (docs/serving.md#roles)
router = APIRouter(
    tags=["runs"], dependencies=[requires(Role.analyst)], responses=error_responses(400, 401, 403, 404, 503)
)


@router.get("/runs", summary="The most recent pipeline runs with their counts")
def runs(wh: WarehouseDep, limit: Annotated[int, Query(ge=1, le=1000)] = 20) -> list[dict[str, Any]]:
    """Newest first: command, status, rows read/accepted/rejected/written, duration, inputs."""
    return recent_runs(wh, limit=limit).to_dicts()
