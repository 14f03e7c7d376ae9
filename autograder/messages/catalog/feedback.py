"""The feedback issue (final and before the deadline), its title and comments."""

from __future__ import annotations

FEEDBACK: dict[str, dict[str, str]] = {
    # -- Feedback issue body (final)
    "feedback.title": {
        "ko": "{title} 채점 결과",
        "en": "{title}: grading result",
    },
    "feedback.score": {
        "ko": "**점수: {score:g} / {max:g}**",
        "en": "**Score: {score:g} / {max:g}**",
    },
    "feedback.provisional": {
        "ko": "**잠정 점수**: 수동 채점 {pending:g}점이 아직 채점 대기 중입니다. 최종 점수는 바뀔 수 있습니다.",
        "en": "**Provisional score**: {pending:g} points of hand-graded answers are still pending. The final score may change.",
    },
    "feedback.review": {
        "ko": "**잠정 점수**: 수동 채점한 답안이 다시 제출되어 교수자가 다시 확인할 예정입니다.",
        "en": "**Provisional score**: a hand-graded answer changed since it was graded; the instructor will look at it again.",
    },
    "feedback.pending": {
        "ko": "{points:g}점 채점 대기",
        "en": "{points:g} points pending",
    },
    "feedback.extra": {
        "ko": "가산점 +{points:g}",
        "en": "extra credit +{points:g}",
    },
    "feedback.comments": {
        "ko": "### 채점자 의견",
        "en": "### Grader's comments",
    },
    "feedback.tests": {
        "ko": "### 테스트",
        "en": "### Tests",
    },
    "feedback.col": {
        "ko": "| 항목 | 결과 | 점수 | 설명 |\n|---|---|---|---|",
        "en": "| item | result | points | details |\n|---|---|---|---|",
    },
    "feedback.metrics": {
        "ko": "### 모델 성능 기준",
        "en": "### Model thresholds",
    },
    "feedback.penalties": {
        "ko": "### 감점",
        "en": "### Penalties",
    },
    "feedback.problems": {
        "ko": "### 알림",
        "en": "### Notes",
    },
    "feedback.error": {
        "ko": "채점 시스템 오류로 이 제출물은 아직 채점되지 않았습니다. 교수자가 다시 채점할 예정입니다.",
        "en": "A grading infrastructure error prevented grading this submission. The instructor will regrade it.",
    },
    "feedback.hidden": {
        "ko": "숨김",
        "en": "hidden",
    },
    "feedback.footer": {
        "ko": "_autograder가 자동으로 작성했습니다. 질문은 교수자에게 하세요._",
        "en": "_Written by autograder. Ask your instructor if anything is unclear._",
    },
    "feedback.status.passed": {
        "ko": "✅ 통과",
        "en": "✅ passed",
    },
    "feedback.status.failed": {
        "ko": "❌ 실패",
        "en": "❌ failed",
    },
    "feedback.status.error": {
        "ko": "❌ 오류",
        "en": "❌ error",
    },
    "feedback.status.timeout": {
        "ko": "⏱️ 시간 초과",
        "en": "⏱️ timeout",
    },
    "feedback.status.not_run": {
        "ko": "⏭️ 실행 안 됨",
        "en": "⏭️ not run",
    },
    "feedback.status.manual": {
        "ko": "📝 수동 채점",
        "en": "📝 manual",
    },
    "feedback.status.manual_graded": {
        "ko": "📝 채점 완료",
        "en": "📝 graded by hand",
    },
    "feedback.status.manual_review": {
        "ko": "📝 재확인 중",
        "en": "📝 to be reviewed",
    },
    "feedback.your": {
        "ko": "내 모델",
        "en": "your model",
    },
    "feedback.target": {
        "ko": "목표",
        "en": "target",
    },
    "feedback.floor": {
        "ko": "최소",
        "en": "floor",
    },
    "feedback.points": {
        "ko": "점",
        "en": "points",
    },
    "feedback.late": {
        "ko": "제출 시각: {when}",
        "en": "submitted at: {when}",
    },
    # -- Feedback before the deadline (check)
    "check.title": {
        "ko": "{title} 점검 결과 (마감 전)",
        "en": "{title}: check before the deadline",
    },
    "check.intro": {
        "ko": "마감 전 자동 점검입니다. 최종 점수는 마감 후 채점으로 정해집니다.",
        "en": "An automatic check before the deadline. The final score comes from grading after the deadline.",
    },
    "check.deadline": {
        "ko": "마감: {when}",
        "en": "Deadline: {when}",
    },
    "check.score": {
        "ko": "**현재 점수(잠정): {score:g} / {max:g}**",
        "en": "**Provisional score: {score:g} / {max:g}**",
    },
    "check.public": {
        "ko": "### 공개 테스트",
        "en": "### Public tests",
    },
    "check.hidden": {
        "ko": "### 숨김 테스트",
        "en": "### Hidden tests",
    },
    "check.count": {
        "ko": "{passed} / {total} 통과",
        "en": "{passed} / {total} passed",
    },
    "check.thresholds_hidden": {
        "ko": "모델 성능 기준 결과는 마감 후에 공개됩니다.",
        "en": "Model threshold results are shown after the deadline.",
    },
    "check.commit": {
        "ko": "점검한 커밋: `{sha}`",
        "en": "Checked commit: `{sha}`",
    },
    "check.next": {
        "ko": "다음 점검은 마지막 채점 후 {minutes:g}분이 지나야 합니다. 그 사이의 push는 모아서 한 번에 점검합니다.",
        "en": "The next check comes at least {minutes:g} minutes after the last one; pushes in between are checked together.",
    },
    # -- GitHub issue title, regrade comment
    "issue.title": {
        "ko": "[autograder] {week} 채점 결과",
        "en": "[autograder] {week} feedback",
    },
    "issue.regraded": {
        "ko": "재채점되어 위 피드백을 갱신했습니다.",
        "en": "Regraded: the feedback above has been updated.",
    },
    "issue.score": {
        "ko": "점수: {old} → {new}",
        "en": "Score: {old} → {new}",
    },
    "issue.truncated": {
        "ko": "\n\n…(피드백이 너무 길어 잘렸습니다. 전체 내용은 담당 교수자에게 문의하세요.)",
        "en": "\n\n…(feedback truncated; ask the instructor for the full text.)",
    },
}
