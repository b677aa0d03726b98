"""Documents generated from code stay in step with it."""

from __future__ import annotations

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_rewards_sql_doc_is_up_to_date(samples: Path) -> None:
    render = runpy.run_path(str(ROOT / "scripts" / "render_rewards_doc.py"))["render"]
    committed = (ROOT / "docs" / "rewards-reports.md").read_text(encoding="utf-8")
    assert render(samples) == committed, "run: .venv/bin/python scripts/render_rewards_doc.py"


def test_readme_links_resolve() -> None:
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#:]+)\)", readme):
        assert (ROOT / target).exists(), target
