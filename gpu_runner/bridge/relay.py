"""The executor's side of the bridge: one request into the kernel, its answer out.

A request is a silent execute request (``store_history=False``) that calls
`gpu_runner.bridge.kernel.serve`; the answer is the display_data message of
type `MIME` among the request's iopub messages. What the student's code prints
meanwhile comes back as streams (capped). A request past its deadline
interrupts the kernel; a dead kernel raises nbclient's `DeadKernelError`.
"""

from __future__ import annotations

import json
import time
from queue import Empty
from typing import Any

from jupyter_core.utils import ensure_async
from nbclient.exceptions import DeadKernelError

from gpu_runner.bridge.kernel import MIME

STREAM_LIMIT = 100_000
POLL_S = 1.0
INTERRUPT_WAIT_S = 10.0


async def run_in_kernel(client: Any, code: str, deadline: float) -> dict[str, Any]:
    """Execute `code` silently; {"payload": <MIME data or None>, "streams": [...]} or timeout."""
    kc = client.kc
    msg_id = await ensure_async(
        kc.execute(code, silent=False, store_history=False, allow_stdin=False, stop_on_error=False)
    )
    payload: Any = None
    streams: list[list[str]] = []
    size = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            await _interrupt(client, msg_id)
            return {"timeout": True, "streams": streams}
        try:
            msg = await ensure_async(kc.get_iopub_msg(timeout=min(remaining, POLL_S)))
        except Empty:
            if not await ensure_async(client.km.is_alive()):
                raise DeadKernelError("the kernel died during a bridged call") from None
            continue
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind, content = msg.get("msg_type"), msg.get("content", {})
        if kind == "stream" and size < STREAM_LIMIT:
            text = str(content.get("text", ""))[: STREAM_LIMIT - size]
            size += len(text)
            streams.append([str(content.get("name", "stdout")), text])
        elif kind == "display_data" and payload is None:
            data = content.get("data", {})
            if isinstance(data, dict) and MIME in data:
                payload = data[MIME]
        elif kind == "status" and content.get("execution_state") == "idle":
            return {"payload": payload, "streams": streams}


async def _interrupt(client: Any, msg_id: str) -> None:
    """Interrupt the kernel and wait (briefly) for it to finish the request."""
    try:
        await ensure_async(client.km.interrupt_kernel())
    except Exception:
        return
    until = time.monotonic() + INTERRUPT_WAIT_S
    while time.monotonic() < until:
        try:
            msg = await ensure_async(client.kc.get_iopub_msg(timeout=POLL_S))
        except Empty:
            continue
        if (
            msg.get("parent_header", {}).get("msg_id") == msg_id
            and msg.get("msg_type") == "status"
            and msg.get("content", {}).get("execution_state") == "idle"
        ):
            return


def request_code(req: dict[str, Any]) -> str:
    """The code that serves `req` in the kernel (the request as a Python string literal)."""
    return f"__import__('gpu_runner.bridge.kernel', fromlist=['serve']).serve({json.dumps(req)!r})"


async def bridge_request(client: Any, req: dict[str, Any], deadline: float) -> dict[str, Any]:
    return await run_in_kernel(client, request_code(req), deadline)


def kernel_setup_code(workdir: str, *, copy_from: str | None = None) -> str:
    """Move a kernel started from a neutral folder (``python -P``) into its working folder.

    The working folder goes last on ``sys.path``: a submitted helper module
    imports, but never shadows an installed module. `copy_from`: a kernel started
    before its job's files arrived (a warm start) first copies them into its
    working folder, as the cold start's ``cp -Rn`` would have (no overwrite).
    """
    copy = ""
    if copy_from is not None:
        copy = (
            "import shutil as _ag_sh\n"
            f"_ag_sh.copytree({copy_from!r}, {workdir!r}, dirs_exist_ok=True,"
            " copy_function=lambda s, d: _ag_os.path.exists(d) or _ag_sh.copy2(s, d))\n"
            "del _ag_sh\n"
        )
    return (
        "import os as _ag_os, sys as _ag_sys\n" + copy + f"_ag_os.chdir({workdir!r})\n"
        "_ag_sys.path[:] = [p for p in _ag_sys.path "
        f"if p not in ('', '.', {workdir!r}, _ag_os.getcwd())] + [{workdir!r}]\n"
        "del _ag_os, _ag_sys\n"
    )


__all__ = ["bridge_request", "kernel_setup_code", "request_code", "run_in_kernel"]
