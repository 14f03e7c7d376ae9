"""``autograder report --course``: every week on one page, and the course gradebook.

File: ``<workspace>/reports/_course/report.html`` with its PNGs beside it; each
week's row links to that week's report when it has been rendered.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime

from autograder.course import Course
from autograder.messages import Labels
from autograder.reports import html as h
from autograder.reports.data import WeekData, gather_week
from autograder.reports.export import course_rows
from autograder.reports.plots import Plot, PlotStyle, score_by_week
from autograder.reports.stats import summarise
from autograder.reports.week_report import ReportFiles, plot_style, reports_dir

COURSE_DIR = "_course"


def render_course_html(
    course: Course,
    weeks: Sequence[WeekData],
    *,
    language: str,
    style: PlotStyle,
    plots: dict[str, Plot],
    week_links: dict[str, str] | None = None,
    now: datetime | None = None,
) -> str:
    tx = Labels(language, "report")
    links = week_links or {}
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    parts = [h.paragraph(f"{tx('generated')}: {stamp}", css="meta")]
    if language == "ko" and style.language != "ko":
        parts.append(h.paragraph(tx("font_fallback"), css="note"))
    rows: list[list[h.Cell | str]] = []
    for w in weeks:
        s = summarise(w)
        rows.append(
            [
                h.Cell(w.week, href=links.get(w.week)),
                w.title,
                w.deadline.strftime("%Y-%m-%d %H:%M %z") if w.deadline else "",
                h.Cell(str(s.collected), numeric=True),
                h.Cell(str(s.graded), numeric=True),
                h.num(s.mean),
                h.num(s.median),
                h.num(s.maximum),
                h.num(s.max_score),
                h.Cell(str(s.late), numeric=True),
                h.Cell(str(s.flagged), numeric=True),
            ]
        )
    parts.append(
        h.section(
            tx("weeks"),
            h.table(
                [
                    tx("week"),
                    tx("title"),
                    tx("deadline"),
                    tx("collected"),
                    tx("graded"),
                    tx("mean"),
                    tx("median"),
                    tx("max"),
                    tx("max_score"),
                    tx("late_count"),
                    tx("flagged_count"),
                ],
                rows,
                table_id="weeks",
            ),
            anchor="weeks",
        )
    )
    parts.append(
        h.section(
            tx("score_by_week"),
            h.image(plots["score_by_week"], alt=tx("score_by_week"))
            if "score_by_week" in plots
            else h.paragraph(tx("no_data"), css="meta"),
            anchor="by-week",
        )
    )
    columns, grade_rows = course_rows(course, weeks)
    headers = [
        {
            "login": tx("student"),
            "student_id": "ID",
            "name": tx("name"),
            "section": tx("section"),
            "total": tx("total"),
            "max_total": tx("max_score"),
            "provisional": tx("provisional"),
        }.get(c, c)
        for c in columns
    ]
    numeric = set(columns[4:]) - {"provisional"}
    parts.append(
        h.section(
            tx("gradebook"),
            h.table(
                headers,
                [[h.Cell(row[c], numeric=c in numeric) for c in columns] for row in grade_rows],
                table_id="gradebook",
            ),
            anchor="gradebook",
        )
    )
    title = tx("course_title", name=course.config.name)
    return h.page(title=title, language=language, body="".join(parts))


def write_course_report(course: Course, *, language: str | None = None) -> ReportFiles:
    lang = language or course.config.language
    weeks = [gather_week(course, w) for w in course.week_names()]
    style = plot_style(lang)
    plot = score_by_week(weeks, style)
    plots = {plot.name: plot} if plot else {}
    out = reports_dir(course) / COURSE_DIR
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.png"):
        stale.unlink()
    pngs = []
    for p in plots.values():
        path = out / f"{p.name}.png"
        path.write_bytes(p.png)
        pngs.append(path)
    html_path = out / "report.html"
    links = {
        w.week: os.path.relpath(reports_dir(course) / w.week / "report.html", out).replace(
            os.sep, "/"
        )
        for w in weeks
        if (reports_dir(course) / w.week / "report.html").is_file()
    }
    html_path.write_text(
        render_course_html(
            course, weeks, language=lang, style=style, plots=plots, week_links=links
        ),
        encoding="utf-8",
    )
    return ReportFiles(html_path, tuple(pngs))
