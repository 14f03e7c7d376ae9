"""TRUSTED MODE: a preloaded server that forks one fresh child per request.

Importing libraries is most of what starting a helper interpreter costs:
TensorFlow/Keras about 4-5 CPU-s, scikit-learn/skops 1-2, the Jupyter kernel
itself (ipykernel, IPython) about 0.5 and the libraries a notebook's setup cell
imports (numpy, pandas, scikit-learn) another 0.5-1. On the host, in trusted mode
(the process runner, instructor checks), these helpers are therefore forked from
a server that imported them once per batch::

    python -P -m gpu_runner.zygote evaluator --socket PATH [--preload keras,sklearn]
    python -P -m gpu_runner.zygote kernel --socket PATH [--preload numpy,sklearn.svm]

The server imports libraries and nothing else: it never runs a notebook's code,
opens a request's files or an artifact. Each connection carries one request, a
JSON line; the server imports what the line names (within its role's allow-list)
if it has not yet, then forks:

- ``evaluator``: the child answers ``{"pid": N}``, runs `gpu_runner.evaluator` on
  the request exactly as the one-shot command does, answers ``{"done": true}``
  and exits; whatever the student's artifact did to it ends with it.
- ``kernel``: the child (a monitor) forks the kernel, a new session in the
  request's folder and environment that runs ``ipykernel_launcher`` with the
  request's arguments, exactly what ``python -P -m ipykernel_launcher ARGS``
  would run, with the libraries already imported (numpy's global generator is
  reseeded: forks must not share random streams). The monitor answers
  ``{"pid": N}`` and, once the kernel has exited, ``{"exit": CODE}`` (negative:
  the signal). When the connection closes first (the executor went away), the
  monitor kills the kernel's process group. A kernel is never reused.

The server stops when its standard input closes (its host went away).
Sandboxed grading never uses this: there each notebook and each evaluation gets
its own fresh container (docs/architecture.md).
"""

from __future__ import annotations

import argparse
import json
import os
import select
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


#: the environment every kernel gets whatever its job (`gpu_runner.executor`); the kernel
#: server runs in it too, so what its imports read at start is what a kernel would read
KERNEL_ENV = {
    "MPLBACKEND": "Agg",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONWARNINGS": "ignore",
}
#: read once, when numpy is imported: a kernel that asks for other values starts plainly
THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

#: top-level packages a kernel server may import: their import reads nothing of a job
#: and starts no thread a fork would lose (matplotlib: the backend is KERNEL_ENV's Agg,
#: its font list is built once here instead of in every kernel's empty config folder);
#: TensorFlow, Keras, PyTorch and JAX are left to the kernel itself
KERNEL_PRELOAD = frozenset({"numpy", "pandas", "scipy", "sklearn", "matplotlib"})


def serve(path: Path, role: str, preload: list[str]) -> int:
    """Accept connections on `path`; per request, import what it names here, then fork
    the role's child."""
    child = {"evaluator": _evaluate, "kernel": _monitor_kernel}[role]
    importer = {"evaluator": _preload_evaluator, "kernel": _preload_kernel}[role]
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    importer(preload)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path) + ".tmp")
    server.listen(64)
    os.rename(str(path) + ".tmp", path)  # the socket appears only once it listens
    threading.Thread(target=_exit_when_stdin_closes, daemon=True).start()
    while True:
        conn, _ = server.accept()
        try:
            message = json.loads(read_line(conn))
            importer([str(k) for k in message.get("preload", [])])
        except Exception:  # a malformed line: this request fails alone
            conn.close()
            continue
        if os.fork() == 0:
            code = 1
            try:
                server.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                code = child(conn, message)
            except BaseException:  # the host sees the connection end without an answer
                pass
            finally:
                os._exit(code)
        conn.close()


def _evaluate(conn: socket.socket, message: dict[str, Any]) -> int:
    from gpu_runner import evaluator

    send_json(conn, {"pid": os.getpid()})
    os.chdir(message["home"])
    os.environ["HOME"] = message["home"]
    code = evaluator.main(["--request", message["request"], "--results", message["results"]])
    send_json(conn, {"done": True})
    return code


def _preload_evaluator(kinds: list[str]) -> None:
    from gpu_runner import evaluator

    try:
        evaluator.preload([k for k in kinds if k in evaluator.PRELOAD])
    except Exception:  # the request's own import will say what is wrong
        pass


