"""The one small place where DuckDB and PostgreSQL SQL differ."""

from __future__ import annotations

import re

__all__ = ["CURRENT_SCHEMA", "for_dialect", "placeholders", "split_statements"]

CURRENT_SCHEMA = {"duckdb": "current_schema()", "postgres": "current_schema()"}

_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
# `-- duckdb: ...` / `-- postgres: ...` lines in a SQL file are used only on that dialect.
_ONLY = re.compile(r"^\s*--\s*(duckdb|postgres):\s?(.*)$")


def placeholders(sql: str, dialect: str) -> str:
    """Rewrite `:name` placeholders for the driver: `$name` (DuckDB) or `%(name)s` (psycopg)."""
    if dialect == "duckdb":
        return _PARAM.sub(r"$\1", sql)
    return _PARAM.sub(r"%(\1)s", sql.replace("%", "%%"))


def for_dialect(sql: str, dialect: str) -> str:
    """Keep lines marked `-- <dialect>: ...` for this dialect (uncommented), drop the others'."""
    out = []
    for line in sql.splitlines():
        m = _ONLY.match(line)
        if m is None:
            out.append(line)
        elif m.group(1) == dialect:
            out.append(m.group(2))
    return "\n".join(out)


def split_statements(sql: str) -> list[str]:
    """Split a migration file on `;` at line ends (our migrations keep no `;` inside strings)."""
    parts = re.split(r";\s*$", sql, flags=re.MULTILINE)
    return [p.strip() for p in parts if re.sub(r"--[^\n]*", "", p).strip()]
