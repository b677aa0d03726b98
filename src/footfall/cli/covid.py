"""`footfall covid …`: load COVID-19 case time series (OWID or JHU CSSE CSV)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from footfall.cli._common import WarehouseOption, command_group, open_warehouse, print_summary

app = command_group("COVID-19 cases over time: load OWID, JHU CSSE or covid19api time series.")


@app.command()
def load(
    csv: Annotated[
        Path, typer.Argument(help="OWID or JHU CSSE CSV, or a covid19api CSV or JSON export.", show_default=False)
    ],
    location: Annotated[
        str | None,
        typer.Option("--location", help="Keep only this location, e.g. Singapore (default: all).", show_default=False),
    ] = None,
    warehouse: WarehouseOption = None,
) -> None:
    """Load daily cases into `covid_cases`, replacing the file's locations, in one transaction.

    The layout is told by the content. OWID: location,date,new_cases,total_cases (one row per
    location and day). JHU CSSE wide: Province/State,Country/Region,Lat,Long,1/22/20,... of
    cumulative confirmed cases. covid19api: CSV or JSON (an array of objects) with Country,
    Province, Confirmed, Date (2020-03-01T00:00:00Z), cumulative per place and day. Cumulative
    series become daily new cases per country (a national row, else its provinces summed); a
    negative day (the source's correction) is kept and flagged in `correction`. Bad rows go to
    covid_rejects with their line.
    """
    from footfall.covid.load import load_covid

    with open_warehouse(warehouse) as wh:
        summary = load_covid(csv, warehouse=wh, location=location)
    print_summary(summary)
