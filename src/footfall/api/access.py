"""Who is asking: API tokens (`Authorization: Bearer`), dashboard session cookies, and what each role may see.

Authentication is off only on a server that listens on loopback alone (`FOOTFALL_AUTH=auto`);
then every request is the local admin. Otherwise every path but the public ones (health,
sign-in, the API documents, static files) needs a token or a session: an API request without
one is a 401, a dashboard page redirects to `/login`. Routes that show personal data require
a role (`requires`). Definitions: docs/serving.md#authentication and #roles.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import ASGIApp, Receive, Scope, Send

from footfall.api.errors import send_error
from footfall.auth import Principal, Role, verify_session
from footfall.auth.tokens import TokenTable
from footfall.errors import ForbiddenError, InputError, NotAuthenticatedError, UnavailableError

__all__ = [
    "LOCAL",
    "SESSION_COOKIE",
    "Access",
    "AccessMiddleware",
    "auth_required",
    "check_secret",
    "principal_of",
    "requires",
    "role_of",
]

SESSION_COOKIE = "footfall_session"
LOCAL = Principal(role=Role.admin, name="local")  # authentication off: loopback only
PUBLIC_PATHS = frozenset({"/health", "/ready", "/login", "/logout", "/openapi.json", "/docs", "/redoc"})
PUBLIC_PREFIXES = ("/static/", "/docs-assets/")
_SIGN_IN = "sign in: send 'Authorization: Bearer <token>' (tokens: footfall auth token create)"


@dataclass
class Access:
    """Whether tokens are required, the key sessions are signed with, and the tokens accepted."""

    required: bool
    secret_key: str | None = None
    tokens: TokenTable = field(default_factory=TokenTable)
    freshen: Callable[[], None] = lambda: None  # ask for the token table to be re-read soon

    def identify(self, scope: Scope) -> Principal | None:
        """Who sent this request (None: nobody signed in); a bad or revoked token is a NotAuthenticatedError."""
        if not self.required:
            return LOCAL
        self.freshen()
        headers = dict(scope.get("headers", []))
        scheme, _, credentials = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
        if scheme.lower() == "bearer" and credentials:
            self.check_loaded()
            who = self.tokens.by_token(credentials.strip())
            if who is None:
                raise NotAuthenticatedError("unknown or revoked token; " + _SIGN_IN)
            return who
        session = _cookie(headers.get(b"cookie", b""), SESSION_COOKIE)
        token_id = verify_session(session, key=self.secret_key or "") if session and self.secret_key else None
        return self.tokens.by_id(token_id) if token_id else None

    def check_loaded(self) -> None:
        """A 503 while the token table was never read (the warehouse was not readable yet)."""
        if not self.tokens.loaded:
            raise UnavailableError("cannot check tokens yet: the warehouse could not be read; retry shortly")


class AccessMiddleware:
    """ASGI middleware putting the request's `Principal` in `request.state.principal`, or refusing it."""

    def __init__(self, app: ASGIApp, *, access: Access, is_page: Callable[[str], bool]) -> None:
        self.app = app
        self.access = access
        self.is_page = is_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        public = path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)
        try:
            who = self.access.identify(scope)
            if who is None and not public:
                raise NotAuthenticatedError("not signed in; " + _SIGN_IN)
        except (NotAuthenticatedError, UnavailableError) as exc:
            if isinstance(exc, NotAuthenticatedError) and self.is_page(path) and scope["method"] in ("GET", "HEAD"):
                target = path + (f"?{scope['query_string'].decode('latin-1')}" if scope.get("query_string") else "")
                await RedirectResponse(f"/login?next={quote(target)}", status_code=303)(scope, receive, send)
                return
            await send_error(send, str(exc), exc.status, headers=exc.headers())
            return
        scope.setdefault("state", {})["principal"] = who
        await self.app(scope, receive, send)


def principal_of(request: Request) -> Principal | None:
    """The request's principal (set by `AccessMiddleware`), or None when nobody is signed in."""
    who: Principal | None = request.scope.get("state", {}).get("principal")
    return who


def role_of(scope: Scope) -> str:
    """The caller's role, the part of a cache key that decides what an answer may contain."""
    who = scope.get("state", {}).get("principal")
    return who.role.value if isinstance(who, Principal) else ""


_bearer = HTTPBearer(auto_error=False, description="An API token: footfall auth token create --role ROLE")


def requires(role: Role) -> Any:
    """A dependency refusing callers whose role does not allow `role` (401 when nobody is signed in)."""

    async def check(request: Request, _: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Principal:
        who = principal_of(request)
        if who is None:
            raise NotAuthenticatedError("not signed in; " + _SIGN_IN)
        if not who.role.allows(role):
            raise ForbiddenError(f"this needs the {role.value} role or above; {who.name!r} is a {who.role.value}")
        return who

    return Depends(check)


def _cookie(header: bytes, name: str) -> str | None:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header.decode("latin-1"))
    except Exception:  # a malformed Cookie header is no session
        return None
    morsel = jar.get(name)
    return morsel.value if morsel is not None else None


def auth_required(bind: str, mode: str) -> bool:
    """Whether a server listening on `bind` needs tokens: always unless on loopback alone with `FOOTFALL_AUTH=auto`."""
    from footfall.api.protection import is_loopback

    return mode == "required" or not is_loopback(bind)


def check_secret(bind: str, secret_key: str | None) -> None:
    """A one-line error when authentication is on but sessions could not be signed (no FOOTFALL_SECRET_KEY)."""
    from footfall.config import SECRET_HINT

    if not secret_key:
        raise InputError(
            f"serving on {bind} needs authentication, and FOOTFALL_SECRET_KEY is not set: set it to 32+ random "
            f"characters ({SECRET_HINT}), then create tokens with footfall auth token create (a role each)"
        )
