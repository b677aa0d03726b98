"""Which engine runs a sessions pipeline: the embedded one (Polars, this machine) or Apache Beam on any
runner — the same report and the same warehouse load either way (docs/distributed.md).

Every surface (CLI, Dagster, tests) chooses through `EngineChoice`, which `run_http_sessions` and
`run_shop_sessions` take as `engine=`; the distributed engines' entry points stay behind them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from footfall.errors import InputError
from footfall.sessions.beam_runners import RUNNERS

__all__ = ["EMBEDDED", "Engine", "EngineChoice"]

Engine = Literal["embedded", "beam"]


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