def _preload_kernel(modules: list[str]) -> None:
    import importlib

    allowed = [m for m in modules if _preloadable(m)]
    for name in ["ipykernel.kernelapp", "gpu_runner.testproc", *allowed]:
        if name in sys.modules:
            continue
        try:
            importlib.import_module(name)
        except BaseException:  # noqa: BLE001 - the kernel's own import will say what is wrong
            pass


def _preloadable(module: str) -> bool:
    """An allow-listed package's public module whose import only defines things (an
    ``experimental`` module switches features on for whoever imports after it)."""
    parts = module.split(".")
    if parts[0] not in KERNEL_PRELOAD or not all(p.isidentifier() for p in parts):
        return False
    return not any(p.startswith("_") or "experimental" in p for p in parts)


def _monitor_kernel(conn: socket.socket, message: dict[str, Any]) -> int:
    """Fork the program (a kernel, or the trusted test process speaking over `conn`), report
    its pid and exit status; kill its group if the host goes away first."""
    env = message["env"]
    if any(env.get(k) != os.environ.get(k) for k in (*THREAD_ENV, "PYTHONPATH")):
        send_json(conn, {"refused": "its environment differs from this server's"})
        return 0
    tests = message.get("program") == "tests"
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.set_wakeup_fd(wake_w)
    pid = os.fork()
    if pid == 0:
        _become(message, monitor=os.getppid(), stdio=conn.fileno() if tests else None)
    send_json(conn, {"pid": pid})
    hangup = select.poll()  # the peer's close, without reading what is meant for the program
    hangup.register(conn, select.POLLRDHUP | select.POLLHUP)
    hangup.register(wake_r, select.POLLIN)
    while True:
        events = dict(hangup.poll())
        if wake_r in events:
            os.read(wake_r, 4096)
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                if not tests:
                    send_json(conn, {"exit": os.waitstatus_to_exitcode(status)})
                return 0
        if conn.fileno() in events:  # the executor went away
            kill_group(pid)
            os.waitpid(pid, 0)
            return 0


def detach(*, stdio: tuple[int, int, int], env: dict[str, str], cwd: str) -> None:
    """In a forked child: a new session, default signal handling for children, `stdio` as
    fds 0-2 and no other fd, only `env`, in `cwd`."""
    os.setsid()
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    for fd, source in enumerate(stdio):
        os.dup2(source, fd)
    os.closerange(3, 65536)
    os.environ.clear()  # a kernel started from here inherits this environment
    os.environ.update(env)
    os.chdir(cwd)


def _become(message: dict[str, Any], *, monitor: int, stdio: int | None) -> None:
    """In the program's process: what ``python -P -m ipykernel_launcher ARGS`` runs, or
    ``python -P -m gpu_runner.testproc`` with the connection as its stdin and stdout."""
    code = 1
    try:
        null = os.open(os.devnull, os.O_RDWR)
        io = stdio if stdio is not None else null
        env = {str(k): str(v) for k, v in message["env"].items()}
        detach(stdio=(io, io, null), env=env, cwd=message["cwd"])
        import tempfile as _tempfile

        _tempfile.tempdir = None  # chosen again from this program's TMPDIR
        if "numpy" in sys.modules:  # a fork shares its parent's random state
            sys.modules["numpy"].random.seed()
        if stdio is not None:
            from gpu_runner import testproc

            sys.argv = ["gpu_runner.testproc"]
            code = testproc.main()
            return
        os.environ["JPY_PARENT_PID"] = str(monitor)
        from ipykernel import kernelapp

        sys.argv = ["ipykernel_launcher", *[str(a) for a in message["argv"]]]
        kernelapp.IPKernelApp.launch_instance(
            argv=[*sys.argv[1:], f"--IPKernelApp.parent_handle={monitor}"]
        )
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - a program that cannot start exits; the host sees it
        code = 1
    finally:
        os._exit(code)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gpu_runner.zygote", description=__doc__)
    parser.add_argument("role", choices=["evaluator", "kernel"], help="what the server forks")
    parser.add_argument("--socket", type=Path, required=True, help="Unix socket to listen on")
    parser.add_argument("--preload", default="", help="comma-separated names to import first")
    args = parser.parse_args(argv)
    return serve(args.socket, args.role, [k for k in args.preload.split(",") if k])


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


def kill_group(pid: int) -> None:
    """Kill a forked kernel and whatever it started in its session; nothing when gone."""
    if pid <= 0:
        return
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass


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
