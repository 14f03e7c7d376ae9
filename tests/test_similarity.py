"""Similarity: planted copies in a generated class of 30, the CLI, report, CSV, review marks.

The class starts from the real week02 release: 27 honest students who solve it the
obvious way with natural variation, and 3 planted copies (renamed identifiers and
rewritten comments; reordered functions; a cell split in two). Everything is real:
notebooks on disk, `collect_local`, the workspace SQLite, the CLI through click's
runner, and (for the regrade) real kernels through the process runner.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from autograder.cli import cli
from autograder.course import Course
from autograder.feedback import to_markdown
from autograder.gradebook import GradebookStore
from autograder.grading import grade_week
from autograder.messages import CATALOG, Message
from autograder.results import MetricResult, SubmissionResult
from autograder.similarity import analyse_week, mark_pair
from autograder.similarity.analysis import flag_results
from autograder.similarity.extract import CodeCell
from autograder.similarity.fingerprint import fingerprint, skeleton_hashes, tokens
from autograder.submissions import collect_local
from gpu_runner.runners import ProcessRunner
from tests.conftest import REPO, filled
from tests.similarity_class import make_class

WEEK = "week02"
FLAG = Message.of("flag.similarity")


def _cells(*sources: str) -> list[CodeCell]:
    return [CodeCell("nb.ipynb", i + 1, s) for i, s in enumerate(sources)]


def _texts(*sources: str) -> list[str]:
    return [t.text for t in tokens(_cells(*sources))]


def _shared(a: list[CodeCell], b: list[CodeCell]) -> float:
    fa, fb = fingerprint("a", a, frozenset()), fingerprint("b", b, frozenset())
    return len(set(fa.positions) & set(fb.positions)) / max(1, min(fa.size, fb.size))


# -- normalisation -----------------------------------------------------------------

ORIGINAL = '''def mean(xs):
    """Average."""
    total = 0  # running sum
    for x in xs:
        total += x
    return total / len(xs)


def spread(values):
    m = mean(values)
    return max(values) - m
'''
DISGUISED = """def mean(numbers):
    # 합계를 구한다
    acc=0
    for   item in numbers:
        acc += item

    return acc/len(numbers)
def spread(data):
    center = mean(data)   # 가운데
    return max(data) - center
