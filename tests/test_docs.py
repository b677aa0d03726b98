"""The repository's documents: generated ones stay in step with the code, and every reference resolves.

As datasette's test_docs.py does: loop over what the code has (commands, routes, settings) and
fail when one is missing from the documents.
"""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
TEXT_FILES = [
    *ROOT.glob("src/**/*.py"),
    *ROOT.glob("src/**/*.sql"),
    *ROOT.glob("src/**/*.html"),
    *ROOT.glob("tests/**/*.py"),
    *ROOT.glob("scripts/*.py"),
    *ROOT.glob("benchmarks/**/*.py"),
    *DOCS.glob("*.md"),
    ROOT / "README.md",
    ROOT / "Makefile",
]


def test_rewards_sql_doc_is_up_to_date(samples: Path) -> None:
    render = runpy.run_path(str(ROOT / "scripts" / "render_rewards_doc.py"))["render"]
    committed = (DOCS / "rewards-reports.md").read_text(encoding="utf-8")
    assert render(samples) == committed, "run: .venv/bin/python scripts/render_rewards_doc.py"


@pytest.mark.parametrize(("name", "renderer"), [("cli.md", "render_cli"), ("api.md", "render_api")])
def test_every_command_and_route_is_in_the_reference(name: str, renderer: str) -> None:
    render = runpy.run_path(str(ROOT / "scripts" / "render_reference_docs.py"))[renderer]
    committed = (DOCS / name).read_text(encoding="utf-8")
    assert render() == committed, "run: .venv/bin/python scripts/render_reference_docs.py"


def test_the_references_cover_the_command_tree_and_the_routes() -> None:
    """The generated references are not empty shells: every command and every API route is in them."""
    import typer

    from footfall.api import create_app
    from footfall.cli.main import app

    cli = (DOCS / "cli.md").read_text(encoding="utf-8")
    group = typer.main.get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        subs = getattr(command, "commands", {"": None})
        for sub in subs:
            assert f"## footfall {name} {sub}".rstrip() in cli, (name, sub)
    api = (DOCS / "api.md").read_text(encoding="utf-8")
    for path in create_app("duckdb:///:memory:").openapi()["paths"]:
        assert f" {path}`" in api, path


CITED = re.compile(r"docs/([\w.-]+\.md)(?:#([\w-]+))?")  # docs/sessions.md#incremental-runs
LINKED = re.compile(r"\]\(([\w./-]+\.md)(?:#([\w-]+))?\)")  # [text](sessions.md#sessions)


def _slug(heading: str) -> str:
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower().replace("`", ""))
    return text.replace(" ", "-")


def _anchors(doc: Path) -> set[str]:
    return {_slug(h) for h in re.findall(r"^#+ (.+)$", doc.read_text(encoding="utf-8"), re.M)}


def test_every_reference_to_a_document_resolves() -> None:
    """A `docs/<name>.md` in code and the links between documents name files (and headings) that exist."""
    broken = []
    for path in TEXT_FILES:
        text = path.read_text(encoding="utf-8")
        targets = [(DOCS / m.group(1), m.group(2)) for m in re.finditer(CITED, text)]
        if path.suffix == ".md":
            targets += [(path.parent / m.group(1), m.group(2)) for m in re.finditer(LINKED, text)]
        for target, anchor in targets:
            if not target.exists():
                broken.append(f"{path.relative_to(ROOT)} → {target.relative_to(ROOT)}")
            elif anchor and anchor not in _anchors(target):
                broken.append(f"{path.relative_to(ROOT)} → {target.relative_to(ROOT)}#{anchor}")
    assert broken == []


def test_nothing_cites_a_document_outside_the_repository() -> None:
    citing = [str(p.relative_to(ROOT)) for p in TEXT_FILES if "CONTRACTS.md" in p.read_text(encoding="utf-8")]
    assert citing == [p for p in citing if p == "tests/test_docs.py"]


def test_readme_links_resolve() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#:]+)\)", readme):
        assert (ROOT / target).exists(), target
