"""Report SQL macros (`reports/sql/macros/`): every call in every report expands, and a bad call is a bug."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from footfall.reports import _sql
from footfall.reports._sql import report_sql

SQL = resources.files("footfall.reports") / "sql"
REPORTS = sorted(p.name.removesuffix(".sql") for p in SQL.iterdir() if p.name.endswith(".sql"))
MACROS = sorted(p.name.removesuffix(".sql") for p in (SQL / "macros").iterdir() if p.name.endswith(".sql"))


@pytest.mark.parametrize("name", REPORTS)
def test_every_report_expands_completely(name: str) -> None:
    text = report_sql(name)
    assert "{{" not in text and re.search(r"\{\w+\}", text) is None  # no call nor parameter left


@pytest.mark.parametrize("name", MACROS)
def test_every_macro_is_called(name: str) -> None:
    assert any(name in (SQL / f"{r}.sql").read_text("utf-8") for r in REPORTS) or any(
        f"{name}(" in (SQL / "macros" / f"{m}.sql").read_text("utf-8") for m in MACROS if m != name
    ), f"macro {name} is never called"


def test_a_call_is_written_out_with_its_arguments() -> None:
    label = _sql._expand_calls("select {{ unique_label(c.name, c.id, campaign) }} as campaign")
    assert "when c.name is null then 'campaign ' || c.id" in label
    assert "partition by c.name" in label and "{{" not in label


def test_a_wrong_number_of_arguments_is_refused() -> None:
    with pytest.raises(ValueError, match=r"unique_label takes 3 argument\(s\) \(name, id, word\), not 1"):
        _sql._expand_calls("{{ unique_label(c.name) }}")
