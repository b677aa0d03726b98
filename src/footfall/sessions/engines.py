"""Which engine runs a sessions pipeline: the embedded one (Polars, this machine) or Apache Beam on any
runner — the same report and the same warehouse load either way (docs/distributed.md).

Every surface (CLI, Dagster, tests) chooses through `EngineChoice` and calls `http_log_sessions` or
`shop_event_sessions`; the engines' own entry points stay behind these two functions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Literal

from footfall.errors import InputError
from footfall.runs import RunSummary
from footfall.sessions.beam_runners import RUNNERS
from footfall.warehouse import Warehouse

__all__ = ["EMBEDDED", "Engine", "EngineChoice", "http_log_sessions", "shop_event_sessions"]

Engine = Literal["embedded", "beam"]
Progress = Callable[[int], None]  # bytes read so far, as reading goes


@dataclass(frozen=True, kw_only=True)
class EngineChoice:
    """The engine, and for Beam its runner, pipeline options and shard folder (default: a local temp one)."""

    engine: Engine = "embedded"
    runner: str = "DirectRunner"
    options: tuple[str, ...] = ()
    shards: str | None = None

    def check(self, *, incremental: bool) -> None:
        """A one-line error for a choice that cannot run (checked before any work)."""
        if self.engine == "embedded":
            if self.options:
                raise InputError(
                    f"pipeline options {' '.join(self.options)} are only used with the beam {{param}}", param="engine"
                )
            return
        if incremental:
            raise InputError(
                "incremental runs use the embedded {param}; the beam engine recomputes in full", param="engine"
            )
        if self.runner not in RUNNERS:
            raise InputError(f"bad {{param}} {self.runner!r}: use one of {', '.join(RUNNERS)}", param="runner")

    def beam_options(self) -> list[str]:
        """The Beam pipeline options: the runner and the options given."""
        return [f"--runner={self.runner}", *self.options]


EMBEDDED = EngineChoice()


def http_log_sessions(
    logs: Sequence[Path],
    *,
    mapping: Path,
    out: Path,
    warehouse: Warehouse | None,
    gap: timedelta | None = None,
    assume_tz: str | None = None,
    state_dir: Path | None = None,
    lateness: timedelta | None = None,
    allow_empty: bool = False,
    progress: Progress | None = None,
    engine: EngineChoice = EMBEDDED,
) -> RunSummary:
    """HTTP-log sessions (docs/sessions.md) on the chosen engine; `state_dir` makes the run incremental."""
    engine.check(incremental=state_dir is not None)
    if engine.engine == "embedded":
        from footfall.sessions.http_pipeline import run_http_sessions

        return run_http_sessions(
            logs,
            mapping=mapping,
            out=out,
            warehouse=warehouse,
            gap=gap,
            assume_tz=assume_tz,
            state_dir=state_dir,
            lateness=lateness,
            allow_empty=allow_empty,
            progress=progress,
        )
    from footfall.sessions.defaults import HTTP_GAP
    from footfall.sessions.distributed import beam_http_sessions

    return beam_http_sessions(
        logs,
        mapping=mapping,
        out=out,
        gap=gap or HTTP_GAP,
        warehouse=warehouse,
        assume_tz=assume_tz,
        options=engine.beam_options(),
        shards=engine.shards,
        allow_empty=allow_empty,
    )


def shop_event_sessions(
    files: Sequence[Path],
    *,
    warehouse: Warehouse,
    gap: timedelta | None = None,
    state_dir: Path | None = None,
    lateness: timedelta | None = None,
    allow_empty: bool = False,
    progress: Progress | None = None,
    engine: EngineChoice = EMBEDDED,
) -> RunSummary:
    """Web-shop sessions (docs/shop-schema.md) on the chosen engine; `state_dir` makes the run incremental."""
    engine.check(incremental=state_dir is not None)
    if engine.engine == "embedded":
        from footfall.sessions.shop_pipeline import run_shop_sessions

        return run_shop_sessions(
            files,
            warehouse=warehouse,
            gap=gap,
            state_dir=state_dir,
            lateness=lateness,
            allow_empty=allow_empty,
            progress=progress,
        )
    from footfall.sessions.defaults import SHOP_GAP
    from footfall.sessions.distributed import beam_shop_sessions

    return beam_shop_sessions(
        files,
        gap=gap or SHOP_GAP,
        warehouse=warehouse,
        options=engine.beam_options(),
        shards=engine.shards,
        allow_empty=allow_empty,
    )
