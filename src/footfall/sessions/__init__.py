"""Sessionization engines and session reports (definition: `CONTRACTS.md` → HTTP-log sessions)."""
