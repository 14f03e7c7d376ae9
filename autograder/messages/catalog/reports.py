"""The instructor's reports."""

from __future__ import annotations

REPORTS: dict[str, dict[str, str]] = {
    # -- Instructor reports
    "report.week_title": {
        "ko": "{title} 채점 보고서",
        "en": "{title}: grading report",
    },
    "report.course_title": {
        "ko": "{name} 전체 보고서",
        "en": "{name}: course report",
    },
    "report.days": {"ko": "{n}일", "en": "{n}d"},
    "report.hours": {"ko": "{n}시간", "en": "{n}h"},
    "report.minutes": {"ko": "{n}분", "en": "{n}m"},
    "report.generated": {
        "ko": "생성 시각",
        "en": "generated",
    },
    "report.deadline": {
        "ko": "마감",
        "en": "deadline",
    },
    "report.no_deadline": {
        "ko": "마감 없음",
        "en": "no deadline",
    },
    "report.summary": {
        "ko": "요약",
        "en": "Summary",
    },
    "report.students": {
        "ko": "학생",
        "en": "Students",
    },
    "report.student": {
        "ko": "학생",
        "en": "student",
    },
    "report.name": {
        "ko": "이름",
        "en": "name",
    },
    "report.section": {
        "ko": "분반",
        "en": "section",
    },
    "report.roster": {
        "ko": "명단 인원",
        "en": "on roster",
    },
    "report.collected": {
        "ko": "제출",
        "en": "collected",
    },
    "report.graded": {
        "ko": "채점",
        "en": "graded",
    },
    "report.errors": {
        "ko": "채점 오류",
        "en": "grading errors",
    },
    "report.missing": {
        "ko": "미제출",
        "en": "not submitted",
    },
    "report.late_count": {
        "ko": "지각",
        "en": "late",
    },
    "report.flagged_count": {
        "ko": "검토 필요",
        "en": "flagged",
    },
    "report.mean": {
        "ko": "평균",
        "en": "mean",
    },
    "report.median": {
        "ko": "중앙값",
        "en": "median",
    },
    "report.stdev": {
        "ko": "표준편차",
        "en": "std. dev.",
    },
    "report.min": {
        "ko": "최저",
        "en": "min",
    },
    "report.max": {
        "ko": "최고",
        "en": "max",
    },
    "report.max_score": {
        "ko": "만점",
        "en": "max score",
    },
    "report.score": {
        "ko": "점수",
        "en": "score",
    },
    "report.raw_score": {
        "ko": "원점수",
        "en": "raw score",
    },
    "report.penalty": {
        "ko": "감점",
        "en": "penalty",
    },
    "report.status": {
        "ko": "상태",
        "en": "status",
    },
    "report.submitted_at": {
        "ko": "제출 시각",
        "en": "submitted at",
    },
    "report.late": {
        "ko": "지각",
        "en": "late",
    },
    "report.runtime": {
        "ko": "실행 시간(초)",
        "en": "runtime (s)",
    },
    "report.problems": {
        "ko": "문제",
        "en": "problems",
    },
    "report.flags": {
        "ko": "플래그",
        "en": "flags",
    },
    "report.feedback": {
        "ko": "피드백",
        "en": "feedback",
    },
    "report.score_distribution": {
        "ko": "점수 분포",
        "en": "Score distribution",
    },
    "report.test_pass_rates": {
        "ko": "문항별 통과율",
        "en": "Pass rate per test",
    },
    "report.test": {
        "ko": "문항",
        "en": "test",
    },
    "report.hidden": {
        "ko": "숨김",
        "en": "hidden",
    },
    "report.points": {
        "ko": "배점",
        "en": "points",
    },
    "report.passed": {
        "ko": "통과",
        "en": "passed",
    },
    "report.pass_rate": {
        "ko": "통과율",
        "en": "pass rate",
    },
    "report.avg_points": {
        "ko": "평균 점수",
        "en": "mean points",
    },
    "report.thresholds": {
        "ko": "모델 성능 기준",
        "en": "Model thresholds",
    },
    "report.metric": {
        "ko": "지표",
        "en": "metric",
    },
    "report.target": {
        "ko": "목표",
        "en": "target",
    },
    "report.floor": {
        "ko": "최소",
        "en": "floor",
    },
    "report.reached_target": {
        "ko": "목표 달성",
        "en": "reached target",
    },
    "report.no_value": {
        "ko": "값 없음",
        "en": "no value",
    },
    "report.submission_times": {
        "ko": "제출 시각 (마감 기준)",
        "en": "Submission times vs deadline",
    },
    "report.hours_from_deadline": {
        "ko": "마감 기준 시간(시간)",
        "en": "hours relative to deadline",
    },
    "report.runtimes": {
        "ko": "제출물별 실행 시간",
        "en": "Runtime per submission",
    },
    "report.seconds": {
        "ko": "초",
        "en": "seconds",
    },
    "report.failures": {
        "ko": "실패 원인",
        "en": "Failures by reason",
    },
    "report.reason": {
        "ko": "원인",
        "en": "reason",
    },
    "report.count": {
        "ko": "건수",
        "en": "count",
    },
    "report.review": {
        "ko": "검토가 필요한 제출물",
        "en": "Submissions flagged for review",
    },
    "report.nothing_flagged": {
        "ko": "검토가 필요한 제출물이 없습니다.",
        "en": "Nothing flagged.",
    },
    "report.no_failures": {
        "ko": "실패한 제출물이 없습니다.",
        "en": "No failures.",
    },
    "report.leaderboard": {
        "ko": "순위표 (익명)",
        "en": "Leaderboard (anonymised)",
    },
    "report.rank": {
        "ko": "순위",
        "en": "rank",
    },
    "report.alias": {
        "ko": "별칭",
        "en": "alias",
    },
    "report.value": {
        "ko": "값",
        "en": "value",
    },
    "report.submissions": {
        "ko": "제출물",
        "en": "submissions",
    },
    "report.weeks": {
        "ko": "주차별 요약",
        "en": "Weeks",
    },
    "report.week": {
        "ko": "주차",
        "en": "week",
    },
    "report.title": {
        "ko": "제목",
        "en": "title",
    },
    "report.total": {
        "ko": "합계",
        "en": "total",
    },
    "report.gradebook": {
        "ko": "성적표",
        "en": "Gradebook",
    },
    "report.score_by_week": {
        "ko": "주차별 점수 (만점 대비 %)",
        "en": "Score by week (% of max)",
    },
    "report.percent": {
        "ko": "%",
        "en": "%",
    },
    "report.no_data": {
        "ko": "자료 없음",
        "en": "no data",
    },
    "report.font_fallback": {
        "ko": "한글 글꼴을 찾지 못해 그래프는 영어로 표시합니다 (fonts-nanum 또는 fonts-noto-cjk 설치).",
        "en": "No CJK font found; plot labels are in English (install fonts-nanum or fonts-noto-cjk).",
    },
    "report.students_count": {
        "ko": "학생 수",
        "en": "students",
    },
    "report.on_time": {
        "ko": "정시",
        "en": "on time",
    },
    "report.yes": {
        "ko": "예",
        "en": "yes",
    },
    "report.no": {
        "ko": "아니요",
        "en": "no",
    },
    "report.comments": {
        "ko": "채점자 의견",
        "en": "grader's comments",
    },
    "report.manual_grading": {
        "ko": "수동 채점",
        "en": "Hand grading",
    },
    "report.manual_graded": {
        "ko": "채점 완료",
        "en": "graded",
    },
    "report.manual_pending": {
        "ko": "채점 대기",
        "en": "pending",
    },
    "report.manual_review": {
        "ko": "재확인 필요",
        "en": "to review",
    },
    "report.provisional_count": {
        "ko": "잠정 점수",
        "en": "provisional scores",
    },
    "report.provisional": {
        "ko": "잠정",
        "en": "provisional",
    },
    "report.pending_points": {
        "ko": "{points}점 대기",
        "en": "{points} pts pending",
    },
    "report.manual_review_reason": {
        "ko": "{cell}: 수동 채점 후 답안이 바뀌었습니다",
        "en": "{cell}: answer changed since it was graded by hand",
    },
    "report.no_manual": {
        "ko": "수동 채점 문항이 없습니다.",
        "en": "No hand-graded cells.",
    },
    "report.reason_timeout": {
        "ko": "시간 초과",
        "en": "timeout",
    },
    "report.reason_memory": {
        "ko": "메모리 초과",
        "en": "memory limit",
    },
    "report.reason_kernel_died": {
        "ko": "커널 종료",
        "en": "kernel died",
    },
    "report.reason_damaged": {
        "ko": "손상된 노트북",
        "en": "damaged notebook",
    },
    "report.reason_missing_notebook": {
        "ko": "노트북 누락",
        "en": "missing notebook",
    },
    "report.reason_cell_modified": {
        "ko": "잠긴 셀 수정",
        "en": "locked cell modified",
    },
    "report.reason_output_truncated": {
        "ko": "출력 초과",
        "en": "output truncated",
    },
    "report.reason_infra_error": {
        "ko": "채점 시스템 오류",
        "en": "infrastructure error",
    },
    "report.reason_flagged": {
        "ko": "부정 의심 플래그",
        "en": "integrity flag",
    },
    "report.state_graded": {
        "ko": "채점됨",
        "en": "graded",
    },
    "report.state_error": {
        "ko": "오류",
        "en": "error",
    },
    "report.state_not_graded": {
        "ko": "미채점",
        "en": "not graded",
    },
    "report.state_missing": {
        "ko": "미제출",
        "en": "not submitted",
    },
    "report.fb_posted": {
        "ko": "게시됨",
        "en": "posted",
    },
    "report.fb_pending": {
        "ko": "대기",
        "en": "pending",
    },
    "report.fb_none": {
        "ko": "없음",
        "en": "none",
    },
    "report.fb_unknown": {
        "ko": "알 수 없음",
        "en": "n/a",
    },
}
