"""What every command shares: the one-line error handling, warehouse and output options, progress and summaries
(the sessions commands' own options: `sessions_options`)."""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from rich.console import Console
from typer import _click as click  # Typer's own copy of click: the types its groups take
from typer.core import TyperGroup

from footfall.errors import FootfallError

if TYPE_CHECKING:
    import polars as pl

    from footfall.reports.filters import Filters
    from footfall.runs import RunSummary
    from footfall.warehouse import Warehouse

console = Console()
err_console = Console(stderr=True)

_COMMAND = "footfall.command"  # ctx.meta: the command being run, for option names in errors


class FootfallGroup(TyperGroup):
    """A command group whose root turns any FootfallError into one line on stderr and exit code 2.

    The one CLI error handler: commands just raise. A message about one parameter
    (`FootfallError(..., param="top")`) shows the running command's option for it (`--top`).
    """

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        ctx.meta[_COMMAND] = command
        return name, command, rest

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None and command.help:
            command.help = reflow(command.help)  # Typer's rich help keeps a docstring's line breaks
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FootfallError as exc:
            if ctx.parent is not None:
                raise  # the root group reports it, once
            raise fail(exc.render(_option_name(ctx.meta.get(_COMMAND), exc.param))) from None
        except click.exceptions.UsageError as exc:
            if ctx.parent is not None or isinstance(exc, click.exceptions.NoArgsIsHelpError):
                raise
            where = exc.ctx.command_path if exc.ctx is not None else ctx.command_path
            message = " ".join(exc.format_message().replace("Value error, ", "").split())
            raise fail(f"{message} (see {where} --help)") from None


def reflow(text: str) -> str:
    """Help text with each paragraph's wrapped lines joined (list items and table rows kept on their own line)."""
    paragraphs = []
    for paragraph in inspect.cleandoc(text).split("\n\n"):
        lines: list[str] = []
        for line in paragraph.splitlines():
            if lines and not line.lstrip().startswith(("-", "*", "|", "\b")) and not lines[-1].endswith(":"):
                lines[-1] += " " + line.strip()
            else:
                lines.append(line)
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def _option_name(command: click.Command | None, param: str | None) -> str | None:
    """`--top` for parameter `top` when the command has such an option (else None: the library name)."""
    for option in command.params if command is not None and param is not None else []:
        if option.name == param:
            opts: list[str] = list(getattr(option, "opts", []))
            return max(opts, key=len) if opts and opts[0].startswith("-") else param.upper()
    return None


def command_group(help: str) -> typer.Typer:
    """A `footfall <group>` of commands, with the one error handler."""
    return typer.Typer(cls=FootfallGroup, help=help, no_args_is_help=True)


WarehouseOption = Annotated[
    str | None,
    typer.Option(
        "--warehouse",
        help="Warehouse URL: duckdb:///path.duckdb (default: FOOTFALL_WAREHOUSE, else "
        "footfall-data/footfall.duckdb) or postgresql://user@host:5432/db.",
        show_default=False,
    ),
]


def fail(message: str) -> typer.Exit:
    """Print a one-line error and return the exit to raise (code 2, a user's mistake)."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


def open_warehouse(url: str | None, *, read_only: bool = False) -> Warehouse:
    """Connect to the warehouse named by the option, else by the settings; a read-only command
    (`read_only`) refuses a DuckDB file that does not exist instead of creating an empty one."""
    from footfall.config import get_settings
    from footfall.warehouse import connect

    return connect(url or get_settings().warehouse_url(), must_exist=read_only)


@contextmanager
def byte_progress(paths: list[Path], label: str) -> Iterator[Callable[[int], None]]:
    """A Rich progress bar over the input bytes (shown only on a terminal)."""
    total = sum(p.stat().st_size for p in paths if p.is_file()) or None
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn, TransferSpeedColumn

    columns = [TextColumn(label), BarColumn(), DownloadColumn(), TransferSpeedColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=err_console, transient=True, disable=not sys.stderr.isatty()) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


TzOption = Annotated[
    str | None,
    typer.Option(
        "--tz",
        help="Report time zone (IANA name; default FOOTFALL_REPORT_TZ); data is stored in UTC.",
        show_default=False,
    ),
]


def report_filters(tz: str | None, *, date_from: str | None, date_to: str | None, **chosen: str | None) -> Filters:
    """The report filters from the options (the zone: --tz, else FOOTFALL_REPORT_TZ)."""
    from footfall.reports.filters import Filters, parse_date

    start, end = parse_date(date_from, param="date_from"), parse_date(date_to, param="date_to")
    zone = {} if tz is None else {"tz": tz}
    return Filters(date_from=start, date_to=end, campaign=chosen.get("campaign"), reward=chosen.get("reward"), **zone)


Format = Literal["table", "csv", "json"]
FormatOption = Annotated[Format, typer.Option("--format", help="Output: table, csv or json (an array of objects).")]


def print_frame(frame: pl.DataFrame, fmt: Format, *, title: str = "") -> None:
    """Print a report as a Rich table, CSV or JSON on stdout."""
    if fmt == "csv":
        sys.stdout.write(frame.write_csv())
    elif fmt == "json":
        sys.stdout.write(frame.write_json() + "\n")
    else:
        _print_table(frame.columns, [[_cell(v) for v in row] for row in frame.iter_rows()], title)


def _print_table(headers: list[str], rows: list[list[str]], title: str, *, header: bool = True) -> None:
    """A Rich table that cuts no figure or word (`table_layout`); too narrow a terminal for that: each
    row as a block of `column: value` lines."""
    from rich.table import Table

    from footfall.cli.table_layout import column_widths

    widths = column_widths(headers, rows, console.width)
    if widths is None:
        if title:
            console.print(title)
        for row in rows:
            console.print(
                "\n".join(f"{name}: {value}".lstrip(": ") for name, value in zip(headers, row, strict=True)) + "\n"
            )
    else:
        table = Table(title=title or None, title_justify="left", show_header=header)
        for name, width in zip(headers, widths, strict=True):
            table.add_column(name, width=width, overflow="fold")
        for row in rows:
            table.add_row(*row)
        console.print(table)
    if not rows:
        console.print("(no rows)")


def _cell(value: object) -> str:
    """A table cell: thousands separators, 2 decimals for floats, empty for null."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def print_summary(summary: RunSummary) -> None:
    """Print a run's summary: counts, reject reasons, where results went."""
    details = summary.details
    rows = [["read", f"{summary.read:,}"], ["accepted", f"{summary.accepted:,}"], ["rejected", f"{summary.rejected:,}"]]
    rows += [[f"  {reason}", f"{count:,}"] for reason, count in details.reject_reasons.items()]
    rows += [["written", f"{summary.written:,}"], ["seconds", f"{summary.seconds:.2f}"]]
    shown = {"output": details.output, "rejects output": details.rejects_output, "warehouse": details.warehouse}
    if details.incremental is not None:
        shown |= {"incremental state": details.incremental.state, "watermark": details.incremental.watermark}
        if details.incremental.skipped_already_processed:
            shown["skipped (already processed)"] = f"{len(details.incremental.skipped_already_processed):,} file(s)"
    rows += [[label, value] for label, value in shown.items() if value is not None]
    _print_table(["", ""], rows, f"{summary.command} — run {summary.run_id[:12]}", header=False)
