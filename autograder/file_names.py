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

from autograder.messages import Message
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


REASONS = (
    "not_utf8",
    "not_relative",
    "leaves_folder",
    "path_too_long",
    "name_too_long",
    "invisible",
    "symlink",
    "not_regular",
    "too_large",
    "unreadable",
    "too_many",
)


def refused_file(name: str, reason: str) -> Message:
    """The problem of a refused file: its shown name and a reason of `REASONS`."""
    return Message.of("problem.bad_file", name=name, why=Message.of(f"file.{reason}"))


def name_problem(name: str) -> str | None:
    """Why the relative path `name` is refused (a code of `REASONS`), or None."""
    try:
        encoded = name.encode("utf-8")
    except UnicodeEncodeError:
        return "not_utf8"
    if not name or name.startswith("/") or "\\" in name:
        return "not_relative"
    parts = name.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return "leaves_folder"
    if len(encoded) > MAX_PATH_BYTES or len(parts) > MAX_DEPTH:
        return "path_too_long"
    if any(len(part.encode("utf-8")) > MAX_COMPONENT_BYTES for part in parts):
        return "name_too_long"
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") for c in name):
        return "invisible"
    return None


@dataclass
class Tree:
    """Files read from a folder (relative POSIX name -> bytes) and what was refused."""

    files: dict[str, bytes] = field(default_factory=dict)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (shown name, reason code)


def read_regular(path: Path, max_bytes: int) -> bytes | str:
    """The file's bytes, or why not (a code of `REASONS`): opened without following a link,
    regular files only, at most `max_bytes`."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return "symlink" if os.path.islink(path) else "unreadable"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return "not_regular"
        if info.st_size > max_bytes:
            return "too_large"
        chunks, size = [], 0
        while chunk := os.read(fd, 1 << 20):
            size += len(chunk)
            if size > max_bytes:
                return "too_large"
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
        except OSError:
            tree.refused.append((shown_name(prefix or "."), "unreadable"))
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
                tree.refused.append((shown_name(rel), "symlink"))
            elif entry.is_dir(follow_symlinks=False):
                pending.append((Path(entry.path), f"{rel}/"))
            elif len(tree.files) >= max_files:
                tree.refused.append((shown_name(rel), "too_many"))
            else:
                data = read_regular(Path(entry.path), max_file_bytes)
                if isinstance(data, str):
                    tree.refused.append((shown_name(rel), data))
                else:
                    tree.files[rel] = data
    tree.files = dict(sorted(tree.files.items()))
    return tree
