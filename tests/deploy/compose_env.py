"""What `docker compose config` does before it validates a file: read a `.env` file and interpolate `${VAR…}`.

No Docker engine (nor the compose plugin) is on the development machines, so the tests emulate the
Compose Specification's interpolation (https://github.com/compose-spec/compose-spec/blob/main/spec.md#interpolation):
`$$` escapes, `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`,
`${VAR:+replacement}`, `${VAR+replacement}`; the error text is compose's own.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

_TOKEN = re.compile(r"\$(?:(?P<escaped>\$)|(?P<named>[_A-Za-z][_A-Za-z0-9]*)|\{(?P<braced>[^}]*)\})")
_BRACED = re.compile(r"(?P<name>[_A-Za-z][_A-Za-z0-9]*)(?:(?P<op>:?[-?+])(?P<arg>.*))?", re.S)


class MissingVariable(Exception):
    """A `${VAR:?message}` whose variable is unset or empty (`${VAR?message}`: unset)."""


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of a `.env` file (comments and blank lines skipped; an empty value is kept, empty)."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip().strip("'\"")
    return values


def interpolate(node: Any, env: dict[str, str]) -> Any:
    """`node` (parsed YAML) with every string's variables substituted from `env`."""
    if isinstance(node, dict):
        return {key: interpolate(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate(value, env) for value in node]
    if isinstance(node, str):
        return _TOKEN.sub(lambda m: _substitute(m, env), node)
    return node


def variables(text: str) -> list[tuple[str, str | None]]:
    """(name, operator) of every variable `text` refers to, in order (`$$` escapes left out)."""
    found = []
    for m in _TOKEN.finditer(text):
        if m.group("named"):
            found.append((m.group("named"), None))
        elif m.group("braced") is not None:
            braced = _BRACED.fullmatch(m.group("braced"))
            assert braced, f"invalid interpolation format {m.group(0)!r}"
            found.append((braced.group("name"), braced.group("op")))
    return found


def _substitute(m: re.Match[str], env: dict[str, str]) -> str:
    if m.group("escaped"):
        return "$"
    if m.group("named"):
        return env.get(m.group("named"), "")
    braced = _BRACED.fullmatch(m.group("braced"))
    if braced is None:
        raise ValueError(f"invalid interpolation format for {m.group(0)!r}")
    name, op, arg = braced.group("name", "op", "arg")
    value, unset = env.get(name), name not in env
    empty = unset or value == ""
    if op is None:
        return value or ""
    if op in (":-", "-"):
        return arg if (empty if op == ":-" else unset) else (value or "")
    if op in (":+", "+"):
        return arg if not (empty if op == ":+" else unset) else ""
    if empty if op == ":?" else unset:
        raise MissingVariable(f"required variable {name} is missing a value" + (f": {arg}" if arg else ""))
    return value or ""
