"""The FastAPI application factory; every route reads the warehouse through report functions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse

from footfall.errors import FootfallError, InputError
from footfall.reports.runs import recent_runs
from footfall.warehouse import Warehouse, connect

__all__ = ["create_app"]


def create_app(warehouse_url: str) -> FastAPI:
    """An app reading `warehouse_url`; a connection is opened per request (DuckDB allows one writer)."""
    app = FastAPI(title="footfall", summary="Customer-engagement analytics API", version="0.1.0")

    def warehouse() -> Iterator[Warehouse]:
        wh = connect(warehouse_url, migrate=False, read_only=warehouse_url.startswith("duckdb"))
        try:
            yield wh
        finally:
            wh.close()

    WarehouseDep = Annotated[Warehouse, Depends(warehouse)]

    @app.exception_handler(FootfallError)
    async def footfall_error(_: Request, exc: FootfallError) -> JSONResponse:
        status = 400 if isinstance(exc, InputError) else 503
        return JSONResponse({"error": str(exc)}, status_code=status)

    @app.get("/health", summary="Liveness and warehouse reachability")
    def health(wh: WarehouseDep) -> dict[str, str]:
        wh.query("SELECT 1 AS ok")
        return {"status": "ok", "warehouse": wh.dialect}

    @app.get("/runs", summary="The most recent pipeline runs with their counts")
    def runs(wh: WarehouseDep, limit: Annotated[int, Query(ge=1, le=1000)] = 20) -> list[dict[str, Any]]:
        return recent_runs(wh, limit=limit).to_dicts()

    return app
