"""Submitted file names and files, checked at the boundary.

A student chooses every name in a submission (a repository, a folder, an archive).
A name is accepted only when it is valid UTF-8 and printable, relative and without
``..``, and short enough for every file system; anything else is refused with a
problem, never an exception in a later step (hashing, writing the job, rendering).
Files are read without following links, regular files only, size-capped.
"""

from __future__ import annotations

import os
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from gpu_runner.textsafe import display_text

MAX_COMPONENT_BYTES = 255  # NAME_MAX of ext4, xfs, overlayfs
MAX_PATH_BYTES = 1024
MAX_DEPTH = 32
DEFAULT_MAX_FILE_BYTES = 100 * 2**20
DEFAULT_MAX_FILES = 5000


def shown_name(name: str) -> str:
    """A file name as a person may read it: undecodable bytes as escapes, nothing invisible."""
    raw = name.encode("utf-8", "surrogateescape")
    return display_text(raw.decode("utf-8", "backslashreplace"), 120)


def name_problem(name: str) -> str | None:
    """Why the relative path `name` is refused (English, for logs and problems), or None."""
    try:
        encoded = name.encode("utf-8")
    except UnicodeEncodeError:
        return "the name is not valid UTF-8"
    if not name or name.startswith("/") or "\\" in name:
        return "the path is not relative"
    parts = name.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return "the path leaves the submission folder or has empty parts"
    if len(encoded) > MAX_PATH_BYTES or len(parts) > MAX_DEPTH:
        return "the path is too long"
    if any(len(part.encode("utf-8")) > MAX_COMPONENT_BYTES for part in parts):
        return "a name is longer than 255 bytes"
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") for c in name):
        return "the name holds control or invisible characters"
    return None


@dataclass
class Tree:
    """Files read from a folder (relative POSIX name -> bytes) and what was refused."""

    files: dict[str, bytes] = field(default_factory=dict)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (shown name, why)


def read_regular(path: Path, max_bytes: int) -> bytes | str:
    """The file's bytes, or why not: opened without following a link, regular files only."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        return "a symbolic link" if os.path.islink(path) else f"unreadable ({exc.strerror})"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return "not a regular file"
        if info.st_size > max_bytes:
            return f"larger than {max_bytes // 2**20} MB"
        chunks, size = [], 0
        while chunk := os.read(fd, 1 << 20):
            size += len(chunk)
            if size > max_bytes:
                return f"larger than {max_bytes // 2**20} MB"
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_tree(
    folder: Path,
    *,
    skip: frozenset[str] = frozenset(),
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    max_files: int = DEFAULT_MAX_FILES,
) -> Tree:
    """Every acceptable file below `folder`; symlinks, special files and bad names refused.

    `skip` names top-level files that are not the student's (the grader's metadata);
    ``.ipynb_checkpoints`` folders are left out silently.
    """
    tree = Tree()
    pending = [(folder, "")]
    while pending:
        here, prefix = pending.pop()
        try:
            entries = sorted(os.scandir(here), key=lambda e: e.name)
        except OSError as exc:
            tree.refused.append((shown_name(prefix or "."), f"unreadable ({exc.strerror})"))
            continue
        for entry in entries:
            rel = f"{prefix}{entry.name}"
            if not prefix and entry.name in skip:
                continue
            if entry.name == ".ipynb_checkpoints":
                continue
            why = name_problem(rel)
            if why is not None:
                tree.refused.append((shown_name(rel), why))
                continue
            if entry.is_symlink():
                tree.refused.append((shown_name(rel), "a symbolic link"))
            elif entry.is_dir(follow_symlinks=False):
                pending.append((Path(entry.path), f"{rel}/"))
            elif len(tree.files) >= max_files:
                tree.refused.append((shown_name(rel), f"more than {max_files} files"))
            else:
                data = read_regular(Path(entry.path), max_file_bytes)
                if isinstance(data, str):
                    tree.refused.append((shown_name(rel), data))
                else:
                    tree.files[rel] = data
    tree.files = dict(sorted(tree.files.items()))
    return tree
