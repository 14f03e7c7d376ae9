"""TRUSTED MODE: a preloaded server that forks one fresh child per request.

Importing a framework (TensorFlow/Keras about 4-5 CPU-s, scikit-learn/skops
about 1-2) is most of what a clean evaluation costs. On the host, in trusted mode
(the process runner, instructor checks), `ProcessEvaluator` therefore forks each
evaluation from a server that imported the frameworks once per batch::

    python -m gpu_runner.zygote evaluator --socket PATH [--preload keras,sklearn]

The server imports libraries and nothing else: it never opens a request or an
artifact. Each connection carries one request, a JSON line; the server imports
the evaluator kinds the line names if it has not yet, then forks. The child
answers ``{"pid": N}``, runs `gpu_runner.evaluator` on the request exactly as the
one-shot command does, answers ``{"done": true}`` and exits; whatever the
student's artifact did to it ends with it. The server stops when its standard
input closes (its host went away).

Sandboxed grading never uses this: there each evaluation gets its own fresh
container (docs/architecture.md).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

LINE_LIMIT = 64 * 1024
#: how often a server that exited is started again before its host gives up on it
RESTARTS = 3


def read_line(conn: socket.socket) -> bytes:
    """One newline-terminated line from `conn` (at most LINE_LIMIT bytes)."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(1)
        if not chunk:
            break
        data += chunk
        if len(data) > LINE_LIMIT:
            raise ValueError("line too long")
    return data.strip()


def send_json(conn: socket.socket, message: dict[str, Any]) -> None:
    conn.sendall(json.dumps(message).encode() + b"\n")


# -- the server ---------------------------------------------------------------------------


def _exit_when_stdin_closes() -> None:
    while os.read(0, 4096):
        pass
    os._exit(0)


def serve(path: Path, preload: list[str]) -> int:
    """Accept connections on `path`; per request, import its kinds here, then evaluate it
    in a fork."""
    from gpu_runner import evaluator

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    _preload(preload)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path) + ".tmp")
    server.listen(64)
    os.rename(str(path) + ".tmp", path)  # the socket appears only once it listens
    threading.Thread(target=_exit_when_stdin_closes, daemon=True).start()
    while True:
        conn, _ = server.accept()
        try:
            message = json.loads(read_line(conn))
            _preload([str(k) for k in message.get("kinds", [])])
        except Exception:  # a malformed line: this request fails alone
            conn.close()
            continue
        if os.fork() == 0:
            code = 1
            try:
                server.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                send_json(conn, {"pid": os.getpid()})
                os.chdir(message["home"])
                os.environ["HOME"] = message["home"]
                code = evaluator.main(
                    ["--request", message["request"], "--results", message["results"]]
                )
                send_json(conn, {"done": True})
            except BaseException:  # the host sees the connection end without an answer
                pass
            finally:
                os._exit(code)
        conn.close()


def _preload(kinds: list[str]) -> None:
    from gpu_runner import evaluator

    try:
        evaluator.preload([k for k in kinds if k in evaluator.PRELOAD])
    except Exception:  # the request's own import will say what is wrong
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gpu_runner.zygote", description=__doc__)
    parser.add_argument("role", choices=["evaluator"], help="what the server forks")
    parser.add_argument("--socket", type=Path, required=True, help="Unix socket to listen on")
    parser.add_argument("--preload", default="", help="comma-separated kinds to import first")
    args = parser.parse_args(argv)
    return serve(args.socket, [k for k in args.preload.split(",") if k])


# -- the host side ------------------------------------------------------------------------


class Zygote:
    """One server process of `role`, started on first use; thread-safe.

    `start()` starts it; `socket()` is the path to connect to once it listens, or
    None (the caller then starts its helper the plain way).
    """

    def __init__(
        self, role: str, *, python: str = sys.executable, env: dict[str, str] | None = None
    ) -> None:
        self.role = role
        self.python = python
        self.env = env
        self.preload: tuple[str, ...] = ()
        self.broken = False
        self._starts = 0
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._dir: tempfile.TemporaryDirectory[str] | None = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def start(self) -> None:
        """Start the server now (its imports overlap other work) unless it runs."""
        with self._lock:
            self._start()

    def _start(self) -> None:
        if self.broken or (self._proc is not None and self._proc.poll() is None):
            return
        self._stop()
        self._dir = tempfile.TemporaryDirectory(prefix=f"autograder-{self.role}-")
        folder = Path(self._dir.name)
        cmd = [self.python, "-P", "-m", "gpu_runner.zygote", self.role]
        cmd += ["--socket", str(folder / "socket"), "--preload", ",".join(self.preload)]
        env = dict(self.env) if self.env is not None else {}
        env.setdefault("HOME", str(folder))
        for key in ("PATH", "PYTHONPATH", "LANG"):
            if key in os.environ:
                env.setdefault(key, os.environ[key])
        self._proc = subprocess.Popen(
            cmd,
            cwd=folder,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def socket(self, *, wait_s: float = 0.0) -> str | None:
        """The socket once the server listens (waiting up to `wait_s`), or None: not
        started, not listening yet, or unable to start (the caller then runs its helper
        the plain way, so a slow or stuck server never holds a request up).

        A server that exited is started again, up to `RESTARTS` times.
        """
        with self._lock:
            if self._proc is None or self.broken:
                return None
            if self._proc.poll() is not None:
                self._starts += 1
                self.broken = self._starts > RESTARTS
                self._start()
            proc, folder = self._proc, self._dir
        if proc is None or folder is None:
            return None
        path = Path(folder.name) / "socket"
        deadline = time.monotonic() + wait_s
        while not path.exists():
            if proc.poll() is not None or time.monotonic() >= deadline:
                return None
            time.sleep(0.02)
        return str(path)

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.stdin is not None:
                proc.stdin.close()  # the server exits when its stdin closes
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None

    def close(self) -> None:
        with self._lock:
            self._stop()


def kill(pid: int) -> None:
    """Kill a forked child (a timeout); nothing when it is gone."""
    if pid <= 0:  # never a process group
        return
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


if __name__ == "__main__":
    sys.exit(main())
