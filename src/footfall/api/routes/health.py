"""`GET /health`."""

from __future__ import annotations

from fastapi import APIRouter

from footfall.api.deps import WarehouseDep

router = APIRouter(tags=["health"])


@router.get("/health", summary="Liveness and warehouse reachability")
def health(wh: WarehouseDep) -> dict[str, str]:
    """`ok` when the warehouse answers a query."""
    wh.query("SELECT 1 AS ok")
    return {"status": "ok", "warehouse": wh.dialect}
