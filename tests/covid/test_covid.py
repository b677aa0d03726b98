"""`footfall covid load`: OWID and JHU CSSE layouts, the wide→long conversion, rejects."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from footfall.cli.main import app
from footfall.covid.load import load_covid
from footfall.readers.covid import jhu_wide_to_long, read_covid
from footfall.synth.covid import generate_covid
from footfall.warehouse import Warehouse, connect


def test_owid_and_jhu_layouts_of_one_series_load_the_same_rows(warehouse: Warehouse, tmp_path: Path) -> None:
    owid, jhu = tmp_path / "owid.csv", tmp_path / "jhu.csv"
    generate_covid(owid, days=120, seed=2)
    generate_covid(jhu, days=120, seed=2, layout="jhu")
    first = load_covid(owid, warehouse=warehouse)
    assert (first.accepted, first.rejected) == (120, 0)
    from_owid = warehouse.query("SELECT location, date, new_cases, total_cases FROM covid_cases ORDER BY date")
    load_covid(jhu, warehouse=warehouse)  # replaces Singapore's rows
    from_jhu = warehouse.query("SELECT location, date, new_cases, total_cases FROM covid_cases ORDER BY date")
    assert from_owid.equals(from_jhu) and from_owid.height == 120
    source = pl.read_csv(owid)
    assert from_owid["new_cases"].to_list() == source["new_cases"].cast(pl.Float64).to_list()
    assert from_owid["date"][0] == date(2020, 1, 23)


def test_bad_rows_are_rejected_with_line_and_field(warehouse: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "owid.csv"
    path.write_text(
        "iso_code,location,date,new_cases,total_cases\n"
        "SGP,Singapore,2020-03-01,5,100\n"
        "SGP,Singapore,2020-03-02,,\n"
        "SGP,Singapore,2020-02-30,1,101\n"
        "SGP,Singapore,2020-03-03,many,101\n"
        "SGP,Singapore,2020-03-01,9,109\n"
        "MYS,Malaysia,2020-03-01,7,70\n"
    )
    summary = load_covid(path, warehouse=warehouse, location="Singapore")
    assert (summary.accepted, summary.rejected) == (2, 3)
    rejects = warehouse.query("SELECT line_number, reason, detail FROM covid_rejects ORDER BY line_number")
    assert rejects.rows() == [
        (4, "bad_date", "field date: '2020-02-30' is not YYYY-MM-DD"),
        (5, "bad_number", "field new_cases: 'many' is not a number"),
        (6, "duplicate_date", "location and date already on line 2"),
    ]
    rows = warehouse.query("SELECT date, new_cases FROM covid_cases ORDER BY date")
    assert rows["new_cases"].to_list() == [5.0, None]  # not reported stays null


def test_cli_load_and_unknown_location(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    generate_covid(path, days=30)
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    ok = CliRunner().invoke(app, ["covid", "load", str(path), "--warehouse", url])
    assert ok.exit_code == 0, ok.output
    missing = CliRunner().invoke(app, ["covid", "load", str(path), "--location", "Atlantis", "--warehouse", url])
    assert missing.exit_code == 2 and "no rows for location 'Atlantis'" in missing.output
    with connect(url) as wh:
        assert wh.query("SELECT count(*) AS n FROM covid_cases")["n"][0] == 30


@settings(max_examples=60, deadline=None)
@given(
    provinces=st.lists(
        st.tuples(st.sampled_from(["A", "B", "C"]), st.lists(st.integers(0, 10_000), min_size=4, max_size=4)),
        min_size=1,
        max_size=6,
    )
)
def test_jhu_wide_to_long_sums_provinces_and_differences_totals(provinces: list[tuple[str, list[int]]]) -> None:
    days = [(date(2020, 12, 30) + timedelta(days=i)) for i in range(4)]  # crosses a year end
    columns = [f"{d.month}/{d.day}/{d.strftime('%y')}" for d in days]
    wide = pl.DataFrame(
        [{"location": loc, **{c: float(v) for c, v in zip(columns, values, strict=True)}} for loc, values in provinces]
    )
    long = jhu_wide_to_long(wide, columns)
    for loc in {p[0] for p in provinces}:
        totals = [sum(values[i] for name, values in provinces if name == loc) for i in range(4)]
        rows = long.filter(pl.col("location") == loc).sort("date")
        assert rows["date"].to_list() == days
        assert rows["total_cases"].to_list() == totals
        assert rows["new_cases"].to_list() == [totals[0]] + [totals[i] - totals[i - 1] for i in range(1, 4)]
        assert sum(rows["new_cases"]) == totals[-1]


def test_a_jhu_file_without_date_columns_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "j.csv"
    path.write_text("Province/State,Country/Region,Lat,Long\n,Singapore,1.2,103.8\n")
    from footfall.errors import InputError

    with pytest.raises(InputError, match=r"j\.csv: line 1: no date columns"):
        read_covid(path)


COVID19API_ROWS = [  # cumulative; Singapore national, Australia only by province; a correction on day 3
    ("Singapore", "", 100, "2020-03-01T00:00:00Z"),
    ("Singapore", "", 110, "2020-03-02T00:00:00Z"),
    ("Singapore", "", 105, "2020-03-03T00:00:00Z"),
    ("Australia", "New South Wales", 10, "2020-03-01T00:00:00Z"),
    ("Australia", "Victoria", 5, "2020-03-01T00:00:00Z"),
    ("Australia", "New South Wales", 14, "2020-03-02T00:00:00Z"),
    ("Australia", "Victoria", 9, "2020-03-02T00:00:00Z"),
]
COVID19API_EXPECTED = [
    ("Australia", date(2020, 3, 1), 15.0, 15.0, False),
    ("Australia", date(2020, 3, 2), 8.0, 23.0, False),
    ("Singapore", date(2020, 3, 1), 100.0, 100.0, False),
    ("Singapore", date(2020, 3, 2), 10.0, 110.0, False),
    ("Singapore", date(2020, 3, 3), -5.0, 105.0, True),
]


def _covid19api_objects() -> list[dict[str, object]]:
    return [
        {
            "ID": str(i),
            "Country": c,
            "CountryCode": c[:2].upper(),
            "Province": p,
            "City": "",
            "CityCode": "",
            "Lat": "0",
            "Lon": "0",
            "Confirmed": n,
            "Deaths": 0,
            "Recovered": 0,
            "Active": n,
            "Date": d,
        }
        for i, (c, p, n, d) in enumerate(COVID19API_ROWS)
    ]


@pytest.mark.parametrize("layout", ["csv", "json-lines", "json-pretty"])
def test_a_covid19api_export_loads_as_daily_cases(layout: str, tmp_path: Path, warehouse: Warehouse) -> None:
    """The challenge's source: cumulative counts per place and day → daily new cases per country."""
    import json

    objects = _covid19api_objects()
    path = tmp_path / f"export.{layout}"
    if layout == "csv":
        header = list(objects[0])
        lines = [",".join(header)] + [",".join(str(o[k]) for k in header) for o in objects]
        path.write_text("\n".join([*lines, "Nowhere,,,,,,0,0,lots,0,0,0,2020-03-01T00:00:00Z"]) + "\n")
    elif layout == "json-lines":
        path.write_text("[\n" + ",\n".join(json.dumps(o) for o in objects) + ',\n{"Country": "Nowhere"}\n]\n')
    else:
        path.write_text(json.dumps([*objects, {"Country": "Nowhere", "Confirmed": "lots", "Date": "x"}], indent=2))
    summary = load_covid(path, warehouse=warehouse)
    rows = warehouse.query(
        "SELECT location, date, new_cases, total_cases, correction FROM covid_cases ORDER BY location, date"
    )
    assert rows.rows() == COVID19API_EXPECTED
    rejects = warehouse.query("SELECT line_number, reason FROM covid_rejects")
    assert rejects.height == 1 and summary.rejected == 1 and rejects["line_number"][0] > 1
