"""Access to the API and dashboard: API tokens (hashed at rest), roles, signed session cookies (docs/serving.md)."""

from footfall.auth.sessions import SESSION_SECONDS, sign_session, verify_session
from footfall.auth.tokens import Principal, Role, Token, TokenTable, create_token, list_tokens, revoke_token

__all__ = [
    "SESSION_SECONDS",
    "Principal",
    "Role",
    "Token",
    "TokenTable",
    "create_token",
    "list_tokens",
    "revoke_token",
    "sign_session",
    "verify_session",
]
