"""Access to the API and dashboard: API tokens (hashed at rest), roles, signed session cookies (docs/serving.md).

Kept light: `footfall.auth.tokens` (the warehouse side, with Polars) is imported by name where needed.
"""

from footfall.auth.roles import Principal, Role
from footfall.auth.sessions import SESSION_SECONDS, sign_session, verify_session

__all__ = ["SESSION_SECONDS", "Principal", "Role", "sign_session", "verify_session"]
