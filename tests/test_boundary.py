"""The trust boundary, fuzzed: arbitrary text through the run-output decoder, the result
writer and the feedback renderer (hypothesis), and feedback checked by rendering it with
GitHub's own Markdown engine (cmark-gfm, with GitHub's extensions)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograder.feedback import inert, to_markdown
from autograder.result_file import read_result_text, result_text, write_result_file
from autograder.results import MetricResult, Penalty, SubmissionResult, TestResult
from gpu_runner.job import (
    CellRun,
    CellStatus,
    NotebookRun,
    ProbeRun,
    RunOutput,
    RunOutputError,
    RunStatus,
)
from gpu_runner.textsafe import display_text, valid_text

# every code point, lone surrogates included (hypothesis leaves them out by default)
ANY_CHAR = st.characters(codec=None, blacklist_categories=())
ANY_TEXT = st.text(alphabet=ANY_CHAR, max_size=200)
# text a hostile student would write: markup, links, mentions, references, invisibles
HOSTILE_PIECES = [
    "https://evil.example/x",
    "http://a.b",
    "www.evil-example.com.ipynb",
    "www.x.io",
    "evil@example.com",
    "@octocat",
    "#12",
    "GH-3",
    "fixes #1",
    "closes org/repo#4",
    "![i](https://e/p.png)",
    "[l](https://e)",
    "<img src=x>",
    "<a href=x>",
    "`",
    "``",
    "|",
    "\\",
    "\\|",
    "**",
    "_",
    "\n",
    "\r",
    "\u202e",
    "\u200b",
    "\u2066",
    "\ufeff",
    "\x1b[31m",
    "\ud800",
    "\udcff",
    ":smile:",
    "-->",
    "<!--",
    "\t",
    "    ",
]
HOSTILE = st.lists(st.one_of(st.sampled_from(HOSTILE_PIECES), ANY_TEXT), max_size=12).map("".join)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def utf8_ok(text: str) -> bool:
    text.encode("utf-8")  # raises on a lone surrogate
    return True


# -- the run-output decoder --------------------------------------------------------------


def run_output(message: str, error: str, nb_text: str, name: str) -> RunOutput:
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "source": nb_text,
                "metadata": {nb_text: nb_text},
                "outputs": [{"output_type": "error", "ename": nb_text, "evalue": nb_text}],
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return RunOutput(
        job_id="j",
        status=RunStatus.COMPLETED,
        message=message,
        notebooks=(
            NotebookRun(
                name=name,
                notebook_json=json.dumps(notebook, ensure_ascii=False),  # as nbformat
                cells=(CellRun(0, CellStatus.ERROR, grade_id=name),),
            ),
        ),
        probes=(ProbeRun(id="p", artifact=b"\x00\xff", error=error),),
    )


def all_strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [str(k), *all_strings(v)]]
    if isinstance(value, list):
        return [s for v in value for s in all_strings(v)]
    return []


@FUZZ
@given(message=HOSTILE, error=HOSTILE, nb_text=HOSTILE, name=HOSTILE)
def test_decoded_run_output_holds_only_valid_text(
    message: str, error: str, nb_text: str, name: str
) -> None:
    decoded = RunOutput.from_json(run_output(message, error, nb_text, name).to_json())
    nb = decoded.notebooks[0]
    assert decoded.message == valid_text(message)[:4000]
    assert nb.name == valid_text(name) and nb.cells[0].grade_id == valid_text(name)
    assert decoded.probes[0].artifact == b"\x00\xff"
    strings = all_strings(json.loads(nb.notebook_json))
    assert valid_text(nb_text) in strings
    assert all(utf8_ok(s) for s in [decoded.message, nb.name, nb.notebook_json, *strings])
    assert all(utf8_ok(s) for s in [decoded.probes[0].error or ""])


@FUZZ
@given(st.one_of(st.binary(max_size=300), HOSTILE))
def test_the_decoder_raises_only_its_own_error_on_garbage(data: bytes | str) -> None:
    try:
        RunOutput.from_json(data)
    except RunOutputError:
        pass


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | HOSTILE,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(HOSTILE, inner, max_size=4),
    max_leaves=12,
)


@FUZZ
@given(
    field=st.sampled_from(
        ["job_id", "status", "message", "runtime_s", "notebooks", "probes", "runner"]
    ),
    value=JSON_VALUES,
)
def test_wrong_types_anywhere_are_a_typed_error(field: str, value: object) -> None:
    data = json.loads(run_output("m", "e", "x", "n").to_json())
    data[field] = value
    try:
        decoded = RunOutput.from_json(json.dumps(data))
    except RunOutputError:
        return
    assert utf8_ok(decoded.job_id) and utf8_ok(decoded.message)


def test_a_lone_surrogate_escape_in_the_executors_json_is_replaced() -> None:
    raw = run_output("m", "e", "x", "n").to_json().replace('"m"', '"bad \\ud800 text"')
    assert RunOutput.from_json(raw).message == "bad \ufffd text"


# -- the result writer ---------------------------------------------------------------


def hostile_result(text: str, student: str = "alice") -> SubmissionResult:
    return SubmissionResult(
        assignment="week03",
        student=student,
        status="graded",
        score=1.0,
        max_score=2.0,
        tests=(
            TestResult("t1", "week03", 0.0, 1.0, "failed", False, text),
            TestResult("t2", "week03", 1.0, 1.0, "passed", True, ""),
        ),
        metrics=(MetricResult("m1", "rmse", 0.8, 0.7, 0.9, 0.5, 1.0, message=text),),
        penalties=(Penalty(text, -0.5),),
        problems=(text, f"file {text} refused"),
        flags=(text,),
    )


@FUZZ
@given(text=HOSTILE)
def test_the_result_writer_round_trips_any_text(tmp_path_factory, text: str) -> None:
    path = tmp_path_factory.mktemp("r") / "results" / "week03" / "alice.json"
    result = hostile_result(text)
    write_result_file(path, result_text(result))
    raw = path.read_bytes()
    data = json.loads(raw.decode("utf-8"))  # valid UTF-8, valid JSON
    assert data == result.to_dict(facts=True)  # the contract, plus the facts it renders
    assert {k: v for k, v in data.items() if k != "facts"} == result.to_dict()
    assert SubmissionResult.from_dict(data) == result
    assert read_result_text(path) == result_text(result)
    rendered = [t["message"] for t in data["tests"]] + data["problems"] + data["flags"]
    assert all(s == display_text(s, 500) for s in rendered)  # nothing invisible kept


def test_no_temporary_file_is_left_beside_a_result(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    write_result_file(path, result_text(hostile_result("x")))
    write_result_file(path, result_text(hostile_result("y")))
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


# -- the feedback renderer, rendered by cmark-gfm ---------------------------------------

EXTENSIONS = ["table", "autolink", "strikethrough", "tagfilter", "tasklist"]
# what GitHub links in plain text after rendering: mentions, issue references (also with
# a closing keyword), bare URLs and www. names
GITHUB_LINKY = re.compile(
    r"@[A-Za-z0-9]|#[0-9]|GH-[0-9]|www\.|://|[A-Za-z0-9._-]+/[A-Za-z0-9._-]+#[0-9]", re.I
)
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\x00-\x08\x0b-\x1f\x7f]")


class _Inspector(HTMLParser):
    """Tags used and the text that lies outside <code>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.code_depth = 0
        self.outside: list[str] = []
        self.cells_per_row: list[int] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)
        if tag == "code":
            self.code_depth += 1
        if tag == "tr":
            self.cells_per_row.append(0)
        if tag in ("td", "th"):
            self.cells_per_row[-1] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "code":
            self.code_depth -= 1

    def handle_data(self, data: str) -> None:
        if self.code_depth == 0:
            self.outside.append(data)


