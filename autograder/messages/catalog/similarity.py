"""The similarity report and command."""

from __future__ import annotations

SIMILARITY: dict[str, dict[str, str]] = {
    # -- Similarity report and command
    "similarity.title": {
        "ko": "유사도 검토",
        "en": "Similarity review",
    },
    "similarity.page_title": {
        "ko": "{week} 유사도 보고서",
        "en": "{week}: similarity report",
    },
    "similarity.intro": {
        "ko": "학생이 직접 쓴 코드(배포본의 코드는 제외)를 이름·주석·공백·함수 순서·셀 나눔과 무관하게 비교하고, 드문 출력(같은 학습 로그, 이미지, 오류 메시지, 지표 값)이 같은지도 봅니다. 점수 {threshold} 이상인 쌍은 검토 대상일 뿐 감점이 아닙니다. 허용/검토 완료 표시: autograder similarity {week} --allow A B",
        "en": "Compares the code students wrote themselves (the release's code removed) regardless of names, comments, whitespace, function order and cell splits, and looks for the same unusual outputs (training logs, images, error messages, metric values). Pairs scoring {threshold} or more are flagged for review, never penalised. Mark a pair: autograder similarity {week} --allow A B",
    },
    "similarity.students": {
        "ko": "비교한 제출물 {n}개, 쌍 {pairs}개",
        "en": "{n} submissions, {pairs} pairs",
    },
    "similarity.rank": {
        "ko": "순위",
        "en": "rank",
    },
    "similarity.student_a": {
        "ko": "학생 A",
        "en": "student A",
    },
    "similarity.student_b": {
        "ko": "학생 B",
        "en": "student B",
    },
    "similarity.score": {
        "ko": "점수",
        "en": "score",
    },
    "similarity.code": {
        "ko": "코드",
        "en": "code",
    },
    "similarity.outputs": {
        "ko": "출력",
        "en": "outputs",
    },
    "similarity.state": {
        "ko": "상태",
        "en": "state",
    },
    "similarity.state_flagged": {
        "ko": "검토 필요",
        "en": "flagged",
    },
    "similarity.state_allowed": {
        "ko": "허용됨",
        "en": "allowed",
    },
    "similarity.state_reviewed": {
        "ko": "검토 완료",
        "en": "reviewed",
    },
    "similarity.state_below": {
        "ko": "",
        "en": "",
    },
    "similarity.none_flagged": {
        "ko": "기준 이상인 쌍이 없습니다.",
        "en": "No pair reaches the threshold.",
    },
    "similarity.side_by_side": {
        "ko": "일치하는 코드",
        "en": "Matching code",
    },
    "similarity.no_code_match": {
        "ko": "드물게 일치하는 코드가 없습니다 (출력만 일치).",
        "en": "No rare matching code (outputs only).",
    },
    "similarity.shared_outputs": {
        "ko": "함께 나온 드문 출력",
        "en": "Unusual outputs in both",
    },
    "similarity.kind_output": {
        "ko": "출력",
        "en": "output",
    },
    "similarity.kind_image": {
        "ko": "이미지",
        "en": "image",
    },
    "similarity.kind_error": {
        "ko": "오류",
        "en": "error",
    },
    "similarity.kind_metric": {
        "ko": "지표 값",
        "en": "metric value",
    },
    "similarity.kind_predictions": {
        "ko": "예측 전체",
        "en": "all predictions",
    },
    "similarity.kind_prediction": {
        "ko": "드문 예측",
        "en": "unusual prediction",
    },
    "similarity.note": {
        "ko": "메모",
        "en": "note",
    },
    "similarity.marked": {
        "ko": "{a} ↔ {b}: {state}",
        "en": "{a} ↔ {b}: {state}",
    },
    "similarity.unmarked": {
        "ko": "{a} ↔ {b}: 표시 지움",
        "en": "{a} ↔ {b}: mark removed",
    },
    "similarity.flags_changed": {
        "ko": "검토 플래그를 고친 결과 {n}개",
        "en": "review flag changed in {n} results",
    },
    "similarity.not_released": {
        "ko": "경고: {path}에 배포본이 없어 배포 코드(뼈대)를 빼지 못했습니다. 먼저 autograder release {week}",
        "en": "warning: no release in {path}, so the release's skeleton is not removed; run autograder release {week}",
    },
    "similarity.written": {
        "ko": "보고서: {path}",
        "en": "report: {path}",
    },
}
