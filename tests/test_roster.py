"""The one roster reader: a roster one command accepts, every command accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.course import Course
from autograder.errors import ConfigError
from autograder.roster import RosterEntry, course_roster, load_roster, parse_roster

GOOD = (
    "\ufeff# section A first\n"
    " Login , Student_ID,Name,Section,Email,phone\n"
    "kim-min,2026001,김민,A,kim@example.ac.kr,010\n"
    "\n"
    "# lee joined late\n"
    'lee,2026002,"Lee, Ji",B,,\n'
)


def test_good_roster_header_comments_bom_extra_columns() -> None:
    assert parse_roster(GOOD.encode()) == [
        RosterEntry("kim-min", "2026001", "김민", "A", "kim@example.ac.kr"),
        RosterEntry("lee", "2026002", "Lee, Ji", "B", ""),
    ]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("login\nkim min\n", "line 2: invalid GitHub login 'kim min'"),
        ("login\nalice\n# x\nAlice\n", r"line 4: login 'Alice' listed twice \(first on line 2\)"),
        ("login,name\n,김민\n", "line 2: no login"),
        ("id,name\n1,x\n", "line 1: needs a header with a 'login' column"),
        ("login,name\nalice,Kim, Min\n", "line 2: 3 fields, the header has 2"),
        ("login,name,Name\nalice,a,b\n", "line 1: header repeats \\['name'\\]"),
        ("# nothing\n\n", "empty"),
    ],
)
def test_bad_rows_name_the_line(text: str, error: str) -> None:
    with pytest.raises(ConfigError, match=error):
        parse_roster(text.encode(), source="roster.csv")


def test_not_utf8_names_the_line() -> None:
    data = "login,name\nalice,x\nbob,김민\n".encode("cp949")
    with pytest.raises(ConfigError, match="line 3: not UTF-8"):
        parse_roster(data)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="roster .*nope.csv"):
        load_roster(tmp_path / "nope.csv")


def test_every_reader_is_the_same_reader() -> None:
    """provision, discovery (collect) and the reports all read through `autograder.roster`."""
    import autograder.github.collect as collect
    import autograder.github.provision as provision
    import autograder.reports.data as data
    import autograder.reports.export as export

    assert provision.load_roster is load_roster and collect.load_roster is load_roster
    assert data.course_roster is course_roster and export.course_roster is course_roster
    assert data.RosterEntry is RosterEntry
    import autograder.github.discovery as discovery

    assert not hasattr(discovery, "load_roster") and not hasattr(data, "load_roster")


def test_course_roster(tmp_path: Path) -> None:
    (tmp_path / "course.toml").write_text('roster = "people.csv"\n')
    (tmp_path / "people.csv").write_text(GOOD, encoding="utf-8")
    course = Course(tmp_path)
    assert list(course_roster(course)) == ["kim-min", "lee"]
    other = tmp_path / "other.csv"
    other.write_text("login\nzed\n")
    assert list(course_roster(course, other)) == ["zed"]
