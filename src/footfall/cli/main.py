"""The `footfall` command: one sub-command group per capability."""

from __future__ import annotations

import typer

from footfall import __version__
from footfall.cli import logs, rewards, shop, synth
from footfall.cli.demo import demo
from footfall.cli.runs import runs
from footfall.cli.serve import serve

app = typer.Typer(
    name="footfall",
    help="Customer-engagement analytics: sessions, attribution, reports, dashboard, recommendations.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(logs.app, name="logs")
app.add_typer(rewards.app, name="rewards")
app.add_typer(shop.app, name="shop")
app.add_typer(synth.app, name="synth")
app.command()(demo)
app.command()(serve)
app.command()(runs)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"footfall {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """footfall turns raw customer activity into sessions, attribution, reports and recommendations."""