def render_github(markdown: str) -> _Inspector:
    html = cmarkgfm.markdown_to_html_with_extensions(markdown, extensions=EXTENSIONS)
    inspector = _Inspector()
    inspector.feed(html)
    return inspector


def assert_inert(markdown: str, *, rows: int | None = None) -> None:
    page = render_github(markdown)
    assert not {"a", "img", "script", "iframe", "del", "input"} & set(page.tags)
    assert page.tags.count("em") == 1  # our italic footer, nothing of the student's
    assert page.tags.count("strong") <= 1  # our score line
    outside = "".join(page.outside)
    assert not GITHUB_LINKY.search(outside), outside
    assert not INVISIBLE.search(markdown)
    if rows is not None:
        assert page.cells_per_row == [4] * rows  # header + one row per test


@FUZZ
@given(text=HOSTILE, language=st.sampled_from(["ko", "en"]))
def test_feedback_renders_inert_on_github(text: str, language: str) -> None:
    body = to_markdown(hostile_result(text), language=language)
    assert_inert(body, rows=3)
    assert render_github(body).tags.count("strong") == 1  # only our score line is bold


@FUZZ
@given(text=HOSTILE)
def test_error_feedback_renders_inert_on_github(text: str) -> None:
    result = SubmissionResult(
        assignment="w", student="s", status="error", score=0, max_score=1, problems=(text,)
    )
    assert_inert(to_markdown(result, language="ko"))


