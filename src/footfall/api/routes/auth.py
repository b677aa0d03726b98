"""Signing in to the dashboard with a token (`/login`, `/logout`) and the token list for admins (`/auth/tokens`).

The session cookie is signed, HttpOnly, SameSite=Strict (and Secure over HTTPS); it names the
token, never holds it, and stops working when the token is revoked (docs/serving.md#authentication).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from footfall.api.access import SESSION_COOKIE, Access, requires
from footfall.api.dashboard.pages import PAGES, templates
from footfall.api.deps import WarehouseDep
from footfall.api.errors import error_responses
from footfall.auth import SESSION_SECONDS, Role, sign_session
from footfall.auth.tokens import list_tokens
from footfall.errors import ForbiddenError

router = APIRouter(tags=["auth"])
_MAX_FORM_BYTES = 4096


class TokenRecord(BaseModel):
    """A token's public record: never the token, nor its hash."""

    token_id: str
    name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None


@router.get(
    "/auth/tokens",
    response_model=list[TokenRecord],
    summary="API tokens",
    dependencies=[requires(Role.admin)],
    responses=error_responses(401, 403, 503),
)
def tokens(wh: WarehouseDep) -> list[TokenRecord]:
    """Every token's id, name, role, creation and revocation time (admins only; tokens are created and revoked with
    `footfall auth token`)."""
    return [TokenRecord(**row) for row in list_tokens(wh).to_dicts()]


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, next: Annotated[str, Query(max_length=2000)] = "/") -> Response:
    """The sign-in form: paste a token to open a dashboard session."""
    return _form(request, safe_next(next), message=None, status=200)


@router.post("/login", include_in_schema=False)
async def login(request: Request) -> Response:
    """Exchange a token for a session cookie, then go where the user was going."""
    _same_origin(request)
    form = await _form_fields(request)
    target = safe_next(form.get("next", "/"))
    access: Access = request.app.state.access
    if not access.required:
        return RedirectResponse(target, status_code=303)
    access.freshen()
    who = access.tokens.by_token(form.get("token", "").strip())
    if who is None or who.token_id is None or access.secret_key is None:
        return _form(request, target, message="unknown or revoked token", status=401)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        sign_session(who.token_id, key=access.secret_key),
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request) -> Response:
    """End the dashboard session."""
    _same_origin(request)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="strict")
    return response


def safe_next(target: str) -> str:
    """A path on this server to go to after signing in (anything else, e.g. another site, is `/`)."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _form(request: Request, target: str, *, message: str | None, status: int) -> Response:
    context = {"pages": PAGES, "page": None, "title": "Sign in", "query": {}, "next": target, "message": message}
    return templates.TemplateResponse(request, "login.html", context, status_code=status)


async def _form_fields(request: Request) -> dict[str, str]:
    body = await request.body()
    if len(body) > _MAX_FORM_BYTES:
        return {}
    fields = parse_qs(body.decode("utf-8", errors="replace"), max_num_fields=10)
    return {k: v[0] for k, v in fields.items() if v}


def _same_origin(request: Request) -> None:
    """Refuse a form posted from another site (a session cookie is SameSite=Strict; this covers the sign-in)."""
    origin = request.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != request.url.netloc:
        raise ForbiddenError("a sign-in form must be sent from this server's own pages")
