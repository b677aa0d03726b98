"""`GET /health` (liveness: never touches the warehouse or a lock) and `GET /ready` (the warehouse answers)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from footfall.api.errors import error_responses
from footfall.api.serving import Serving

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """The server is up; `warehouse` is the kind it serves (from its URL, not from a query)."""

    status: Literal["ok"]
    warehouse: str


class Ready(BaseModel):
    """The warehouse answered a query through the server's pool within the request timeout."""

    status: Literal["ready"]
    warehouse: str


@router.get("/health", response_model=Health, summary="Liveness")
async def health(request: Request) -> Health:
    """`ok` while the server runs; answered in the event loop, never waiting on the warehouse or a lock."""
    serving: Serving = request.app.state.serving
    return Health(status="ok", warehouse=serving.pool.dialect)


@router.get("/ready", response_model=Ready, summary="Readiness", responses=error_responses(503))
async def ready(request: Request) -> Ready:
    """`ready` when the warehouse answers a query now; 503 with Retry-After when it is busy, unreachable or the
    server is at its limit."""
    serving: Serving = request.app.state.serving
    async with serving.lease() as warehouse:
        await run_in_threadpool(warehouse.query, "SELECT 1 AS ok")
    return Ready(status="ready", warehouse=serving.pool.dialect)
