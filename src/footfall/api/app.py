"""The FastAPI application factory; every route reads the warehouse through report functions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.routing import APIRoute

from footfall.api.dashboard import error_page, mount_dashboard
from footfall.api.deps import SharedWarehouse
from footfall.api.errors import install_error_handlers
from footfall.api.routes import charts, health, metrics, ml, recommendations, runs

__all__ = ["create_app"]


def create_app(warehouse_url: str, *, models: Path | None = None) -> FastAPI:
    """An app serving the warehouse at `warehouse_url` and the model registry at `models`."""
    from footfall.config import get_settings
    from footfall.ml.serving import CurrentMlModels
    from footfall.recsys.serving import CurrentModel

    shared = SharedWarehouse(warehouse_url)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        from threadpoolctl import threadpool_limits

        # one user's scores are small products: threaded BLAS is many times slower on them, and
        # limiting per request costs more than the product (threadpoolctl scans loaded libraries)
        limits = threadpool_limits(1, "blas")
        yield
        limits.restore_original_limits()
        shared.close()

    app = FastAPI(title="footfall", summary="Customer-engagement analytics API", version="0.1.0", lifespan=lifespan)
    app.state.warehouse = shared
    app.state.models = CurrentModel(models or get_settings().models_dir())
    app.state.ml = CurrentMlModels(models or get_settings().models_dir())
    routers = [module.router for module in (health, metrics, recommendations, ml, runs, charts)] + [ml.charts]
    for router in routers:
        app.include_router(router)
    api_roots = {_first_segment(r.path) for router in routers for r in router.routes if isinstance(r, APIRoute)}
    api_roots |= {"docs", "redoc", "openapi.json", "static"}
    mount_dashboard(app)  # last: its pages are /{page}

    def is_page(request: Request) -> bool:
        """A dashboard path: `/` or `/<name>` that no API route starts with."""
        parts = request.url.path.strip("/").split("/")
        return len(parts) == 1 and parts[0] not in api_roots

    install_error_handlers(app, is_page=is_page, page=error_page)
    return app


def _first_segment(path: str) -> str:
    return path.strip("/").split("/")[0]
