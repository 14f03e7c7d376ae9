"""Where a grading batch spends its CPU, by kind of process.

    python bench/cpu_by_process.py COURSE_DIR WEEK [--runner process] [--jobs 2]

Runs ``autograder --course COURSE_DIR grade WEEK --force`` and samples /proc every
0.1 s for the command's descendants, keeping each process's largest CPU time
(user + system) before it exits; then sums them by kind (kernel, trusted test
process, executor, evaluator, ...). Processes shorter than the sampling period
can be missed, so the total is a lower bound; `bench/measure.py` (a cgroup) gives
the exact total. Useful for A/B runs of two checkouts: set ``PYTHONPATH`` to the
checkout to measure. With ``--containers`` (the Docker runner) the processes of
every container started during the run count too, and the Docker daemons
(dockerd, containerd and their shims) count by what their CPU grew. A course folder with collected submissions is what
``bench/compare.py --work DIR`` leaves in ``DIR/course``.
"""

from __future__ import annotations

import argparse
import collections
import os
import subprocess
import sys
import time

TICKS = os.sysconf("SC_CLK_TCK")
KINDS = (  # first match wins: the sandbox's executor names the kernel's launcher in its argv
    ("-m gpu_runner.executor", "executor"),
    ("ipykernel", "kernel"),
    ("gpu_runner.testproc", "trusted test process"),
    ("gpu_runner.runners.forkserver", "executor (fork server and its jobs)"),
    ("gpu_runner.zygote evaluator", "evaluator (server and its forks)"),
    ("gpu_runner.zygote kernel", "kernel (server and its forks)"),
    ("gpu_runner.evaluator", "evaluator"),
    ("autograder.cli", "grade command"),
    ("gpu_runner.evaluator", "evaluator"),
    ("containerd-shim", "docker daemons"),
    ("containerd", "docker daemons"),
    ("dockerd", "docker daemons"),
    ("runc", "docker daemons"),
    ("docker-init", "container init"),
    ("setpriv", "container setup (sh, setpriv, cp)"),
    ("/bin/sh", "container setup (sh, setpriv, cp)"),
)
DAEMONS = ("dockerd", "containerd")


def _processes() -> dict[int, tuple[int, int, str]]:
    """pid -> (parent pid, CPU ticks, start time) of every process now."""
    out = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            stat = open(f"/proc/{name}/stat").read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        out[int(name)] = (int(fields[1]), int(fields[11]) + int(fields[12]), fields[19])
    return out


def _cmdline(pid: int) -> str:
    try:
        return open(f"/proc/{pid}/cmdline").read().replace("\0", " ")
    except OSError:
        return ""


def _in_container(pid: int) -> bool:
    try:
        return "docker" in open(f"/proc/{pid}/cgroup").read()
    except OSError:
        return False


def _daemon_ticks() -> dict[int, int]:
    procs = _processes()
    return {
        pid: ticks
        for pid, (_, ticks, _) in procs.items()
        if any(_cmdline(pid).split(" ")[0].endswith(d) for d in DAEMONS)
    }


def _kind(cmdline: str) -> str:
    for needle, kind in KINDS:
        if needle in cmdline:
            return kind
    return cmdline[:60] or "<gone before its command line was read>"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("course")
    parser.add_argument("week")
    parser.add_argument("--runner", default="process")
    parser.add_argument("--jobs", default="2")
    parser.add_argument("--containers", action="store_true", help="count containers, daemons")
    args = parser.parse_args()
    cmd = [sys.executable, "-c", "from autograder.cli import main; main()"]
    cmd += ["--course", os.path.abspath(args.course), "grade", args.week]
    cmd += ["--runner", args.runner]
    cmd += ["--jobs", args.jobs, "--force"]
    seen: dict[tuple[int, str], list] = {}
    before = _daemon_ticks() if args.containers else {}
    started = time.monotonic()
    # from a neutral folder: `python -c` puts its folder first on sys.path, ahead of PYTHONPATH
    proc = subprocess.Popen(cmd, cwd="/", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while proc.poll() is None:
        procs = _processes()
        ours, grew = {proc.pid}, True
        if args.containers:
            ours |= {pid for pid in procs if pid not in before and _in_container(pid)}
        while grew:
            grew = False
            for pid, (ppid, _, _) in procs.items():
                if ppid in ours and pid not in ours:
                    ours.add(pid)
                    grew = True
        for pid in ours & procs.keys():
            _, ticks, start = procs[pid]
            entry = seen.setdefault((pid, start), [0, ""])
            entry[0] = max(entry[0], ticks)
            entry[1] = entry[1] or _cmdline(pid)
        time.sleep(0.1)
    wall = time.monotonic() - started
    cpu: collections.Counter[str] = collections.Counter()
    count: collections.Counter[str] = collections.Counter()
    for pid, ticks in _daemon_ticks().items():
        if pid in before:
            cpu["docker daemons"] += (ticks - before[pid]) / TICKS
            count["docker daemons"] += 1
    for ticks, cmdline in seen.values():
        cpu[_kind(cmdline)] += ticks / TICKS
        count[_kind(cmdline)] += 1
    print(f"{'CPU s':>8}  {'procs':>5}  kind")
    for kind, seconds in cpu.most_common():
        print(f"{seconds:8.2f}  {count[kind]:5d}  {kind}")
    print(f"{sum(cpu.values()):8.2f}  {sum(count.values()):5d}  total (wall {wall:.1f} s)")


if __name__ == "__main__":
    main()
