"""Report labels in Korean (default) and English.

Kept apart from `autograder.i18n` (student-facing messages): these are for the
instructor's report, CSV headers stay English for LMS imports.
"""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "week_title": {"ko": "{title} 채점 보고서", "en": "{title}: grading report"},
    "course_title": {"ko": "{name} 전체 보고서", "en": "{name}: course report"},
    "generated": {"ko": "생성 시각", "en": "generated"},
    "deadline": {"ko": "마감", "en": "deadline"},
    "no_deadline": {"ko": "마감 없음", "en": "no deadline"},
    "summary": {"ko": "요약", "en": "Summary"},
    "students": {"ko": "학생", "en": "Students"},
    "student": {"ko": "학생", "en": "student"},
    "name": {"ko": "이름", "en": "name"},
    "section": {"ko": "분반", "en": "section"},
    "roster": {"ko": "명단 인원", "en": "on roster"},
    "collected": {"ko": "제출", "en": "collected"},
    "graded": {"ko": "채점", "en": "graded"},
    "errors": {"ko": "채점 오류", "en": "grading errors"},
    "missing": {"ko": "미제출", "en": "not submitted"},
    "late_count": {"ko": "지각", "en": "late"},
    "flagged_count": {"ko": "검토 필요", "en": "flagged"},
    "mean": {"ko": "평균", "en": "mean"},
    "median": {"ko": "중앙값", "en": "median"},
    "stdev": {"ko": "표준편차", "en": "std. dev."},
    "min": {"ko": "최저", "en": "min"},
    "max": {"ko": "최고", "en": "max"},
    "max_score": {"ko": "만점", "en": "max score"},
    "score": {"ko": "점수", "en": "score"},
    "raw_score": {"ko": "원점수", "en": "raw score"},
    "penalty": {"ko": "감점", "en": "penalty"},
    "status": {"ko": "상태", "en": "status"},
    "submitted_at": {"ko": "제출 시각", "en": "submitted at"},
    "late": {"ko": "지각", "en": "late"},
    "runtime": {"ko": "실행 시간(초)", "en": "runtime (s)"},
    "problems": {"ko": "문제", "en": "problems"},
    "flags": {"ko": "플래그", "en": "flags"},
    "feedback": {"ko": "피드백", "en": "feedback"},
    "score_distribution": {"ko": "점수 분포", "en": "Score distribution"},
    "test_pass_rates": {"ko": "문항별 통과율", "en": "Pass rate per test"},
    "test": {"ko": "문항", "en": "test"},
    "hidden": {"ko": "숨김", "en": "hidden"},
    "points": {"ko": "배점", "en": "points"},
    "passed": {"ko": "통과", "en": "passed"},
    "pass_rate": {"ko": "통과율", "en": "pass rate"},
    "avg_points": {"ko": "평균 점수", "en": "mean points"},
    "thresholds": {"ko": "모델 성능 기준", "en": "Model thresholds"},
    "metric": {"ko": "지표", "en": "metric"},
    "target": {"ko": "목표", "en": "target"},
    "floor": {"ko": "최소", "en": "floor"},
    "reached_target": {"ko": "목표 달성", "en": "reached target"},
    "no_value": {"ko": "값 없음", "en": "no value"},
    "submission_times": {"ko": "제출 시각 (마감 기준)", "en": "Submission times vs deadline"},
    "hours_from_deadline": {"ko": "마감 기준 시간(시간)", "en": "hours relative to deadline"},
    "runtimes": {"ko": "제출물별 실행 시간", "en": "Runtime per submission"},
    "seconds": {"ko": "초", "en": "seconds"},
    "failures": {"ko": "실패 원인", "en": "Failures by reason"},
    "reason": {"ko": "원인", "en": "reason"},
    "count": {"ko": "건수", "en": "count"},
    "review": {"ko": "검토가 필요한 제출물", "en": "Submissions flagged for review"},
    "nothing_flagged": {"ko": "검토가 필요한 제출물이 없습니다.", "en": "Nothing flagged."},
    "no_failures": {"ko": "실패한 제출물이 없습니다.", "en": "No failures."},
    "leaderboard": {"ko": "순위표 (익명)", "en": "Leaderboard (anonymised)"},
    "rank": {"ko": "순위", "en": "rank"},
    "alias": {"ko": "별칭", "en": "alias"},
    "value": {"ko": "값", "en": "value"},
    "submissions": {"ko": "제출물", "en": "submissions"},
    "weeks": {"ko": "주차별 요약", "en": "Weeks"},
    "week": {"ko": "주차", "en": "week"},
    "title": {"ko": "제목", "en": "title"},
    "total": {"ko": "합계", "en": "total"},
    "gradebook": {"ko": "성적표", "en": "Gradebook"},
    "score_by_week": {"ko": "주차별 점수 (만점 대비 %)", "en": "Score by week (% of max)"},
    "percent": {"ko": "%", "en": "%"},
    "no_data": {"ko": "자료 없음", "en": "no data"},
    "font_fallback": {
        "ko": "한글 글꼴을 찾지 못해 그래프는 영어로 표시합니다 (fonts-nanum 또는 fonts-noto-cjk 설치).",
        "en": "No CJK font found; plot labels are in English (install fonts-nanum or fonts-noto-cjk).",
    },
    "students_count": {"ko": "학생 수", "en": "students"},
    "on_time": {"ko": "정시", "en": "on time"},
    "yes": {"ko": "예", "en": "yes"},
    "no": {"ko": "아니요", "en": "no"},
    # hand grading
    "comments": {"ko": "채점자 의견", "en": "grader's comments"},
    "manual_grading": {"ko": "수동 채점", "en": "Hand grading"},
    "manual_graded": {"ko": "채점 완료", "en": "graded"},
    "manual_pending": {"ko": "채점 대기", "en": "pending"},
    "manual_review": {"ko": "재확인 필요", "en": "to review"},
    "provisional_count": {"ko": "잠정 점수", "en": "provisional scores"},
    "provisional": {"ko": "잠정", "en": "provisional"},
    "pending_points": {"ko": "{points}점 대기", "en": "{points} pts pending"},
    "manual_review_reason": {
        "ko": "{cell}: 수동 채점 후 답안이 바뀌었습니다",
        "en": "{cell}: answer changed since it was graded by hand",
    },
    "no_manual": {"ko": "수동 채점 문항이 없습니다.", "en": "No hand-graded cells."},
    # failure reasons
    "reason_timeout": {"ko": "시간 초과", "en": "timeout"},
    "reason_memory": {"ko": "메모리 초과", "en": "memory limit"},
    "reason_kernel_died": {"ko": "커널 종료", "en": "kernel died"},
    "reason_damaged": {"ko": "손상된 노트북", "en": "damaged notebook"},
    "reason_missing_notebook": {"ko": "노트북 누락", "en": "missing notebook"},
    "reason_cell_modified": {"ko": "잠긴 셀 수정", "en": "locked cell modified"},
    "reason_output_truncated": {"ko": "출력 초과", "en": "output truncated"},
    "reason_infra_error": {"ko": "채점 시스템 오류", "en": "infrastructure error"},
    "reason_flagged": {"ko": "부정 의심 플래그", "en": "integrity flag"},
    # row states
    "state_graded": {"ko": "채점됨", "en": "graded"},
    "state_error": {"ko": "오류", "en": "error"},
    "state_not_graded": {"ko": "미채점", "en": "not graded"},
    "state_missing": {"ko": "미제출", "en": "not submitted"},
    "fb_posted": {"ko": "게시됨", "en": "posted"},
    "fb_pending": {"ko": "대기", "en": "pending"},
    "fb_none": {"ko": "없음", "en": "none"},
    "fb_unknown": {"ko": "알 수 없음", "en": "n/a"},
}


def label(language: str, key: str, **values: object) -> str:
    entry = LABELS[key]
    text = entry.get(language) or entry["en"]
    return text.format(**values) if values else text


class Labels:
    """`label` bound to one language: ``tx("mean")``."""

    def __init__(self, language: str) -> None:
        self.language = language if language in ("ko", "en") else "en"

    def __call__(self, key: str, **values: object) -> str:
        return label(self.language, key, **values)
