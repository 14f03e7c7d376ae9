"""The executor's side of the bridge: one request into the kernel, its answer out.

A request is a comm message to the target `gpu_runner.bridge.kernel` registered
at kernel setup (an execute request per call costs about three times as much);
the answer is the comm message the kernel sends back, parented to the request.
What the student's code prints meanwhile comes back as streams (capped). A
request past its deadline interrupts the kernel; a dead kernel raises nbclient's
`DeadKernelError`.
"""

from __future__ import annotations

import json
import time
import uuid
from queue import Empty
from typing import Any

from jupyter_core.utils import ensure_async
from nbclient.exceptions import DeadKernelError

from gpu_runner.bridge.kernel import COMM_TARGET

STREAM_LIMIT = 100_000
POLL_S = 1.0
INTERRUPT_WAIT_S = 10.0


async def run_in_kernel(client: Any, code: str, deadline: float) -> dict[str, Any]:
    """Execute `code` silently; {"payload": None, "streams": [...]} or timeout."""
    msg_id = await ensure_async(
        client.kc.execute(
            code, silent=False, store_history=False, allow_stdin=False, stop_on_error=False
        )
    )
    return await _collect(client, msg_id, deadline)


async def _collect(client: Any, msg_id: str, deadline: float) -> dict[str, Any]:
    """The iopub messages of one request until the kernel is idle again."""
    kc = client.kc
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
        elif kind == "comm_msg" and payload is None:
            data = content.get("data", {})
            if isinstance(data, dict) and "answer" in data:
                payload = data["answer"]
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


def _send(client: Any, msg_type: str, content: dict[str, Any]) -> str:
    kc = client.kc
    msg = kc.session.msg(msg_type, content)
    kc.shell_channel.send(msg)
    return str(msg["header"]["msg_id"])


async def bridge_request(client: Any, req: dict[str, Any], deadline: float) -> dict[str, Any]:
    """One request on the notebook's bridge comm (opened on first use)."""
    comm_id = getattr(client, "autograder_comm_id", None)
    if comm_id is None:
        comm_id = uuid.uuid4().hex
        _send(client, "comm_open", {"comm_id": comm_id, "target_name": COMM_TARGET, "data": {}})
        client.autograder_comm_id = comm_id
    msg_id = _send(client, "comm_msg", {"comm_id": comm_id, "data": {"request": json.dumps(req)}})
    return await _collect(client, msg_id, deadline)


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
        "__import__('gpu_runner.bridge.kernel', fromlist=['register']).register()\n"
        "import os as _ag_os, sys as _ag_sys\n" + copy + f"_ag_os.chdir({workdir!r})\n"
        "_ag_sys.path[:] = [p for p in _ag_sys.path "
        f"if p not in ('', '.', {workdir!r}, _ag_os.getcwd())] + [{workdir!r}]\n"
        "del _ag_os, _ag_sys\n"
    )


__all__ = ["bridge_request", "kernel_setup_code", "run_in_kernel"]
