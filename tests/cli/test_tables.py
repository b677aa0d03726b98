"""Terminal tables: a figure or a row's name is never cut, however narrow the terminal."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from footfall.cli import _common
from footfall.cli.table_layout import NUMBER, column_widths, overhead

SEGMENTS = pl.DataFrame(
    {
        "segment": [1, 2, 6],
        "name": ["active loyal top-spend", "cooling frequent mid-spend", "lapsed repeat mid-spend (6)"],
        "size": [966, 1702, 2689],
        "recency_weeks": [3.429, 13.857, 39.0],
        "frequency": [9.0, 4.0, 1.0],
        "monetary": [42.777, 39.962, 18.455],
        "total_spend": [420.995, 188.425, 41.08],
        "value_share": [0.272, 0.195, 0.059],
        "customer_share": [0.041, 0.072, 0.114],
    }
).with_columns(pl.col(pl.Float64).map_elements(lambda v: f"{v:.3f}", return_dtype=pl.String))


def _printed(monkeypatch: pytest.MonkeyPatch, frame: pl.DataFrame, width: int) -> str:
    console = Console(width=width, record=True)
    monkeypatch.setattr(_common, "console", console)
    _common.print_frame(frame, "table", title="segments")
    return console.export_text()


@pytest.mark.parametrize("width", [60, 80, 120])
def test_every_figure_and_name_is_printed_whole(monkeypatch: pytest.MonkeyPatch, width: int) -> None:
    # at 80 columns `footfall ml segment` once showed "420.…" for 420.995 and "pareto-…" for pareto-nbd
    text = _printed(monkeypatch, SEGMENTS, width)
    cells = [_common._cell(v) for row in SEGMENTS.iter_rows() for v in row]
    words = [word for cell in cells for word in cell.split()]
    tokens = text.replace("│", " ").split()
    assert all(word in tokens for word in words), text
    assert "…" not in text and max(len(line) for line in text.splitlines()) <= width


def test_too_narrow_a_terminal_gets_each_row_as_a_block(monkeypatch: pytest.MonkeyPatch) -> None:
    text = _printed(monkeypatch, SEGMENTS, 40)
    assert "total_spend: 420.995" in text and "name: lapsed repeat mid-spend (6)" in text
    assert "┃" not in text


cell = st.one_of(
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: f"{v:,.3f}"),
    st.lists(st.text("abcdef-()", min_size=1, max_size=12), min_size=1, max_size=4).map(" ".join),
    st.just(""),
)


@given(
    shape=st.tuples(st.integers(1, 6), st.integers(0, 5)).flatmap(
        lambda s: st.tuples(
            st.lists(st.text("abc_ ", max_size=15), min_size=s[0], max_size=s[0]),  # empty or spaced headers too
            st.lists(st.lists(cell, min_size=s[0], max_size=s[0]), min_size=s[1], max_size=s[1]),
        )
    ),
    width=st.integers(10, 200),
)
def test_widths_fit_the_terminal_and_keep_figures_whole(shape: tuple[list[str], list[list[str]]], width: int) -> None:
    headers, rows = shape
    widths = column_widths(headers, rows, width)
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in headers]
    need = []
    for values in columns:
        whole = all(NUMBER.fullmatch(v) for v in values if v)
        need.append(max([1, *(len(v) if whole else max(len(w) for w in v.split()) for v in values if v)]))
    if widths is None:
        assert sum(need) + overhead(len(headers)) > width
    else:
        assert sum(widths) + overhead(len(headers)) <= width
        assert all(w >= n for w, n in zip(widths, need, strict=True))


def test_a_run_summary_shows_where_results_went_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    # the summary once printed the warehouse as "duckdb:///footfall-data/footfall.du…"
    from footfall.runs import RunSummary

    console = Console(width=80, record=True)
    monkeypatch.setattr(_common, "console", console)
    summary = RunSummary("members process", inputs=["inbox/a.csv"])
    summary.read, summary.accepted, summary.rejected = 600, 453, 147
    summary.details.reject_reasons = {"date_of_birth: not over 18 on 2022-01-01": 52}
    summary.details.warehouse = "duckdb:///home/someone/footfall-try/footfall-data/footfall.duckdb"
    _common.print_summary(summary)
    text = console.export_text()
    assert summary.details.warehouse in text and "…" not in text, text
    assert "52" in text.replace("│", " ").split()
