"""Collected submissions in the workspace, and the local source.

A submission lives at ``<workspace>/submitted/<login>/<week>/`` (nbgrader's
submitted layout) with ``submission.json`` (our metadata, the *trusted* time
used for lateness) and nbgrader's ``timestamp.txt``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from autograder.course import LOGIN_NAME, Course
from autograder.errors import ConfigError, SubmissionError
from autograder.file_names import name_problem, read_regular, read_tree, refused_file, shown_name
from autograder.messages import Message
from gpu_runner.textsafe import valid_text

log = logging.getLogger(__name__)

META_FILE = "submission.json"
TIMESTAMP_FILE = "timestamp.txt"
META_FILES = (META_FILE, TIMESTAMP_FILE)
SCHEMA_VERSION = 1
MAX_FILE_BYTES = 100 * 1024 * 1024


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class SubmissionMeta:
    """Where a submission came from and when it counts as submitted."""

    login: str
    week: str
    source: str  # "github" | "local"
    submitted_at: datetime | None  # trusted time used for lateness
    time_source: str = "unknown"  # "push" | "collection" | "file" | "unknown"
    repo: str | None = None
    sha: str | None = None
    pushed_at: datetime | None = None
    collected_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    problems: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "schema_version": SCHEMA_VERSION,
            "login": self.login,
            "week": self.week,
            "source": self.source,
            "submitted_at": _iso(self.submitted_at),
            "time_source": self.time_source,
            "repo": self.repo,
            "sha": self.sha,
            "pushed_at": _iso(self.pushed_at),
            "collected_at": _iso(self.collected_at),
            "problems": [valid_text(p) for p in self.problems],
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> SubmissionMeta:
        def text(key: str) -> str | None:
            value = data.get(key)
            return None if value is None else str(value)

        problems = data.get("problems") or []
        return cls(
            login=str(data["login"]),
            week=str(data["week"]),
            source=str(data.get("source", "local")),
            submitted_at=_parse(text("submitted_at")),
            time_source=str(data.get("time_source", "unknown")),
            repo=text("repo"),
            sha=text("sha"),
            pushed_at=_parse(text("pushed_at")),
            collected_at=_parse(text("collected_at")) or datetime.now(UTC),
            problems=tuple(str(p) for p in problems) if isinstance(problems, list) else (),
        )


def check_login(login: str) -> str:
    if not LOGIN_NAME.match(login):
        raise ConfigError(f"invalid student login {login!r}")
    return login


def store_submission(course: Course, meta: SubmissionMeta, files: dict[str, bytes]) -> Path:
    """Replace the stored submission of (login, week) with `files` and `meta`."""
    check_login(meta.login)
    target = course.submission_dir(meta.week, meta.login)
    staging = target.with_name(f".{meta.week}.incoming")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name, data in files.items():
        rel = PurePosixPath(name)
        if name_problem(name) is not None or name in META_FILES:
            raise SubmissionError(
                f"unsafe file name in submission of {meta.login}: {shown_name(name)!r}"
            )
        path = staging / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (staging / META_FILE).write_text(
        json.dumps(meta.to_dict(), indent=2, ensure_ascii=False), encoding="utf-8"
    )
    stamp = meta.submitted_at or meta.collected_at
    (staging / TIMESTAMP_FILE).write_text(
        stamp.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    )
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)
    return target


def load_submission_meta(course: Course, week: str, login: str) -> SubmissionMeta | None:
    path = course.submission_dir(week, login) / META_FILE
    if not path.is_file():
        return None
    return SubmissionMeta.from_dict(json.loads(path.read_text(encoding="utf-8")))


def read_submission(folder: Path) -> tuple[dict[str, bytes], list[Message]]:
    """The student's files of a stored submission (metadata excluded) and a problem for
    each file refused (bad name, symlink, special file, too large)."""
    tree = read_tree(folder, skip=frozenset(META_FILES))
    problems = [refused_file(name, why) for name, why in tree.refused]
    return tree.files, problems


def submission_files(folder: Path) -> dict[str, bytes]:
    """The student's files of a stored submission (metadata excluded), symlinks refused."""
    return read_submission(folder)[0]


