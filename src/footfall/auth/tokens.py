"""API tokens: created once and shown once, kept only as a SHA-256 hash in the table `api_tokens`.

A token is `ff_` and 43 random URL-safe characters (256 bits): too many to guess, so a plain
SHA-256 is the right hash (a slow password hash guards guessable secrets). Its public id is the
first 12 hex digits of that hash. Roles and what each may see: docs/serving.md#roles.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime

import polars as pl

from footfall.auth.roles import Principal, Role
from footfall.errors import InputError, NotFoundError
from footfall.warehouse import Warehouse

__all__ = ["Principal", "Role", "Token", "TokenTable", "create_token", "hash_token", "list_tokens", "revoke_token"]

_PREFIX = "ff_"


@dataclass(frozen=True, kw_only=True)
class Token:
    """A token's public record (never the token itself)."""

    token_id: str
    name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None = None


def hash_token(token: str) -> str:
    """The SHA-256 hex digest a token is kept as."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(warehouse: Warehouse, *, role: Role, name: str | None = None) -> tuple[Token, str]:
    """A new token of `role`: its record, and the token itself (shown once, stored only as a hash)."""
    secret = _PREFIX + secrets.token_urlsafe(32)
    digest = hash_token(secret)
    token = Token(token_id=digest[:12], name=name or f"{role.value}-{digest[:6]}", role=role, created_at=_now())
    if len(token.name) > 100:
        raise InputError(f"bad {{param}} {token.name[:20]!r}…: use at most 100 characters", param="name")
    with warehouse.transaction():
        warehouse.execute(
            "INSERT INTO api_tokens (token_id, name, role, token_sha256, created_at) "
            "VALUES (:token_id, :name, :role, :digest, :created_at)",
            {
                "token_id": token.token_id,
                "name": token.name,
                "role": role.value,
                "digest": digest,
                "created_at": token.created_at,
            },
        )
    return token, secret


def list_tokens(warehouse: Warehouse) -> pl.DataFrame:
    """Every token's public record, oldest first (revoked ones included, with `revoked_at`)."""
    return warehouse.query(
        "SELECT token_id, name, role, created_at, revoked_at FROM api_tokens ORDER BY created_at, token_id"
    )


def revoke_token(warehouse: Warehouse, which: str) -> Token:
    """Revoke the token whose id or name is `which`; a name several tokens share is refused."""
    frame = list_tokens(warehouse).filter((pl.col("token_id") == which) | (pl.col("name") == which))
    if frame.is_empty():
        raise NotFoundError(f"no token with id or name {which!r}: see footfall auth token list")
    if frame.height > 1:
        ids = ", ".join(frame["token_id"].to_list())
        raise InputError(f"{frame.height} tokens are named {which!r} ({ids}): revoke one by its id")
    row = frame.row(0, named=True)
    revoked = row["revoked_at"] or _now()
    with warehouse.transaction():
        warehouse.execute(
            "UPDATE api_tokens SET revoked_at = :at WHERE token_id = :id AND revoked_at IS NULL",
            {"at": revoked, "id": row["token_id"]},
        )
    return Token(
        token_id=row["token_id"],
        name=row["name"],
        role=Role(row["role"]),
        created_at=row["created_at"],
        revoked_at=revoked,
    )


@dataclass
class TokenTable:
    """The tokens a server accepts, as of its last look at `api_tokens` (`loaded` False: never read)."""

    loaded: bool = False
    _by_hash: dict[str, Principal] = field(default_factory=dict)
    _by_id: dict[str, Principal] = field(default_factory=dict)

    def load(self, warehouse: Warehouse) -> None:
        """Read the tokens that are not revoked (swapped in whole, so a request sees one table)."""
        rows = warehouse.query("SELECT token_id, name, role, token_sha256 FROM api_tokens WHERE revoked_at IS NULL")
        by_hash, by_id = {}, {}
        for row in rows.iter_rows(named=True):
            who = Principal(role=Role(row["role"]), name=row["name"], token_id=row["token_id"])
            by_hash[row["token_sha256"]] = who
            by_id[row["token_id"]] = who
        self._by_hash, self._by_id, self.loaded = by_hash, by_id, True

    def by_token(self, token: str) -> Principal | None:
        """Who holds `token`, or None (unknown or revoked)."""
        return self._by_hash.get(hash_token(token)) if token.startswith(_PREFIX) else None

    def by_id(self, token_id: str) -> Principal | None:
        """Who holds the token with this id, or None (unknown or revoked)."""
        return self._by_id.get(token_id)

    def __len__(self) -> int:
        return len(self._by_id)


def _now() -> datetime:
    return datetime.now(UTC)
