"""The bridge's wire format: plain data as tagged JSON, decoded strictly by type.

Both sides use it: the student's kernel encodes what a bridged call returned, the
trusted test process encodes the arguments it sends. Only the trusted side's
decoder matters for the grade, so it trusts nothing about the message: every node
must be a dict of exactly the expected keys and types, containers are rebuilt
from scratch as exact builtin types, arrays are read with ``allow_pickle=False``
and only bool, numeric and string dtypes are accepted, strings are made valid
UTF-8, and depth, count and size are capped.

Tags::

    none | bool | int | float | complex | str | bytes      scalars
    list | tuple | set | frozenset | dict                   containers (exact types)
    ndarray | npscalar                                      numpy, as .npy bytes
    handle {id, type: {module, qualname}}                   an object left in the kernel
    module {name, id}                                       re-imported by name if possible
    ref {module, qualname}                                  an installed library callable
    partial {func, args, kwargs}                            functools.partial of a ref
    rng {kind, state}                                       a numpy random generator, by state
"""

from __future__ import annotations

import base64
import io
import math
import sys
from collections.abc import Callable
from typing import Any

from gpu_runner.textsafe import valid_text

MAX_DEPTH = 32
MAX_ITEMS = 1_000_000
MAX_BYTES = 64 * 1024 * 1024
MAX_TEXT = 1_000_000
#: numpy dtype kinds that cross: bool, signed, unsigned, float, complex, str, bytes
ARRAY_KINDS = frozenset("biufcUS")
SCALAR_TAGS = ("none", "bool", "int", "float", "complex", "str", "bytes")
CONTAINER_TAGS = ("list", "tuple", "set", "frozenset")


class BridgeError(Exception):
    """A bridged value or call could not cross, or a handle was misused."""


class CodecError(BridgeError):
    """A message broke the wire format (too deep, too large, wrong types)."""


def clean_text(text: str, limit: int = MAX_TEXT) -> str:
    """Valid UTF-8 text (each lone surrogate becomes U+FFFD), length capped."""
    return valid_text(text[:limit] if len(text) > limit else text)


def _float_text(value: float) -> str:
    return repr(float(value))


def _parse_float(text: Any) -> float:
    if not isinstance(text, str) or len(text) > 40:
        raise CodecError("a float must be a short decimal string")
    try:
        value = float(text)
    except ValueError as exc:
        raise CodecError(f"not a float: {text[:40]!r}") from exc
    if math.isnan(value) and text.strip().lower() not in ("nan", "-nan"):
        raise CodecError("not a float")
    return value


# -- encoding (both sides) -------------------------------------------------------------------


