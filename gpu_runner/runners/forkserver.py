"""A fork server for the process runner: the executor imported once, a fresh process per job.

``python -m gpu_runner.runners.forkserver`` imports the executor (nbclient,
jupyter_client, nbformat: ~0.5 CPU-second) and then, for each request line on
stdin, forks one child that runs exactly one job and exits. A child never
runs a second job and never shares a kernel: it starts a new session (so the
runner can kill it and its kernel as a group), takes the clean environment
and working folder it is given, and calls the executor's ``main``.

Protocol (JSON lines)::

    stdin:  {"id": 7, "argv": [...], "cwd": "...", "env": {...}, "stderr": "path"}
    stdout: {"id": 7, "pid": 1234}          once the child exists
            {"id": 7, "exit": 0}            once it has been reaped (negative: signal)

The server is single-threaded (fork is safe) and exits on end of input.
`ForkServer` is the client side, shared by a runner's threads.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import threading
from typing import Any

from gpu_runner.zygote import detach


def _child(req: dict[str, Any]) -> None:
    """In the forked child: become `python -m gpu_runner.executor ARGV` and never return."""
    code = 1
    try:
        null = os.open(os.devnull, os.O_RDWR)
        err = os.open(req["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        detach(stdio=(null, null, err), env=req["env"], cwd=req["cwd"])
        from gpu_runner import executor

        code = executor.main(req["argv"])
    except BaseException as exc:  # noqa: BLE001 - report and exit, never return to the loop
        try:
            os.write(2, f"forked executor failed: {type(exc).__name__}: {exc}\n".encode())
        except OSError:
            pass
    finally:
        os._exit(code)


def serve() -> None:
    import gpu_runner._fastimport  # noqa: F401
    import gpu_runner.executor  # noqa: F401  (the point: imported once, inherited by forks)

    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.set_wakeup_fd(wake_w)
    ids: dict[int, int] = {}
    out = sys.stdout
    buf = b""
    stdin = sys.stdin.fileno()
    eof = False
    while not eof or ids:
        ready, _, _ = select.select([wake_r] + ([] if eof else [stdin]), [], [], 1.0)
        if wake_r in ready:
            os.read(wake_r, 4096)
        if stdin in ready:
            chunk = os.read(stdin, 65536)
            if not chunk:
                eof = True
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                req = json.loads(line)
                pid = os.fork()
                if pid == 0:
                    _child(req)
                ids[pid] = req["id"]
                out.write(json.dumps({"id": req["id"], "pid": pid}) + "\n")
                out.flush()
        while ids:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            code = os.waitstatus_to_exitcode(status)
            out.write(json.dumps({"id": ids.pop(pid, -1), "exit": code}) + "\n")
            out.flush()


class _Pending:
    def __init__(self) -> None:
        self.started = threading.Event()
        self.exited = threading.Event()
        self.pid = 0
        self.exit: int | None = None


class ForkServerError(RuntimeError):
    """The fork server is gone; the caller falls back to a plain subprocess."""


class ForkServer:
    """Client of one fork server process; thread-safe."""

    def __init__(self, *, python: str = sys.executable) -> None:
        self._proc = subprocess.Popen(
            [python, "-m", "gpu_runner.runners.forkserver"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={k: v for k, v in os.environ.items() if k in ("PATH", "PYTHONPATH", "LANG")},
        )
        self._lock = threading.Lock()
        self._next = 0
        self._pending: dict[int, _Pending] = {}
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            msg = json.loads(line)
            with self._lock:
                pending = self._pending.get(msg["id"])
            if pending is None:
                continue
            if "pid" in msg:
                pending.pid = msg["pid"]
                pending.started.set()
            else:
                pending.exit = msg["exit"]
                pending.started.set()
                pending.exited.set()
        with self._lock:  # the server died: wake everyone
            for pending in self._pending.values():
                pending.started.set()
                pending.exited.set()

    @property
    def alive(self) -> bool:
        return self._proc.poll() is None

    def start(self, *, argv: list[str], cwd: str, env: dict[str, str], stderr: str) -> _Pending:
        with self._lock:
            self._next += 1
            ident = self._next
            pending = self._pending[ident] = _Pending()
            req = {"id": ident, "argv": argv, "cwd": cwd, "env": env, "stderr": stderr}
            try:
                assert self._proc.stdin is not None
                self._proc.stdin.write((json.dumps(req) + "\n").encode())
                self._proc.stdin.flush()
            except (OSError, ValueError) as exc:
                del self._pending[ident]
                raise ForkServerError(f"fork server gone: {exc}") from exc
        pending.started.wait(60)
        if not pending.pid:
            with self._lock:
                self._pending.pop(ident, None)
            raise ForkServerError("the fork server did not start the job")
        pending.ident = ident  # type: ignore[attr-defined]
        return pending

    def forget(self, pending: _Pending) -> None:
        with self._lock:
            self._pending.pop(getattr(pending, "ident", -1), None)

    def close(self) -> None:
        try:
            if self._proc.stdin:
                self._proc.stdin.close()
        except OSError:
            pass
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()


if __name__ == "__main__":
    serve()
