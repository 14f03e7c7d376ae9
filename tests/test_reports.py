"""Reports: HTML with plots, HTML feedback, CSV export and status, on a graded demo course.

The demo course is graded once (module fixture, real kernels via the process
runner) with two extra students (a timeout and a damaged notebook), a roster
with a student who never submitted, and real outbox rows for "feedback posted?".
"""

from __future__ import annotations

import base64
import csv
import io
import re
import shutil
import statistics
import warnings
from dataclasses import replace
from html.parser import HTMLParser

import matplotlib.image
import nbformat
import pytest
from click.testing import CliRunner

from autograder.cli import cli
from autograder.course import Course
from autograder.gradebook import GradebookStore
from autograder.grading import grade_week
from autograder.nbgrader_adapter import release_week
from autograder.reports import (
    feedback_page,
    gather_week,
    write_course_report,
    write_week_report,
)
from autograder.reports.export import NBGRADER_COLUMNS
from autograder.reports.fonts import covers_hangul, find_cjk_font
from autograder.reports.plots import PlotStyle, week_plots
from autograder.reports.week_report import render_week_html
from autograder.results import MetricResult, SubmissionResult
from autograder.results import TestResult as _TestResult
from autograder.submissions import collect_local
from gpu_runner.runners import ProcessRunner
from tests.conftest import DEMO, filled

WEEK = "demo01"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ROSTER = (
    "login,student_id,name,section\n"
    "alice,2026001,김앨리스,01\n"
    "bob,2026002,박밥,01\n"
    "gina,2026007,최지나,02\n"
)
HIDDEN_SOURCE = ("assert squares(0)", "assert mean([-1, 1])", 'count_words("") == {}')


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Course:
    root = tmp_path_factory.mktemp("reports") / "demo"
    shutil.copytree(  # demo01 only (demo02's hand-graded answer: tests/test_manual_grading.py)
        DEMO,
        root,
        ignore=shutil.ignore_patterns(".autograder", "assignments", "__pycache__", "demo02"),
    )
    (root / "roster.csv").write_text(ROSTER, encoding="utf-8")
    toml = root / "course.toml"
    toml.write_text('roster = "roster.csv"\n' + toml.read_text(encoding="utf-8"), encoding="utf-8")
    week_toml = root / "solutions" / WEEK / "assignment.toml"
    week_toml.write_text(week_toml.read_text().replace("cell_timeout_s = 20", "cell_timeout_s = 3"))
    course = Course(root)
    release_week(course, WEEK)
    inbox = root / "submissions"
    (inbox / "eve").mkdir()
    nbformat.write(
        filled(course, {"squares": "def squares(n):\n    while True:\n        pass"}),
        inbox / "eve" / "demo01.ipynb",
    )
    (inbox / "frank").mkdir()
    (inbox / "frank" / "demo01.ipynb").write_text("{ this is not a notebook")
    for login in ("eve", "frank"):
        (inbox / login / "submission.json").write_text(
            '{"submitted_at": "2026-09-08T21:00:00+09:00"}'
        )
    collect_local(course, WEEK, inbox)
    report = grade_week(course, WEEK, runner=ProcessRunner(), jobs=2)
    assert not report.errors
    _post_feedback(course)
    return course


def _post_feedback(course: Course) -> None:
    """alice's feedback posted as issue #7, bob's still pending (real outbox rows)."""
    from autograder.github.outbox import DONE, Outbox
    from autograder.github.store import SCHEMAS
    from autograder.workspace_db import workspace_engine

    box = Outbox(workspace_engine(course.db_url, *SCHEMAS))
    for login in ("alice", "bob"):
        row = box.enqueue(
            week=WEEK,
            login=login,
            repo=f"demo-course/{WEEK}-{login}",
            title="채점 결과",
            body=f"feedback for {login}",
            score=None,
            comment_for="regraded",
            now=0.0,
        )
        assert row is not None
        if login == "alice":
            box.mark(row.id, state=DONE, issue_number=7)


