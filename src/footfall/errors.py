"""Errors footfall raises on purpose.

    FootfallError            base: a user's mistake or an unusable input, shown as one line
    ├── InputError           an input file, option or value the user gave is unusable
    └── WarehouseError       the warehouse cannot be reached or refused a statement

The CLI turns any FootfallError into its message on stderr and exit code 2; the API turns it
into `{"error": message}` with a 4xx status. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

__all__ = ["FootfallError", "InputError", "WarehouseError"]


class FootfallError(Exception):
    """Base of every error footfall raises on purpose; its message is one line for the user."""


class InputError(FootfallError):
    """An input file, option or value given by the user is unusable."""


class WarehouseError(FootfallError):
    """The warehouse cannot be reached, or refused a statement."""
