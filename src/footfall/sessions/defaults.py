"""The session gaps and lateness every surface defaults to, defined once (docs/sessions.md, docs/shop-schema.md).

Importable without Polars, so the CLI's `--help` can show them.
"""

from datetime import timedelta

__all__ = ["HTTP_GAP", "LATENESS", "SHOP_GAP"]

HTTP_GAP = timedelta(minutes=5)  # HTTP-log sessions: a gap of exactly 5 minutes starts a new session
SHOP_GAP = timedelta(minutes=30)  # web-shop sessions
LATENESS = timedelta(hours=1)  # incremental runs accept lines up to this much older than the newest seen
