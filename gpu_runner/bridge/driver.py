"""The executor's handle on the trusted test process of one notebook.

Started on the first test cell (a notebook without tests never starts one),
fed the locked setup cells that came before, in order, then each test cell;
every bridge request it makes is run in the kernel (`relay.bridge_request`)
within the test cell's deadline. A test cell that outlives its deadline kills
the process (a fresh one, with the setup replayed, serves the next cell).
"""

from __future__ import annotations

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


class _ForkedTests:
    """The test process forked by the kernel server (`gpu_runner.zygote`), its stdin and
    stdout being the connection: the parts of ``asyncio.subprocess.Process`` used here."""

    def __init__(self, pid: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.pid = pid
        self.stdout = reader
        self.stdin = writer
        self.returncode: int | None = None

    def kill(self) -> None:
        if self.returncode is None:
            os.kill(self.pid, signal.SIGKILL)

    async def wait(self) -> int:
        if self.returncode is None:
            self.stdin.close()  # the server's monitor kills what is left of the process
            self.returncode = -signal.SIGKILL
        return self.returncode


async def _fork_tests(
    path: str, *, env: dict[str, str], cwd: str, preload: list[str]
) -> _ForkedTests | None:
    """A test process forked by the kernel server at `path`; None when it cannot."""
    message = {"program": "tests", "env": env, "cwd": cwd, "preload": preload, "argv": []}
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_unix_connection(path, limit=LINE_LIMIT), 10
        )
    except (OSError, TimeoutError):
        return None
    try:
        writer.write(json.dumps(message).encode() + b"\n")
        await writer.drain()
        pid = int(json.loads(await asyncio.wait_for(reader.readline(), 60))["pid"])
    except (OSError, ValueError, KeyError, TypeError, TimeoutError):
        writer.close()
        return None
    return _ForkedTests(pid, reader, writer)


class TrustedTests:
    """The trusted test process of one notebook, started on first use.

    `zygote`: trusted mode only, the kernel server's socket: the process is forked
    from it (the notebook's libraries already imported, `preload`) instead of started.
    """

    def __init__(
        self,
        *,
        argv: Sequence[str],
        env: dict[str, str],
        cwd: str,
        zygote: str | None = None,
        preload: Sequence[str] = (),
    ) -> None:
        self.argv = list(argv)
        self.env = env
        self.cwd = cwd
        self.zygote = zygote
        self.preload = list(preload)
        self._setup: list[str] = []
        self._replayed = 0
        self._proc: asyncio.subprocess.Process | _ForkedTests | None = None

    def add_setup(self, source: str) -> None:
        self._setup.append(source)

    async def start(self) -> None:
        """Start the process now (a warm start, before the job), not at the first test."""
        await self._start()

    async def _start(self) -> asyncio.subprocess.Process | _ForkedTests:
        if self._proc is not None and self._proc.returncode is None:
            return self._proc
        self._replayed = 0
        if self.zygote:
            self._proc = await _fork_tests(
                self.zygote, env=self.env, cwd=self.cwd, preload=self.preload
            )
        if self._proc is None or self._proc.returncode is not None:
            self._proc = await asyncio.create_subprocess_exec(
                *self.argv,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
                env=self.env,
                cwd=self.cwd,
                limit=LINE_LIMIT,
            )
        return self._proc

    async def _send(
        self, proc: asyncio.subprocess.Process | _ForkedTests, message: dict[str, Any]
    ) -> None:
        assert proc.stdin is not None
        proc.stdin.write(json.dumps(message).encode() + b"\n")
        await proc.stdin.drain()

    async def _exchange(
        self, message: dict[str, Any], client: Any, deadline: float
    ) -> tuple[str, list[dict[str, Any]]]:
        """Send one cell; relay its bridge requests; its (status, outputs)."""
        proc = await self._start()
        assert proc.stdout is not None
        try:
            await self._send(proc, message)
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError
                line = await asyncio.wait_for(proc.stdout.readline(), remaining)
                if not line:
                    await proc.wait()
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
        if proc is None or proc.returncode is not None:
            return
        try:
            proc.kill()
        except ProcessLookupError:
            pass
        await proc.wait()


def tests_env(base: dict[str, str]) -> dict[str, str]:
    """The test process's environment: the executor's basics (and Keras' backend), no GPU."""
    keep = ("PATH", "LANG", "LC_ALL", "TZ", "PYTHONPATH", "SYSTEMROOT", "KERAS_BACKEND", "TMPDIR")
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
