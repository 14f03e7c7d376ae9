"""A deadline rush: N students push week 3 at random times within a window; how fast does
feedback follow?

    python bench/rush.py [--students 100] [--window 600] [--scale 1.0]
                         [--workers 1,2] [--runner process] [--debounce 0] [--seed 7]

Everything is real except GitHub, which is the repo's GitHub-compatible test server
on 127.0.0.1 (tests/github_server): one private repo per student, a real ``git push``
of the student's notebook at its time, then GitHub's signed push webhook to a real
`WebhookServer`; the continuous app (`autograder.continuous`) queues it, collects the
repo (tarball), grades it with `PushGrader` (one runner prepared for the whole run)
and posts the feedback issue. The notebooks are bench/cases.py's week 3 submissions
(correct / partial / broken in rotation).

For every ``--workers`` value (1: one push at a time, as before; more: the pool) the
whole rush is replayed on a fresh course and test server; reported: p50 / p95 of
push-to-feedback latency (the webhook's arrival to the issue posted) and when the
last feedback lands, counted from the first push. ``--scale`` compresses time: push
times are drawn in ``window * scale`` seconds (0.2: a 10-minute window in 2).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent / "tests")]

import gpu_runner._fastimport  # noqa: E402, F401

# isort: split
from cases import make_course, make_submissions  # noqa: E402
from github_server import GitHubTestServer  # noqa: E402
from measure import load_average  # noqa: E402

from autograder.continuous.app import build  # noqa: E402
from autograder.continuous.grader import PushGrader  # noqa: E402
from autograder.continuous.signature import sign  # noqa: E402
from autograder.continuous.webhook import WebhookServer  # noqa: E402
from autograder.course import Course  # noqa: E402
from autograder.github.clock import RealClock  # noqa: E402
from gpu_runner.runners import get_runner  # noqa: E402

WEEK = "week03"
SECRET = b"rush-secret"


def course_for(root: Path, server: GitHubTestServer) -> Course:
    course = make_course(root / "course", weeks=(WEEK,))
    toml = course.root / "course.toml"
    toml.write_text(
        toml.read_text() + f'\n[github]\norg = "{server.world.org}"\napi_url = "{server.api_url}"\n'
    )
    week = course.root / "solutions" / WEEK / "assignment.toml"
    future = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0).isoformat()
    text = week.read_text()
    start = text.index('deadline = "')
    end = text.index('"', start + len('deadline = "')) + 1
    week.write_text(text[:start] + f'deadline = "{future}"' + text[end:])
    week.write_text(week.read_text() + "\n[check]\nmin_interval_minutes = 0\n")
    return Course(course.root)


def push_payload(repo, before: str, after: str) -> bytes:  # type: ignore[no-untyped-def]
    return json.dumps(
        {
            "ref": f"refs/heads/{repo.default_branch}",
            "before": before,
            "after": after,
            "deleted": False,
            "repository": {
                "id": repo.id,
                "full_name": repo.full_name,
                "default_branch": repo.default_branch,
            },
        }
    ).encode()


def deliver(url: str, body: bytes) -> int:
    import uuid

    import requests

    headers = {
        "Content-Type": "application/json",
        "X-GitHub-Event": "push",
        "X-GitHub-Delivery": str(uuid.uuid4()),
        "X-Hub-Signature-256": sign(SECRET, body),
    }
    return requests.post(url, data=body, headers=headers, timeout=30).status_code


def rush(args: argparse.Namespace, workers: int) -> dict[str, float]:
    tmp = Path(tempfile.mkdtemp(prefix="autograder-rush-"))
    server = GitHubTestServer(tmp / "github", clock=RealClock()).start()  # type: ignore[arg-type]
    try:
        course = course_for(tmp, server)
        subs = make_submissions(course, WEEK, args.students)
        repos, clones = {}, {}
        for sub in subs:  # the students accepted the assignment (not timed)
            repos[sub.login] = server.create_repo(f"{WEEK}-{sub.login}")
            clones[sub.login] = server.clone(repos[sub.login], sub.login, tmp / "clones")
        os.environ["GITHUB_TOKEN"] = server.world.token
        runner = get_runner(args.runner)
        grader = PushGrader(course, runner)
        grader.prepare()
        app = build(
            course,
            grade=grader,
            debounce_s=args.debounce,
            max_wait_s=max(args.debounce, 1.0),
            workers=workers,
        )
        hook = WebhookServer(intake=app.intake, secret=SECRET, port=0).start()
        app.reconcile()
        app.start_worker(idle_s=0.2)
        rng = random.Random(args.seed)
        span = args.window * args.scale
        times = sorted((rng.uniform(0, span), sub) for sub in subs)
        pushed: dict[str, float] = {}
        started = time.monotonic()

        def push(at: float, sub) -> None:  # type: ignore[no-untyped-def]
            delay = started + at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            clone, repo = clones[sub.login], repos[sub.login]
            before = repo.git.head("main") or "0" * 40
            sha = clone.commit({sub.notebook: sub.data.decode()})
            clone.push()
            pushed[sub.login] = time.monotonic() - started
            status = deliver(hook.url, push_payload(repo, before, sha))
            assert status == 202, status

        load_before = load_average()
        with ThreadPoolExecutor(8) as pushers:
            for at, sub in times:
                pushers.submit(push, at, sub)
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            done = [o for o in app.worker.outcomes if o.status in ("graded", "cached")]
            if len(done) >= len(subs):
                break
            time.sleep(0.5)
        last = time.monotonic() - started
        app.stop_worker(timeout=60)
        hook.stop()
        grader.close()
        outcomes = [o for o in app.worker.outcomes if o.latency_s is not None and o.posted]
        latencies = sorted(o.latency_s for o in outcomes)  # type: ignore[misc]
        failed = [o for o in app.worker.outcomes if o.status == "failed"]
        issues = sum(1 for r in repos.values() if r.issues)
        return {
            "workers": workers,
            "pushes": len(subs),
            "feedback": len(latencies),
            "issues": issues,
            "failed": len(failed),
            "p50": statistics.median(latencies) if latencies else float("nan"),
            "p95": latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan"),
            "max": latencies[-1] if latencies else float("nan"),
            "last_push": max(pushed.values()) if pushed else 0.0,
            "last_feedback": last,
            "load_before": load_before,
            "load_after": load_average(),
        }
    finally:
        server.stop()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--window", type=float, default=600.0, help="seconds of the rush")
    parser.add_argument("--scale", type=float, default=1.0, help="time compression factor")
    parser.add_argument("--workers", default="1,2", help="comma-separated pool sizes")
    parser.add_argument("--runner", default="process", choices=["process", "docker"])
    parser.add_argument("--debounce", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=3600.0)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    rows = [rush(args, int(w)) for w in args.workers.split(",")]
    span = args.window * args.scale
    print(
        f"\n{args.students} pushes of {WEEK} within {span:.0f} s (a {args.window:.0f} s window "
        f"x {args.scale}), runner {args.runner}, debounce {args.debounce:.0f} s, "
        f"{os.cpu_count()} cores\n"
    )
    print(
        "| workers | feedback | failed | p50 s | p95 s | max s | last push s | "
        "last feedback s | load before / after |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['workers']} | {r['feedback']}/{r['pushes']} | {r['failed']} | "
            f"{r['p50']:.1f} | {r['p95']:.1f} | {r['max']:.1f} | {r['last_push']:.0f} | "
            f"{r['last_feedback']:.0f} | {r['load_before']} / {r['load_after']} |"
        )
    return 0


if __name__ == "__main__":
    threading.stack_size(0)
    sys.exit(main())
