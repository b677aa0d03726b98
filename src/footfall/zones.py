"""IANA time zones: the one check every surface uses before a zone reaches SQL."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from footfall.errors import InputError

__all__ = ["check_time_zone", "known_time_zones"]

_LONGEST = 64  # the longest IANA name is 32 characters


@cache
def known_time_zones() -> frozenset[str]:
    """The IANA zone names both warehouses know (the tz database's, without `localtime`)."""
    return frozenset(available_timezones() - {"localtime"})


def check_time_zone(name: str, *, param: str = "tz") -> str:
    """Return `name` if it is an IANA time zone, else raise a one-line InputError naming `param`."""
    if len(name) > _LONGEST or name not in known_time_zones():
        shown = name if len(name) <= _LONGEST else name[:_LONGEST] + "…"
        raise InputError(
            f"bad {{param}} {shown!r}: not an IANA time zone; use a name such as Europe/London or UTC", param=param
        )
    return name
