"""Request dependencies: a warehouse connection per request (DuckDB allows one writer process)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request

from footfall.warehouse import Warehouse, connect

__all__ = ["WarehouseDep", "get_warehouse"]


def get_warehouse(request: Request) -> Iterator[Warehouse]:
    """Open the app's warehouse for one request, read-only for DuckDB so pipelines can still write."""
    url: str = request.app.state.warehouse_url
    wh = connect(url, migrate=False, read_only=url.startswith("duckdb"))
    try:
        yield wh
    finally:
        wh.close()


WarehouseDep = Annotated[Warehouse, Depends(get_warehouse)]