"""


def test_names_comments_docstrings_and_whitespace_do_not_change_tokens() -> None:
    assert _texts(ORIGINAL) == _texts(DISGUISED)
    assert _texts(ORIGINAL) != _texts(ORIGINAL.replace("total += x", "total -= x"))
    # builtins and attribute names are kept: they are the API, not the student's choice
    assert _texts("y = np.mean(v) + len(v)") == ["V", "=", "V", ".", "mean", "(", "V", ")", "+", "len", "(", "V", ")"]  # fmt: skip


def test_split_merged_and_reordered_cells_keep_their_fingerprints() -> None:
    first, second = ORIGINAL.split("\n\n\ndef spread")
    second = "def spread" + second
    one_cell = _cells(ORIGINAL)
    assert _shared(one_cell, _cells(first, second)) == 1.0  # split in two cells
    assert _shared(one_cell, _cells(second, first)) >= 0.7  # reordered
    assert _shared(one_cell, _cells("def median(xs):\n    return sorted(xs)[len(xs) // 2]")) == 0


def test_the_release_skeleton_does_not_count() -> None:
    skeleton = (
        "def augment(images, labels, copies, rng):\n"
        "    images = np.asarray(images, dtype=np.float32)\n"
        "    labels = np.asarray(labels)\n"
        "    # YOUR CODE HERE\n"
        "    raise NotImplementedError()\n"
    )
    release = skeleton_hashes([skeleton])
    assert fingerprint("a", _cells(skeleton), release).size == 0  # the untouched release
    answer = _cells(
        skeleton.replace("raise NotImplementedError()", "return images[::-1], labels[::-1]")
    )
    kept, everything = fingerprint("b", answer, release), fingerprint("b", answer, frozenset())
    assert 0 < kept.size < everything.size
    first_own = next(i for i, t in enumerate(kept.toks) if t.text == "return")
    assert all(p + 10 > first_own for ps in kept.positions.values() for p in ps)


def test_broken_code_and_magics_are_read_without_crashing() -> None:
    broken = _texts(
        "%matplotlib inline\n!pip install x\ndef f(:\n    return [1, 2", "x = 'unterminated"
    )
    assert broken[:4] == ["def", "V", "(", ":"] and "%" not in broken and "pip" not in broken


# -- the generated class of 30 --------------------------------------------------------


def _week02_course(root: Path) -> Course:
    root.mkdir(parents=True)
    (root / "course.toml").write_text('name = "t"\nlanguage = "ko"\nrunner = "process"\n')
    for part in ("solutions", "assignments"):
        shutil.copytree(REPO / part / WEEK, root / part / WEEK)
    return Course(root)


@pytest.fixture(scope="module")
def klass(tmp_path_factory: pytest.TempPathFactory) -> tuple[Course, set[tuple[str, str]]]:
    root = tmp_path_factory.mktemp("similarity") / "course"
    course = _week02_course(root)
    logins, planted = make_class(root.parent / "inbox", students=30)
    collect_local(course, WEEK, root.parent / "inbox")
    assert course.submitted_logins(WEEK) == logins
    return course, {tuple(sorted(p)) for p in planted}  # type: ignore[misc]


def test_planted_copies_rank_top_three_and_honest_pairs_stay_below(klass) -> None:
    course, planted = klass
    sim = analyse_week(course, WEEK)
    assert len(sim.pairs) == 30 * 29 // 2
    assert {(p.a, p.b) for p in sim.pairs[:3]} == planted
    flagged = {(p.a, p.b) for p in sim.flagged()}
    precision = len(flagged & planted) / len(flagged)
    recall = len(flagged & planted) / len(planted)
    assert (precision, recall) == (1.0, 1.0)
    honest = [p.score for p in sim.pairs if (p.a, p.b) not in planted]
    assert max(honest) < sim.threshold - 0.1  # a margin, not a coin toss
    assert min(p.score for p in sim.pairs[:3]) > sim.threshold + 0.05


def test_cli_json_lists_every_pair_in_the_contract_shape(klass) -> None:
    course, planted = klass
    result = CliRunner().invoke(
        cli, ["--course", str(course.root), "similarity", WEEK, "--json", "--no-flags"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    pairs = data["pairs"]
    assert len(pairs) == 435 and data["week"] == WEEK
    assert all({"a", "b", "score", "flagged"} <= set(p) for p in pairs)
    assert [p["score"] for p in pairs] == sorted((p["score"] for p in pairs), reverse=True)
    assert {(p["a"], p["b"]) for p in pairs if p["flagged"]} == planted


def test_report_has_a_ranked_table_and_side_by_side_code(klass) -> None:
    course, planted = klass
    result = CliRunner().invoke(
        cli, ["--course", str(course.root), "report", WEEK, "--no-feedback-html"]
    )
    assert result.exit_code == 0, result.output
    html = (course.workspace / "reports" / WEEK / "report.html").read_text(encoding="utf-8")
    section = html[html.index('<section id="similarity">') :]
    assert '<table id="similarity">' in section and section.count('class="sbs"') == 3
    a, b = sorted(planted)[0]
    assert f"{a} ↔ {b}" in section
    # the copy's renamed names appear on B's side next to A's original lines
    assert "my_" in section and "def mean(xs)" in section
    assert 'src="http' not in html and "<script" not in html


def test_csv_export_names_the_partner(klass) -> None:
    course, planted = klass
    result = CliRunner().invoke(cli, ["--course", str(course.root), "export", WEEK, "-o", "-"])
    assert result.exit_code == 0, result.output
    rows = {r["student_id"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    for a, b in planted:
        assert rows[a]["similar_to"] == b and rows[b]["similar_to"] == a
        assert float(rows[a]["similarity_max"]) >= 0.65
    honest = [r for r in rows.values() if not r["similar_to"]]
    assert len(honest) == 24 and all(float(r["similarity_max"]) < 0.65 for r in honest)


# -- escaping ------------------------------------------------------------------------


def test_side_by_side_view_escapes_student_code(fresh_course: Course, tmp_path: Path) -> None:
    nasty = (
        "def squares(n):\n    # </pre><script>alert('x')</script>\n"
        "    label = '<img src=http://evil.example/x.png>'\n"
        "    return [i * i for i in range(n) if label and i >= 0 and i < 10 ** 6]"
    )
    inbox = tmp_path / "inbox"
    for login, answers in {
        "ann": {"squares": nasty},
        "ben": {"squares": nasty.replace("label", "tag")},
        "cid": {},
    }.items():
        (inbox / login).mkdir(parents=True)
        nbformat.write(filled(fresh_course, answers), inbox / login / "demo01.ipynb")
    collect_local(fresh_course, "demo01", inbox)
    result = CliRunner().invoke(cli, ["--course", str(fresh_course.root), "similarity", "demo01"])
    assert result.exit_code == 0, result.output
    html = (fresh_course.workspace / "reports" / "demo01" / "similarity.html").read_text()
    assert "ann ↔ ben" in html
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=http://evil.example" in html


# -- the output signal ---------------------------------------------------------------


def _with_outputs(nb: nbformat.NotebookNode, lines: list[str], error: str | None) -> None:
    cell = next(c for c in nb.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution"))  # fmt: skip
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="\n".join(lines))]
    if error:
        cell.outputs.append(
            nbformat.v4.new_output("error", ename="KeyError", evalue=error, traceback=[])
        )


def test_identical_unusual_outputs_flag_a_pair_without_similar_code(fresh_course: Course, tmp_path: Path) -> None:  # fmt: skip
    inbox = tmp_path / "inbox"
    answers = {
        "amy": "def squares(n):\n    return [i * i for i in range(n)]",
        "bo": "def squares(n):\n    out = []\n    for k in range(n):\n        out.append(k ** 2)\n    return out",
        "cy": "def squares(n):\n    return list(map(lambda v: v * v, range(n)))",
        "di": "def squares(n):\n    result = [0] * n\n    for j in range(n):\n        result[j] = j * j\n    return result",
    }
    common = "epoch 1/3 - this line everyone prints"
    for login, code in answers.items():
        nb = filled(fresh_course, {"squares": code})
        if login in ("amy", "bo"):  # the same run: same losses, same odd error
            _with_outputs(nb, [common, "loss: 0.61803 - accuracy: 0.91234", "loss: 0.31415 - accuracy: 0.95721"], "'heigth_cm'")  # fmt: skip
        else:
            _with_outputs(nb, [common, f"loss: 0.{len(login)}777 - accuracy: 0.9{len(code)}"], None)
        (inbox / login).mkdir(parents=True)
        nbformat.write(nb, inbox / login / "demo01.ipynb")
    collect_local(fresh_course, "demo01", inbox)
    metric = MetricResult("acc", "accuracy", 0.9572101, 0.9, 0.5, 1.0, 1.0)
    results = [
        SubmissionResult("demo01", login, "graded", 1.0, 1.0, metrics=(metric,) if login in ("amy", "bo") else ())
        for login in answers
    ]  # fmt: skip
    sim = analyse_week(fresh_course, "demo01", results=results)
    top = sim.pairs[0]
    assert (top.a, top.b) == ("amy", "bo") and top.flagged
    assert top.code_score < 0.3 and top.output_score >= sim.threshold
    kinds = {i.kind for i in top.shared_outputs}
    assert kinds == {"output", "error", "metric"}
    assert common not in {i.text for i in top.shared_outputs}  # everyone printed it
    assert [p for p in sim.pairs if p.flagged] == [top]


# -- review marks, regrade, feedback ----------------------------------------------------

DISGUISE = {
    "squares": "def squares(count):\n    # 제곱 목록\n    return [k * k for k in range(count)]",
    "mean": "def mean(values):\n    if not values:\n        raise ValueError('empty')\n    return sum(values) / len(values)",
    "count_words": (
        "def count_words(text):\n    table = {}\n    for token in text.split():\n"
        "        table[token] = table.get(token, 0) + 1\n    return table"
    ),
}  # fmt: skip


def test_allowed_pair_survives_a_regrade_and_feedback_names_no_one(fresh_course: Course, tmp_path: Path) -> None:  # fmt: skip
    """alice ↔ mallory (a disguised copy) is allowed; bob ↔ trudy stays flagged."""
    course = fresh_course
    bob = {
        "squares": "def squares(n):\n    res = []\n    i = 0\n    while i < n:\n        res.append(i * i)\n        i += 1\n    return res",
        "mean": "def mean(xs):\n    total = 0.0\n    for x in xs:\n        total = total + x\n    if len(xs) == 0:\n        raise ValueError('no data')\n    return total / len(xs)",
        "count_words": "def count_words(text):\n    from collections import Counter\n    return dict(Counter(text.split()))",
    }  # fmt: skip
    trudy = {
        k: v.replace("res", "acc").replace("total", "s").replace("xs", "data")
        for k, v in bob.items()
    }
    carol = {
        "squares": "def squares(n):\n    return list(map(lambda v: v ** 2, range(n)))",
        "mean": "def mean(xs):\n    assert len(xs) > 0\n    return float(sum(xs)) / float(len(xs))",
        "count_words": "def count_words(text):\n    words = text.split()\n    return {w: words.count(w) for w in set(words)}",
    }  # fmt: skip
    people = {"alice": {}, "mallory": DISGUISE, "bob": bob, "trudy": trudy, "carol": carol}
    inbox = tmp_path / "inbox"
    for login, answers in people.items():
        (inbox / login).mkdir(parents=True)
        nbformat.write(filled(course, answers), inbox / login / "demo01.ipynb")
    collect_local(course, "demo01", inbox)
    runner = CliRunner()

    def similarity(*args: str) -> dict:
        out = runner.invoke(
            cli, ["--course", str(course.root), "similarity", "demo01", "--json", *args]
        )
        assert out.exit_code == 0, out.output
        return {(p["a"], p["b"]): p for p in json.loads(out.stdout)["pairs"]}

    def flagged_results() -> set[str]:
        return {r.student for r in GradebookStore(course).results("demo01") if FLAG in r.flags}

    grade_week(course, "demo01", runner=ProcessRunner(), jobs=2)
    pairs = similarity()
    assert pairs[("alice", "mallory")]["flagged"] and pairs[("bob", "trudy")]["flagged"]
    assert not pairs[("alice", "carol")]["flagged"]
    assert flagged_results() == {"alice", "mallory", "bob", "trudy"}

    # student-facing feedback: the flag is there, no other student is
    for result in GradebookStore(course).results("demo01"):
        for language in ("ko", "en"):
            body = to_markdown(result, language=language)
            others = [login for login in people if login != result.student and login in body]
            assert others == [], (result.student, others)
        assert (result.student in {"alice", "mallory", "bob", "trudy"}) == (FLAG in result.flags)  # fmt: skip
    report = runner.invoke(cli, ["--course", str(course.root), "report", "demo01"])
    assert report.exit_code == 0, report.output
    for login in people:
        page = (course.feedback_dir / "demo01" / f"{login}.html").read_text(encoding="utf-8")
        assert [o for o in people if o != login and o in page] == []

    pairs = similarity("--allow", "mallory", "alice", "--note", "declared pair work")
    assert pairs[("alice", "mallory")]["review"] == "allowed"
    assert not pairs[("alice", "mallory")]["flagged"] and pairs[("bob", "trudy")]["flagged"]
    assert flagged_results() == {"bob", "trudy"}

    before = sorted(p.relative_to(course.root) for p in course.solutions_dir.rglob("*"))
    report = grade_week(course, "demo01", runner=ProcessRunner(), jobs=2, force=True)  # the regrade
    assert len(report.graded) == 5 and flagged_results() == set()  # results are rewritten
    pairs = similarity()
    assert pairs[("alice", "mallory")]["review"] == "allowed"
    assert pairs[("alice", "mallory")]["note"] == "declared pair work"
    assert not pairs[("alice", "mallory")]["flagged"] and pairs[("bob", "trudy")]["flagged"]
    assert flagged_results() == {"bob", "trudy"}
    # the decision lives in the workspace, never in solutions/
    assert sorted(p.relative_to(course.root) for p in course.solutions_dir.rglob("*")) == before
    assert course.workspace in Path(course.db_url.removeprefix("sqlite:///")).parents

    pairs = similarity("--unmark", "alice", "mallory")
    assert pairs[("alice", "mallory")]["flagged"] and pairs[("alice", "mallory")]["review"] is None


def test_flags_are_replaced_not_stacked_and_other_flags_stay() -> None:
    tamper = Message.of("flag.kernel_died")
    result = SubmissionResult("w", "amy", "graded", 1.0, 1.0, flags=(tamper,))
    (once,) = flag_results([result], {"amy"})
    assert once.flags == (tamper, FLAG)
    assert once.flag_texts("ko") == (
        CATALOG["flag.kernel_died"]["ko"],
        CATALOG["flag.similarity"]["ko"],
    )
    legacy = SubmissionResult(
        "w", "amy", "graded", 1.0, 1.0, flags=(CATALOG["flag.similarity"]["en"],)
    )
    (relabelled,) = flag_results([legacy], set())  # stored before facts: text
    assert relabelled.flags == ()
    assert flag_results([once], {"amy"}) == []  # unchanged: nothing to write
    (cleared,) = flag_results([once], set())
    assert cleared.flags == (tamper,)


def test_bad_marks_are_usage_errors(klass) -> None:
    course, _ = klass
    runner = CliRunner()
    for args in (["--allow", "stu001", "stu001"], ["--allow", "stu001", "../etc"]):
        result = runner.invoke(cli, ["--course", str(course.root), "similarity", WEEK, *args])
        assert result.exit_code == 2, result.output
    with pytest.raises(Exception, match="different students"):
        mark_pair(course, WEEK, "stu002", "stu002")


def test_same_unusual_predictions_flag_a_pair(fresh_course: Course, tmp_path: Path) -> None:
    import numpy as np

    from autograder.similarity.predictions import predictions_dir

    logins = [f"p{i}" for i in range(8)]
    inbox = tmp_path / "inbox"
    for i, login in enumerate(logins):
        code = f"def squares(n):\n    return [k * k + {i} - {i} for k in range(n)]"
        (inbox / login).mkdir(parents=True)
        nbformat.write(filled(fresh_course, {"squares": code}), inbox / login / "demo01.ipynb")
    collect_local(fresh_course, "demo01", inbox)
    truth = np.arange(400) % 10
    rng = np.random.default_rng(6)
    for i, login in enumerate(logins):
        pred = truth.copy()
        wrong = rng.choice(400, size=12, replace=False)
        pred[wrong] = (pred[wrong] + 1 + i % 3) % 10
        if login == "p5":  # the same model as p2: the same predictions
            pred = np.load(predictions_dir(fresh_course, "demo01", "p2") / "digits.npy")
        folder = predictions_dir(fresh_course, "demo01", login)
        folder.mkdir(parents=True)
        np.save(folder / "digits.npy", pred)
    bad = predictions_dir(fresh_course, "demo01", "p0")
    np.save(bad / "objects.npy", np.array([{"x": 1}], dtype=object), allow_pickle=True)
    (bad / "link.npy").symlink_to(bad / "digits.npy")
    sim = analyse_week(fresh_course, "demo01", results=[])
    top = sim.pairs[0]
    assert (top.a, top.b) == ("p2", "p5") and top.flagged and top.output_score == 1.0
    assert {i.kind for i in top.shared_outputs} == {"predictions", "prediction"}
    assert [p for p in sim.pairs if p.flagged] == [top]
    assert all(p.output_score < 0.3 for p in sim.pairs[1:])


def test_korean_by_default_english_on_request(klass) -> None:
    course, planted = klass
    runner = CliRunner()
    out = course.workspace / "reports" / WEEK / "similarity.html"
    ko = runner.invoke(cli, ["--course", str(course.root), "similarity", WEEK, "--no-flags"])
    assert ko.exit_code == 0 and "검토 필요" in ko.stdout
    assert "유사도 검토" in out.read_text(encoding="utf-8")
    en = runner.invoke(
        cli, ["--course", str(course.root), "similarity", WEEK, "--no-flags", "--language", "en"]
    )
    assert en.exit_code == 0 and "flagged" in en.stdout
    page = out.read_text(encoding="utf-8")
    assert "Similarity review" in page and 'lang="en"' in page and "유사도" not in page


def test_a_class_of_two_identical_submissions_is_flagged(fresh_course: Course, tmp_path: Path) -> None:  # fmt: skip
    inbox = tmp_path / "inbox"
    for login in ("solo", "duo"):
        (inbox / login).mkdir(parents=True)
        nbformat.write(filled(fresh_course, DISGUISE), inbox / login / "demo01.ipynb")
    collect_local(fresh_course, "demo01", inbox)
    (pair,) = analyse_week(fresh_course, "demo01", results=[]).pairs
    assert (pair.a, pair.b, pair.score, pair.flagged) == ("duo", "solo", 1.0, True)
