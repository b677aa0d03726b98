"""Dashboard sessions: a cookie naming a token id, signed with HMAC-SHA256 under `FOOTFALL_SECRET_KEY`.

The cookie holds `<token id>.<issued at>.<signature>`, never the token. It is accepted while the
signature matches, it is younger than `SESSION_SECONDS`, and the token is not revoked (checked
by the server on every request), so revoking a token ends its sessions too. docs/serving.md
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

__all__ = ["SESSION_SECONDS", "sign_session", "verify_session"]

SESSION_SECONDS = 12 * 3600


def sign_session(token_id: str, *, key: str, now: float | None = None) -> str:
    """The cookie value of a session for the token `token_id`."""
    payload = f"{token_id}.{int(time.time() if now is None else now)}"
    return f"{payload}.{_signature(payload, key)}"


def verify_session(value: str, *, key: str, now: float | None = None) -> str | None:
    """The token id of a genuine, unexpired session cookie, or None."""
    payload, _, signature = value.rpartition(".")
    token_id, _, issued = payload.partition(".")
    if not token_id or not issued.isdigit() or not hmac.compare_digest(signature, _signature(payload, key)):
        return None
    age = (time.time() if now is None else now) - int(issued)
    return token_id if 0 <= age < SESSION_SECONDS else None


def _signature(payload: str, key: str) -> str:
    digest = hmac.new(key.encode("utf-8"), payload.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
