"""The one error shape of the server, rendered in one place.

Every error — footfall's own (`FootfallError`, which carries its status), Starlette's 404 and
405, request validation, and any bug — answers `{"error": "<one line>"}` on API paths, and the
dashboard page with the message and its filter form on dashboard paths. Query and path
parameters that fail validation are 400; a request body that is well-formed JSON of the wrong
shape is 422. A bug is 500 with a message that reveals nothing of the server.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Send

from footfall.errors import FootfallError

__all__ = ["ErrorBody", "error_response", "error_responses", "install_error_handlers"]

log = logging.getLogger("footfall.api")

# library parameter → the name an API user typed (a query parameter's alias)
_API_NAMES = {"date_from": "from", "date_to": "to"}
_STATUS_TEXT = {404: "no such page or endpoint", 405: "method not allowed here"}

PageRenderer = Callable[[Request, str, int], Response]


class ErrorBody(BaseModel):
    """Every error the API answers: one line saying what happened and what to do."""

    error: str


_MEANING = {
    400: "A parameter is not usable (the message names it).",
    401: "Not signed in: send `Authorization: Bearer <token>` (authentication is on).",
    403: "The caller's role may not see this.",
    404: "Nothing there.",
    422: "The request body is JSON of the wrong shape (the message names the first bad field).",
    503: "The warehouse or model is not available, or the server is at its limit; retry after `Retry-After` seconds.",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, object]]:
    """The OpenAPI description of the errors a route may answer (`responses=` of a route or router)."""
    out: dict[int | str, dict[str, object]] = {}
    for status in statuses:
        out[status] = {"model": ErrorBody, "description": _MEANING[status]}
        if status == 503:
            out[status]["headers"] = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}
        if status == 401:
            out[status]["headers"] = {"WWW-Authenticate": {"description": "`Bearer`", "schema": {"type": "string"}}}
    return out


def install_error_handlers(app: FastAPI, *, is_page: Callable[[Request], bool], page: PageRenderer) -> None:
    """Render every error of `app` as JSON, or as a dashboard page where `is_page(request)`."""

    def render(request: Request, message: str, status: int, headers: dict[str, str] | None = None) -> Response:
        if is_page(request) and request.method in ("GET", "HEAD"):
            shown = page(request, message, status)
            shown.headers.update(headers or {})
            return shown
        return error_response(message, status, headers=headers)

    @app.exception_handler(FootfallError)
    async def footfall_error(request: Request, exc: FootfallError) -> Response:
        return render(request, exc.render(_API_NAMES.get(exc.param or "")), exc.status, exc.headers() or None)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        loc = [str(p) for p in first.get("loc", ())]
        in_body = bool(loc) and loc[0] == "body"
        where = ".".join(p for p in loc if p not in ("query", "path", "body", "header")) or "body"
        message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
        status = 400 if first.get("type") == "json_invalid" or not in_body else 422
        return render(request, f"{where}: {message}", status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        text = _STATUS_TEXT.get(exc.status_code) or str(exc.detail)
        if exc.status_code == 405:
            text = f"method {request.method} is not allowed on {request.url.path}"
        elif exc.status_code == 404 and exc.detail not in (None, "Not Found"):
            text = str(exc.detail)
        return render(request, text, exc.status_code, dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def bug(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return render(request, "internal error: the server could not answer this request", 500)


def error_response(message: str, status: int, *, headers: dict[str, str] | None = None) -> JSONResponse:
    """The one JSON error shape of the API: `{"error": message}`."""
    return JSONResponse({"error": message}, status_code=status, headers=headers)


async def send_error(send: Send, message: str, status: int, *, headers: dict[str, str] | None = None) -> None:
    """`error_response` sent straight to an ASGI `send`: the same bytes, without building a Response
    (middleware refusing requests before routing answers this way, many thousand times a second)."""
    body = json.dumps({"error": message}, ensure_ascii=False, separators=(",", ":")).encode()
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    raw += [(b"content-length", str(len(body)).encode()), (b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
