"""The result writer: ``results/<week>/<login>.json``, complete or absent, never torn.

The text is always valid UTF-8 (every string of a `SubmissionResult` is normalised
when the result is built), written to a temporary file, flushed to disk and renamed
over the old one, so a reader or a crash never sees half a file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from autograder.results import SubmissionResult


def result_text(result: SubmissionResult) -> str:
    """The stored JSON of a result: the same text in ag_result and the result file.

    The contract's JSON plus its facts (codes and parameters), which reports count."""
    return json.dumps(result.to_dict(facts=True), indent=2, ensure_ascii=False)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data`: a temporary file, fsync, rename, fsync of the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def write_result_file(path: Path, text: str) -> None:
    write_atomic(path, text.encode("utf-8"))


def read_result_text(path: Path) -> str | None:
    """The file's text, or None when it is missing or not valid UTF-8."""
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
