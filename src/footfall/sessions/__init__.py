"""Sessionization engines and session reports (definition: docs/data-contracts.md → HTTP-log sessions report)."""