def content_hash(files: dict[str, bytes]) -> str:
    """sha256 over names and contents; any name hashes (undecodable bytes included)."""
    digest = hashlib.sha256()
    for name in sorted(files):
        raw = name.encode("utf-8", "surrogateescape")
        digest.update(raw + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()


def read_local_folder(
    folder: Path, *, max_bytes: int = MAX_FILE_BYTES, lang: str = "en"
) -> tuple[dict[str, bytes], list[str]]:
    """Files of a student's folder; bad names, symlinks, special and oversized files
    become problems."""
    tree = read_tree(folder, skip=frozenset(META_FILES), max_file_bytes=max_bytes)
    problems = [refused_file(name, why).render(lang) for name, why in tree.refused]
    return tree.files, problems


def read_given(path: Path) -> tuple[dict[str, bytes], list[Message]]:
    """A submission named on the command line: a folder, or one notebook file."""
    if path.is_dir():
        tree = read_tree(path, skip=frozenset(META_FILES), max_file_bytes=MAX_FILE_BYTES)
        return tree.files, [refused_file(name, why) for name, why in tree.refused]
    why = name_problem(path.name)
    data = read_regular(path, MAX_FILE_BYTES) if why is None else why
    if isinstance(data, str):
        return {}, [refused_file(shown_name(path.name), data)]
    return {path.name: data}, []


class LocalSource:
    """Submissions from a folder ``DIR/<login>/<files>`` (or ``DIR/<login>/<week>/<files>``).

    An optional ``submission.json`` in a student's folder may give
    ``submitted_at``; otherwise the newest file modification time is used
    (time source ``file``: only as trustworthy as the folder's origin).
    """

    def __init__(self, root: Path, *, lang: str = "en") -> None:
        if not root.is_dir():
            raise ConfigError(f"--from {root}: not a folder")
        self.root = root
        self.lang = lang

    def logins(self) -> list[str]:
        return sorted(
            p.name for p in self.root.iterdir() if p.is_dir() and LOGIN_NAME.match(p.name)
        )

    def submissions(self, week: str) -> Iterator[tuple[SubmissionMeta, dict[str, bytes]]]:
        for login in self.logins():
            try:
                yield self._one(login, week)
            except OSError as exc:  # one unreadable folder never stops the others
                log.warning("local submission of %s: %s", login, exc)

    def _one(self, login: str, week: str) -> tuple[SubmissionMeta, dict[str, bytes]]:
        folder = self.root / login
        if (folder / week).is_dir():
            folder = folder / week
        files, problems = read_local_folder(folder, lang=self.lang)
        submitted_at: datetime | None = None
        time_source = "file"
        declared = read_regular(folder / META_FILE, 64 * 1024)
        if isinstance(declared, bytes):
            try:
                data = json.loads(declared.decode("utf-8"))
                submitted_at = _parse(data.get("submitted_at"))
                time_source = str(data.get("time_source", "file"))
            except (ValueError, AttributeError, TypeError):
                problems.append("submission.json is not valid; file times used")
        if submitted_at is None and files:
            newest = max((folder / name).lstat().st_mtime for name in files)
            submitted_at = datetime.fromtimestamp(newest, UTC)
        meta = SubmissionMeta(
            login=login,
            week=week,
            source="local",
            submitted_at=submitted_at,
            time_source=time_source,
            problems=tuple(problems),
        )
        return meta, files


def collect_local(course: Course, week: str, source_dir: Path) -> list[SubmissionMeta]:
    """Copy every student's folder into the workspace; unchanged ones are left alone.

    One student's unreadable folder is logged and skipped; the others are collected."""
    course.week(week)  # fails early on an unknown week
    stored = []
    for meta, files in LocalSource(source_dir, lang=course.config.language).submissions(week):
        try:
            existing = course.submission_dir(week, meta.login)
            old = load_submission_meta(course, week, meta.login)
            if (
                old is not None
                and content_hash(submission_files(existing)) == content_hash(files)
                and old.submitted_at == meta.submitted_at
            ):
                stored.append(old)
                continue
            store_submission(course, replace(meta), files)
            stored.append(meta)
        except (OSError, ValueError, SubmissionError) as exc:
            log.warning("collect %s: %s", meta.login, exc)
    return stored
