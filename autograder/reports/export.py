"""``autograder export``: CSV for nbgrader users and for the LMS.

Week CSV: nbgrader's ``export`` columns first (assignment, duedate, timestamp,
student_id, last_name, first_name, email, raw_score, late_submission_penalty,
score, max_score), then ours. ``student_id`` is nbgrader's student id, which
here is the GitHub login; the university number is ``roster_student_id``.
Course CSV: one row per student, one column per week, and the total.
Headers are English in both, for LMS imports.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from autograder.course import Course
from autograder.reports.data import StudentWeek, WeekData, gather_week
from autograder.reports.html import fmt
from autograder.reports.stats import grader_comments, penalty_points, raw_score
from autograder.roster import course_roster

NBGRADER_COLUMNS = (
    "assignment",
    "duedate",
    "timestamp",
    "student_id",
    "last_name",
    "first_name",
    "email",
    "raw_score",
    "late_submission_penalty",
    "score",
    "max_score",
)
OUR_COLUMNS = (
    "roster_student_id",
    "name",
    "section",
    "status",
    "late_seconds",
    "sha",
    "runtime_s",
    "run_status",
    "problems",
    "flags",
    "similarity_max",  # highest pair score with anyone (autograder similarity)
    "similar_to",  # partners of flagged pairs, ';'-separated
    "provisional",  # "yes" while hand-graded cells are pending or to be reviewed
    "pending_points",  # points of hand-graded cells nobody has scored yet
    "extra_credit",  # given by hand (included in raw_score and score)
    "grader_comments",  # the grader's comments, "cell: text" joined by " | "
)


def _metric_ids(data: WeekData) -> list[str]:
    ids: dict[str, None] = {}
    for result in data.results:
        for m in result.metrics:
            ids.setdefault(m.id, None)
    return list(ids)


def week_rows(
    data: WeekData, similarity: dict[str, tuple[float, list[str]]] | None = None
) -> tuple[list[str], list[dict[str, str]]]:
    """`similarity`: login -> (highest pair score, flagged partners), from `WeekSimilarity.by_student`."""
    metric_ids = _metric_ids(data)
    columns = [*NBGRADER_COLUMNS, *OUR_COLUMNS]
    for mid in metric_ids:
        columns += [f"metric_{mid}", f"metric_{mid}_points"]
    rows = [_week_row(s, data, metric_ids) for s in data.students]
    for row in rows:
        best, partners = (similarity or {}).get(row["student_id"], (None, []))
        row["similarity_max"] = fmt(best, digits=4)
        row["similar_to"] = ";".join(sorted(partners))
    return columns, rows


def _week_row(s: StudentWeek, data: WeekData, metric_ids: Sequence[str]) -> dict[str, str]:
    r = s.result
    graded = r is not None and r.status == "graded"
    roster = s.roster
    when = s.submitted_at
    row = {
        "assignment": data.week,
        "duedate": data.deadline.isoformat() if data.deadline else "",
        "timestamp": when.isoformat() if when else "",
        "student_id": s.login,
        "last_name": roster.name if roster else "",
        "first_name": "",
        "email": roster.email if roster else "",
        "raw_score": fmt(raw_score(r), digits=4) if graded and r else "0",
        "late_submission_penalty": fmt(penalty_points(r), digits=4) if graded and r else "0",
        "score": fmt(r.score, digits=4) if graded and r else "0",
        "max_score": fmt(data.max_score, digits=4),
        "roster_student_id": roster.student_id if roster else "",
        "name": roster.name if roster else "",
        "section": roster.section if roster else "",
        "status": s.state,
        "late_seconds": fmt(r.late_seconds, digits=1) if r else "",
        "sha": (r.sha if r and r.sha else None) or (s.meta.sha if s.meta and s.meta.sha else ""),
        "runtime_s": fmt(r.runtime_s, digits=3) if r else "",
        "run_status": r.run_status if r else "",
        "problems": str(len(r.problems)) if r else "",
        "flags": str(len(r.flags)) if r else "",
        "provisional": "yes" if graded and r and r.provisional else "",
        "pending_points": fmt(r.pending_points, digits=4) if graded and r else "",
        "extra_credit": fmt(sum(t.extra_credit for t in r.tests), digits=4) if graded and r else "",
        "grader_comments": " | ".join(f"{c}: {x}" for c, x in grader_comments(r)) if r else "",
    }
    metrics = {m.id: m for m in r.metrics} if r else {}
    for mid in metric_ids:
        m = metrics.get(mid)
        row[f"metric_{mid}"] = fmt(m.value, digits=6) if m and m.value is not None else ""
        row[f"metric_{mid}_points"] = fmt(m.points, digits=4) if m else ""
    return row


def course_rows(
    course: Course, weeks: Sequence[WeekData]
) -> tuple[list[str], list[dict[str, str]]]:
    """One row per student of any week (or the roster): score per week, total, max total.

    A week without a graded result is left blank (not yet graded, or not submitted);
    the total counts it as zero.
    """
    roster = course_roster(course)
    logins = sorted(set(roster) | {s.login for w in weeks for s in w.students}, key=str.lower)
    columns = [
        "login",
        "student_id",
        "name",
        "section",
        *[w.week for w in weeks],
        "total",
        "max_total",
        "provisional",  # weeks whose score can still change (hand grading), ';'-separated
    ]
    max_total = sum(w.max_score for w in weeks)
    by_week = {w.week: {s.login: s for s in w.students} for w in weeks}
    rows = []
    for login in logins:
        entry = roster.get(login)
        row = {
            "login": login,
            "student_id": entry.student_id if entry else "",
            "name": entry.name if entry else "",
            "section": entry.section if entry else "",
        }
        total = 0.0
        provisional = []
        for w in weeks:
            s = by_week[w.week].get(login)
            r = s.result if s else None
            if r is not None and r.status == "graded":
                row[w.week] = fmt(r.score, digits=4)
                total += r.score
                if r.provisional:
                    provisional.append(w.week)
            else:
                row[w.week] = ""
        row["total"] = fmt(total, digits=4)
        row["max_total"] = fmt(max_total, digits=4)
        row["provisional"] = ";".join(provisional)
        rows.append(row)
    return columns, rows


def to_csv(columns: Sequence[str], rows: Sequence[dict[str, str]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def export_week_csv(course: Course, week: str) -> str:
    from autograder.similarity import analyse_week

    similarity = analyse_week(course, week).by_student()
    return to_csv(*week_rows(gather_week(course, week), similarity))


def export_course_csv(course: Course, weeks: Sequence[str] | None = None) -> str:
    names = list(weeks) if weeks is not None else course.week_names()
    return to_csv(*course_rows(course, [gather_week(course, w) for w in names]))
