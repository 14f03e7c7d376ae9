"""Reading predictions and exported arrays: ``.npy`` bytes a student's model made, so hostile input.

The header is parsed and checked (magic, dtype, element count, byte size) before
any array is allocated, and the array is then read with ``allow_pickle=False``:
an object array, a pickle or a ``.npz`` archive is rejected, never unpickled.
Every failure is an `InvalidPrediction` holding the student-facing fact (`.fact`).
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Sequence

import numpy as np
from numpy.lib import format as npy_format

from autograder.errors import SubmissionError
from autograder.messages import Message

MAX_BYTES = 64 * 1024 * 1024
MAX_ELEMENTS = 8_000_000
NPY_MAGIC = b"\x93NUMPY"
NUMERIC_KINDS = frozenset("biuf")
DTYPE_NAMES = {
    "U": "str",
    "S": "bytes",
    "c": "complex",
    "V": "void",
    "M": "datetime",
    "m": "timedelta",
}

# A dimension in an allowed shape: "n" is the number of rows the labels fix,
# None any size (shown as "k"), an int that exact size.
Dim = int | str | None
Shape = tuple[Dim, ...]


class InvalidPrediction(SubmissionError):
    """The predictions cannot be scored; `fact` says why, for the student."""

    def __init__(self, fact: Message) -> None:
        super().__init__(fact.render("en"))
        self.fact = fact


def one_of(choices: Sequence[str]) -> Message | str:
    """Several choices as "a or b or c", in the reader's language."""
    shown: Message | str = choices[0]
    for choice in choices[1:]:
        shown = Message.of("threshold.either", first=shown, second=choice)
    return shown


def read_artifact(
    data: bytes,
    *,
    max_bytes: int = MAX_BYTES,
    max_elements: int = MAX_ELEMENTS,
) -> np.ndarray:
    """The numeric, finite, non-scalar array in `data`, in native byte order."""
    if len(data) > max_bytes:
        raise InvalidPrediction(
            Message.of("threshold.too_large_bytes", size=len(data), limit=max_bytes)
        )
    if not data.startswith(NPY_MAGIC):
        raise InvalidPrediction(Message.of("threshold.not_npy"))
    dtype, shape = _read_header(data)
    if dtype.hasobject:
        raise InvalidPrediction(Message.of("threshold.object_dtype"))
    if dtype.kind not in NUMERIC_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        name = DTYPE_NAMES.get(dtype.kind, dtype.kind)
        raise InvalidPrediction(Message.of("threshold.bad_dtype", dtype=f"{name} ({dtype.str})"))
    count = math.prod(shape)
    if count > max_elements:
        raise InvalidPrediction(
            Message.of("threshold.too_many_elements", count=count, limit=max_elements)
        )
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except Exception:  # any failure to parse the student's bytes means a corrupt file
        raise InvalidPrediction(Message.of("threshold.corrupt")) from None
    if not isinstance(array, np.ndarray):  # pragma: no cover - the magic check rules this out
        raise InvalidPrediction(Message.of("threshold.not_npy"))
    if array.ndim == 0:
        raise InvalidPrediction(Message.of("threshold.scalar", value=_short(array)))
    if array.size == 0:
        raise InvalidPrediction(Message.of("threshold.empty"))
    array = array.astype(array.dtype.newbyteorder("="), copy=False)
    if array.dtype.kind == "f":
        if array.dtype.itemsize < 8:
            array = array.astype(np.float64)
        nans = int(np.isnan(array).sum())
        if nans:
            raise InvalidPrediction(Message.of("threshold.nan", count=nans))
        infs = int(np.isinf(array).sum())
        if infs:
            raise InvalidPrediction(Message.of("threshold.inf", count=infs))
    return array


def check_shape(array: np.ndarray, *, shapes: Sequence[Shape], rows: int | None) -> None:
    """Raise unless `array` has `rows` rows and one of `shapes` (see `Dim`)."""
    if rows is not None and array.shape[0] != rows:
        raise InvalidPrediction(Message.of("threshold.rows", expected=rows, actual=array.shape[0]))
    if not any(_matches(array.shape, shape, rows) for shape in shapes):
        allowed = one_of([_show(shape, rows) for shape in shapes])
        raise InvalidPrediction(
            Message.of("threshold.shape", actual=_show(array.shape, rows), allowed=allowed)
        )


def validate(
    data: bytes,
    *,
    shapes: Sequence[Shape],
    rows: int | None,
    max_bytes: int = MAX_BYTES,
    max_elements: int = MAX_ELEMENTS,
) -> np.ndarray:
    """`read_artifact` then `check_shape`: the one call scoring needs."""
    array = read_artifact(data, max_bytes=max_bytes, max_elements=max_elements)
    check_shape(array, shapes=shapes, rows=rows)
    return array


def _read_header(data: bytes) -> tuple[np.dtype, tuple[int, ...]]:
    stream = io.BytesIO(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the header is parsed as a Python literal
            version = npy_format.read_magic(stream)
            if version == (1, 0):
                shape, _fortran, dtype = npy_format.read_array_header_1_0(stream)
            elif version == (2, 0):
                shape, _fortran, dtype = npy_format.read_array_header_2_0(stream)
            else:
                raise ValueError(f"unsupported .npy version {version}")
    except Exception:  # numpy's header parser raises ValueError, TokenError, SyntaxError...
        raise InvalidPrediction(Message.of("threshold.corrupt")) from None
    return dtype, tuple(int(d) for d in shape)


def _matches(actual: tuple[int, ...], shape: Shape, rows: int | None) -> bool:
    if len(actual) != len(shape):
        return False
    for size, want in zip(actual, shape, strict=True):
        if want == "n":
            if rows is not None and size != rows:
                return False
        elif isinstance(want, int) and size != want:
            return False
    return True


def _show(shape: Sequence[Dim], rows: int | None) -> str:
    def one(dim: Dim) -> str:
        if dim == "n":
            return str(rows) if rows is not None else "n"
        return "k" if dim is None else str(dim)

    parts = [one(d) for d in shape]
    return f"({parts[0]},)" if len(parts) == 1 else f"({', '.join(parts)})"


def _short(array: np.ndarray) -> str:
    text = repr(array.item()) if array.dtype.kind in NUMERIC_KINDS else str(array.dtype)
    return text[:40]
