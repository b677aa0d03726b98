"""`python -m footfall` runs the CLI."""

from footfall.cli.main import run

run()
