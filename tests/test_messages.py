"""The message catalog: every code in both languages, placeholders that agree, one renderer."""

from __future__ import annotations

import string

import pytest

from autograder.messages import CATALOG, LANGUAGES, Labels, Message, render


def _fields(template: str) -> set[tuple[str, str]]:
    return {
        (name, spec or "")
        for _, name, spec, _ in string.Formatter().parse(template)
        if name is not None
    }


@pytest.mark.parametrize("code", sorted(CATALOG))
def test_every_code_has_both_languages_with_the_same_placeholders(code: str) -> None:
    entry = CATALOG[code]
    assert set(entry) == set(LANGUAGES), code
    assert _fields(entry["ko"]) == _fields(entry["en"]), code


def test_codes_are_area_dot_name() -> None:
    assert all("." in code and code == code.strip() for code in CATALOG)


def test_render_fills_parameters_and_nested_messages() -> None:
    why = Message.of("file.symlink")
    assert render("problem.bad_file", "en", name="a.py", why=why) == (
        "file a.py was left out of grading: a symbolic link"
    )
    assert Message.of("problem.bad_file", name="a.py", why=why).render("ko") == (
        "파일 a.py을(를) 채점에서 제외했습니다: 심볼릭 링크입니다"
    )


def test_one_fallback_rule_and_loud_unknown_codes() -> None:
    assert render("test.passed", "fr") == render("test.passed", "ko")  # the course default
    with pytest.raises(KeyError):
        render("test.no_such_code", "en")
    with pytest.raises(KeyError):
        Message.of("no.such_code")
    assert Labels("en", "report")("mean") == "mean"


def test_messages_round_trip_as_data() -> None:
    fact = Message.of("problem.bad_file", name="x", why=Message.of("file.too_large"))
    assert Message.from_dict(fact.to_dict()) == fact
    assert Message.from_dict("an old stored sentence") == Message.text("an old stored sentence")
    assert Message.from_dict({"code": "gone.code", "params": {}}).is_text


def test_results_hold_facts_and_render_the_contract_at_the_json_edge() -> None:
    import json

    from autograder.reports.stats import failure_reasons
    from autograder.result_file import result_text
    from autograder.results import MetricResult, Penalty, SubmissionResult, TestResult

    result = SubmissionResult(
        "week03", "alice", "graded", 7.5, 10.0,
        tests=(TestResult("t", "week03", 0.0, 1.0, "timeout", message=Message.of("test.timeout")),),
        metrics=(MetricResult("auc", "roc_auc", None, 0.9, 0.8, 0.0, 1.0, message=Message.of(
            "threshold.scored_note", what="clf", note=Message.of("threshold.no_artifact"))),),
        penalties=(Penalty(Message.of("penalty.late", days=2), -1.0),),
        problems=(Message.of("problem.cell_restored", cell="ro1"), "free text"),
        language="en",
    )  # fmt: skip
    contract = result.to_dict()
    assert "facts" not in contract and "language" not in contract  # grade --json: unchanged keys
    assert contract["problems"] == [
        "locked cell 'ro1' was modified; restored from the source",
        "free text",
    ]
    assert contract["tests"][0]["message"] == "the cell ran past its time limit"
    assert contract["penalties"] == [{"reason": "late submission (2 days)", "points": -1.0}]
    assert contract["metrics"][0]["message"].startswith("scored: clf · no predictions were")
    stored = SubmissionResult.from_dict(json.loads(result_text(result)))
    assert stored == result and stored.to_dict() == contract
    assert failure_reasons(stored) == {"cell_modified", "timeout"}  # by code, any language
    assert stored.problem_texts("ko")[0] == "잠긴 셀 'ro1'이(가) 수정되어 원본으로 복원했습니다"
