"""The sessions package stays readable: no function body over 40 lines (ruff checks complexity ≤ 10)."""

from __future__ import annotations

import ast
from pathlib import Path

SESSIONS = Path(__file__).resolve().parents[2] / "src" / "footfall" / "sessions"


def _long_functions(limit: int) -> list[str]:
    found = []
    for path in sorted(SESSIONS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            body = node.body[1:] if ast.get_docstring(node) else node.body
            if body and node.end_lineno is not None and node.end_lineno - body[0].lineno + 1 > limit:
                found.append(f"{path.name}:{node.lineno} {node.name}")
    return found


def test_no_function_body_in_sessions_is_over_40_lines() -> None:
    assert _long_functions(40) == []


def test_the_check_sees_long_functions() -> None:
    assert _long_functions(5)  # a limit every real module breaks: the scan reads the code