@pytest.mark.parametrize(
    "text",
    [
        "see www.evil-example.com.ipynb",
        "graded www.evil-example.com.ipynb in place of the expected week03.ipynb",
        "![i](https://evil.example/p.png) [l](www.evil.example)",
        "hi @octocat, fixes #1 and org/repo#2",
        "tick ` and ``` fences ```",
        "cell | breaks | out \\| too",
        "trailing backslash \\",
        "\u202eevil\u202c \u200bzero\u200d width \u2066iso",
    ],
)
def test_known_hostile_texts_stay_literal(text: str) -> None:
    body = to_markdown(hostile_result(text), language="en")
    assert_inert(body, rows=3)
    shown = display_text(" ".join(text.split()))
    html = cmarkgfm.markdown_to_html_with_extensions(body, extensions=EXTENSIONS)
    literal = shown.replace("`", "\u02cb").replace("&", "&amp;").replace("<", "&lt;")
    assert " ".join(literal.replace(">", "&gt;").replace('"', "&quot;").split()) in html


def test_inert_of_blank_text_is_empty() -> None:
    assert inert("  \u200b \n ") == ""
    assert inert("a|b", in_table=True) == "`a\u2502b`"


@FUZZ
@given(text=HOSTILE)
def test_check_feedback_before_the_deadline_renders_inert(text: str) -> None:
    from autograder.config import CheckPolicy
    from autograder.feedback import View, render_feedback

    policy = CheckPolicy(hidden_tests="full")
    body = render_feedback(
        hostile_result(text), view=View.before_deadline(policy, None), language="ko"
    )
    assert_inert(body)
    page = render_github(body)
    assert set(page.cells_per_row) == {4}


# -- submitted notebooks ------------------------------------------------------------------


@FUZZ
@given(
    source=HOSTILE,
    key=HOSTILE,
    value=JSON_VALUES,
    internal=st.sampled_from(["autograder_canary", "autograder", "AutoGrader.x", "autograder-"]),
)
def test_normalized_notebook_holds_valid_text_and_no_internal_keys(
    source: str, key: str, value: object, internal: str
) -> None:
    import nbformat

    from autograder.pipeline.normalize import normalize_notebook

    cell = nbformat.v4.new_code_cell(source)
    cell.metadata[key] = value
    cell.metadata[internal] = "x"
    nb = nbformat.v4.new_notebook(cells=[cell], metadata={internal: {"a": 1}, key: value})
    problems: list[str] = []
    clean = normalize_notebook(nb, name="n.ipynb", problems=problems)
    text = nbformat.writes(clean)
    assert utf8_ok(text) and utf8_ok(clean.cells[0].source)
    assert clean.cells[0].source == valid_text(source)
    keys = [*clean.metadata, *clean.cells[0].metadata]
    assert not [k for k in keys if k.lower().startswith("autograder")]
    assert problems and internal.lower() in problems[0].render("en").lower()
