"""`footfall covid …`: load COVID-19 case time series (OWID or JHU CSSE CSV)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from footfall.cli._common import WarehouseOption, command_group, open_warehouse, print_summary

app = command_group("COVID-19 cases over time: load OWID or JHU CSSE time series.")


@app.command()
def load(
    csv: Annotated[Path, typer.Argument(help="OWID or JHU CSSE time-series CSV.", show_default=False)],
    location: Annotated[
        str | None,
        typer.Option("--location", help="Keep only this location, e.g. Singapore (default: all).", show_default=False),
    ] = None,
    warehouse: WarehouseOption = None,
) -> None:
    """Load daily cases into `covid_cases`, replacing the file's locations, in one transaction.

    OWID: location,date,new_cases,total_cases (one row per location and day). JHU CSSE wide:
    Province/State,Country/Region,Lat,Long,1/22/20,... of cumulative confirmed cases; provinces
    are summed per country and new cases are the day-over-day change. Bad rows go to covid_rejects.
    """
    from footfall.covid.load import load_covid

    with open_warehouse(warehouse) as wh:
        summary = load_covid(csv, warehouse=wh, location=location)
    print_summary(summary)
