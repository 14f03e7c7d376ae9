"""The trusted test process: runs test cells outside the student's interpreter.

Started by the executor (in the container as its own user, which the kernel's
user can neither signal, trace nor read), one per notebook::

    python -P -m gpu_runner.testproc

It speaks JSON lines with the executor over stdin/stdout:

    executor -> {"op": "setup", "source": ...}   replay a locked setup cell (no kernel access)
    executor -> {"op": "test", "source": ..., "count": n}
    tests    -> {"op": "bridge", "req": {...}}    a request for the kernel ...
    executor -> {"op": "reply", "reply": {...}}   ... and its answer
    tests    -> {"op": "done", "status": "ok" | "error" | "timeout", "outputs": [...]}

A test cell runs with nbgrader's semantics as far as scoring sees them: its
prints are stream outputs, a failure is an error output with a traceback of the
cell's own lines, and a last expression's value is an execute_result (partial
credit). Names resolve to the cell's own, then the trusted replay of the setup
cells, then builtins, then the student's kernel through the data-only bridge.
"""

from __future__ import annotations

import ast
import builtins
import io
import json
import os
import sys
import tempfile
import traceback
from typing import Any, TextIO

from gpu_runner.bridge.codec import clean_text
from gpu_runner.bridge.proxy import Bridge, BridgeTimeout, KernelNames, TestLocals

CELL_FILE = "<test cell>"
#: a cell's printed output kept here (the executor's output budget applies after)
CELL_OUTPUT_LIMIT = 2_000_000
SETUP_FILE = "<setup cell>"
_HIDE = (os.path.join("gpu_runner", "bridge"), os.path.join("gpu_runner", "testproc.py"))


class _Capture:
    """sys.stdout/sys.stderr for one cell: ordered stream outputs."""

    def __init__(self, outputs: list[dict[str, Any]], name: str) -> None:
        self.outputs = outputs
        self.name = name

    def _size(self) -> int:
        return sum(len(o.get("text", "")) for o in self.outputs if o["output_type"] == "stream")

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            text = str(text)
        room = CELL_OUTPUT_LIMIT - self._size()
        text = text[: max(0, room)]
        if text:
            last = self.outputs[-1] if self.outputs else None
            if last and last["output_type"] == "stream" and last["name"] == self.name:
                last["text"] += text
            else:
                self.outputs.append({"output_type": "stream", "name": self.name, "text": text})
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


class TestSession:
    """One notebook's test namespace and its bridge to the kernel."""

    def __init__(self, proto_in: io.BufferedReader, proto_out: TextIO) -> None:
        self._in = proto_in
        self._out = proto_out
        self._outputs: list[dict[str, Any]] = []
        self.bridge = Bridge(self._transport)
        self.namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
        self._kernel_builtins = KernelNames(self.bridge)

    # -- protocol ---------------------------------------------------------------------------

    def send(self, message: dict[str, Any]) -> None:
        self._out.write(json.dumps(message) + "\n")
        self._out.flush()

    def receive(self) -> dict[str, Any] | None:
        line = self._in.readline()
        if not line:
            return None
        message = json.loads(line)
        return message if isinstance(message, dict) else None

    def _transport(self, req: dict[str, Any]) -> dict[str, Any]:
        self.send({"op": "bridge", "req": req})
        message = self.receive()
        if message is None or message.get("op") != "reply":
            os._exit(0)  # the executor went away: nothing left to report to
        reply = message.get("reply")
        if not isinstance(reply, dict):
            return {}
        for stream in reply.pop("streams", None) or []:  # what the student's code printed
            if isinstance(stream, list) and len(stream) == 2 and stream[0] in ("stdout", "stderr"):
                target = sys.stdout if stream[0] == "stdout" else sys.stderr
                target.write(clean_text(str(stream[1])))
        payload = reply.get("payload")
        return payload if isinstance(payload, dict) else reply

    # -- cells ------------------------------------------------------------------------------

    def setup(self, source: str) -> None:
        """Replay a locked setup cell for trusted copies of its names; errors are ignored."""
        self.namespace["__builtins__"] = builtins
        try:
            code = compile(_python_only(source), SETUP_FILE, "exec")
            with _redirect([]):
                exec(code, self.namespace)  # noqa: S102 - the instructor's own cell
        except BaseException:  # a cell needing the student's names stops here; fine
            pass

    def test(self, source: str, count: int) -> tuple[str, list[dict[str, Any]]]:
        outputs: list[dict[str, Any]] = []
        self.namespace["__builtins__"] = self._kernel_builtins
        status = "ok"
        with _redirect(outputs):
            try:
                body, last = _split_last_expression(_python_only(source))
                top = TestLocals(self.namespace, self._kernel_builtins)
                if body is not None:
                    exec(compile(body, CELL_FILE, "exec"), self.namespace, top)  # noqa: S102
                if last is not None:
                    value = eval(compile(last, CELL_FILE, "eval"), self.namespace, top)  # noqa: S307
                    if value is not None:
                        outputs.append(_execute_result(value, count))
            except BridgeTimeout as exc:
                status = "timeout"
                outputs.append(_error_output(exc, count))
            except BaseException as exc:  # the test failed: nbgrader's "error" output
                status = "error"
                outputs.append(_error_output(exc, count))
        return status, outputs


