"""Regenerate docs/screenshots/*.png: the demo's data, `footfall serve`, and each dashboard page in Chromium.

.venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from footfall.api.dashboard import PAGES
from footfall.api.process import serve_in_background

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--chromium", type=Path, default=Path("/usr/bin/chromium"))
    parser.add_argument("--events", type=int, default=200_000, help="size of the demo's access log")
    args = parser.parse_args()
    if not args.chromium.exists():
        sys.exit(f"error: no Chromium at {args.chromium}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="footfall-screenshots-") as folder:
        root = Path(folder)
        demo = [sys.executable, "-m", "footfall", "demo", "--no-serve", "--events", str(args.events)]
        subprocess.run([*demo, "--data-dir", str(root)], check=True, stdout=subprocess.DEVNULL)
        url = f"duckdb:///{root / 'footfall.duckdb'}"
        with serve_in_background(url, env={"FOOTFALL_DATA_DIR": str(root)}) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(args.chromium), args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})  # the width the reading tests check
            for name in PAGES:
                page.goto(f"{base}/{name}")
                page.wait_for_selector("body[data-charts=done]", timeout=120_000)
                page.screenshot(path=str(args.out / f"{name}.png"), full_page=True)
                print(f"wrote {args.out / f'{name}.png'}")
            browser.close()


if __name__ == "__main__":
    main()
