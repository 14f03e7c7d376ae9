"""Reading predictions and exported arrays: ``.npy`` bytes a student's model made, so hostile input.

The header is parsed and checked (magic, dtype, element count, byte size) before
any array is allocated, and the array is then read with ``allow_pickle=False``:
an object array, a pickle or a ``.npz`` archive is rejected, never unpickled.
Every failure is an `InvalidPrediction` whose text is the student-facing message.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Sequence

import numpy as np
from numpy.lib import format as npy_format

from autograder.errors import SubmissionError
from autograder.messages import render

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
    """The predictions cannot be scored; ``str(exc)`` is the message for the student."""


def read_artifact(
    data: bytes,
    *,
    language: str = "ko",
    max_bytes: int = MAX_BYTES,
    max_elements: int = MAX_ELEMENTS,
) -> np.ndarray:
    """The numeric, finite, non-scalar array in `data`, in native byte order."""
    if len(data) > max_bytes:
        raise InvalidPrediction(
            render("threshold.too_large_bytes", language, size=len(data), limit=max_bytes)
        )
    if not data.startswith(NPY_MAGIC):
        raise InvalidPrediction(render("threshold.not_npy", language))
    dtype, shape = _read_header(data, language)
    if dtype.hasobject:
        raise InvalidPrediction(render("threshold.object_dtype", language))
    if dtype.kind not in NUMERIC_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        name = DTYPE_NAMES.get(dtype.kind, dtype.kind)
        raise InvalidPrediction(
            render("threshold.bad_dtype", language, dtype=f"{name} ({dtype.str})")
        )
    count = math.prod(shape)
    if count > max_elements:
        raise InvalidPrediction(
            render("threshold.too_many_elements", language, count=count, limit=max_elements)
        )
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except Exception:  # any failure to parse the student's bytes means a corrupt file
        raise InvalidPrediction(render("threshold.corrupt", language)) from None
    if not isinstance(array, np.ndarray):  # pragma: no cover - the magic check rules this out
        raise InvalidPrediction(render("threshold.not_npy", language))
    if array.ndim == 0:
        raise InvalidPrediction(render("threshold.scalar", language, value=_short(array)))
    if array.size == 0:
        raise InvalidPrediction(render("threshold.empty", language))
    array = array.astype(array.dtype.newbyteorder("="), copy=False)
    if array.dtype.kind == "f":
        if array.dtype.itemsize < 8:
            array = array.astype(np.float64)
        nans = int(np.isnan(array).sum())
        if nans:
            raise InvalidPrediction(render("threshold.nan", language, count=nans))
        infs = int(np.isinf(array).sum())
        if infs:
            raise InvalidPrediction(render("threshold.inf", language, count=infs))
    return array


def check_shape(
    array: np.ndarray, *, shapes: Sequence[Shape], rows: int | None, language: str = "ko"
) -> None:
    """Raise unless `array` has `rows` rows and one of `shapes` (see `Dim`)."""
    if rows is not None and array.shape[0] != rows:
        raise InvalidPrediction(
            render("threshold.rows", language, expected=rows, actual=array.shape[0])
        )
    if not any(_matches(array.shape, shape, rows) for shape in shapes):
        allowed = render("threshold.or", language).join(_show(shape, rows) for shape in shapes)
        raise InvalidPrediction(
            render("threshold.shape", language, actual=_show(array.shape, rows), allowed=allowed)
        )


def validate(
    data: bytes,
    *,
    shapes: Sequence[Shape],
    rows: int | None,
    language: str = "ko",
    max_bytes: int = MAX_BYTES,
    max_elements: int = MAX_ELEMENTS,
) -> np.ndarray:
    """`read_artifact` then `check_shape`: the one call scoring needs."""
    array = read_artifact(data, language=language, max_bytes=max_bytes, max_elements=max_elements)
    check_shape(array, shapes=shapes, rows=rows, language=language)
    return array


def _read_header(data: bytes, language: str) -> tuple[np.dtype, tuple[int, ...]]:
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
        raise InvalidPrediction(render("threshold.corrupt", language)) from None
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
