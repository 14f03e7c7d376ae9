"""Release: nbgrader's generate_assignment strips solutions and hidden tests."""

from __future__ import annotations

import json
import subprocess
import sys

from autograder.course import Course
from autograder.nbgrader_adapter import check_releases
from tests.conftest import REPO


def test_release_strips_solutions_hidden_tests_and_outputs(demo_course: Course) -> None:
    text = (demo_course.assignments_dir / "demo01" / "demo01.ipynb").read_text()
    nb = json.loads(text)
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
    assert "assert squares(0) == []" not in text  # a hidden assert
    assert "assert squares(3) == [0, 1, 4]" in text  # a public assert stays
    assert "raise NotImplementedError()" in text
    assert all(c.get("outputs", []) == [] for c in nb["cells"] if c["cell_type"] == "code")
    locked = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("locked")]
    assert locked and all(c["metadata"]["nbgrader"].get("checksum") for c in locked)


def test_release_never_copies_hidden_or_config(fresh_course: Course) -> None:
    week_dir = fresh_course.solutions_dir / "demo01"
    (week_dir / "hidden").mkdir()
    (week_dir / "hidden" / "labels.npy").write_bytes(b"secret")
    (week_dir / "data.csv").write_text("x,y\n1,2\n")
    from autograder.nbgrader_adapter import release_week

    out = release_week(fresh_course, "demo01")
    names = {p.relative_to(out).as_posix() for p in out.rglob("*")}
    assert "data.csv" in names
    assert not any(n.startswith("hidden") for n in names)
    assert "assignment.toml" not in names


def test_release_check_detects_stale_release(fresh_course: Course) -> None:
    assert check_releases(fresh_course) == {}
    source = fresh_course.solutions_dir / "demo01" / "demo01.ipynb"
    source.write_text(source.read_text().replace("총 **6점**", "총 **여섯 점**"))
    stale = check_releases(fresh_course)
    assert list(stale) == ["demo01"] and "demo01.ipynb" in " ".join(stale["demo01"])
    cmd = [sys.executable, "-m", "autograder.cli", "--course", str(fresh_course.root), "release", "--check"]
    assert subprocess.run(cmd, capture_output=True).returncode == 4


def test_committed_releases_of_this_repo_are_fresh() -> None:
    """`autograder release --check` on the repository's own course and the demo."""
    for root in (REPO, REPO / "examples" / "demo-course"):
        course = Course(root)
        if course.week_names():
            assert check_releases(course) == {}, f"stale release in {root}; run `autograder release`"
