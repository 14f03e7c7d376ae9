"""Exporting the notebook's model variable: the export cell and reading what it left.

After the notebook, the executor runs `export_source` in the student's kernel: it
saves the named variable in its kind's code-free format (a ``.keras`` archive,
a skops file, an ``.npy`` array; never pickle) into the executor's scratch
folder. The cell runs in the student's interpreter, so it can be patched:
whatever file it leaves is only an artifact for the clean evaluator, which loads
it without code and checks it. Refusals come back as fixed codes
(`EXPORT_CODES`); the file is read without following links, regular files only,
size-capped (`read_artifact_file`).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any


def export_source(*, variable: str, kind: str, out_path: Path) -> str:
    """The export cell for `variable` of `kind`, writing to `out_path`."""
    return EXPORT_TEMPLATE.format(
        variable=variable, kind=kind, path=str(out_path), prefix=EXPORT_PREFIX
    )


EXPORT_PREFIX = "autograder-export:"
#: refusal codes the export cell raises (after EXPORT_PREFIX) -> the executor's fixed text
EXPORT_CODES = {
    "missing": "the variable is not defined",
    "not_keras": "not a Keras model",
    "not_sklearn": "not a scikit-learn estimator",
    "not_array": "not an array of numbers",
}
EXPORT_TEMPLATE = """\
def __autograder_export():
    _name, _kind, _path = {variable!r}, {kind!r}, {path!r}
    if _name not in globals():
        raise LookupError({prefix!r} + "missing")
    _obj = globals()[_name]
    if _kind in ("keras", "generator"):
        import keras as _keras
        if not isinstance(_obj, _keras.Model):
            raise TypeError({prefix!r} + "not_keras:" + type(_obj).__qualname__[:80])
        _obj.save(_path)
    elif _kind == "sklearn":
        import sklearn.base as _base
        if not isinstance(_obj, _base.BaseEstimator):
            raise TypeError({prefix!r} + "not_sklearn:" + type(_obj).__qualname__[:80])
        import skops.io as _sio
        _sio.dump(_obj, _path)
    else:
        import numpy as _np
        try:
            _arr = _np.asarray(_obj)
        except Exception:
            _arr = None
        if _arr is None or _arr.dtype.kind not in "biuf":
            raise TypeError({prefix!r} + "not_array:" + type(_obj).__qualname__[:80])
        _np.save(_path, _arr, allow_pickle=False)
__autograder_export()
del __autograder_export
"""


def export_error_text(cell: Any) -> str:
    """The export cell's failure as the executor's fixed text (student text only as detail)."""
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            value = str(out.get("evalue", ""))
            if value.startswith(EXPORT_PREFIX):
                code, _, detail = value.removeprefix(EXPORT_PREFIX).partition(":")
                if code in EXPORT_CODES:
                    return EXPORT_CODES[code] + (f": {detail[:80]}" if detail else "")
            return f"the export failed: {out.get('ename', 'Error')}: {value}"[:500]
    return "the export failed"


def read_artifact_file(folder: Path, name: str, limit: int) -> bytes | str:
    """What the kernel left at folder/name: bytes, or why it cannot be taken.

    The kernel can plant links or special files there, so the file is opened
    relative to the folder without following links, must be a regular file and
    is read only up to `limit` bytes.
    """
    try:
        dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return "no model was exported"
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dir_fd)
    except OSError:
        return "no model was exported"
    finally:
        os.close(dir_fd)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return "the export is not a regular file"
        if info.st_size > limit:
            return f"the exported model is too large: {info.st_size} bytes (at most {limit})"
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            return f"the exported model is too large: more than {limit} bytes"
        return b"".join(chunks)
    finally:
        os.close(fd)


def clear_entry(folder: Path, name: str) -> None:
    """Remove what is at folder/name (a planted link is removed, not followed)."""
    try:
        dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return
    try:
        os.unlink(name, dir_fd=dir_fd)
    except IsADirectoryError:
        pass
    except OSError:
        pass
    finally:
        os.close(dir_fd)
