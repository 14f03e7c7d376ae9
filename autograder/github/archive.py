"""Turn a downloaded tarball into a submission's files, refusing what is unsafe.

Refused, each with a problem note for the student: absolute or ``..`` paths,
symlinks that leave the submission (symlinks inside it are copied as files),
hard links and special files, oversized files, Git LFS pointers (the real file is
not in the repository), names reserved for the grader's metadata; a repository
over the total size or file count is refused as a whole.
"""

from __future__ import annotations

import io
import posixpath
import tarfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from autograder.file_names import name_problem, refused_file, shown_name

LFS_HEADER = b"version https://git-lfs.github.com/spec/v1"
RESERVED = frozenset({"submission.json", "timestamp.txt"})


@dataclass(frozen=True)
class ArchiveLimits:
    max_file_bytes: int = 50 * 2**20
    max_total_bytes: int = 200 * 2**20
    max_files: int = 2000
    max_download_bytes: int = 250 * 2**20


@dataclass
class Extracted:
    files: dict[str, bytes] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    refused: bool = False


def human_size(n: int) -> str:
    return f"{n / 2**20:.0f} MB" if n >= 2**20 else f"{n / 2**10:.0f} KB"


def _relative(name: str) -> str | None:
    """The member's path below the archive's top folder; None if it is the folder itself."""
    parts = PurePosixPath(name).parts
    return "/".join(parts[1:]) if len(parts) > 1 else None


def _unsafe(name: str) -> bool:
    path = PurePosixPath(name)
    return path.is_absolute() or ".." in path.parts or "\\" in name or "\0" in name


def extract_tarball(data: bytes, limits: ArchiveLimits = ArchiveLimits()) -> Extracted:
    out = Extracted()
    try:
        tar = tarfile.open(fileobj=io.BytesIO(data), mode="r:*")
    except tarfile.TarError as exc:
        out.problems.append(f"the repository archive could not be read: {exc}")
        out.refused = True
        return out
    links: list[tuple[str, str]] = []
    total = 0
    with tar:
        for member in tar:
            if _unsafe(member.name):
                out.problems.append(
                    f"path {shown_name(member.name)!r} leaves the submission folder; refused"
                )
                continue
            rel = _relative(member.name)
            if rel is None or member.isdir():
                continue
            why = name_problem(rel)
            if why is not None:  # undecodable, invisible or overlong names never go further
                out.problems.append(refused_file(shown_name(rel), why).render("en"))
                continue
            if member.issym() or member.islnk():
                target = member.linkname
                if member.islnk():
                    out.problems.append(f"hard link {rel!r} ignored")
                    continue
                resolved = posixpath.normpath(posixpath.join(posixpath.dirname(rel), target))
                if target.startswith("/") or resolved == ".." or resolved.startswith("../"):
                    out.problems.append(
                        f"symlink {rel!r} -> {target!r} points outside the submission; refused"
                    )
                else:
                    links.append((rel, resolved))
                continue
            if not member.isfile():
                out.problems.append(f"special file {rel!r} ignored")
                continue
            if rel in RESERVED:
                out.problems.append(f"file {rel!r} has a name the grader reserves; ignored")
                continue
            if member.size > limits.max_file_bytes:
                out.problems.append(
                    f"file {rel!r} is {human_size(member.size)}, over the {human_size(limits.max_file_bytes)} "
                    "limit; ignored"
                )
                continue
            total += member.size
            if total > limits.max_total_bytes or len(out.files) >= limits.max_files:
                out.problems.append(
                    f"the repository is larger than {human_size(limits.max_total_bytes)} or "
                    f"{limits.max_files} files; not collected (remove data files and push again)"
                )
                out.refused = True
                out.files.clear()
                return out
            handle = tar.extractfile(member)
            content = handle.read() if handle else b""
            if content.startswith(LFS_HEADER) and len(content) < 1024:
                out.problems.append(
                    f"file {rel!r} is a Git LFS pointer, not the file; commit the file itself "
                    "(LFS content is not collected)"
                )
                continue
            out.files[rel] = content
    for rel, target in links:
        if target in out.files:
            out.files[rel] = out.files[target]
        else:
            out.problems.append(f"symlink {rel!r} -> {target!r} does not point to a file; ignored")
    return out
