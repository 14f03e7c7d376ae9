"""The bridge's kernel side: runs one bridged request in the student's kernel.

`register` (run by the executor before any student cell) opens the comm target
`COMM_TARGET`; each request arrives as a comm message ``{"request": json}`` and
its answer goes back as a comm message ``{"answer": ...}``. Everything here
runs in the student's interpreter, so the student can replace or patch it: that
only changes what the kernel answers, which the trusted side decodes strictly
as plain data. Nothing here is a secret, and no verdict is computed here.
"""

from __future__ import annotations

import functools
import importlib
import json
import sys
import types
from typing import Any

from gpu_runner.bridge.codec import Decoder, Encoder, clean_text

COMM_TARGET = "autograder.bridge"
MESSAGE_LIMIT = 2000

_handles: dict[int, Any] = {}


class _Missing(Exception):
    pass


def _register(value: Any) -> dict[str, Any]:
    """An object that is not plain data stays here; the trusted side gets its id."""
    hid = len(_handles) + 1
    _handles[hid] = value
    if type(value) is types.ModuleType:
        return {"t": "module", "name": _text(getattr(value, "__name__", "")), "id": hid}
    kind = type(value)
    return {
        "t": "handle",
        "id": hid,
        "type": {
            "module": _text(getattr(kind, "__module__", "")),
            "qualname": _text(getattr(kind, "__qualname__", "")),
        },
    }


def _text(value: Any) -> str:
    return clean_text(value, 300) if type(value) is str else ""


def _resolve(dotted: str, qualname: str) -> Any:
    obj: Any = importlib.import_module(dotted)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def _opaque(node: dict[str, Any]) -> Any:
    """Arguments from the trusted side: handles back to objects, references imported."""
    tag = node["t"]
    if tag == "handle":
        return _handles[int(node["id"])]
    if tag == "module":
        return importlib.import_module(str(node["name"]))
    if tag == "ref":
        return _resolve(str(node["module"]), str(node["qualname"]))
    if tag == "partial":
        decoder = Decoder(_opaque)
        func = decoder.decode(node["func"])
        args = [decoder.decode(a) for a in node["args"]]
        kwargs = {str(k): decoder.decode(v) for k, v in node["kwargs"]}
        return functools.partial(func, *args, **kwargs)
    if tag == "rng":
        import numpy

        bit_generator = getattr(numpy.random, str(node["kind"]))()
        bit_generator.state = Decoder(_opaque).decode(node["state"])
        return numpy.random.Generator(bit_generator)
    raise ValueError(f"unknown argument node {tag!r}")


def _user_namespace() -> dict[str, Any]:
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    if shell is not None:
        return shell.user_ns  # type: ignore[no-any-return]
    return vars(sys.modules["__main__"])


def _target(req: dict[str, Any]) -> Any:
    return _handles[int(req["id"])]


def _dispatch(req: dict[str, Any]) -> Any:
    op = req["op"]
    if op == "name":
        namespace = _user_namespace()
        if req["name"] not in namespace:
            raise _Missing()
        return namespace[req["name"]]
    if op == "assign":
        _user_namespace()[str(req["name"])] = Decoder(_opaque).decode(req["value"])
        return None
    if op == "delete":
        namespace = _user_namespace()
        if req["name"] not in namespace:
            raise NameError(f"name {req['name']!r} is not defined")
        del namespace[req["name"]]
        return None
    if op == "getattr":
        return getattr(_target(req), str(req["attr"]))
    if op == "call":
        decoder = Decoder(_opaque)
        args = [decoder.decode(a) for a in req["args"]]
        kwargs = {str(k): decoder.decode(v) for k, v in req["kwargs"]}
        return _target(req)(*args, **kwargs)
    if op == "getitem":
        return _target(req)[Decoder(_opaque).decode(req["key"])]
    if op == "len":
        return len(_target(req))
    if op == "convert":
        to = req["to"]
        if to == "array":
            import numpy

            return numpy.asarray(_target(req))
        if to in ("float", "int"):
            return {"float": float, "int": int}[to](_target(req))
        if to == "index":
            import operator

            return operator.index(_target(req))
    raise ValueError(f"unknown bridge operation {op!r}")


def _describe(exc: BaseException) -> dict[str, str]:
    try:
        message = str(exc)
    except Exception:  # a hostile __str__
        message = ""
    return {"type": _text(type(exc).__name__), "message": clean_text(message, MESSAGE_LIMIT)}


def answer(request: str) -> dict[str, Any]:
    """The reply to one request: {"ok": node} | {"missing": true} | {"error": {...}}."""
    try:
        value = _dispatch(json.loads(request))
    except _Missing:
        return {"missing": True}
    except BaseException as exc:  # everything the student's code raises crosses as data
        return {"error": _describe(exc)}
    try:
        return {"ok": Encoder(_register).encode(value)}
    except BaseException as exc:
        return {"error": _describe(exc)}


def register() -> None:
    """Answer bridge requests on comm messages (cheaper than an execute request each)."""
    from IPython import get_ipython

    def opened(comm: Any, _msg: Any) -> None:
        def on_msg(msg: Any) -> None:
            data = msg.get("content", {}).get("data", {})
            request = data.get("request") if isinstance(data, dict) else None
            if not isinstance(request, str):
                comm.send({"answer": {"error": {"type": "BridgeError", "message": "bad request"}}})
                return
            comm.send({"answer": answer(request)})

        comm.on_msg(on_msg)

    get_ipython().kernel.comm_manager.register_target(COMM_TARGET, opened)


__all__ = ["COMM_TARGET", "answer", "register"]
