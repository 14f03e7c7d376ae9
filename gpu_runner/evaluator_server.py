"""TRUSTED MODE: a preloaded evaluator that forks one fresh child per request.

The framework import (TensorFlow/Keras about 4-5 CPU-s, scikit-learn/skops about
2) is most of what a clean evaluation costs. `ProcessEvaluator` therefore starts
this server once per batch::

    python -m gpu_runner.evaluator_server --socket PATH [--preload keras,sklearn]

The server imports frameworks and nothing else: it never opens a request folder
or an artifact. Each connection carries one request (a JSON line: the request and
results folders, the kinds it needs); the server imports those kinds if it has
not yet, then forks. The child answers with its pid, runs `gpu_runner.evaluator`
on the request exactly as the one-shot command does, writes ``result.json``,
answers ``done`` and exits; whatever the student's artifact did to the child
ends with it. The server stops when its standard input closes (the host went
away) or on a ``{"stop": true}`` line.

The Docker evaluator does not use this: there each request gets its own
container (the sandbox's guarantee is a fresh one); this is the host-side path
for instructor checks and the process runner, where the loader already runs as
the grader's user.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import sys
import threading
from pathlib import Path

from gpu_runner import evaluator

LINE_LIMIT = 64 * 1024


def read_line(conn: socket.socket) -> bytes:
    """One newline-terminated line from `conn` (at most LINE_LIMIT bytes)."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
        if len(data) > LINE_LIMIT:
            raise ValueError("line too long")
    return data.strip()


def _child(conn: socket.socket, message: dict[str, str]) -> int:
    home = message["home"]
    os.chdir(home)
    os.environ["HOME"] = home
    conn.sendall(f"{os.getpid()}\n".encode())
    evaluator.main(["--request", message["request"], "--results", message["results"]])
    conn.sendall(b"done\n")
    return 0


def _exit_when_stdin_closes() -> None:
    while os.read(0, 4096):
        pass
    os._exit(0)


def serve(path: Path, preload: list[str]) -> int:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    try:
        evaluator.preload(preload)
    except Exception:  # a request's own import will say what is wrong
        pass
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(64)
    threading.Thread(target=_exit_when_stdin_closes, daemon=True).start()
    while True:
        conn, _ = server.accept()
        try:
            message = json.loads(read_line(conn))
            if message.get("stop"):
                conn.close()
                return 0
            evaluator.preload([str(k) for k in message.get("kinds", [])])
        except Exception:  # a malformed line or a broken import: this request fails alone
            conn.close()
            continue
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                server.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                code = _child(conn, message)
            except BaseException:  # the host sees no "done" and reports the failure
                pass
            finally:
                os._exit(code)
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gpu_runner.evaluator_server", description=__doc__
    )
    parser.add_argument("--socket", type=Path, required=True, help="Unix socket to listen on")
    parser.add_argument("--preload", default="", help="comma-separated kinds to import first")
    args = parser.parse_args(argv)
    return serve(args.socket, [k for k in args.preload.split(",") if k])


if __name__ == "__main__":
    sys.exit(main())