class Encoder:
    """Turns a Python value into wire data.

    ``register`` is called for a value that is not plain data and returns the
    node to send for it (the kernel registers a handle; the trusted side refuses
    or sends a reference). Containers of plain data with such values inside keep
    their shape, so ``model.layers`` becomes a list of handles.
    """

    def __init__(self, register: Callable[[Any], dict[str, Any]], *, limit: int = MAX_BYTES):
        self.register = register
        self.limit = limit
        self.size = 0
        self.items = 0

    def _count(self, size: int) -> None:
        self.size += size
        self.items += 1
        if self.size > self.limit:
            raise BridgeError(f"the value is larger than {self.limit // 2**20} MB")
        if self.items > MAX_ITEMS:
            raise BridgeError(f"the value has more than {MAX_ITEMS} items")

    def encode(self, value: Any, depth: int = 0) -> dict[str, Any]:
        if depth > MAX_DEPTH:
            raise BridgeError(f"the value is nested deeper than {MAX_DEPTH} levels")
        kind = type(value)
        if value is None:
            self._count(1)
            return {"t": "none"}
        if kind is bool:
            self._count(1)
            return {"t": "bool", "v": value}
        if kind is int:
            text = str(value) if value.bit_length() < 20_000 else None
            if text is None:
                raise BridgeError("the integer is too large")
            self._count(len(text))
            return {"t": "int", "v": text}
        if kind is float:
            self._count(8)
            return {"t": "float", "v": _float_text(value)}
        if kind is complex:
            self._count(16)
            return {"t": "complex", "v": [_float_text(value.real), _float_text(value.imag)]}
        if kind is str:
            self._count(len(value))
            return {"t": "str", "v": clean_text(value, self.limit)}
        if kind is bytes:
            self._count(len(value))
            return {"t": "bytes", "v": base64.b64encode(value).decode("ascii")}
        if kind in (list, tuple, set, frozenset):
            self._count(1)
            items = list(value)
            return {"t": kind.__name__, "v": [self.encode(v, depth + 1) for v in items]}
        if kind is dict:
            self._count(1)
            return {
                "t": "dict",
                "v": [
                    [self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in value.items()
                ],
            }
        numpy = sys.modules.get("numpy")
        if numpy is not None:
            if kind is numpy.ndarray and value.dtype.kind in ARRAY_KINDS and not value.dtype.fields:
                return {"t": "ndarray", "v": self._npy(numpy, value)}
            if isinstance(value, numpy.generic) and kind.__module__ == "numpy":
                if value.dtype.kind in ARRAY_KINDS:
                    return {"t": "npscalar", "v": self._npy(numpy, numpy.asarray(value))}
        return self.register(value)

    def _npy(self, numpy: Any, array: Any) -> str:
        self._count(int(array.nbytes) + 128)
        buf = io.BytesIO()
        numpy.save(buf, array, allow_pickle=False)
        return base64.b64encode(buf.getvalue()).decode("ascii")


# -- strict decoding (the trusted side's, also used by the kernel for arguments) ---------------


def _expect_keys(node: Any, *keys: str) -> dict[str, Any]:
    if type(node) is not dict or set(node) != {"t", *keys}:
        raise CodecError("malformed node")
    return node


def load_npy(data: Any, limit: int = MAX_BYTES) -> Any:
    """An .npy payload (base64) as a numpy array: no pickle, plain dtypes only."""
    import numpy

    if not isinstance(data, str) or len(data) > limit * 4 // 3 + 16:
        raise CodecError("array payload too large or not text")
    try:
        raw = base64.b64decode(data.encode("ascii"), validate=True)
        array = numpy.load(io.BytesIO(raw), allow_pickle=False)
    except Exception as exc:  # any malformed payload
        raise CodecError(f"unreadable array ({type(exc).__name__})") from exc
    if type(array) is not numpy.ndarray or array.dtype.kind not in ARRAY_KINDS:
        raise CodecError("array of a type that cannot cross")
    if array.dtype.fields:
        raise CodecError("structured arrays cannot cross")
    return array


class Decoder:
    """Wire data -> Python values. ``opaque`` builds the value of a handle/module/ref node."""

    def __init__(self, opaque: Callable[[dict[str, Any]], Any], *, limit: int = MAX_BYTES):
        self.opaque = opaque
        self.limit = limit
        self.items = 0

    def decode(self, node: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise CodecError("nested too deep")
        self.items += 1
        if self.items > MAX_ITEMS:
            raise CodecError("too many items")
        if type(node) is not dict or type(node.get("t")) is not str:
            raise CodecError("malformed node")
        tag = node["t"]
        if tag == "none":
            _expect_keys(node)
            return None
        if tag in CONTAINER_TAGS or tag == "dict":
            items = _expect_keys(node, "v")["v"]
            if type(items) is not list:
                raise CodecError("malformed container")
            if tag == "dict":
                out: dict[Any, Any] = {}
                for pair in items:
                    if type(pair) is not list or len(pair) != 2:
                        raise CodecError("malformed dict item")
                    key = self.decode(pair[0], depth + 1)
                    _hashable(key)
                    out[key] = self.decode(pair[1], depth + 1)
                return out
            values = [self.decode(v, depth + 1) for v in items]
            if tag in ("set", "frozenset"):
                for v in values:
                    _hashable(v)
                return set(values) if tag == "set" else frozenset(values)
            return values if tag == "list" else tuple(values)
        if tag in ("handle", "module", "ref", "partial", "rng"):
            return self.opaque(node)
        value = _expect_keys(node, "v")["v"]
        if tag == "bool" and type(value) is bool:
            return value
        if tag == "int" and type(value) is str and len(value) <= 6100:
            try:
                return int(value)
            except ValueError as exc:
                raise CodecError("malformed int") from exc
        if tag == "float":
            return _parse_float(value)
        if tag == "complex" and type(value) is list and len(value) == 2:
            return complex(_parse_float(value[0]), _parse_float(value[1]))
        if tag == "str" and type(value) is str:
            return clean_text(value, self.limit)
        if tag == "bytes" and type(value) is str and len(value) <= self.limit * 4 // 3 + 4:
            try:
                return base64.b64decode(value.encode("ascii"), validate=True)
            except Exception as exc:
                raise CodecError("malformed bytes") from exc
        if tag == "ndarray":
            return load_npy(value, self.limit)
        if tag == "npscalar":
            array = load_npy(value, self.limit)
            if array.shape != ():
                raise CodecError("a numpy scalar must be 0-d")
            return array[()]
        raise CodecError(f"unknown or malformed node {tag[:20]!r}")


def _hashable(value: Any) -> None:
    try:
        hash(value)
    except TypeError as exc:
        raise CodecError("unhashable key or set item") from exc


__all__ = [
    "ARRAY_KINDS",
    "BridgeError",
    "CodecError",
    "Decoder",
    "Encoder",
    "MAX_BYTES",
    "clean_text",
    "load_npy",
]
