"""``autograder report WEEK``: one self-contained HTML page per week, PNGs beside it.

Files: ``<workspace>/reports/<week>/report.html`` and ``<week>/<plot>.png``; the
per-student HTML feedback goes to ``<workspace>/feedback/<week>/<login>.html``
and is linked from the students table.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from autograder.course import Course
from autograder.messages import Labels
from autograder.reports import html as h
from autograder.reports.data import StudentWeek, WeekData, gather_week
from autograder.reports.fonts import find_cjk_font
from autograder.reports.plots import Plot, PlotStyle, week_plots
from autograder.reports.stats import (
    failure_counts,
    grader_comments,
    manual_progress,
    metric_series,
    pass_rates,
    penalty_points,
    raw_score,
    reviews,
    summarise,
)
from autograder.results import SubmissionResult

SALT_ENV = "AUTOGRADER_LEADERBOARD_SALT"


@dataclass(frozen=True)
class ReportFiles:
    html: Path
    plots: tuple[Path, ...]
    feedback: tuple[Path, ...] = ()


def reports_dir(course: Course) -> Path:
    return course.workspace / "reports"


def plot_style(language: str) -> PlotStyle:
    return PlotStyle.choose(language, find_cjk_font() if language == "ko" else None)


def format_late(seconds: float, language: str) -> str:
    if seconds <= 0:
        return ""
    minutes = int(round(seconds / 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    tx = Labels(language, "report")
    parts = [tx("days", n=days) if days else "", tx("hours", n=hours) if hours else ""]
    if not days:
        parts.append(tx("minutes", n=mins) if mins or not hours else "")
    return " ".join(p for p in parts if p)


def format_time(when: datetime | None, deadline: datetime | None) -> str:
    """In the deadline's time zone (the course's), else UTC."""
    if when is None:
        return ""
    zone = deadline.tzinfo if deadline is not None else UTC
    return when.astimezone(zone).strftime("%Y-%m-%d %H:%M %z")


def leaderboard_salt(course: Course) -> str:
    """A course secret for stable aliases: $AUTOGRADER_LEADERBOARD_SALT or one kept in the workspace."""
    if os.environ.get(SALT_ENV):
        return os.environ[SALT_ENV]
    path = reports_dir(course) / ".leaderboard-salt"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(16))
    return path.read_text().strip()


def _student_row(
    s: StudentWeek, data: WeekData, tx: Labels, links: dict[str, str]
) -> list[h.Cell | str]:
    r = s.result
    graded = r is not None and r.status == "graded"
    return [
        h.Cell(s.login, href=links.get(s.login)),
        s.name,
        s.roster.section if s.roster else "",
        tx(f"state_{s.state}"),
        format_time(s.submitted_at, data.deadline),
        h.Cell(format_late(r.late_seconds, tx.language) if r else "", css="late"),
        h.num(raw_score(r)) if graded and r else h.Cell(""),
        h.num(penalty_points(r)) if graded and r else h.Cell(""),
        _score_cell(r, tx) if graded and r else h.Cell(""),
        h.num(data.max_score),
        h.num(r.runtime_s, digits=1) if r else h.Cell(""),
        h.Cell(str(len(r.problems)) if r else "", numeric=True),
        h.Cell(str(len(r.flags)) if r else "", numeric=True),
        tx(f"fb_{s.feedback.state}")
        + (f" #{s.feedback.issue_number}" if s.feedback.issue_number else ""),
        "; ".join(f"{c}: {x}" for c, x in grader_comments(r)) if r else "",
    ]


def _score_cell(r: SubmissionResult, tx: Labels) -> h.Cell:
    """The score, marked provisional while hand-graded cells are pending or to review."""
    cell = h.num(r.score)
    if not r.provisional:
        return cell
    note = tx("provisional")
    if r.pending_points:
        note += ", " + tx("pending_points", points=f"{r.pending_points:g}")
    return h.Cell(f"{cell.text} ({note})", numeric=True, css="provisional")


def _row_class(s: StudentWeek) -> str:
    late = " late" if s.result is not None and s.result.late_seconds > 0 else ""
    return f"state-{s.state}{late}"


def render_week_html(
    data: WeekData,
    *,
    language: str,
    style: PlotStyle,
    plots: dict[str, Plot],
    feedback_links: dict[str, str] | None = None,
    leaderboard_salt: str | None = None,
    now: datetime | None = None,
    similarity_html: str = "",
) -> str:
    tx = Labels(language, "report")
    links = feedback_links or {}
    summary = summarise(data)
    parts: list[str] = []
    deadline = data.deadline.strftime("%Y-%m-%d %H:%M %z") if data.deadline else tx("no_deadline")
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    parts.append(
        h.paragraph(
            f"{data.week} · {tx('deadline')}: {deadline} · {tx('generated')}: {stamp}", css="meta"
        )
    )
    if language == "ko" and style.language != "ko":
        parts.append(h.paragraph(tx("font_fallback"), css="note"))

    def plot(key: str, alt: str) -> str:
        return (
            h.image(plots[key], alt=alt) if key in plots else h.paragraph(tx("no_data"), css="meta")
        )

    summary_rows = [
        (tx("students_count"), h.Cell(str(summary.students), numeric=True)),
        (tx("roster"), h.Cell(str(data.on_roster), numeric=True)),
        (tx("collected"), h.Cell(str(summary.collected), numeric=True)),
        (tx("graded"), h.Cell(str(summary.graded), numeric=True)),
        (tx("errors"), h.Cell(str(summary.errors), numeric=True)),
        (tx("missing"), h.Cell(str(summary.missing), numeric=True)),
        (tx("late_count"), h.Cell(str(summary.late), numeric=True)),
        (tx("flagged_count"), h.Cell(str(summary.flagged), numeric=True)),
        (tx("provisional_count"), h.Cell(str(summary.provisional), numeric=True)),
        (tx("mean"), h.num(summary.mean)),
        (tx("median"), h.num(summary.median)),
        (tx("stdev"), h.num(summary.stdev)),
        (tx("min"), h.num(summary.minimum)),
        (tx("max"), h.num(summary.maximum)),
        (tx("max_score"), h.num(summary.max_score)),
    ]
    parts.append(
        '<div class="grid">'
        + h.section(
            tx("summary"), h.table(None, summary_rows, table_id="summary"), anchor="summary"
        )
        + h.section(
            tx("score_distribution"),
            plot("score_distribution", tx("score_distribution")),
            anchor="scores",
        )
        + "</div>"
    )

    rates = pass_rates(data)
    parts.append(
        h.section(
            tx("test_pass_rates"),
            plot("test_pass_rates", tx("test_pass_rates")),
            h.table(
                [
                    tx("test"),
                    tx("hidden"),
                    tx("points"),
                    tx("passed"),
                    tx("pass_rate"),
                    tx("avg_points"),
                ],
                [
                    [
                        h.Cell(r.id),
                        tx("yes") if r.hidden else "",
                        h.num(r.max_points),
                        h.Cell(f"{r.passed}/{r.attempted}", numeric=True),
                        h.Cell(f"{100 * r.rate:.0f}%", numeric=True),
                        h.num(r.mean_points),
                    ]
                    for r in rates
                ],
                table_id="tests",
            ),
            anchor="tests",
        )
    )

    progress = manual_progress(data)
    if progress:
        parts.append(
            h.section(
                tx("manual_grading"),
                h.table(
                    [
                        tx("test"),
                        tx("points"),
                        tx("manual_graded"),
                        tx("manual_pending"),
                        tx("manual_review"),
                        tx("avg_points"),
                    ],
                    [
                        [
                            h.Cell(p.id),
                            h.num(p.max_points),
                            h.Cell(str(p.graded), numeric=True),
                            h.Cell(str(p.pending), numeric=True),
                            h.Cell(str(p.review), numeric=True),
                            h.num(p.mean_points),
                        ]
                        for p in progress
                    ],
                    table_id="manual",
                ),
                anchor="manual",
            )
        )

    series = metric_series(data)
    if series:
        blocks = []
        for m in series:
            valued = [v for _, v, _, _ in m.values if v is not None]
            blocks.append(f"<h3>{h.escape(m.id)} ({h.escape(m.metric)})</h3>")
            blocks.append(plot(f"metric_{m.id}", m.id))
            blocks.append(
                h.table(
                    [
                        tx("metric"),
                        tx("target"),
                        tx("floor"),
                        tx("reached_target"),
                        tx("mean"),
                        tx("no_value"),
                    ],
                    [
                        [
                            m.metric,
                            h.num(m.target, digits=4),
                            h.num(m.floor, digits=4),
                            h.Cell(f"{m.reached}/{len(m.values)}", numeric=True),
                            h.num(sum(valued) / len(valued) if valued else None, digits=4),
                            h.Cell(str(len(m.values) - len(valued)), numeric=True),
                        ]
                    ],
                    table_id=f"metric-{m.id}",
                )
            )
            if leaderboard_salt is not None:
                blocks.append(_leaderboard(data.graded, m.id, tx, leaderboard_salt))
        parts.append(h.section(tx("thresholds"), *blocks, anchor="thresholds"))

    parts.append(
        '<div class="grid">'
        + h.section(
            tx("submission_times"), plot("submission_times", tx("submission_times")), anchor="times"
        )
        + h.section(tx("runtimes"), plot("runtimes", tx("runtimes")), anchor="runtimes")
        + "</div>"
    )

    counts = failure_counts(data)
    parts.append(
        h.section(
            tx("failures"),
            plot("failures", tx("failures")) if counts else "",
            h.table(
                [tx("reason"), tx("count")],
                [[tx(f"reason_{k}"), h.Cell(str(v), numeric=True)] for k, v in counts.items()],
                table_id="failures",
            )
            if counts
            else h.paragraph(tx("no_failures")),
            anchor="failures",
        )
    )

    flagged = reviews(data, language=language)
    parts.append(
        h.section(
            tx("review"),
            h.table(
                [tx("student"), tx("reason")],
                [[h.Cell(r.login, href=links.get(r.login)), "; ".join(r.reasons)] for r in flagged],
                table_id="review",
            )
            if flagged
            else h.paragraph(tx("nothing_flagged")),
            anchor="review",
        )
    )

    parts.append(similarity_html)  # autograder.similarity.render: ranked pairs, side by side
    parts.append(
        h.section(
            tx("students"),
            h.table(
                [
                    tx("student"),
                    tx("name"),
                    tx("section"),
                    tx("status"),
                    tx("submitted_at"),
                    tx("late"),
                    tx("raw_score"),
                    tx("penalty"),
                    tx("score"),
                    tx("max_score"),
                    tx("runtime"),
                    tx("problems"),
                    tx("flags"),
                    tx("feedback"),
                    tx("comments"),
                ],
                [_student_row(s, data, tx, links) for s in data.students],
                table_id="students",
                row_classes=[_row_class(s) for s in data.students],
            ),
            anchor="students",
        )
    )
    title = tx("week_title", title=data.title)
    return h.page(title=title, language=language, body="".join(parts))


def _leaderboard(results: Iterable[SubmissionResult], metric_id: str, tx: Labels, salt: str) -> str:
    from autograder.thresholds.leaderboard import leaderboard

    rows = leaderboard(
        ((r.student, m.to_dict()) for r in results for m in r.metrics),
        metric_id=metric_id,
        anonymise=True,
        salt=salt,
    )
    return f"<h3>{h.escape(tx('leaderboard'))}</h3>" + h.table(
        [tx("rank"), tx("alias"), tx("value"), tx("points")],
        [
            [h.Cell(str(r.rank), numeric=True), r.name, h.num(r.value, digits=4), h.num(r.points)]
            for r in rows
        ],
        table_id=f"leaderboard-{metric_id}",
    )


def write_week_report(
    course: Course,
    week: str,
    *,
    language: str | None = None,
    leaderboard: bool = False,
    feedback: bool = True,
    results: Iterable[SubmissionResult] | None = None,
) -> ReportFiles:
    """Render the week's report (and per-student HTML feedback) into the workspace."""
    from autograder.reports.feedback_html import write_feedback_html

    lang = language or course.config.language
    similarity_html = _similarity_section(course, week, lang)
    data = gather_week(course, week, results=results)
    style = plot_style(lang)
    plots = week_plots(data, style)
    out = reports_dir(course) / week
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.png"):
        stale.unlink()
    pngs = []
    for plot in plots.values():
        path = out / f"{plot.name}.png"
        path.write_bytes(plot.png)
        pngs.append(path)
    html_path = out / "report.html"
    pages = write_feedback_html(course, week, data.results, language=lang) if feedback else []
    links = {p.stem: os.path.relpath(p, html_path.parent).replace(os.sep, "/") for p in pages}
    html_path.write_text(
        render_week_html(
            data,
            language=lang,
            style=style,
            plots=plots,
            feedback_links=links,
            leaderboard_salt=leaderboard_salt(course) if leaderboard else None,
            similarity_html=similarity_html,
        ),
        encoding="utf-8",
    )
    return ReportFiles(html_path, tuple(pngs), tuple(pages))


def _similarity_section(course: Course, week: str, language: str) -> str:
    """The week's pairs, ranked (read-only: `autograder similarity` writes the flags)."""
    from autograder.similarity import analyse_week
    from autograder.similarity.render import render_section

    return render_section(analyse_week(course, week), language=language)
