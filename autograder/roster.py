"""The class roster: one reader and one set of rules for every command that reads it.

``provision``, ``collect`` (discovery), the reports and the exports all read the roster
here, so a roster one of them accepts is accepted by all. The file is a CSV:

- a header row naming ``login`` (case and surrounding spaces ignored); ``student_id``,
  ``name``, ``section`` and ``email`` are optional, other columns are ignored;
- UTF-8, with or without a byte-order mark (Excel's "CSV UTF-8");
- blank lines and lines starting with ``#`` are skipped;
- every other row needs a valid GitHub login, listed once (GitHub logins are
  case-insensitive, so ``Kim`` and ``kim`` are the same student).

A bad file raises `ConfigError` naming the file and the line.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from autograder.course import LOGIN_NAME
from autograder.errors import ConfigError

if TYPE_CHECKING:
    from autograder.course import Course

COLUMNS = ("login", "student_id", "name", "section", "email")


@dataclass(frozen=True)
class RosterEntry:
    """One student of the roster; ``login`` is their GitHub login as written there."""

    login: str
    student_id: str = ""
    name: str = ""
    section: str = ""
    email: str = ""


def load_roster(path: Path) -> list[RosterEntry]:
    """The students of the roster at `path`, in file order."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"roster {path}: {exc.strerror or exc}") from None
    return parse_roster(data, source=str(path))


def parse_roster(data: bytes, *, source: str = "roster") -> list[RosterEntry]:
    """`load_roster` on the file's bytes (`source` names it in errors)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"roster {source}: line {line}: not UTF-8 (save it as UTF-8, e.g. Excel's 'CSV UTF-8')"
        ) from None
    reader = csv.reader(_uncommented(text))
    header: list[str] | None = None
    entries: list[RosterEntry] = []
    first_line: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if header is None:
            header = [cell.lower() for cell in cells]
            _check_header(header, source, line)
            continue
        if len(cells) > len(header) and any(cells[len(header) :]):
            raise ConfigError(
                f"roster {source}: line {line}: {len(cells)} fields, the header has "
                f"{len(header)} (quote a field that contains a comma)"
            )
        fields = dict(zip(header, cells, strict=False))
        login = fields.get("login", "")
        if not login:
            raise ConfigError(f"roster {source}: line {line}: no login")
        if not LOGIN_NAME.match(login):
            raise ConfigError(f"roster {source}: line {line}: invalid GitHub login {login!r}")
        key = login.lower()
        if key in first_line:
            raise ConfigError(
                f"roster {source}: line {line}: login {login!r} listed twice "
                f"(first on line {first_line[key]})"
            )
        first_line[key] = line
        entries.append(RosterEntry(**{c: fields.get(c, "") for c in COLUMNS}))
    if header is None:
        raise ConfigError(f"roster {source}: empty; needs a header with a 'login' column")
    return entries


def roster_file(course: Course, override: Path | None = None) -> Path | None:
    """The roster to use: `override` (``--roster``), else ``course.toml``'s ``roster``."""
    if override is not None:
        return override
    if course.config.roster:
        return course.root / course.config.roster
    return None


def course_roster(course: Course, override: Path | None = None) -> dict[str, RosterEntry]:
    """login -> entry of the course's roster; empty when the course has none."""
    path = roster_file(course, override)
    return {} if path is None else {e.login: e for e in load_roster(path)}


def _check_header(header: list[str], source: str, line: int) -> None:
    if "login" not in header:
        raise ConfigError(
            f"roster {source}: line {line}: needs a header with a 'login' column, got {header}"
        )
    named = [h for h in header if h]
    repeated = sorted({h for h in named if named.count(h) > 1})
    if repeated:
        raise ConfigError(f"roster {source}: line {line}: header repeats {repeated}")


def _uncommented(text: str) -> Iterator[str]:
    """The file's lines, a comment line blanked (so the line numbers stay the file's)."""
    for line in text.splitlines():
        yield "" if line.lstrip().startswith("#") else line
