"""The bridge's trusted side: student names as plain data or opaque handles.

`Bridge` sends requests through a transport (in the test process: a pipe to the
executor, which runs them in the kernel) and decodes the answers strictly
(`gpu_runner.bridge.codec`). What the student's code returns is data; an object
that is not data stays in the kernel and is represented here by a `Handle`,
which can be called, read, indexed and measured, all in the kernel, but never
compared, hashed, iterated or truth-tested: an always-equal object has nothing
to forge on this side.
"""

from __future__ import annotations

import builtins
import functools
import sys
import types
from collections.abc import Callable
from typing import Any

from gpu_runner.bridge.codec import BridgeError, CodecError, Decoder, Encoder, clean_text

#: exceptions raised in the kernel that are re-raised here as the real builtin class
ALLOWED_EXCEPTIONS: dict[str, type[BaseException]] = {
    cls.__name__: cls
    for cls in (
        ArithmeticError, AssertionError, AttributeError, FileNotFoundError, ImportError,
        IndexError, KeyError, LookupError, ModuleNotFoundError, NameError, NotImplementedError,
        OSError, OverflowError, RecursionError, RuntimeError, StopIteration, TypeError,
        UnboundLocalError, UnicodeError, ValueError, ZeroDivisionError, FloatingPointError,
        Exception,
    )
}  # fmt: skip

#: modules a kernel's name never resolves to on the trusted side (this side's own machinery)
NEVER_IMPORT = frozenset({"gpu_runner", "autograder", "__main__", "builtins"})

#: classes a handle may never claim to be (plain data crosses as data, or not at all)
_PLAIN_MODULES = frozenset({"builtins", "numpy", "collections", "abc", "typing"})

#: dunder attributes a test may read explicitly (plain strings; no protocol reads them here)
DESCRIPTIVE_DUNDERS = frozenset({"__name__", "__qualname__", "__module__", "__doc__"})

Transport = Callable[[dict[str, Any]], dict[str, Any]]


class BridgeTimeout(BridgeError):
    """A bridged call ran past the test cell's time limit."""


