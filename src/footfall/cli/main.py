"""The `footfall` command: one sub-command group per capability."""

from __future__ import annotations

import os
import signal
import sys
from types import ModuleType
from typing import NoReturn

import typer

from footfall import __version__
from footfall.cli import auth, covid, logs, members, ml, recsys, rewards, sagemaker, sales, shop, synth, vouchers
from footfall.cli._common import FootfallGroup
from footfall.cli.demo import demo
from footfall.cli.migrate import migrate
from footfall.cli.orchestrate import orchestrate
from footfall.cli.runs import runs
from footfall.cli.serve import serve
from footfall.interrupts import run_committed

app = typer.Typer(
    name="footfall",
    cls=FootfallGroup,
    help="Customer-engagement analytics: sessions, attribution, reports, dashboard, recommendations.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _add_groups(*modules: ModuleType) -> None:
    """Each module's command group (its `app`) as `footfall <module name>`."""
    for module in modules:
        app.add_typer(module.app, name=module.__name__.rsplit(".", 1)[-1])


_add_groups(logs, rewards, shop, members, sales, recsys)
app.command()(recsys.recommend)
_add_groups(ml, synth, vouchers, covid, sagemaker, auth)
for command in (demo, serve, orchestrate, runs, migrate):
    app.command()(command)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"footfall {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """footfall turns raw customer activity into sessions, attribution, reports and recommendations."""


# Polars' allocator (jemalloc) hands freed pages back to the OS after 0.5 s by default, and at
# once for allocations over 8 MiB (its "oversize" arena); a batch pipeline re-allocates the same
# sizes every block, so it keeps all of them for 10 s and returns them from a background thread
# (a 10M-line run: a third less system time, about 10 % faster, ~5 % more peak memory).
# Read when Polars loads, so only where nothing imported it yet; a user's own setting wins.
JEMALLOC_CONF = "background_thread:true,dirty_decay_ms:10000,muzzy_decay_ms:0,oversize_threshold:0"


_INTERRUPTED = "interrupted: the run in progress committed nothing (warehouse and state unchanged)\n"
_INTERRUPTED_AFTER_COMMIT = "interrupted after the run committed: the warehouse and state hold its results\n"


def run() -> None:
    """The console entry point: the CLI, with Ctrl-C reported in one line (exit code 130)."""
    if "polars" not in sys.modules:
        os.environ.setdefault("_RJEM_MALLOC_CONF", JEMALLOC_CONF)
    # A process started in the background can inherit an ignored SIGINT; Ctrl-C must always
    # stop a run, and every warehouse write is one transaction that an interrupt rolls back.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        app()
    except KeyboardInterrupt:
        pass  # interrupted outside the command (while starting up)
    except SystemExit as exc:  # typer turns an interrupt inside a command into exit code 130
        if exc.code != 130:
            _leave(exc.code)
    while True:  # a second interrupt may still be pending (DuckDB forwards the one it caught)
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            sys.stderr.write(_INTERRUPTED_AFTER_COMMIT if run_committed() else _INTERRUPTED)
            break
        except KeyboardInterrupt:
            continue
    # Leave now: a library's worker thread (DuckDB's) can restore the default SIGINT handler and
    # re-send the signal while the interpreter shuts down, which would end the process with -2
    # instead of 130. Every transaction was rolled back and every temp file removed above.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(130)


def _leave(code: int | str | None) -> NoReturn:
    """End a finished command now: its files are written and closed and its transaction is over,
    so tearing the interpreter down (freeing every frame and module, ~0.2 s after a large run)
    is skipped."""
    if isinstance(code, str):
        sys.stderr.write(code + "\n")
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)
