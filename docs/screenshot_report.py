"""Screenshot the HTML report in headless Chromium (docs and CI; never needed by the tests).

    python docs/screenshot_report.py                     # grade the bundled demo, then shoot
    python docs/screenshot_report.py --course DIR --week WEEK --out shot.png

Without --course it runs `autograder demo` (process runner: the demo's own
trusted notebooks) into a temporary folder, renders `report WEEK`, and writes
docs/img/report-<week>.png plus a per-student feedback page. Needs Debian's
`chromium` (apt-get install chromium) and, for Korean text, a Hangul font
(fonts-nanum or fonts-noto-cjk). Chromium runs with networking features off.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_browser() -> str:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    sys.exit("no Chromium found: apt-get install -y chromium")


def screenshot(page: Path, out: Path, *, width: int = 1280, height: int = 2400) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        cmd = [
            find_browser(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            f"--user-data-dir={profile}",
            f"--screenshot={out}",
            f"--window-size={width},{height}",
            page.resolve().as_uri(),
        ]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    if not out.is_file() or not out.read_bytes().startswith(b"\x89PNG"):
        sys.exit(f"Chromium wrote no PNG to {out}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--course", type=Path, help="a graded course folder (default: run the demo)")
    parser.add_argument("--week", default="demo01")
    parser.add_argument("--language", choices=["ko", "en"])
    parser.add_argument("--out", type=Path, help="PNG path (default docs/img/report-<week>.png)")
    args = parser.parse_args()

    from rich.console import Console

    from autograder.course import Course
    from autograder.reports import write_week_report

    with tempfile.TemporaryDirectory() as tmp:
        root = args.course
        if root is None:
            from autograder.demo import run_demo

            root = Path(tmp) / "demo"
            run_demo(out=root, runner="process", console=Console(stderr=True))
        files = write_week_report(Course(root), args.week, language=args.language)
        suffix = f"-{args.language}" if args.language else ""
        out = args.out or HERE / "img" / f"report-{args.week}{suffix}.png"
        print(screenshot(files.html, out))
        if files.feedback:
            page = files.feedback[-1]
            print(screenshot(page, out.with_name(f"feedback-{args.week}{suffix}.png"), height=900))


if __name__ == "__main__":
    main()
