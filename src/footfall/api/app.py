"""The FastAPI application factory; every route reads the warehouse through report functions.

Layers, outermost first (docs/serving.md): the access log → security headers on every answer → the trusted-host
check → CORS (only when configured) → who is asking (tokens, sessions) → the response cache of
report endpoints → the routes, whose warehouse connections come from a bounded pool through
admission control (`serving.Serving`).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute

from footfall.api.access import Access, AccessMiddleware, auth_required, check_secret, role_of
from footfall.api.access_log import AccessLog, LineBuffer
from footfall.api.cache import ResponseCache
from footfall.api.dashboard import error_page, mount_dashboard
from footfall.api.docs_ui import mount_docs
from footfall.api.errors import install_error_handlers
from footfall.api.health_port import STALLED_AFTER, HealthListener, LoopHeartbeat
from footfall.api.protection import Liveness, SecurityHeaders, TrustedHosts, allowed_hosts
from footfall.api.routes import auth, charts, health, metrics, ml, recommendations, runs
from footfall.api.serving import Serving
from footfall.auth.tokens import TokenTable

if TYPE_CHECKING:
    from footfall.config import Settings

__all__ = ["create_app"]


def create_app(
    warehouse_url: str, *, models: Path | None = None, host: str | None = None, health_port: int | None = None
) -> FastAPI:
    """An app serving the warehouse at `warehouse_url` and the model registry at `models`, to be listened
    for on `host` (default FOOTFALL_HOST), which decides whether tokens are required and which Host names answer;
    `health_port` (default FOOTFALL_HEALTH_PORT, none when unset) answers health checks from a thread of its own."""
    from footfall.config import get_settings
    from footfall.ml.serving import CurrentMlModels
    from footfall.recsys.serving import CurrentModel

    settings = get_settings()
    bind = host or settings.host
    secret = settings.secret_key.get_secret_value() if settings.secret_key else None
    access = Access(required=auth_required(bind, settings.auth), secret_key=secret, tokens=TokenTable())
    if access.required:
        check_secret(bind, secret)
    serving = _serving(warehouse_url, settings, access)
    access_log = LineBuffer()
    alive = health.Health(status="ok", warehouse=serving.pool.dialect).model_dump_json().encode()
    heartbeat = LoopHeartbeat()
    checks_port = health_port or settings.health_port

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        from threadpoolctl import threadpool_limits

        # one user's scores are small products: threaded BLAS is many times slower on them, and
        # limiting per request costs more than the product (threadpoolctl scans loaded libraries)
        limits = threadpool_limits(1, "blas")
        serving.pool.start()
        # the current models load and prepare while the server starts answering, not in the first request
        threading.Thread(target=_warm, args=(app,), name="footfall-models-warm", daemon=True).start()
        heartbeat.start()
        # what exists now (the app, the libraries) is never garbage: full collections skip it, which keeps
        # their pauses, during which no thread runs Python, short (docs/serving.md#the-health-port)
        gc.collect()
        gc.freeze()
        listener = None
        if checks_port is not None:
            listener = HealthListener(bind, checks_port, body=alive, heartbeat=heartbeat, stalled_after=STALLED_AFTER)
            listener.start()
        yield
        if listener is not None:
            listener.stop()
        heartbeat.stop()
        serving.pool.close()
        access_log.flush()
        limits.restore_original_limits()

    app = FastAPI(
        title="footfall",
        summary="Customer-engagement analytics API",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.serving = serving
    app.state.access = access
    app.state.models = CurrentModel(models or settings.models_dir())
    app.state.ml = CurrentMlModels(models or settings.models_dir())
    routers = [module.router for module in (health, metrics, recommendations, ml, runs, charts, auth)] + [ml.charts]
    for router in routers:
        app.include_router(router)
    mount_docs(app)
    mount_dashboard(app)  # last: its pages are /{page}
    is_page = _page_paths(routers)
    install_error_handlers(app, is_page=lambda request: is_page(request.url.path), page=error_page)
    _layers(app, settings, bind=bind, is_page=is_page, alive=alive)
    if settings.access_log:
        app.add_middleware(AccessLog, buffer=access_log)
    _declare_errors_once(app)
    return app


def _warm(app: FastAPI) -> None:
    """Load the recommender and the customer models now, so no request waits for them."""
    app.state.models.warm()
    app.state.ml.warm()


def _serving(url: str, settings: Settings, access: Access) -> Serving:
    """The read pool (which keeps `access`'s token table current) behind admission control."""
    from footfall.warehouse import read_pool

    pool = read_pool(
        url,
        size=settings.pool_size,
        timeout=settings.pool_timeout,
        statement_timeout=settings.request_timeout,
        role=settings.api_db_role,
        on_refresh=access.tokens.load,
    )
    access.freshen = pool.freshen
    return Serving(
        pool,
        max_in_flight=settings.max_in_flight,
        pool_timeout=settings.pool_timeout,
        request_timeout=settings.request_timeout,
    )


def _layers(app: FastAPI, settings: Settings, *, bind: str, is_page: Callable[[str], bool], alive: bytes) -> None:
    """The middleware, added innermost first: cache, access, liveness, CORS, trusted hosts, security headers."""
    serving: Serving = app.state.serving
    cached = frozenset(_paths(metrics.router, runs.router, charts.router) - charts.UNCACHED)
    app.add_middleware(
        ResponseCache,
        paths=cached,
        version=serving.pool.data_version,
        role=role_of,
        max_bytes=settings.cache_mb << 20,
        admission=serving.admission,
    )
    app.add_middleware(AccessMiddleware, access=app.state.access, is_page=is_page)
    app.add_middleware(Liveness, body=alive)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET"], allow_headers=["Authorization"]
        )
    app.add_middleware(TrustedHosts, hosts=allowed_hosts(bind, settings.allowed_hosts))
    app.add_middleware(SecurityHeaders)


def _paths(*routers: APIRouter) -> set[str]:
    return {route.path for router in routers for route in router.routes if isinstance(route, APIRoute)}


def _page_paths(routers: list[APIRouter]) -> Callable[[str], bool]:
    """Whether a path is a dashboard page: `/` or `/<name>` that no API route, document or file path starts with."""
    api_roots = {path.strip("/").split("/")[0] for path in _paths(*routers)}
    api_roots |= {"docs", "redoc", "openapi.json", "static", "docs-assets"}

    def is_page(path: str) -> bool:
        parts = path.strip("/").split("/")
        return len(parts) == 1 and parts[0] not in api_roots

    return is_page


def _declare_errors_once(app: FastAPI) -> None:
    """OpenAPI without FastAPI's generic 422: query parameters that fail validation answer 400 here (declared);
    a 422 a route declares itself (a body of the wrong shape) stays."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    responses = operation.get("responses", {})
                    if "HTTPValidationError" in str(responses.get("422", "")):
                        del responses["422"]
            for name in ("HTTPValidationError", "ValidationError"):
                schema.get("components", {}).get("schemas", {}).pop(name, None)
        return app.openapi_schema or generate()

    app.openapi = openapi  # type: ignore[method-assign]