class Bridge:
    """Requests to the kernel, answers decoded strictly."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    # -- requests ---------------------------------------------------------------------------

    def request(self, req: dict[str, Any]) -> Any:
        reply = self._transport(req)
        if type(reply) is not dict:
            raise BridgeError("the kernel sent no usable answer")
        if reply.get("timeout"):
            raise BridgeTimeout("the student's code ran past the time limit")
        if reply.get("missing") is True and set(reply) == {"missing"}:
            raise KeyError(req.get("name"))
        if "error" in reply:
            raise _exception(reply["error"])
        if set(reply) != {"ok"}:
            raise BridgeError("the kernel sent no usable answer")
        return Decoder(self._opaque).decode(reply["ok"])

    def name(self, name: str) -> Any:
        return self.request({"op": "name", "name": name})

    def assign(self, name: str, value: Any) -> None:
        self.request({"op": "assign", "name": name, "value": self.encode(value)})

    def delete(self, name: str) -> None:
        self.request({"op": "delete", "name": name})

    def encode(self, value: Any) -> dict[str, Any]:
        return Encoder(_argument_node).encode(value)

    # -- decoding ---------------------------------------------------------------------------

    def _opaque(self, node: dict[str, Any]) -> Any:
        tag = node["t"]
        if tag == "module" and set(node) == {"t", "name", "id"} and type(node["id"]) is int:
            module = _trusted_module(node["name"])
            return module if module is not None else Handle(self, node["id"], ("module", ""))
        if tag == "handle" and set(node) == {"t", "id", "type"} and type(node["id"]) is int:
            kind = node["type"]
            if type(kind) is not dict or set(kind) != {"module", "qualname"}:
                raise CodecError("malformed handle")
            module, qualname = kind["module"], kind["qualname"]
            if type(module) is not str or type(qualname) is not str:
                raise CodecError("malformed handle")
            return Handle(self, node["id"], (clean_text(module, 200), clean_text(qualname, 200)))
        raise CodecError("malformed object reference")


def _exception(info: Any) -> BaseException:
    if type(info) is not dict or type(info.get("type")) is not str:
        return BridgeError("the student's code failed")
    name = clean_text(info["type"], 100)
    raw = info.get("message")
    message = clean_text(raw if isinstance(raw, str) else "", 2000)
    cls = ALLOWED_EXCEPTIONS.get(name)
    if cls is None:
        return BridgeError(f"{name}: {message}" if message else name)
    return cls(message) if message else cls()


def _trusted_module(name: Any) -> types.ModuleType | None:
    """The trusted side's own copy of a module the kernel names, if this side imported it.

    Only modules already imported here (by the setup replay or a test) resolve: a
    student's name never makes this side import anything, and never yields this
    process's own modules.
    """
    if type(name) is not str or not name or len(name) > 200:
        return None
    if name == "__main__" or name.split(".")[0] in NEVER_IMPORT:
        return None
    module = sys.modules.get(name)
    return module if isinstance(module, types.ModuleType) else None


def _trusted_class(module: str, qualname: str) -> type | None:
    if not module or module.split(".")[0] in _PLAIN_MODULES or module == "__main__":
        return None
    obj: Any = _trusted_module(module)
    if obj is None:
        return None
    for part in qualname.split("."):
        if not part.isidentifier():
            return None
        obj = getattr(obj, part, None)
    return obj if isinstance(obj, type) else None


def _argument_node(value: Any) -> dict[str, Any]:
    """Non-data arguments: handles by id, installed library callables by reference."""
    if type(value) is Handle:
        return {"t": "handle", "id": object.__getattribute__(value, "_id")}
    if type(value) is types.ModuleType:
        return {"t": "module", "name": value.__name__}
    numpy = sys.modules.get("numpy")
    if numpy is not None and type(value) is numpy.random.Generator:
        # the kernel gets a generator in the same state (a copy: this one does not advance)
        state = Encoder(_argument_node).encode(value.bit_generator.state)
        return {"t": "rng", "kind": type(value.bit_generator).__name__, "state": state}
    if type(value) is functools.partial:
        enc = Encoder(_argument_node)
        return {
            "t": "partial",
            "func": enc.encode(value.func),
            "args": [enc.encode(a) for a in value.args],
            "kwargs": [[k, enc.encode(v)] for k, v in value.keywords.items()],
        }
    module = getattr(value, "__module__", None)
    qualname = getattr(value, "__qualname__", None)
    if (
        callable(value)
        and isinstance(module, str)
        and isinstance(qualname, str)
        and "<" not in qualname
        and module not in ("__main__", "__test__")
        and module in sys.modules
    ):
        return {"t": "ref", "module": module, "qualname": qualname}
    raise BridgeError(
        f"cannot pass a {type(value).__name__} to the student's code: only plain data, "
        "student objects and installed library functions or classes can cross"
    )


def _refuse(what: str) -> Callable[..., Any]:
    def method(self: Handle, *args: Any) -> Any:
        raise BridgeError(
            f"cannot {what} a student object ({self!r}): the test needs plain data "
            "(numbers, strings, lists, dicts, numpy arrays)"
        )

    return method


class Handle:
    """An object that stayed in the student's kernel (see module docstring)."""

    __slots__ = ("_bridge", "_id", "_type")

    def __init__(self, bridge: Bridge, hid: int, kind: tuple[str, str]) -> None:
        object.__setattr__(self, "_bridge", bridge)
        object.__setattr__(self, "_id", hid)
        object.__setattr__(self, "_type", kind)

    def _request(self, op: str, **fields: Any) -> Any:
        bridge: Bridge = object.__getattribute__(self, "_bridge")
        return bridge.request({"op": op, "id": object.__getattribute__(self, "_id"), **fields})

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__") and name not in DESCRIPTIVE_DUNDERS:
            raise AttributeError(name)  # protocols (__array_interface__, ...) never cross
        return self._request("getattr", attr=name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise BridgeError("tests cannot change a student object")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        bridge: Bridge = object.__getattribute__(self, "_bridge")
        return self._request(
            "call",
            args=[bridge.encode(a) for a in args],
            kwargs=[[str(k), bridge.encode(v)] for k, v in kwargs.items()],
        )

    def __getitem__(self, key: Any) -> Any:
        bridge: Bridge = object.__getattribute__(self, "_bridge")
        return self._request("getitem", key=bridge.encode(key))

    def __len__(self) -> int:
        value = self._request("len")
        if type(value) is not int or value < 0:
            raise BridgeError("len() of a student object is not a count")
        return value

    def _convert(self, to: str, kind: type) -> Any:
        value = self._request("convert", to=to)
        if type(value) is not kind:
            raise BridgeError(f"the student object did not convert to {kind.__name__}")
        return value

    def __float__(self) -> float:
        return self._convert("float", float)  # type: ignore[no-any-return]

    def __int__(self) -> int:
        return self._convert("int", int)  # type: ignore[no-any-return]

    def __index__(self) -> int:
        return self._convert("index", int)  # type: ignore[no-any-return]

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        import numpy

        array = self._convert("array", numpy.ndarray)
        return array if dtype is None else array.astype(dtype)

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # noqa: D105 - isinstance() sees installed library classes
        module, qualname = object.__getattribute__(self, "_type")
        return _trusted_class(module, qualname) or Handle

    def __repr__(self) -> str:
        module, qualname = object.__getattribute__(self, "_type")
        name = f"{module}.{qualname}" if module and qualname else (qualname or module or "?")
        return f"<student object {name}>"

    __eq__ = _refuse("compare")  # type: ignore[assignment]
    __ne__ = _refuse("compare")  # type: ignore[assignment]
    __lt__ = _refuse("compare")
    __le__ = _refuse("compare")
    __gt__ = _refuse("compare")
    __ge__ = _refuse("compare")
    __hash__ = _refuse("hash")  # type: ignore[assignment]
    __bool__ = _refuse("truth-test")
    __iter__ = _refuse("iterate over")
    __contains__ = _refuse("search")


class KernelNames(dict):  # type: ignore[type-arg]
    """A test's builtins: the real builtins, then the student's names from the kernel.

    Used as ``__builtins__`` of the test namespace: CPython looks a name up in
    the globals, then here, so the test's own names and the trusted replay of
    the setup cells come first, builtins next, the kernel last.
    """

    def __init__(self, bridge: Bridge) -> None:
        super().__init__(vars(builtins))
        self.bridge = bridge
        #: names the tests read from the kernel: the student's
        self.fetched: set[str] = set()

    def __missing__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise KeyError(name)
        value = self.bridge.name(name)
        self.fetched.add(name)
        return value


class TestLocals(dict):  # type: ignore[type-arg]
    """A test cell's top-level names: the test namespace, writing through to the kernel
    for the student's names.

    Used as the ``locals`` of ``exec`` at a test cell's top level. Assigning or
    deleting a name the tests read from the kernel (nbgrader's own example does
    ``orig = squares; del squares; ...; squares = orig``) changes the kernel's
    namespace, as it would in nbgrader; every other name is the test's.
    """

    __test__ = False  # not a pytest class

    def __init__(self, namespace: dict[str, Any], names: KernelNames) -> None:
        super().__init__()
        self.namespace = namespace
        self.names = names

    def __getitem__(self, name: str) -> Any:
        return self.namespace[name]

    def __contains__(self, name: object) -> bool:
        return name in self.namespace

    def __setitem__(self, name: str, value: Any) -> None:
        if name in self.names.fetched and name not in self.namespace:
            self.names.bridge.assign(name, value)
        else:
            self.namespace[name] = value

    def __delitem__(self, name: str) -> None:
        if name in self.namespace:
            del self.namespace[name]
        elif name in self.names.fetched:
            self.names.bridge.delete(name)
        else:
            raise KeyError(name)


__all__ = [
    "ALLOWED_EXCEPTIONS",
    "Bridge",
    "BridgeError",
    "BridgeTimeout",
    "Handle",
    "KernelNames",
    "TestLocals",
]
