"""Screenshot formgrader grading a written answer of the demo course (docs only).

    python docs/screenshot_formgrader.py [--student bob] [--out docs/img/formgrader-demo02.png]

Runs `autograder demo` (process runner) into a temporary folder, starts formgrader
the way `autograder formgrader` does (127.0.0.1, a token), and shoots the grading
page of one student's demo02 notebook in headless Chromium (`apt-get install
chromium`; a Hangul font such as fonts-noto-cjk for the Korean text).
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.request import Request, urlopen

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from screenshot_report import find_browser  # noqa: E402

WEEK = "demo02"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, token: str) -> bytes:
    request = Request(url, headers={"Authorization": f"token {token}"})
    with urlopen(request, timeout=10) as response:  # noqa: S310 (loopback only)
        return bytes(response.read())


def main() -> None:
    import json

    from rich.console import Console

    from autograder.course import Course
    from autograder.demo import run_demo
    from autograder.manual.formgrader import formgrader_launch, start_formgrader

    parser = argparse.ArgumentParser()
    parser.add_argument("--student", default="bob")
    parser.add_argument("--out", type=Path, default=HERE / "img" / f"formgrader-{WEEK}.png")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "demo"
        run_demo(out=out, runner="process", console=Console(stderr=True))
        launch = formgrader_launch(Course(out), port=_free_port(), token="docs-screenshot")
        proc = start_formgrader(launch, log=Path(tmp) / "server.log")
        base = f"http://127.0.0.1:{launch.port}"
        try:
            for _ in range(120):
                try:
                    _get(f"{base}/formgrader/api/status", launch.token)
                    break
                except OSError:
                    time.sleep(0.5)
            notebooks = json.loads(
                _get(f"{base}/formgrader/api/submitted_notebooks/{WEEK}/{WEEK}", launch.token)
            )
            sid = next(n["id"] for n in notebooks if n["student"] == args.student)
            url = f"{base}/formgrader/submissions/{sid}/?token={launch.token}"
            args.out.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory() as profile:
                subprocess.run(
                    [
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
                        # formgrader's page asks a CDN for MathJax: nothing but loopback
                        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                        "--virtual-time-budget=15000",
                        f"--user-data-dir={profile}",
                        f"--screenshot={args.out}",
                        "--window-size=1280,1130",
                        url,
                    ],
                    check=True,
                    capture_output=True,
                    timeout=120,
                )
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