class _redirect:
    def __init__(self, outputs: list[dict[str, Any]]) -> None:
        self.outputs = outputs

    def __enter__(self) -> None:
        self.saved = sys.stdout, sys.stderr
        sys.stdout = _Capture(self.outputs, "stdout")  # type: ignore[assignment]
        sys.stderr = _Capture(self.outputs, "stderr")  # type: ignore[assignment]

    def __exit__(self, *exc: object) -> None:
        sys.stdout, sys.stderr = self.saved


def _python_only(source: str) -> str:
    """Cell source without IPython magics and shell escapes (they mean nothing here)."""
    lines = []
    for line in source.splitlines():
        stripped = line.lstrip()
        lines.append("" if stripped.startswith(("%", "!")) else line)
    return "\n".join(lines) + "\n"


def _split_last_expression(source: str) -> tuple[ast.Module | None, ast.Expression | None]:
    tree = ast.parse(source, CELL_FILE)
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        expr = tree.body.pop()
        assert isinstance(expr, ast.Expr)
        return (tree if tree.body else None), ast.Expression(expr.value)
    return tree, None


def _execute_result(value: Any, count: int) -> dict[str, Any]:
    try:
        text = repr(value)
    except Exception as exc:  # a student object's repr is ours, but be safe
        text = f"<unprintable {type(exc).__name__}>"
    return {
        "output_type": "execute_result",
        "data": {"text/plain": clean_text(text, 10_000)},
        "metadata": {},
        "execution_count": count,
    }


def _error_output(exc: BaseException, count: int) -> dict[str, Any]:
    lines = []
    for frame in traceback.extract_tb(exc.__traceback__):
        if any(part in frame.filename for part in _HIDE):
            continue
        if frame.filename == CELL_FILE:
            lines.append(f"Cell In[{count}], line {frame.lineno}")
        else:
            lines.append(f"File {frame.filename}:{frame.lineno}, in {frame.name}")
    name = type(exc).__name__
    try:
        message = str(exc)
    except Exception:
        message = ""
    lines.append(f"{name}: {message}" if message else name)
    return {
        "output_type": "error",
        "ename": name,
        "evalue": clean_text(message, 5000),
        "traceback": [clean_text(line, 2000) for line in lines],
    }


def serve(proto_in: io.BufferedReader, proto_out: TextIO) -> None:
    session = TestSession(proto_in, proto_out)
    while True:
        message = session.receive()
        if message is None:
            return
        op = message.get("op")
        if op == "setup":
            session.setup(str(message.get("source", "")))
            session.send({"op": "done", "status": "ok", "outputs": []})
        elif op == "test":
            status, outputs = session.test(
                str(message.get("source", "")), int(message.get("count", 0))
            )
            session.send({"op": "done", "status": status, "outputs": outputs})
        else:
            return


def main() -> int:
    # The protocol keeps the real stdin/stdout; anything else writing to fd 1
    # (a C library, a stray print) goes to stderr instead.
    proto_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    proto_in = os.fdopen(os.dup(0), "rb")
    os.dup2(2, 1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    home = tempfile.mkdtemp(prefix="trusted-tests-")  # private: 0700, a fresh name
    os.environ.update(HOME=home, TMPDIR=home, MPLCONFIGDIR=home, KERAS_HOME=home)
    os.chdir(os.environ.get("AUTOGRADER_TESTS_CWD", os.getcwd()))
    serve(proto_in, proto_out)  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
