"""The executor's handle on the trusted test process of one notebook.

Started on the first test cell (a notebook without tests never starts one),
fed the locked setup cells that came before, in order, then each test cell;
every bridge request it makes is run in the kernel (`relay.bridge_request`)
within the test cell's deadline. A test cell that outlives its deadline kills
the process (a fresh one, with the setup replayed, serves the next cell).
"""

from __future__ import annotations

import ast
import asyncio
import json
import os
import signal
import sys
import time
from collections.abc import Sequence
from typing import Any

from gpu_runner.bridge.relay import bridge_request

LINE_LIMIT = 256 * 1024 * 1024
START_TIMEOUT_S = 120.0


def default_tests_argv() -> list[str]:
    return [sys.executable, "-P", "-m", "gpu_runner.testproc"]


def _error(ename: str, evalue: str) -> dict[str, Any]:
    return {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": []}


class _Channel:
    """A running test process: its protocol streams and how to stop it."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        proc: asyncio.subprocess.Process | None = None,
        pid: int = 0,
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.proc = proc
        self.pid = pid

    @property
    def alive(self) -> bool:
        if self.proc is not None:
            return self.proc.returncode is None
        return not self.reader.at_eof()

    async def ended(self) -> None:
        if self.proc is not None:
            await self.proc.wait()

    def kill(self) -> None:
        if self.proc is not None:
            try:
                self.proc.kill()
            except ProcessLookupError:
                pass
        elif self.pid > 0:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except OSError:  # already gone
                pass
        self.writer.close()


def setup_modules(sources: Sequence[str]) -> list[str]:
    """The modules that `sources` import (absolute imports only; unparsable cells skipped)."""
    modules: list[str] = []
    for source in sources:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.append(node.module)
    return sorted(set(modules))


class TrustedTests:
    """The test process of one notebook: started as `argv`, or, in trusted mode, forked
    by a preloaded server listening on `socket` (`gpu_runner.zygote`)."""

    def __init__(
        self, *, argv: Sequence[str], env: dict[str, str], cwd: str, socket: str | None = None
    ) -> None:
        self.argv = list(argv)
        self.env = env
        self.cwd = cwd
        self.socket = socket
        self._setup: list[str] = []
        self._replayed = 0
        self._proc: _Channel | None = None

    def add_setup(self, source: str) -> None:
        self._setup.append(source)

    async def start(self) -> None:
        """Start the process now (a warm start, before the job), not at the first test."""
        await self._start()

    async def _start(self) -> _Channel:
        if self._proc is None or not self._proc.alive:
            channel = await self._fork() if self.socket else None
            if channel is None:
                proc = await asyncio.create_subprocess_exec(
                    *self.argv,
                    stdin=asyncio.subprocess.PIPE,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.DEVNULL,
                    env=self.env,
                    cwd=self.cwd,
                    limit=LINE_LIMIT,
                )
                assert proc.stdout is not None and proc.stdin is not None
                channel = _Channel(proc.stdout, proc.stdin, proc=proc)
            self._proc = channel
            self._replayed = 0
        return self._proc

    async def _fork(self) -> _Channel | None:
        """A test process forked by the preloaded server; None when it is gone."""
        assert self.socket is not None
        try:
            reader, writer = await asyncio.open_unix_connection(self.socket, limit=LINE_LIMIT)
            header = {"env": self.env, "cwd": self.cwd, "modules": setup_modules(self._setup)}
            writer.write(json.dumps(header).encode() + b"\n")
            await writer.drain()
            line = await asyncio.wait_for(reader.readline(), START_TIMEOUT_S)
            pid = int(json.loads(line).get("pid", 0))
        except (OSError, ValueError, TimeoutError):
            return None
        if pid <= 0:
            writer.close()
            return None
        return _Channel(reader, writer, pid=pid)

    async def _send(self, proc: _Channel, message: dict[str, Any]) -> None:
        proc.writer.write(json.dumps(message).encode() + b"\n")
        await proc.writer.drain()

    async def _exchange(
        self, message: dict[str, Any], client: Any, deadline: float
    ) -> tuple[str, list[dict[str, Any]]]:
        """Send one cell; relay its bridge requests; its (status, outputs)."""
        proc = await self._start()
        try:
            await self._send(proc, message)
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError
                line = await asyncio.wait_for(proc.reader.readline(), remaining)
                if not line:
                    await proc.ended()
                    return "error", [
                        _error("TestProcessError", "the test process stopped unexpectedly")
                    ]
                reply = json.loads(line)
                if reply.get("op") == "bridge":
                    answer = await bridge_request(client, reply.get("req") or {}, deadline)
                    await self._send(proc, {"op": "reply", "reply": answer})
                elif reply.get("op") == "done":
                    return str(reply.get("status", "error")), list(reply.get("outputs") or [])
        except TimeoutError:
            await self.close()
            return "timeout", []
        except (BrokenPipeError, ConnectionResetError):
            await self.close()
            return "error", [_error("TestProcessError", "the test process stopped unexpectedly")]

    async def run_test(
        self, source: str, *, count: int, client: Any, deadline: float
    ) -> tuple[str, list[dict[str, Any]]]:
        while self._replayed < len(self._setup):
            status, _ = await self._exchange(
                {"op": "setup", "source": self._setup[self._replayed]}, client, deadline
            )
            if status == "timeout":
                return "timeout", []
            self._replayed += 1
        return await self._exchange(
            {"op": "test", "source": source, "count": count}, client, deadline
        )

    async def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.alive:
            proc.kill()
            await proc.ended()


def tests_env(base: dict[str, str]) -> dict[str, str]:
    """The test process's environment: the executor's basics (and Keras' backend), no GPU."""
    keep = ("PATH", "LANG", "LC_ALL", "TZ", "PYTHONPATH", "SYSTEMROOT", "KERAS_BACKEND")
    env = {k: base[k] for k in keep if k in base}
    env.update(
        CUDA_VISIBLE_DEVICES="",
        JAX_PLATFORMS="cpu",
        MPLBACKEND="Agg",
        TF_CPP_MIN_LOG_LEVEL="3",
        TF_ENABLE_ONEDNN_OPTS="0",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONWARNINGS="ignore",
    )
    return env


__all__ = ["TrustedTests", "default_tests_argv", "tests_env"]
