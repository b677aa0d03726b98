"""Library error messages name parameters, never CLI flags: Dagster and API users see them too."""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "footfall"
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]*")
ERRORS = {"FootfallError", "InputError", "NotFoundError", "SettingsError", "UnavailableError", "WarehouseError"}


def _texts(node: ast.AST) -> list[str]:
    """The literal text parts of a message expression (strings and f-string pieces)."""
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _library_error_messages() -> list[tuple[str, int, str]]:
    found = []
    for path in SRC.rglob("*.py"):
        if "cli" in path.relative_to(SRC).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ERRORS and node.args:
                found += [(str(path.relative_to(SRC)), node.lineno, text) for text in _texts(node.args[0])]
    return found


def test_the_scan_sees_the_library_s_messages() -> None:
    """The scan reads real messages (a scan that finds nothing proves nothing)."""
    messages = _library_error_messages()
    assert len(messages) > 100
    assert any("must be at least 1" in text for _, _, text in messages)


def test_no_library_error_names_a_cli_flag() -> None:
    flagged = [f"{path}:{line}: {text!r}" for path, line, text in _library_error_messages() if FLAG.search(text)]
    assert flagged == []


def test_a_parameter_is_shown_by_the_name_each_surface_uses() -> None:
    from footfall.errors import InputError

    error = InputError("{param} must be at least 1, got 0", param="top")
    assert str(error) == "top must be at least 1, got 0"
    assert error.render("--top") == "--top must be at least 1, got 0"
