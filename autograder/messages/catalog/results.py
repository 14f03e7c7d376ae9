"""Results: tests, problems, refused files, flags and penalties (student-facing)."""

from __future__ import annotations

RESULTS: dict[str, dict[str, str]] = {
    # free text with no code (an exception's message, a result stored before codes)
    "note.text": {"ko": "{text}", "en": "{text}"},
    # the problems or flags past the 50 listed
    "note.more": {"ko": "… (+{count})", "en": "… (+{count})"},
    # -- Results: tests, problems, refused files, flags, penalties (student-facing)
    "test.passed": {
        "ko": "통과",
        "en": "passed",
    },
    "test.error": {
        "ko": "{error}",
        "en": "{error}",
    },
    "test.stderr": {
        "ko": "테스트 셀이 표준 오류(stderr)에 출력해 실패로 처리되었습니다",
        "en": "the test cell wrote to stderr, which counts as a failure",
    },
    "test.timeout": {
        "ko": "시간 제한을 넘겼습니다",
        "en": "the cell ran past its time limit",
    },
    "test.not_run": {
        "ko": "실행되지 않았습니다 (앞에서 커널이 멈췄거나 시간 제한을 넘겼습니다)",
        "en": "not run (the kernel stopped or time ran out earlier)",
    },
    "test.missing_notebook": {
        "ko": "노트북 {notebook}을(를) 채점할 수 없어 0점입니다",
        "en": "notebook {notebook} could not be graded, so this scores zero",
    },
    "test.hidden_failed": {
        "ko": "숨겨진 테스트를 통과하지 못했습니다",
        "en": "a hidden test did not pass",
    },
    "test.hidden_error": {"ko": "{kind}: {hint}", "en": "{kind}: {hint}"},
    "test.manual": {
        "ko": "교수자가 직접 채점합니다",
        "en": "graded by the instructor",
    },
    "test.no_answer": {
        "ko": "답이 작성되지 않았습니다",
        "en": "no answer was written",
    },
    "test.partial": {
        "ko": "부분 점수",
        "en": "partial credit",
    },
    "problem.notebook_missing": {
        "ko": "노트북 {notebook}이(가) 제출물에 없습니다",
        "en": "notebook {notebook} is missing from the submission",
    },
    "problem.notebook_renamed": {
        "ko": "노트북 {expected} 대신 {found}을(를) 채점했습니다",
        "en": "graded {found} in place of the expected {expected}",
    },
    "problem.notebook_unreadable": {
        "ko": "노트북 {notebook}을(를) 읽을 수 없습니다: {error}",
        "en": "notebook {notebook} cannot be read: {error}",
    },
    "problem.notebook_too_large": {
        "ko": "노트북 {notebook}이(가) 너무 큽니다 ({size} MB)",
        "en": "notebook {notebook} is too large ({size} MB)",
    },
    "problem.cell_restored": {
        "ko": "잠긴 셀 '{cell}'이(가) 수정되어 원본으로 복원했습니다",
        "en": "locked cell '{cell}' was modified; restored from the source",
    },
    "problem.cell_readded": {
        "ko": "삭제된 셀 '{cell}'을(를) 원본에서 다시 추가했습니다",
        "en": "deleted cell '{cell}' was re-added from the source",
    },
    "problem.timeout": {
        "ko": "노트북 실행이 시간 제한({seconds}초)을 넘겨 중단되었습니다",
        "en": "the notebook ran past its time limit ({seconds} s) and was stopped",
    },
    "problem.kernel_died": {
        "ko": "실행 중 커널이 종료되었습니다; 이후 셀은 실행되지 않았습니다",
        "en": "the kernel died; later cells did not run",
    },
    "problem.memory": {
        "ko": "메모리 제한({memory} MB)을 넘겨 커널이 종료되었습니다 (memory limit exceeded)",
        "en": "memory limit exceeded ({memory} MB); the kernel was killed",
    },
    "problem.cell_timeout": {
        "ko": "{notebook}의 {cell}번째 코드 셀이 시간 제한을 넘겨 중단되었습니다",
        "en": "code cell {cell} of {notebook} ran past its time limit and was interrupted",
    },
    "problem.output_truncated": {
        "ko": "출력이 너무 많아 일부를 잘랐습니다",
        "en": "the output was too large and was truncated",
    },
    "problem.sanitize": {
        "ko": "노트북 {notebook}의 셀 정보가 손상되었습니다: {error}",
        "en": "notebook {notebook} has damaged cell metadata: {error}",
    },
    "problem.internal_metadata": {
        "ko": "노트북 {notebook}에서 채점기 내부용 메타데이터({keys})를 제거했습니다",
        "en": "removed the grader's internal metadata ({keys}) from notebook {notebook}",
    },
    "problem.bad_file": {
        "ko": "파일 {name}을(를) 채점에서 제외했습니다: {why}",
        "en": "file {name} was left out of grading: {why}",
    },
    "file.not_utf8": {
        "ko": "이름이 UTF-8이 아닙니다",
        "en": "the name is not valid UTF-8",
    },
    "file.not_relative": {
        "ko": "상대 경로가 아닙니다",
        "en": "the path is not relative",
    },
    "file.leaves_folder": {
        "ko": "경로가 제출 폴더 밖을 가리키거나 빈 부분이 있습니다",
        "en": "the path leaves the submission folder or has empty parts",
    },
    "file.path_too_long": {
        "ko": "경로가 너무 깁니다",
        "en": "the path is too long",
    },
    "file.name_too_long": {
        "ko": "이름이 255바이트보다 깁니다",
        "en": "a name is longer than 255 bytes",
    },
    "file.invisible": {
        "ko": "이름에 제어 문자나 보이지 않는 문자가 있습니다",
        "en": "the name holds control or invisible characters",
    },
    "file.symlink": {
        "ko": "심볼릭 링크입니다",
        "en": "a symbolic link",
    },
    "file.not_regular": {
        "ko": "일반 파일이 아닙니다",
        "en": "not a regular file",
    },
    "file.too_large": {
        "ko": "파일이 너무 큽니다",
        "en": "the file is too large",
    },
    "file.unreadable": {
        "ko": "읽을 수 없습니다",
        "en": "unreadable",
    },
    "file.too_many": {
        "ko": "파일이 너무 많습니다",
        "en": "too many files",
    },
    "flag.kernel_died": {
        "ko": "커널이 스스로 종료되었습니다",
        "en": "the kernel exited before grading finished",
    },
    "test.rule_violated": {
        "ko": "규칙 위반으로 0점: {rule} ({where})",
        "en": "0 points, rule broken: {rule} ({where})",
    },
    "flag.similarity": {
        "ko": "교수자의 유사도 검토 대상입니다 (그 자체로 감점은 없습니다)",
        "en": "marked for the instructor's similarity review (no penalty by itself)",
    },
    "flag.implausible": {
        "ko": "검토 필요: {id}의 값 {value}이(가) 이 데이터에서 믿기 어려운 수준입니다 (기준 {limit})",
        "en": "review: {id} scored {value}, implausible for this data (beyond {limit})",
    },
    "penalty.late": {
        "ko": "지각 제출 ({days}일)",
        "en": "late submission ({days} days)",
    },
    "problem.infra_error": {
        "ko": "채점 시스템 오류입니다 (학생 책임 아님): {error}",
        "en": "grading infrastructure error (not your fault): {error}",
    },
}
