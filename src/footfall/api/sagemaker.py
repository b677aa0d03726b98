"""The SageMaker inference contract: `GET /ping` and `POST /invocations`, on 0.0.0.0:8080 by default.

SageMaker starts the image with the argument `serve` and unpacks the model artifact into
`/opt/ml/model`; `footfall serve --sagemaker` (or `footfall serve` with FOOTFALL_SAGEMAKER set)
runs this app. It is separate from the main API (`footfall.api.app`): no warehouse, no
dashboard, only the models. Payloads and errors: docs/deploy.md ("The SageMaker inference contract").
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from footfall.api.invocations import HANDLERS, Handler
from footfall.errors import FootfallError, InputError

__all__ = [
    "MAX_BODY_BYTES",
    "SAGEMAKER_HOST",
    "SAGEMAKER_MODEL_DIR",
    "SAGEMAKER_PORT",
    "create_sagemaker_app",
    "serve_sagemaker",
]

SAGEMAKER_HOST = "0.0.0.0"  # SageMaker reaches the container on its own network; nothing else can
SAGEMAKER_PORT = 8080
SAGEMAKER_MODEL_DIR = Path("/opt/ml/model")
MAX_BODY_BYTES = 6 * 1024 * 1024  # SageMaker's own limit for a real-time request


def serve_sagemaker(
    *, host: str | None = None, port: int | None = None, model_dir: Path | None = None, warehouse: str | None = None
) -> None:
    """Run the contract's server until stopped (None: 0.0.0.0, 8080, /opt/ml/model); it reads no warehouse."""
    import uvicorn

    if warehouse is not None:
        raise InputError("the SageMaker contract serves models only: leave out the warehouse")
    app = create_sagemaker_app(model_dir)
    uvicorn.run(app, host=host or SAGEMAKER_HOST, port=port or SAGEMAKER_PORT, log_level="info")


def create_sagemaker_app(model_dir: Path | None = None) -> FastAPI:
    """The `/ping` and `/invocations` app over the models in `model_dir` (default /opt/ml/model)."""
    folder = model_dir or SAGEMAKER_MODEL_DIR
    handlers: dict[str, Handler] = {name: factory(folder) for name, factory in HANDLERS.items()}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        from threadpoolctl import threadpool_limits

        limits = threadpool_limits(1, "blas")  # one request's scores are small products (see footfall.api.app)
        yield
        limits.restore_original_limits()

    app = FastAPI(title="footfall (SageMaker)", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)

    @app.get("/ping")
    async def ping() -> JSONResponse:
        """200 with each model's version when at least one model is loaded, else 503."""
        versions = {name: handler.ready() for name, handler in handlers.items()}
        if not any(versions.values()):
            return _error(f"no model loaded from {folder}: it holds no current model of {', '.join(handlers)}", 503)
        return JSONResponse({"status": "ok", "models": versions})

    @app.post("/invocations")
    async def invocations(request: Request) -> JSONResponse:
        """Run the handler the payload's `model` names on the rest of the payload."""
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            shown = content_type or "(none)"
            return _error(f"content type {shown} is not supported: send application/json", 415)
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return _error(f"body of {len(body):,} bytes is over the {MAX_BODY_BYTES:,}-byte limit", 413)
        try:
            payload = _payload(body, handlers)
            handler = handlers[payload.pop("model")]
            return JSONResponse(handler.invoke(payload))
        except InputError as exc:
            return _error(str(exc), 400)
        except FootfallError as exc:
            return _error(str(exc), 503)

    return app


def _payload(body: bytes, handlers: dict[str, Handler]) -> dict[str, Any]:
    """The JSON object in `body`, with a `model` key naming a handler; InputError otherwise."""
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise InputError(f"body is not valid JSON ({str(exc)[:120]}): send one JSON object") from None
    if not isinstance(payload, dict):
        raise InputError(f"body is a JSON {type(payload).__name__}: send one JSON object, e.g. {_EXAMPLE}")
    model = payload.get("model")
    if not isinstance(model, str) or model not in handlers:
        what = "no model key" if model is None else f"unknown model {model!r}"
        raise InputError(f"{what}: give one of {', '.join(handlers)}, e.g. {_EXAMPLE}")
    return payload


_EXAMPLE = '{"model": "recommender", "user_id": "196", "n": 10}'


def _error(message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)
