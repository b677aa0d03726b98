"""Load report SQL files shipped in `footfall/reports/sql/`, their `{{ macro(args) }}` calls written out.

A macro is a file `sql/macros/<name>.sql`: comment lines naming it and its parameters, as
`-- name(param, ...): what it stands for`, then the SQL it stands for, where `{param}` is replaced
by the argument (a column, a CTE or a word). Macros may call macros. This keeps each definition
shared by several reports in one place: the report contract's local-date filter (`on_local_dates`),
the voucher filters and redemption figures, the weekday × hour matrix, the week calendar, ...
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

__all__ = ["report_sql"]

_CALL = re.compile(r"\{\{\s*(\w+)\(\s*([\w.,\s]*?)\s*\)\s*\}\}")
_SIGNATURE = re.compile(r"--\s*(\w+)\(([\w,\s]*)\):")


@cache
def report_sql(name: str) -> str:
    """The text of `sql/<name>.sql`, its `{{ ... }}` macros written out."""
    return _expand_calls(_read(name))


def _expand_calls(text: str) -> str:
    return _CALL.sub(lambda m: _expand(m.group(1), [a.strip() for a in m.group(2).split(",") if a.strip()]), text)


def _expand(macro: str, args: list[str]) -> str:
    """The body of `macros/<macro>.sql` with its parameters replaced by `args`, its own calls expanded."""
    text = _read(f"macros/{macro}")
    signature = _SIGNATURE.match(text)
    if signature is None or signature.group(1) != macro:
        raise ValueError(f"macros/{macro}.sql does not start with `-- {macro}(params): ...`")
    params = [p.strip() for p in signature.group(2).split(",") if p.strip()]
    if len(args) != len(params):
        raise ValueError(f"{macro} takes {len(params)} argument(s) ({', '.join(params)}), not {len(args)}")
    body = "\n".join(line for line in text.splitlines() if not line.startswith("--"))
    for param, arg in zip(params, args, strict=True):
        body = body.replace("{" + param + "}", arg)
    return _expand_calls(body)


def _read(name: str) -> str:
    return (resources.files("footfall.reports") / "sql" / f"{name}.sql").read_text("utf-8")
