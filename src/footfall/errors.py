"""Errors footfall raises on purpose.

    FootfallError            base: a user's mistake or an unusable input, shown as one line
    ├── InputError           an input file, parameter or value the user gave is unusable (400)
    │   ├── NotFoundError    the thing asked for does not exist (404)
    │   ├── SettingsError    a `FOOTFALL_*` setting is unusable (names the variable)
    │   ├── NotAuthenticatedError  no valid token or session (401)
    │   └── ForbiddenError   the caller's role may not see this (403)
    └── UnavailableError     a service footfall needs is not there right now (503 + Retry-After)
        ├── WarehouseError   the warehouse cannot be reached, or refused a statement
        └── OverloadedError  too many requests at once, or the warehouse is busy; try again shortly

Each error carries its HTTP status and the headers that go with it (`headers()`). The CLI turns
any FootfallError into its message on stderr and exit code 2; the API renders it as
`{"error": message}` (the dashboard as a page with the message) with its status and headers.
Anything else is a bug and keeps its traceback.

Messages name parameters, not CLI flags (Dagster and API users see them too). A message about
one parameter writes it as `{param}` and passes `param=`: each surface shows the name its user
typed (`--top` on the CLI, `top` in the API), e.g. `InputError("{param} must be at least 1", param="top")`.
"""

from __future__ import annotations

__all__ = [
    "FootfallError",
    "ForbiddenError",
    "InputError",
    "NotAuthenticatedError",
    "NotFoundError",
    "OverloadedError",
    "SettingsError",
    "UnavailableError",
    "WarehouseError",
]

_PARAM = "{param}"


class FootfallError(Exception):
    """Base of every error footfall raises on purpose; its message is one line for the user."""

    status = 400

    def __init__(self, message: str, *, param: str | None = None) -> None:
        self.template = message
        self.param = param
        super().__init__(self.render())

    def headers(self) -> dict[str, str]:
        """HTTP headers an answer with this error carries (none by default)."""
        return {}

    def render(self, name: str | None = None) -> str:
        """The message, with the parameter called `name` (default: its library name)."""
        if self.param is None:
            return self.template
        return self.template.replace(_PARAM, name or self.param)


class InputError(FootfallError):
    """An input file, parameter or value given by the user is unusable."""


class NotFoundError(InputError):
    """What was asked for (a campaign, a user, a page) does not exist."""

    status = 404


class SettingsError(InputError):
    """A `FOOTFALL_*` setting has a value footfall cannot use."""


class NotAuthenticatedError(InputError):
    """The request carries no valid API token or session (docs/serving.md#authentication)."""

    status = 401

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class ForbiddenError(InputError):
    """The caller's role may not see this (docs/serving.md#roles)."""

    status = 403


class UnavailableError(FootfallError):
    """Something footfall needs (the warehouse, a model) is not available right now."""

    status = 503
    retry_after = 5  # seconds, sent as Retry-After

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class WarehouseError(UnavailableError):
    """The warehouse cannot be reached, or refused a statement."""


class OverloadedError(UnavailableError):
    """The server is at its limit of requests in flight, or the warehouse is busy; retry shortly."""

    retry_after = 1

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        if retry_after is not None:
            self.retry_after = retry_after
