"""The FastAPI application factory; every route reads the warehouse through report functions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from footfall.api.dashboard import mount_dashboard
from footfall.api.deps import SharedWarehouse
from footfall.api.routes import charts, health, metrics, ml, recommendations, runs
from footfall.errors import FootfallError, InputError

__all__ = ["create_app", "error_response"]


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
    app.state.models = CurrentModel(models or get_settings().data_dir / "models")
    app.state.ml = CurrentMlModels(models or get_settings().data_dir / "models")
    for module in (health, metrics, recommendations, ml, runs, charts):
        app.include_router(module.router)
    app.include_router(ml.charts)
    mount_dashboard(app)  # last: its pages are /{page}

    @app.exception_handler(FootfallError)
    async def footfall_error(_: Request, exc: FootfallError) -> JSONResponse:
        return error_response(str(exc), 400 if isinstance(exc, InputError) else 503)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "query")
        return error_response(f"{where}: {first.get('msg', 'invalid value')}", 422)

    return app


def error_response(message: str, status: int) -> JSONResponse:
    """The one JSON error shape of the API: `{"error": message}`."""
    return JSONResponse({"error": message}, status_code=status)
