"""Hand-made web-shop event files for tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

DAY1 = datetime(2022, 4, 1, 10, tzinfo=UTC)


def visit(
    customer: str | None, day: int, minutes: float, *, order: bool = False, referrer: str | None = None
) -> list[dict[str, object]]:
    """A visit on day `day` (0-based from 2022-04-01 10:00 UTC) lasting `minutes`, ending in an order if asked."""
    start = DAY1 + timedelta(days=day)
    end = start + timedelta(minutes=minutes)
    events: list[dict[str, object]] = [
        {
            "type": "page_view",
            "event": {
                "customer-id": customer,
                "timestamp": start.strftime("%Y-%m-%dT%H:%M:%S.%f"),
                "page": "https://shop.example/",
                "referrer": referrer,
                "user-agent": "Mozilla/5.0 (Windows NT 10.0)",
                "ip": "192.0.2.1",
            },
        }
    ]
    moments = [start + timedelta(minutes=m) for m in range(10, int(minutes), 10)] + ([end] if minutes else [])
    for i, at in enumerate(moments):  # an event at least every 10 minutes keeps the visit one session
        kind = "placed_order" if order and i == len(moments) - 1 else "search"
        stamp = at.strftime("%Y-%m-%dT%H:%M:%S.%f")
        events.append({"type": kind, "event": {"customer-id": customer, "timestamp": stamp}})
    if order and not moments:
        events[0]["type"] = "placed_order"
    return events


def write_events(path: Path, *visits: list[dict[str, object]]) -> Path:
    """Number the events and write them as JSON lines (in reverse order: files are not sorted)."""
    flat = [e for v in visits for e in v]
    lines = [json.dumps({"id": i, **e}) for i, e in enumerate(flat, start=1)]
    path.write_text("\n".join(reversed(lines)) + "\n")
    return path