class Tables(HTMLParser):
    """Table id -> rows of cell texts; also every src/href attribute."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.links: list[str] = []
        self._table: str | None = None
        self._cell: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.links += [v for k, v in attrs if k in ("src", "href") and v]
        if tag == "table":
            self._table = a.get("id") or ""
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def rows(self, table_id: str) -> dict[str, list[str]]:
        """Body rows keyed by their first cell."""
        return {row[0]: row for row in self.tables[table_id][1:]}


def _num(text: str) -> float:
    return float(text)


def _results(course: Course) -> dict[str, SubmissionResult]:
    return {r.student: r for r in GradebookStore(course).results(WEEK)}


def _nbgrader_scores(course: Course) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url) as gb:
        return {s.student.id: float(s.score) for s in gb.assignment_submissions(WEEK)}


def test_report_tables_match_the_gradebook(graded: Course) -> None:
    files = write_week_report(graded, WEEK)
    page = Tables(files.html.read_text(encoding="utf-8"))
    results = _results(graded)
    nbgrader = _nbgrader_scores(graded)
    assert set(results) == {"alice", "bob", "carol", "dave", "eve", "frank"}

    students = page.rows("students")
    header = page.tables["students"][0]
    col = {
        name: header.index(name)
        for name in ("이름", "상태", "원점수", "감점", "점수", "만점", "지각")
    }
    assert set(students) == set(results) | {"gina"}
    for login, result in results.items():
        row = students[login]
        assert _num(row[col["점수"]]) == pytest.approx(result.score, abs=0.005)
        assert _num(row[col["만점"]]) == result.max_score == 6
        # nbgrader's own gradebook holds the raw (pre-penalty) score
        assert _num(row[col["원점수"]]) == pytest.approx(nbgrader[login], abs=0.005)
    assert students["dave"][col["감점"]] == "1.2" and students["dave"][col["지각"]] == "1일 9시간"
    assert students["alice"][col["이름"]] == "김앨리스"
    assert students["gina"][col["상태"]] == "미제출" and students["gina"][col["점수"]] == ""

    summary = {row[0]: row[1] for row in page.tables["summary"]}
    scores = [r.score for r in results.values()]
    assert _num(summary["평균"]) == pytest.approx(statistics.fmean(scores), abs=0.005)
    assert _num(summary["중앙값"]) == pytest.approx(statistics.median(scores), abs=0.005)
    assert (
        summary["학생 수"],
        summary["명단 인원"],
        summary["제출"],
        summary["채점"],
        summary["미제출"],
    ) == (
        "7",
        "3",
        "6",
        "6",
        "1",
    )
    assert summary["지각"] == "1"

    tests = page.rows("tests")
    assert list(tests) == ["test_squares", "test_mean", "test_count_words"]
    for test_id, row in tests.items():
        outcomes = [t for r in results.values() for t in r.tests if t.id == test_id]
        passed = sum(t.status == "passed" for t in outcomes)
        assert row[3] == f"{passed}/{len(outcomes)}"
        assert _num(row[5]) == pytest.approx(
            statistics.fmean(t.points for t in outcomes), abs=0.005
        )


def test_failures_and_review_name_the_reasons(graded: Course) -> None:
    results = _results(graded)
    assert results["eve"].run_status == "timeout" or any(
        t.status == "timeout" for t in results["eve"].tests
    )
    page = Tables(write_week_report(graded, WEEK).html.read_text(encoding="utf-8"))
    failures = {row[0]: int(row[1]) for row in page.tables["failures"][1:]}
    assert failures["시간 초과"] == 1  # eve
    assert failures["손상된 노트북"] == 1  # frank
    assert failures["잠긴 셀 수정"] == 1  # carol edited a test cell
    review = page.rows("review")
    assert "carol" in review and "test_squares" in review["carol"][1]
    assert "alice" not in review


def test_every_plot_is_a_valid_png_and_embedded(graded: Course) -> None:
    files = write_week_report(graded, WEEK)
    names = {p.stem for p in files.plots}
    assert names == {
        "score_distribution",
        "test_pass_rates",
        "submission_times",
        "runtimes",
        "failures",
    }
    html = files.html.read_text(encoding="utf-8")
    for path in files.plots:
        data = path.read_bytes()
        assert path.parent == files.html.parent
        assert data.startswith(PNG_MAGIC)
        pixels = matplotlib.image.imread(io.BytesIO(data), format="png")
        assert pixels.ndim == 3 and pixels.shape[0] > 100 and pixels.shape[1] > 300
        assert pixels.std() > 0.01  # not a blank image
        embedded = re.search(
            rf'id="plot-{path.stem}"[^>]*src="data:image/png;base64,([^"]+)"', html
        )
        assert embedded and base64.b64decode(embedded.group(1)) == data


def _assert_offline(html: str) -> None:
    links = Tables(html).links
    assert not [link for link in links if re.match(r"(?i)\s*(https?:)?//", link)], links
    assert all(
        link.startswith("data:image/png;base64,") or not link.startswith("data:") for link in links
    )
    lowered = html.lower()
    assert "<script" not in lowered and "@import" not in lowered and "url(" not in lowered
    assert "<link" not in lowered and "<iframe" not in lowered


def test_reports_make_no_network_references(graded: Course) -> None:
    files = write_week_report(graded, WEEK)
    _assert_offline(files.html.read_text(encoding="utf-8"))
    _assert_offline(write_course_report(graded).html.read_text(encoding="utf-8"))
    assert len(files.feedback) == 6
    for page in files.feedback:
        _assert_offline(page.read_text(encoding="utf-8"))


def test_feedback_pages_hold_the_feedback_and_no_hidden_source(graded: Course) -> None:
    files = write_week_report(graded, WEEK)
    page = Tables(files.html.read_text(encoding="utf-8"))
    assert "../../feedback/demo01/alice.html" in page.links
    carol = graded.feedback_path(WEEK, "carol", ".html").read_text(encoding="utf-8")
    assert "점수: 3 / 6" in carol and "test_squares" in carol and "<table" in carol
    for path in files.feedback:
        text = path.read_text(encoding="utf-8")
        assert not [s for s in HIDDEN_SOURCE if s in text], path
    # student-controlled text cannot smuggle markup, links or images into the page
    hostile = SubmissionResult(
        assignment=WEEK,
        student="mallory",
        status="graded",
        score=0,
        max_score=6,
        tests=(
            _TestResult(
                "test_mean",
                WEEK,
                0,
                3,
                "failed",
                message=(
                    "AssertionError: ![x](http://evil.example/x.png) <script>alert(1)</script> <http://evil.example>"
                ),
            ),
        ),
    )
    html = feedback_page(hostile, language="ko", title="데모")
    _assert_offline(html)
    assert "<img" not in html and "&lt;script&gt;" in html


def test_english_report(graded: Course) -> None:
    files = write_week_report(graded, WEEK, language="en")
    text = files.html.read_text(encoding="utf-8")
    page = Tables(text)
    assert "grading report" in text and '<html lang="en">' in text
    assert page.tables["students"][0][:4] == ["student", "name", "section", "status"]
    assert page.rows("students")["gina"][3] == "not submitted"
    assert {row[0] for row in page.tables["failures"][1:]} >= {"timeout", "damaged notebook"}
    english = graded.feedback_path(WEEK, "alice", ".html").read_text(encoding="utf-8")
    assert "Score: 6 / 6" in english


def _missing_glyph_warnings(style: PlotStyle, course: Course) -> list[str]:
    data = gather_week(course, WEEK)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plots = week_plots(data, style)
    assert plots
    return [str(w.message) for w in caught if "missing from" in str(w.message)]


def test_plots_fall_back_to_english_without_a_cjk_font(graded: Course) -> None:
    style = PlotStyle.choose("ko", None)
    assert style.language == "en"
    assert _missing_glyph_warnings(style, graded) == []  # no boxes for missing glyphs
    data = gather_week(graded, WEEK)
    html = render_week_html(data, language="ko", style=style, plots=week_plots(data, style))
    assert "한글 글꼴을 찾지 못해" in html  # the report says why the plots are in English


def test_korean_plots_render_every_glyph(graded: Course) -> None:
    font = find_cjk_font()
    if font is None:
        pytest.skip("no Hangul font installed (CI installs fonts-nanum); fallback tested above")
    style = PlotStyle.choose("ko", font)
    assert style.language == "ko"
    assert _missing_glyph_warnings(style, graded) == []


def test_threshold_plot_and_anonymised_leaderboard(graded: Course) -> None:
    accuracy = {"alice": 0.93, "bob": 0.81, "carol": 0.62, "dave": 0.93, "eve": None}
    results = []
    for r in GradebookStore(graded).results(WEEK):
        if r.student in accuracy:
            value = accuracy[r.student]
            points = 0.0 if value is None or value < 0.7 else 2.0 if value >= 0.9 else 1.0
            metric = MetricResult("mlp_acc", "accuracy", value, 0.9, 0.7, points, 2.0)
            r = replace(r, metrics=(metric,))
        results.append(r)
    data = gather_week(graded, WEEK, results=results)
    style = PlotStyle.choose("en", None)
    plots = week_plots(data, style)
    assert plots["metric_mlp_acc"].png.startswith(PNG_MAGIC)
    page = Tables(
        render_week_html(data, language="en", style=style, plots=plots, leaderboard_salt="s3cret")
    )
    metric_row = page.tables["metric-mlp_acc"][1]
    assert metric_row[:4] == ["accuracy", "0.9", "0.7", "2/5"]  # alice and dave reached the target
    assert _num(metric_row[4]) == pytest.approx(
        statistics.fmean([0.93, 0.81, 0.62, 0.93]), abs=1e-4
    )
    assert metric_row[5] == "1"  # eve's predictions were invalid
    board = page.tables["leaderboard-mlp_acc"][1:]
    assert [row[0] for row in board] == ["1", "1", "3", "4"]  # ties share a rank
    assert all(row[1].startswith("#") for row in board)
    assert not {row[1] for row in board} & set(accuracy)  # no logins on the board


def _cli(course: Course, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--course", str(course.root), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_export_week_csv(graded: Course) -> None:
    text = _cli(graded, "export", WEEK, "--format", "csv", "--output", "-")
    reader = csv.DictReader(io.StringIO(text))
    assert tuple(reader.fieldnames or ())[: len(NBGRADER_COLUMNS)] == NBGRADER_COLUMNS
    assert {"late_seconds", "sha", "status", "flags", "problems"} <= set(reader.fieldnames or ())
    rows = {row["student_id"]: row for row in reader}
    results = _results(graded)
    nbgrader = _nbgrader_scores(graded)
    for login, result in results.items():
        assert float(rows[login]["score"]) == pytest.approx(result.score, abs=1e-4)
        assert float(rows[login]["raw_score"]) == pytest.approx(nbgrader[login], abs=1e-4)
        assert rows[login]["max_score"] == "6" and rows[login]["status"] == "graded"
    assert (
        rows["dave"]["late_submission_penalty"] == "1.2" and float(rows["dave"]["late_seconds"]) > 0
    )
    assert rows["dave"]["timestamp"].startswith("2026-09-10T00:30:00")
    assert rows["dave"]["duedate"] == "2026-09-08T23:59:00+09:00"
    assert (
        rows["alice"]["roster_student_id"],
        rows["alice"]["last_name"],
        rows["alice"]["section"],
    ) == (
        "2026001",
        "김앨리스",
        "01",
    )
    assert (rows["gina"]["status"], rows["gina"]["score"], rows["gina"]["timestamp"]) == (
        "missing",
        "0",
        "",
    )
    assert rows["carol"]["problems"] == "1" and rows["eve"]["run_status"] in (
        "timeout",
        "completed",
    )
    # the default output goes to the workspace
    assert "wrote" in _cli(graded, "export", WEEK)
    assert (graded.workspace / "reports" / f"{WEEK}.csv").read_text(encoding="utf-8") == text


def test_export_course_csv_and_course_report(graded: Course) -> None:
    text = _cli(graded, "export", "--course", "-o", "-")
    reader = csv.DictReader(io.StringIO(text))
    assert reader.fieldnames == [
        "login",
        "student_id",
        "name",
        "section",
        WEEK,
        "total",
        "max_total",
        "provisional",
    ]
    rows = {row["login"]: row for row in reader}
    results = _results(graded)
    assert set(rows) == set(results) | {"gina"}
    for login, result in results.items():
        assert float(rows[login][WEEK]) == pytest.approx(result.score, abs=1e-4)
        assert rows[login]["total"] == rows[login][WEEK] and rows[login]["max_total"] == "6"
    assert rows["gina"][WEEK] == "" and rows["gina"]["total"] == "0"
    assert rows["bob"]["student_id"] == "2026002"

    write_week_report(graded, WEEK)
    files = write_course_report(graded)
    page = Tables(files.html.read_text(encoding="utf-8"))
    gradebook = page.rows("gradebook")
    for login, row in rows.items():
        assert gradebook[login][4] == row[WEEK] and gradebook[login][5] == row["total"]
    week_row = page.rows("weeks")[WEEK]
    assert week_row[3:5] == ["6", "6"]  # collected, graded
    assert "../demo01/report.html" in page.links
    assert [p.name for p in files.plots] == ["score_by_week.png"]
    assert files.plots[0].read_bytes().startswith(PNG_MAGIC)


def _status_rows(output: str) -> dict[str, list[str]]:
    """Rich table body rows as cells, keyed by login (columns as in `status_table`)."""
    rows = [
        [c.strip() for c in line.split("│")[1:-1]]
        for line in output.splitlines()
        if line.count("│") > 2
    ]
    return {row[0]: row for row in rows}


def test_status_table(graded: Course) -> None:
    rows = _status_rows(_cli(graded, "status", WEEK))
    # student, name, collected, status, score, late, feedback, problems, flags, comments
    assert set(rows) == {"alice", "bob", "carol", "dave", "eve", "frank", "gina"}
    assert rows["alice"] == ["alice", "김앨리스", "✓", "채점됨", "6/6", "", "게시됨 #7", "", "", ""]
    assert rows["bob"][6] == "대기"
    assert rows["carol"][6:8] == ["없음", "1"]
    assert rows["dave"][4:6] == ["4.8/6", "1일 9시간"]
    assert rows["frank"][7] == "1"  # the damaged notebook
    assert rows["gina"] == ["gina", "최지나", "✗", "미제출", "", "", "없음", "", "", ""]
    english = _status_rows(_cli(graded, "status", WEEK, "--language", "en"))
    assert english["alice"][3:7] == ["graded", "6/6", "", "posted #7"]
    assert english["bob"][6] == "pending" and english["dave"][5] == "1d 9h"
    assert english["gina"][3] == "not submitted"


def test_report_command_and_usage_errors(graded: Course) -> None:
    out = _cli(graded, "report", WEEK, "--language", "en", "--no-feedback-html")
    assert "report.html" in out and "score_distribution.png" in out and "feedback pages" not in out
    result = CliRunner().invoke(cli, ["--course", str(graded.root), "report"])
    assert result.exit_code == 2 and "--all-weeks" in result.output
    result = CliRunner().invoke(cli, ["--course", str(graded.root), "report", "nosuchweek"])
    assert result.exit_code != 0 and "nosuchweek" in result.output


def test_font_check_reads_the_character_map() -> None:
    from matplotlib import font_manager

    dejavu = font_manager.findfont("DejaVu Sans")
    assert not covers_hangul(dejavu)  # Latin-only: must never be picked for Korean labels
    font = find_cjk_font()
    if font is not None:
        assert covers_hangul(font_manager.findfont(font, fallback_to_default=False))
