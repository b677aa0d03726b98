"""The API documents at `/docs` (Swagger UI) and `/redoc` (ReDoc), with their files served by this server.

Swagger UI and ReDoc come from the `fastapi-offline` package (its `static/` folder, mounted at
`/docs-assets`), not from a CDN; the pages load every script as a file (no inline script), so
they run under the server's Content-Security-Policy. Licences: NOTICE.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from footfall.api.dashboard.pages import templates

__all__ = ["ASSETS", "mount_docs"]

ASSETS = Path(fastapi_offline.__file__).parent / "static"


def mount_docs(app: FastAPI) -> None:
    """Add `/docs`, `/redoc` and their files (`/docs-assets/...`) to `app` (made with docs_url=None, redoc_url=None)."""
    app.mount("/docs-assets", StaticFiles(directory=ASSETS), name="docs-assets")

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        """Swagger UI over `/openapi.json`."""
        return templates.TemplateResponse(request, "swagger.html", {"title": app.title})

    @app.get("/redoc", response_class=HTMLResponse, include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        """ReDoc over `/openapi.json`."""
        return templates.TemplateResponse(request, "redoc.html", {"title": app.title})
