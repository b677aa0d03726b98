"""Roles and principals: who may see what (docs/serving.md#roles). Light to import: the CLI's option types."""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["Principal", "Role"]


class Role(enum.StrEnum):
    """Who may see what: viewers aggregates only, analysts also personal data, admins everything."""

    viewer = "viewer"
    analyst = "analyst"
    admin = "admin"

    def allows(self, needed: Role) -> bool:
        """Whether this role may see what `needed` may."""
        order = list(Role)
        return order.index(self) >= order.index(needed)


@dataclass(frozen=True, kw_only=True)
class Principal:
    """Who is asking: a token's role and name (`token_id` None: nobody signed in, auth off on loopback)."""

    role: Role
    name: str
    token_id: str | None = None
