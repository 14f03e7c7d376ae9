"""Student-facing text in Korean (default) and English. Code never embeds prose."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "test_passed": {"ko": "통과", "en": "passed"},
    "test_error": {"ko": "{error}", "en": "{error}"},
    "test_stderr": {
        "ko": "테스트 셀이 표준 오류(stderr)에 출력해 실패로 처리되었습니다",
        "en": "the test cell wrote to stderr, which counts as a failure",
    },
    "test_timeout": {"ko": "시간 제한을 넘겼습니다", "en": "the cell ran past its time limit"},
    "test_not_run": {
        "ko": "실행되지 않았습니다 (앞에서 커널이 멈췄거나 시간 제한을 넘겼습니다)",
        "en": "not run (the kernel stopped or time ran out earlier)",
    },
    "test_missing_notebook": {
        "ko": "노트북 {notebook}을(를) 채점할 수 없어 0점입니다",
        "en": "notebook {notebook} could not be graded, so this scores zero",
    },
    "test_hidden_failed": {
        "ko": "숨겨진 테스트를 통과하지 못했습니다",
        "en": "a hidden test did not pass",
    },
    "test_manual": {"ko": "교수자가 직접 채점합니다", "en": "graded by the instructor"},
    "test_no_answer": {"ko": "답이 작성되지 않았습니다", "en": "no answer was written"},
    "test_partial": {"ko": "부분 점수", "en": "partial credit"},
    "test_withheld": {
        "ko": "커널 변조가 감지되어 테스트 점수를 보류했습니다",
        "en": "test points withheld: the kernel was tampered with",
    },
    "problem_notebook_missing": {
        "ko": "노트북 {notebook}이(가) 제출물에 없습니다",
        "en": "notebook {notebook} is missing from the submission",
    },
    "problem_notebook_renamed": {
        "ko": "노트북 {expected} 대신 {found}을(를) 채점했습니다",
        "en": "graded {found} in place of the expected {expected}",
    },
    "problem_notebook_unreadable": {
        "ko": "노트북 {notebook}을(를) 읽을 수 없습니다: {error}",
        "en": "notebook {notebook} cannot be read: {error}",
    },
    "problem_notebook_too_large": {
        "ko": "노트북 {notebook}이(가) 너무 큽니다 ({size} MB)",
        "en": "notebook {notebook} is too large ({size} MB)",
    },
    "problem_cell_restored": {
        "ko": "잠긴 셀 '{cell}'이(가) 수정되어 원본으로 복원했습니다",
        "en": "locked cell '{cell}' was modified; restored from the source",
    },
    "problem_cell_readded": {
        "ko": "삭제된 셀 '{cell}'을(를) 원본에서 다시 추가했습니다",
        "en": "deleted cell '{cell}' was re-added from the source",
    },
    "problem_timeout": {
        "ko": "노트북 실행이 시간 제한({seconds}초)을 넘겨 중단되었습니다",
        "en": "the notebook ran past its time limit ({seconds} s) and was stopped",
    },
    "problem_kernel_died": {
        "ko": "실행 중 커널이 종료되었습니다; 이후 셀은 실행되지 않았습니다",
        "en": "the kernel died; later cells did not run",
    },
    "problem_memory": {
        "ko": "메모리 제한({memory} MB)을 넘겨 커널이 종료되었습니다 (memory limit exceeded)",
        "en": "memory limit exceeded ({memory} MB); the kernel was killed",
    },
    "problem_cell_timeout": {
        "ko": "{notebook}의 {cell}번째 코드 셀이 시간 제한을 넘겨 중단되었습니다",
        "en": "code cell {cell} of {notebook} ran past its time limit and was interrupted",
    },
    "problem_output_truncated": {
        "ko": "출력이 너무 많아 일부를 잘랐습니다",
        "en": "the output was too large and was truncated",
    },
    "problem_sanitize": {
        "ko": "노트북 {notebook}의 셀 정보가 손상되었습니다: {error}",
        "en": "notebook {notebook} has damaged cell metadata: {error}",
    },
    "flag_tampered": {
        "ko": "커널 변조 의심: 결과를 알고 있는 검사 셀이 잘못 보고되었습니다",
        "en": "kernel tampering: a known-answer check cell was misreported",
    },
    "flag_kernel_died": {
        "ko": "커널이 스스로 종료되었습니다",
        "en": "the kernel exited before grading finished",
    },
    "flag_traceback_hidden": {
        "ko": "오류 출력이 숨겨졌습니다 (traceback 억제 의심)",
        "en": "error output was suppressed (traceback hiding suspected)",
    },
    "flag_implausible": {
        "ko": "검토 필요: {id}의 값 {value}이(가) 이 데이터에서 믿기 어려운 수준입니다 (기준 {limit})",
        "en": "review: {id} scored {value}, implausible for this data (beyond {limit})",
    },
    "late": {"ko": "지각 제출 ({days}일)", "en": "late submission ({days} days)"},
    "infra_error": {
        "ko": "채점 시스템 오류입니다 (학생 책임 아님): {error}",
        "en": "grading infrastructure error (not your fault): {error}",
    },
}


def t(language: str, key: str, **values: object) -> str:
    entry = MESSAGES[key]
    text = entry.get(language) or entry["en"]
    return text.format(**values)
